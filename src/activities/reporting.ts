// reportBatch: tells TwelveLabs which chunks are stored, with their ETags, in M4 calls of at most
// 50 entries (the API's limit). Safe to repeat: the API counts a re-reported chunk as a duplicate
// and otherwise ignores it, so a retry after a partial success re-sends the first calls harmlessly.

import type { TwelveLabsClient } from '../twelvelabs/client';
import { MAX_CHUNKS_PER_REPORT } from '../twelvelabs/limits';
import type { ChunkEtag } from '../domain/types';

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
}

export function reportingActivities(client: TwelveLabsClient) {
  return {
    async reportBatch(input: ReportBatchInput): Promise<ReportBatchResult> {
      const total: ReportBatchResult = { processed: 0, duplicates: 0, totalCompleted: 0, complete: false };
      for (let start = 0; start < input.chunks.length; start += MAX_CHUNKS_PER_REPORT) {
        const result = await client.reportChunks(
          input.uploadId,
          input.chunks.slice(start, start + MAX_CHUNKS_PER_REPORT).map((c) => ({ chunkIndex: c.chunkIndex, proof: c.etag, chunkSizeBytes: c.sizeBytes })),
        );
        total.processed += result.processedChunks;
        total.duplicates += result.duplicateChunks;
        total.totalCompleted = result.totalCompleted;
        total.complete ||= result.url !== undefined;
      }
      return total;
    },
  };
}
