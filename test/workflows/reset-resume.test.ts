// Pure parts of the Reset and batch-cancel handling: chunk ranges from a status listing, the
// ledger a reset run's child starts from, and what a cancelled batch says about assets it left.

import { describe, expect, it } from 'vitest';
import { toRanges } from '../../src/domain/chunk-ranges';
import { ChunkLedger } from '../../src/workflows/ledger';
import { carriedFromEarlier } from '../../src/workflows/reset-resume';
import { assetsLeftByCancel, batchDetails, cancelledWithAsset, newBatchItem, zeroBatchTotals } from '../../src/workflows/batch-planning';
import type { SessionInfo } from '../../src/domain/types';

const session: SessionInfo = {
  uploadId: 'u1',
  assetId: 'a1',
  chunkSize: 100,
  totalChunks: 8,
  totalSize: 750,
  uploadHeaders: { 'Content-Type': 'application/octet-stream' },
  expiresAtMs: 1_000_000,
  sourceSizeBytes: 750,
  sourceMtimeMs: 5,
};

describe('carrying on an earlier session after a Reset', () => {
  it('turns the chunks TwelveLabs accepted into ranges, in any order and with repeats', () => {
    expect(toRanges([])).toEqual([]);
    expect(toRanges([5, 1, 2, 3, 3, 8])).toEqual([[1, 3], [5, 5], [8, 8]]);
  });

  it('starts the new child from the accepted chunks only: the others, even uploaded ones, are sent again', () => {
    const carried = carriedFromEarlier({ found: 'resumable', session, reported: [[1, 3], [5, 5]] }, 4, '2026-01-01T00:00:00.000Z');
    expect(carried).toMatchObject({ session, reported: [[1, 3], [5, 5]], unreported: [], paused: false, concurrency: 4, runs: 1 });
    expect(carried.counters.sessionsCreated).toBe(1);
    // The ledger the child rebuilds from it knows exactly those four chunks as done.
    const ledger = new ChunkLedger(session.totalChunks, carried.reported, carried.unreported);
    expect(ledger.reported).toBe(4);
    expect(ledger.uploaded).toBe(0);
  });
});

describe('a cancelled batch names the assets it left', () => {
  it('lists the cancelled items that had an asset, with what to do', () => {
    const items = [0, 1, 2].map((i) => newBatchItem({ index: i, source: `/d/f${i}.mp4`, sizeBytes: 10 }));
    items[0]!.state = 'completed';
    items[0]!.assetId = 'done';
    items[1]!.state = 'cancelled';
    items[1]!.assetId = 'left';
    items[2]!.state = 'cancelled';
    expect(assetsLeftByCancel(items)).toEqual(['left']);
    expect(cancelledWithAsset('left')).toEqual({
      type: 'CancelledAfterAssetCreated',
      message: 'cancelled after its asset left was created; the asset stays at TwelveLabs (tl-upload assets get left; tl-upload assets delete left if it is not wanted)',
    });
    const totals = { ...zeroBatchTotals(), files: 3, completed: 1, cancelled: 2, totalBytes: 30, completedBytes: 10 };
    const details = { phase: 'cancelled', totals, listingDone: true, maxConcurrentUploads: 2, runs: 1, skipped: [] };
    expect(batchDetails({ ...details, assetsLeft: assetsLeftByCancel(items) })).toBe(
      '**3 of 3 files** (10 B of 30 B) — cancelled\n- completed 1, failed 0, cancelled 2, running 0, waiting 0\n- 2 at once; run 1\n- cancelled after their asset was created (the assets stay): `left`',
    );
    expect(batchDetails(details)).not.toContain('assets stay');
  });
});
