// The Web UI's Current Details text, as the workflows write it: pure functions of their state.

import { describe, expect, it } from 'vitest';
import { zeroCounters, type UploadProgress, type UploadState } from '../../src/domain/types';
import { amountLine, detailsMarkdown, laneSummary, multipartDetails, percentText, textBar, uploadDetails } from '../../src/workflows/current-details';

const MiB = 1024 * 1024;

describe('Current Details', () => {
  const running: UploadProgress = {
    phase: 'uploading', fileName: 'keynote.mp4', uploadId: 'up_1', assetId: 'as_1', totalBytes: 64 * MiB, confirmedBytes: 24 * MiB,
    uploadedBytes: 28 * MiB, totalChunks: 16, uploadedChunks: 7, reportedChunks: 6, inFlightChunks: [8, 9, 10, 11], lanesInFlight: 2,
    concurrency: 4, paused: false, counters: { ...zeroCounters(), hedges: 0, hedgedBytes: 0, urlRefusals: 0, lanes: 3 }, startedAt: '2030-01-01T00:00:00Z', runs: 1,
  };

  it("shows a multipart upload's bytes, percentage, chunks and lanes", () => {
    expect(multipartDetails(running)).toBe(
      [
        '**keynote.mp4** — uploading  ',
        '`[########............]` **43.7%** — 28.0 MiB of 64.0 MiB',
        '',
        '- chunks: 7 of 16 stored, 6 confirmed, 4 in flight',
        '- lanes: 2 running of 4 at once',
        '- session: `up_1`',
      ].join('\n'),
    );
  });

  it('says what went wrong and what was recovered, and that a pause holds new chunks', () => {
    const text = multipartDetails({
      ...running, phase: 'paused', paused: true, lanesInFlight: 0, inFlightChunks: [], runs: 3,
      counters: { ...running.counters, retries: 2, sessionRestarts: 1 },
    });
    expect(text).toMatch(/^\*\*keynote\.mp4\*\* — paused {2}\n/);
    expect(text).toContain('- lanes: 0 running of 4 at once (paused: no new chunk starts)');
    expect(text).toContain('- recovered: 2 retried, 1 session restarts');
    expect(text).toContain('- run 3 (continued as new with the chunk ledger)');
    const failed = multipartDetails({ ...running, phase: 'failed', lanesInFlight: 0, error: { type: 'SourceChanged', message: 'the file changed' } });
    expect(failed).toContain('- error: SourceChanged: the file changed');
  });

  it('shows no percentage before the size is known, and never 100% before the end', () => {
    expect(multipartDetails({ ...running, phase: 'validating', totalBytes: undefined, totalChunks: undefined, uploadId: undefined, lanesInFlight: 0 })).toBe('**keynote.mp4** — validating');
    expect(percentText(MiB - 1, MiB)).toBe('99.9%');
    expect(percentText(MiB, MiB)).toBe('100.0%');
    expect(percentText(1, undefined)).toBeUndefined();
    expect(textBar(0, 10, 4)).toBe('`[....]`');
    expect(textBar(10, 10, 4)).toBe('`[####]`');
  });

  it('counts files for a batch, in the same layout', () => {
    expect(amountLine({ done: 3, total: 12, unit: 'files' })).toBe('`[#####...............]` **25.0%** — 3 of 12 files');
    expect(detailsMarkdown({ title: '12 files', phase: 'running', amount: { done: 3, total: 12, unit: 'files' }, facts: ['running: a.mp4, b.mp4'] })).toBe(
      '**12 files** — running  \n`[#####...............]` **25.0%** — 3 of 12 files\n\n- running: a.mp4, b.mp4',
    );
  });

  it("points an upload's details at its multipart child, and shows the bytes only once it knows them", () => {
    const state: UploadState = {
      phase: 'uploading', route: 'multipart', fileName: 'keynote.mp4', source: '/media/keynote.mp4', totalBytes: 64 * MiB, confirmedBytes: 0,
      multipartWorkflowId: 'upload-keynote/multipart-01', paused: false, createAttempts: 0, startedAt: '2030-01-01T00:00:00Z',
    };
    expect(uploadDetails(state, 'media')).toBe(
      '**keynote.mp4** — uploading\n\n- route: multipart, 64.0 MiB\n- bytes, chunks and lanes, live: [upload-keynote/multipart-01](/namespaces/media/workflows/upload-keynote%2Fmultipart-01)',
    );
    const done = uploadDetails({ ...state, phase: 'completed', confirmedBytes: 64 * MiB, assetId: 'as_1', assetStatus: 'ready' }, 'media');
    expect(done).toMatch(/^\*\*keynote\.mp4\*\* — completed {2}\n`\[#{20}\]` \*\*100\.0%\*\* — 64\.0 MiB of 64\.0 MiB\n/);
    expect(done).toContain('- asset: `as_1` (ready)');
  });

  it("labels a lane's row in the timeline with the chunks it carries", () => {
    expect(laneSummary([5, 6, 7, 8], 16)).toBe('chunks 5–8 of 16');
    expect(laneSummary([9, 3, 4], 16)).toBe('chunks 3–4, 9 of 16');
    expect(laneSummary([16], 16)).toBe('chunk 16 of 16');
  });
});
