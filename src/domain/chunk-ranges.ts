// Chunk arithmetic shared by the workflows (the ledger, planning) and the activities (lanes, URL
// minting): pure functions of chunk indices (1-based, as the API numbers them) and sizes.

import type { ChunkRange } from './types';

/** Chunk `i` (1-based) holds bytes `[(i−1)·chunkSize, min(i·chunkSize, totalSize))` (contract 2.2). */
export function chunkByteRange(
  chunkIndex: number,
  chunkSize: number,
  totalSize: number,
): { byteOffset: number; sizeBytes: number } {
  const byteOffset = (chunkIndex - 1) * chunkSize;
  return { byteOffset, sizeBytes: Math.min(chunkSize, totalSize - byteOffset) };
}

/** Sorted, de-duplicated indices as inclusive ranges: [1,2,3,7] → [[1,3],[7,7]]. */
export function toRanges(indices: Iterable<number>): ChunkRange[] {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const ranges: ChunkRange[] = [];
  for (const index of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && last[1] === index - 1) last[1] = index;
    else ranges.push([index, index]);
  }
  return ranges;
}

export function expandRanges(ranges: ChunkRange[]): number[] {
  const out: number[] = [];
  for (const [first, last] of ranges) for (let index = first; index <= last; index++) out.push(index);
  return out;
}

/** Indices grouped into contiguous `{start, count}` requests of at most `maxCount` (M5's limit). */
export function contiguousRequests(indices: Iterable<number>, maxCount: number): { start: number; count: number }[] {
  const requests: { start: number; count: number }[] = [];
  for (const [first, last] of toRanges(indices)) {
    for (let start = first; start <= last; start += maxCount) {
      requests.push({ start, count: Math.min(maxCount, last - start + 1) });
    }
  }
  return requests;
}
