// The pure decisions behind uploadWorkflow and its exactly-once creates, called directly.

import { describe, expect, it } from 'vitest';
import { sessionOf } from '../../src/activities/session-reconcile';
import { carriesCreateToken, CREATE_TOKEN_KEY, sessionActivityToken, uploadRunToken, withCreateToken } from '../../src/domain/create-token';
import type { IncompleteUpload } from '../../src/twelvelabs/wire';
import { afterUnknownOutcome, MAX_CREATE_ATTEMPTS, needsReadinessWait, uploadInputProblems } from '../../src/workflows/upload-planning';

describe('after a create whose outcome is unknown', () => {
  it('adopts what the search found, whatever the attempt', () => {
    expect(afterUnknownOutcome({ attempt: 1, found: true, fileName: 'a.mp4' })).toEqual({ kind: 'adopt' });
    expect(afterUnknownOutcome({ attempt: MAX_CREATE_ATTEMPTS, found: true, fileName: 'a.mp4' })).toEqual({ kind: 'adopt' });
  });

  it('creates again while attempts remain, then gives up with what to check', () => {
    expect(afterUnknownOutcome({ attempt: MAX_CREATE_ATTEMPTS - 1, found: false, fileName: 'a.mp4' })).toEqual({ kind: 'create-again' });
    const last = afterUnknownOutcome({ attempt: MAX_CREATE_ATTEMPTS, found: false, fileName: 'a.mp4' });
    expect(last.kind).toBe('give-up');
    expect(last.kind === 'give-up' && last.message).toMatch(/^3 attempts to create the asset a\.mp4 .* `tl-upload assets list --filename a\.mp4`/);
  });
});

describe('waiting for the asset', () => {
  it('waits only when asked to and the asset is not ready yet', () => {
    expect(needsReadinessWait(true, 'processing')).toBe(true);
    expect(needsReadinessWait(true, 'ready')).toBe(false);
    expect(needsReadinessWait(false, 'processing')).toBe(false);
  });
});

describe('create tokens', () => {
  it('are deterministic per run (A1) and per activity of a run (M1), and carry no path or key', () => {
    expect(uploadRunToken('run-1')).toBe(uploadRunToken('run-1'));
    expect(uploadRunToken('run-1')).not.toBe(uploadRunToken('run-2'));
    expect(sessionActivityToken('run-1', '3')).not.toBe(sessionActivityToken('run-1', '4'));
    expect(sessionActivityToken('run-1', '3')).toBe('run:run-1/activity:3');
  });

  it("are added to the user's metadata and recognised only when equal", () => {
    const metadata = withCreateToken({ campaign: 'spring' }, 'run:x');
    expect(metadata).toEqual({ campaign: 'spring', [CREATE_TOKEN_KEY]: 'run:x' });
    expect(carriesCreateToken(metadata, 'run:x')).toBe(true);
    expect(carriesCreateToken(metadata, 'run:y')).toBe(false);
    expect(carriesCreateToken({ campaign: 'spring' }, 'run:x')).toBe(false);
  });

  it('reserve their key in the upload input', () => {
    expect(uploadInputProblems({ source: { path: '/a.mp4' }, userMetadata: { [CREATE_TOKEN_KEY]: 'mine' } })).toEqual([
      `userMetadata.${CREATE_TOKEN_KEY} is reserved: uploads use it to find the asset a lost reply had created`,
    ]);
  });
});

describe('which session an adopted asset belongs to (M3 has no asset id)', () => {
  const session = (uploadId: string, createdAt: string): IncompleteUpload => ({
    uploadId,
    status: 'active',
    totalSizeBytes: 100,
    chunkSizeBytes: 10,
    totalChunks: 10,
    createdAt,
    expiresAt: '2026-01-16T09:00:00Z',
  });

  it('is the one session created in the same second', () => {
    const mine = session('s1', '2026-01-15T09:00:00Z');
    expect(sessionOf({ createdAt: '2026-01-15T09:00:00Z' }, [mine, session('s2', '2026-01-15T08:00:00Z')])).toBe(mine);
    expect(sessionOf({ createdAt: '2026-01-15T09:00:01Z' }, [mine])).toBe(mine);
  });

  it('is nobody when none or several could be it (never a guess)', () => {
    expect(sessionOf({ createdAt: '2026-01-15T09:00:00Z' }, [session('s1', '2026-01-15T09:00:00Z'), session('s2', '2026-01-15T09:00:00Z')])).toBeUndefined();
    expect(sessionOf({ createdAt: '2026-01-15T09:00:00Z' }, [session('s1', '2026-01-15T09:00:05Z')])).toBeUndefined();
    expect(sessionOf({}, [session('s1', '2026-01-15T09:00:00Z')])).toBeUndefined();
  });
});
