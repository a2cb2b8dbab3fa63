import { describe, expect, it } from 'vitest';
import { AssemblyWait } from '../../../src/workflows/multipart/assembly-wait';
import { ChunkRejections, MAX_CHUNK_REJECTIONS } from '../../../src/workflows/multipart/chunk-rejections';

const session = { uploadId: 'up1', assetId: 'as1' };

describe('AssemblyWait', () => {
  it('backs off 1, 2, 4 … 30 s and gives up once the bound is spent', () => {
    const wait = new AssemblyWait(10 * 60_000);
    const delays: number[] = [];
    for (;;) {
      const step = wait.next(session);
      if (step.kind === 'give-up') {
        expect(step.message).toContain('up1');
        expect(step.message).toContain('Reset');
        break;
      }
      delays.push(step.delayMs);
    }
    expect(delays.slice(0, 7)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(delays.reduce((a, b) => a + b, 0)).toBe(10 * 60_000);
    expect(delays.length).toBeLessThan(30);
  });

  it('starts over after chunks were sent again', () => {
    const wait = new AssemblyWait(60_000);
    wait.next(session);
    wait.next(session);
    wait.reset();
    expect(wait.next(session)).toEqual({ kind: 'wait', delayMs: 1_000 });
  });
});

describe('ChunkRejections', () => {
  it('allows MAX_CHUNK_REJECTIONS re-sends per chunk, counted across a snapshot, then names the chunk and quotes the error', () => {
    let rejections = new ChunkRejections();
    for (let i = 0; i < MAX_CHUNK_REJECTIONS - 1; i++) expect(rejections.rejected(7, 'bad part', 'up1').kind).toBe('resend');
    expect(rejections.rejected(2, undefined, 'up1').kind).toBe('resend');
    rejections = new ChunkRejections(rejections.snapshot()); // continue-as-new
    expect(rejections.rejected(7, undefined, 'up1').kind).toBe('resend');
    const verdict = rejections.rejected(7, 'checksum mismatch', 'up1');
    expect(verdict.kind).toBe('give-up');
    if (verdict.kind === 'give-up') {
      expect(verdict.message).toContain('chunk 7 ');
      expect(verdict.message).toContain('"checksum mismatch"');
    }
  });
});
