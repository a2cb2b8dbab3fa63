// reportBatch: tells TwelveLabs which chunks are stored, with their ETags. Safe to repeat: the
// API counts a re-reported chunk as a duplicate and otherwise ignores it.

import type { TwelveLabsClient } from '../twelvelabs/client';
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
      const result = await client.reportChunks(
        input.uploadId,
        input.chunks.map((c) => ({ chunkIndex: c.chunkIndex, proof: c.etag, chunkSizeBytes: c.sizeBytes })),
      );
      return {
        processed: result.processedChunks,
        duplicates: result.duplicateChunks,
        totalCompleted: result.totalCompleted,
        complete: result.url !== undefined,
      };
    },
  };
}
