// reportBatch: tells TwelveLabs which chunks are stored, with their ETags, in M4 calls of at most
// 50 entries (the API's limit). Safe to repeat: the API counts a re-reported chunk as a duplicate
// and otherwise ignores it, so a retry after a partial success re-sends the first calls harmlessly.

import type { TwelveLabsClient } from '../twelvelabs/client';
import { MAX_CHUNKS_PER_REPORT } from '../twelvelabs/limits';
import { toRanges } from '../domain/chunk-ranges';
import type { ChunkEtag, ChunkRange } from '../domain/types';

export interface ReportBatchInput {
  uploadId: string;
  chunks: ChunkEtag[];
}

export interface ReportBatchResult {
  processed: number;
  duplicates: number;
  totalCompleted: number;
  /** The API finalised the upload with this report (it returned `url`). */
  complete: boolean;
  /**
   * The chunks of the M4 calls TwelveLabs accepted whole (processed + duplicates = entries): they
   * are reported. The workflow decides from this, not from the batch it built (finding 10: a
   * replay may build a bigger batch than the live worker sent). Absent in results recorded before.
   */
  accepted?: ChunkRange[];
  /** The chunks of M4 calls with entries rejected: the API says how many, not which, so M2 tells. */
  unsettled?: ChunkRange[];
}

export function reportingActivities(client: TwelveLabsClient) {
  return {
    async reportBatch(input: ReportBatchInput): Promise<ReportBatchResult> {
      const total: ReportBatchResult = { processed: 0, duplicates: 0, totalCompleted: 0, complete: false };
      const accepted: number[] = [];
      const unsettled: number[] = [];
      for (let start = 0; start < input.chunks.length; start += MAX_CHUNKS_PER_REPORT) {
        const entries = input.chunks.slice(start, start + MAX_CHUNKS_PER_REPORT);
        const result = await client.reportChunks(
          input.uploadId,
          entries.map((c) => ({ chunkIndex: c.chunkIndex, proof: c.etag, chunkSizeBytes: c.sizeBytes })),
        );
        total.processed += result.processedChunks;
        total.duplicates += result.duplicateChunks;
        total.totalCompleted = result.totalCompleted;
        total.complete ||= result.url !== undefined;
        const whole = result.processedChunks + result.duplicateChunks >= entries.length;
        (whole ? accepted : unsettled).push(...entries.map((c) => c.chunkIndex));
      }
      return { ...total, accepted: toRanges(accepted), unsettled: toRanges(unsettled) };
    },
  };
}
