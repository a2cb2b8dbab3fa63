import { describe, expect, it } from 'vitest';
import { ChunkLedger } from '../../src/workflows/ledger';
import { chunkByteRange, contiguousRequests, expandRanges, toRanges } from '../../src/domain/chunk-ranges';

describe('chunk geometry', () => {
  it('gives every chunk chunkSize bytes and the last one the remainder (1-based)', () => {
    expect(chunkByteRange(1, 100, 250)).toEqual({ byteOffset: 0, sizeBytes: 100 });
    expect(chunkByteRange(2, 100, 250)).toEqual({ byteOffset: 100, sizeBytes: 100 });
    expect(chunkByteRange(3, 100, 250)).toEqual({ byteOffset: 200, sizeBytes: 50 });
    expect(chunkByteRange(3, 100, 300)).toEqual({ byteOffset: 200, sizeBytes: 100 });
  });
});

describe('ranges', () => {
  it('compresses indices into inclusive ranges and back', () => {
    expect(toRanges([7, 1, 2, 3, 3, 9, 8])).toEqual([[1, 3], [7, 9]]);
    expect(expandRanges([[1, 3], [7, 7]])).toEqual([1, 2, 3, 7]);
    expect(toRanges([])).toEqual([]);
  });

  it('splits URL requests into contiguous runs of at most 50', () => {
    const indices = [...Array.from({ length: 120 }, (_, i) => i + 1), 200, 201, 205];
    expect(contiguousRequests(indices, 50)).toEqual([
      { start: 1, count: 50 },
      { start: 51, count: 50 },
      { start: 101, count: 20 },
      { start: 200, count: 2 },
      { start: 205, count: 1 },
    ]);
  });
});

describe('ChunkLedger', () => {
  it('names the chunk that has waited longest for its report, in upload-completion order', () => {
    const ledger = new ChunkLedger(4);
    for (const i of [1, 2, 3]) ledger.start(i);
    expect(ledger.oldestUnreported()).toBeUndefined();
    ledger.uploadSucceeded({ chunkIndex: 3, etag: 'e3', sizeBytes: 10 });
    ledger.uploadSucceeded({ chunkIndex: 1, etag: 'e1', sizeBytes: 10 });
    expect(ledger.oldestUnreported()).toBe(3);
    expect([ledger.isUnreported(3), ledger.isUnreported(2)]).toEqual([true, false]);
    ledger.markReported([3]);
    expect([ledger.oldestUnreported(), ledger.isUnreported(3)]).toEqual([1, false]);
  });

  it('moves chunks from waiting to in flight to uploaded to reported, keeping counts', () => {
    const ledger = new ChunkLedger(4);
    expect(ledger.peekWaiting(10)).toEqual([1, 2, 3, 4]);
    ledger.start(1);
    ledger.start(2);
    expect([ledger.waiting, ledger.inFlight]).toEqual([2, 2]);
    ledger.uploadSucceeded({ chunkIndex: 2, etag: 'e2', sizeBytes: 10 });
    ledger.uploadFailed(1);
    // the failed chunk goes to the front of the queue
    expect(ledger.peekWaiting(10)).toEqual([1, 3, 4]);
    expect(ledger.unreported()).toEqual([{ chunkIndex: 2, etag: 'e2', sizeBytes: 10 }]);
    ledger.markReported([2]);
    expect([ledger.waiting, ledger.inFlight, ledger.uploaded, ledger.reported]).toEqual([3, 0, 0, 1]);
    expect(ledger.done).toBe(false);
  });

  it('refuses impossible transitions instead of corrupting the ledger', () => {
    const ledger = new ChunkLedger(2);
    expect(() => ledger.uploadSucceeded({ chunkIndex: 1, etag: 'x', sizeBytes: 1 })).toThrow(/cannot uploadSucceeded chunk 1/);
    ledger.start(1);
    expect(() => ledger.start(1)).toThrow(/cannot start chunk 1/);
  });

  it('sends rejected chunks again, but leaves chunks in flight alone', () => {
    const ledger = new ChunkLedger(3);
    for (const i of [1, 2, 3]) ledger.start(i);
    ledger.uploadSucceeded({ chunkIndex: 1, etag: 'a', sizeBytes: 5 });
    ledger.uploadSucceeded({ chunkIndex: 2, etag: 'b', sizeBytes: 5 });
    ledger.markReported([1, 2]);
    expect(ledger.resend([2, 3])).toEqual([2]);
    expect(ledger.peekWaiting(5)).toEqual([2]);
    expect(ledger.reported).toBe(1);
  });

  it('survives continue-as-new: a snapshot rebuilds the same ledger', () => {
    const ledger = new ChunkLedger(6);
    for (const i of [1, 2, 3, 5]) ledger.start(i);
    for (const i of [1, 2, 3, 5]) ledger.uploadSucceeded({ chunkIndex: i, etag: `e${i}`, sizeBytes: 10 });
    ledger.markReported([1, 2, 5]);
    const snapshot = ledger.snapshot();
    expect(snapshot).toEqual({ reported: [[1, 2], [5, 5]], unreported: [{ chunkIndex: 3, etag: 'e3', sizeBytes: 10 }] });
    const rebuilt = new ChunkLedger(6, snapshot.reported, snapshot.unreported);
    expect([rebuilt.waiting, rebuilt.uploaded, rebuilt.reported]).toEqual([2, 1, 3]);
    expect(rebuilt.peekWaiting(10)).toEqual([4, 6]);
    expect(rebuilt.bytesUploadedOrReported(10, 55)).toEqual({ uploaded: 40, reported: 30 });
  });

  it('will not snapshot while chunks are in flight', () => {
    const ledger = new ChunkLedger(2);
    ledger.start(1);
    expect(() => ledger.snapshot()).toThrow(/in flight/);
  });

  it('takes a lane back: its finished chunks are uploaded, the rest of its run waits first, in order', () => {
    const ledger = new ChunkLedger(8);
    for (const i of [1, 2, 3, 4, 5]) ledger.start(i);
    const back = ledger.laneReturned([{ chunkIndex: 1, etag: 'a', sizeBytes: 5 }, { chunkIndex: 2, etag: 'b', sizeBytes: 5 }], [1, 2, 3, 4, 5]);
    expect(back).toEqual({ stored: 2, requeued: [3, 4, 5] });
    expect(ledger.peekWaiting(10)).toEqual([3, 4, 5, 6, 7, 8]);
    expect([ledger.inFlight, ledger.uploaded]).toEqual([0, 2]);
    // A second return of the same lane (a late duplicate) changes nothing.
    expect(ledger.laneReturned([{ chunkIndex: 1, etag: 'a', sizeBytes: 5 }], [1, 2, 3])).toEqual({ stored: 0, requeued: [] });
  });
});
