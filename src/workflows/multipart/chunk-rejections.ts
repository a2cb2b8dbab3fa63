// Chunks TwelveLabs marked `failed` at report time, counted per chunk across continue-as-new. A
// chunk is sent again on a fresh URL, but only so many times: a chunk TwelveLabs can never accept
// (a store that keeps corrupting it, a part the API rejects) must not be sent forever. Pure.

import type { CarriedState } from '../../domain/types';

/** Re-sends of one chunk after TwelveLabs marked it `failed`, before the upload fails. */
export const MAX_CHUNK_REJECTIONS = 5;

/** One chunk's rejections: [chunkIndex, times marked failed, TwelveLabs' last error text]. */
export type ChunkRejection = NonNullable<CarriedState['chunkRejections']>[number];

export type RejectionVerdict = { kind: 'resend' } | { kind: 'give-up'; message: string };

export class ChunkRejections {
  private readonly byChunk = new Map<number, { count: number; lastError: string }>();

  constructor(carried: readonly ChunkRejection[] = []) {
    for (const [chunkIndex, count, lastError] of carried) this.byChunk.set(chunkIndex, { count, lastError });
  }

  /** TwelveLabs marked `chunkIndex` failed (with `error`, if it said why): send it again, or give up. */
  rejected(chunkIndex: number, error: string | undefined, uploadId: string): RejectionVerdict {
    const seen = this.byChunk.get(chunkIndex) ?? { count: 0, lastError: '' };
    seen.count++;
    if (error) seen.lastError = error;
    this.byChunk.set(chunkIndex, seen);
    if (seen.count <= MAX_CHUNK_REJECTIONS) return { kind: 'resend' };
    return {
      kind: 'give-up',
      message:
        `TwelveLabs marked chunk ${chunkIndex} of upload session ${uploadId} failed ${seen.count} times` +
        `${seen.lastError ? ` (last: "${seen.lastError}")` : ' (it gave no reason)'}; it was sent ${MAX_CHUNK_REJECTIONS} times ` +
        'again on fresh URLs. Check that the file is not being written to and that nothing between the worker and the ' +
        'store alters the bytes (a proxy, a scanner), then start the upload again',
    };
  }

  /** What continue-as-new carries. */
  snapshot(): ChunkRejection[] {
    return [...this.byChunk.entries()].map(([chunkIndex, { count, lastError }]) => [chunkIndex, count, lastError]);
  }
}
