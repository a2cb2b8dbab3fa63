// Pure decisions of the batch: which entries go in a run and how many, when a run hands over to
// the next, input checks, skip tallies, and the one exit-code rule of the CLI.

import { describe, expect, it } from 'vitest';
import { outcomeExitCode } from '../../src/cli/exit-codes';
import { skipLines } from '../../src/cli/follow';
import { MAX_INLINE_SOURCES, type BatchEntry } from '../../src/domain/types';
import {
  batchInputProblems,
  goesInRun,
  MAX_ITEMS_PER_RUN,
  MAX_RUN_FILES,
  mergeSkipped,
  nextRunLength,
  shouldContinueAsNew,
  SMALL_FILE_MAX_BYTES,
  zeroBatchTotals,
} from '../../src/workflows/batch-planning';

const MIB = 1024 * 1024;
const entries = (sizes: Array<number | undefined>): BatchEntry[] => sizes.map((sizeBytes, index) => ({ index, source: `/d/${index}.mp4`, ...(sizeBytes !== undefined ? { sizeBytes } : {}) }));

describe('runs of small files', () => {
  it('sends small local files in runs, large ones and URLs alone', () => {
    expect(goesInRun({ index: 0, source: '/a.mp4', sizeBytes: SMALL_FILE_MAX_BYTES })).toBe(true);
    expect(goesInRun({ index: 0, source: '/a.mp4', sizeBytes: SMALL_FILE_MAX_BYTES + 1 })).toBe(false);
    expect(goesInRun({ index: 0, source: '/a.mp4', sizeBytes: 100 }, 50)).toBe(false); // above directMaxBytes
    expect(goesInRun({ index: 0, source: 'https://x/a.mp4', isUrl: true })).toBe(false);
    // Unseen by the listing (a link out of the roots): its run reports why.
    expect(goesInRun({ index: 0, source: '/a.mp4' })).toBe(true);
  });

  it('shares the queue out so every slot gets about three runs, within the run bounds', () => {
    expect(nextRunLength(entries(Array(200).fill(2 * MIB)), 8)).toBe(9);
    expect(nextRunLength(entries(Array(5000).fill(1000)), 8)).toBe(MAX_RUN_FILES);
    expect(nextRunLength(entries([1000]), 8)).toBe(1);
    // At most 256 MiB a run (but always at least one file).
    expect(nextRunLength(entries(Array(100).fill(30 * MIB)), 2)).toBe(8);
    // A run stops before the first file that is not small.
    expect(nextRunLength(entries([1, 2, 64 * MIB, 3]), 1)).toBe(2);
    expect(nextRunLength(entries([64 * MIB, 1]), 1)).toBe(0);
  });

  it('hands over to a new run at its event bound, its item bound, or when Temporal suggests it', () => {
    const base = { historyLength: 100, limit: 5000, suggested: false, itemsThisRun: 10 };
    expect(shouldContinueAsNew(base)).toBe(false);
    expect(shouldContinueAsNew({ ...base, historyLength: 5000 })).toBe(true);
    expect(shouldContinueAsNew({ ...base, suggested: true })).toBe(true);
    expect(shouldContinueAsNew({ ...base, itemsThisRun: MAX_ITEMS_PER_RUN })).toBe(true);
  });
});

describe('batch input', () => {
  it('takes exactly one of sources, directory or list, and no long inline list', () => {
    expect(batchInputProblems({ list: { path: '/l.txt' } })).toEqual([]);
    expect(batchInputProblems({ list: { path: '/l.txt' }, directory: { path: '/d' } })).toEqual(['give exactly one of sources, directory or list']);
    const many = Array.from({ length: MAX_INLINE_SOURCES + 1 }, (_, i) => ({ path: `/f${i}.mp4` }));
    expect(batchInputProblems({ sources: many })[0]).toContain('or a longer list as list: { path }');
    expect(batchInputProblems({ directory: { path: '/d' }, continueAsNewAfterEvents: 5, listPageEntries: 0 })).toEqual([
      'continueAsNewAfterEvents must be an integer from 20 to 50000',
      'listPageEntries must be an integer from 1 to 2000',
    ]);
  });
});

describe('what a batch skipped', () => {
  it('sums skip tallies over pages with a few examples', () => {
    const a = [{ reason: 'r1', count: 4, examples: ['a', 'b', 'c', 'd'] }];
    const b = [{ reason: 'r1', count: 3, examples: ['e', 'f', 'g'] }, { reason: 'r2', count: 1, examples: ['h'] }];
    expect(mergeSkipped(a, b)).toEqual([{ reason: 'r1', count: 7, examples: ['a', 'b', 'c', 'd', 'e'] }, { reason: 'r2', count: 1, examples: ['h'] }]);
    expect(a[0]!.count).toBe(4); // the carried tally is not changed in place
  });

  it('says what it skipped and why', () => {
    const totals = { ...zeroBatchTotals(), alreadyUploaded: 3 };
    expect(skipLines({ totals, skipped: [{ reason: 'not a media file (by its extension)', count: 7, examples: ['a.txt', 'b.txt'] }] })).toEqual([
      'skipped 3 files uploaded before and unchanged since: not uploaded again (their assets are listed)',
      'skipped 7 entries: not a media file (by its extension) (a.txt, b.txt, …)',
    ]);
  });
});

describe('the exit code of an upload or batch', () => {
  it('is one rule for every command: a batch with a failed or cancelled file exits 1', () => {
    const clean = { failed: 0, cancelled: 0 };
    expect(outcomeExitCode('COMPLETED', clean)).toBe(0);
    expect(outcomeExitCode('RUNNING', { failed: 2, cancelled: 0 })).toBe(0);
    expect(outcomeExitCode('COMPLETED', { failed: 0, cancelled: 1 })).toBe(1);
    expect(outcomeExitCode('COMPLETED', { failed: 1, cancelled: 0 })).toBe(1);
    expect(outcomeExitCode('COMPLETED')).toBe(0);
    for (const closed of ['FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT']) expect(outcomeExitCode(closed)).toBe(1);
  });
});
