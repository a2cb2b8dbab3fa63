// What a failed or cancelled multipart upload leaves at TwelveLabs. Its session reserved an asset
// (M1 creates both); like lib-storage's abort of a multipart upload, the asset is deleted (which
// ends the session, contract 5.4) unless the caller asked to keep it, or TwelveLabs already has
// every chunk: then the asset holds the whole file and is kept and reported.

import { log } from '@temporalio/activity';
import { TwelveLabsApiError } from '../twelvelabs/errors';
import type { TwelveLabsClient } from '../twelvelabs/client';
import type { AssetLeftBehind } from '../domain/types';

export interface AbandonSessionInput {
  uploadId: string;
  assetId: string;
  totalChunks: number;
  /** keepAssetOnFailure: leave the asset (and its session, for a Reset) as it is. */
  keepAsset: boolean;
}

export function sessionCleanupActivities(client: TwelveLabsClient) {
  return {
    /** Deletes the session's asset unless it is to be kept; answers what is left. Never throws for the API. */
    async abandonSession(input: AbandonSessionInput): Promise<AssetLeftBehind> {
      const { assetId } = input;
      const status = await client.getMultipartUploadStatus(input.uploadId, { page: 1, pageLimit: 1 }).catch((err: unknown) => err);
      if (!(status instanceof Error) && status !== undefined) {
        const s = status as Awaited<ReturnType<TwelveLabsClient['getMultipartUploadStatus']>>;
        if (s.status === 'completed') return { assetId, action: 'kept', reason: 'TwelveLabs had received the whole file' };
        if (s.status === 'active' && s.chunksCompleted === input.totalChunks) {
          return { assetId, action: 'kept', reason: 'TwelveLabs had accepted every chunk and was assembling the object' };
        }
      }
      if (input.keepAsset) return { assetId, action: 'kept', reason: 'keepAssetOnFailure was set (a Reset can carry the session on)' };
      try {
        await client.deleteAsset(assetId);
        return { assetId, action: 'deleted' };
      } catch (err) {
        if (err instanceof TwelveLabsApiError && err.status === 404) return { assetId, action: 'deleted' };
        log.warn('could not delete the asset of an abandoned upload session', { assetId, error: String(err) });
        return { assetId, action: 'left', reason: `it could not be deleted (${err instanceof Error ? err.message : String(err)})` };
      }
    },
  };
}
