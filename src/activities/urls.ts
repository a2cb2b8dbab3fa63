// refreshUrls: mints presigned URLs for any set of chunks, in contiguous requests of at most 50.

import { countUrlRefreshes } from '../observability/activity-metrics';
import { timestampToEpochMs } from '../twelvelabs/timestamps';
import type { TwelveLabsClient } from '../twelvelabs/client';
import { MAX_URLS_PER_REQUEST } from '../twelvelabs/limits';
import { contiguousRequests } from '../workflows/ledger';
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
        const batch = await client.requestPresignedUrls(input.uploadId, range);
        countUrlRefreshes(batch.uploadUrls.length);
        for (const u of batch.uploadUrls) {
          minted.push({ chunkIndex: u.chunkIndex, url: u.url, urlExpiresAtMs: timestampToEpochMs(u.expiresAt) });
        }
      }
      return minted;
    },
  };
}
