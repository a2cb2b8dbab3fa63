// refreshUrls: mints presigned URLs for any set of chunks, in contiguous requests of at most 50.
// Answers what it minted; a failure after the first request ends the list early instead.

import { countUrlRefreshes } from '../observability/activity-metrics';
import { timestampToEpochMs } from '../twelvelabs/timestamps';
import type { TwelveLabsClient } from '../twelvelabs/client';
import { MAX_URLS_PER_REQUEST } from '../twelvelabs/limits';
import { contiguousRequests } from '../domain/chunk-ranges';
import type { PresignedUrl } from '../domain/types';

export interface RefreshUrlsInput {
  uploadId: string;
  chunkIndices: number[];
}

export function urlActivities(client: TwelveLabsClient) {
  return {
    async refreshUrls(input: RefreshUrlsInput): Promise<PresignedUrl[]> {
      const minted: PresignedUrl[] = [];
      for (const range of contiguousRequests(input.chunkIndices, MAX_URLS_PER_REQUEST)) {
        let batch;
        try {
          batch = await client.requestPresignedUrls(input.uploadId, range);
        } catch (err) {
          // What was minted is kept (the workflow asks again for the rest): retrying the whole
          // activity would mint them again, and a long list fails more often than a short one.
          if (minted.length > 0) return minted;
          throw err;
        }
        countUrlRefreshes(batch.uploadUrls.length);
        for (const u of batch.uploadUrls) {
          minted.push({ chunkIndex: u.chunkIndex, url: u.url, urlExpiresAtMs: timestampToEpochMs(u.expiresAt) });
        }
      }
      return minted;
    },
  };
}
