// The A1 creations of uploadWorkflow: a local file streamed as one direct upload, a URL that
// TwelveLabs fetches itself, and the reconciliation that follows an ambiguous attempt. A1 is not
// idempotent (every call makes an asset), so a failure that leaves the outcome open is never
// retried here: createFailure() turns it into CreateOutcomeUnknown and the workflow first looks
// for the asset with findCreatedAsset.

import { Context } from '@temporalio/activity';
import type { AllowedRoots } from '../security/file-roots';
import type { TwelveLabsClient } from '../twelvelabs/client';
import { timestampToEpochMs } from '../twelvelabs/timestamps';
import type { AssetDetail, UserMetadata } from '../twelvelabs/wire';
import { createFailure } from './failures';
import { assertUnchanged, openSource } from './source';

interface CreateCommon {
  filename: string;
  enableHls?: boolean;
  enableThumbnail?: boolean;
  userMetadata?: UserMetadata;
}

export interface UploadDirectInput extends CreateCommon {
  path: string;
  /** The file as the workflow saw it: a change means other bytes than planned. */
  sourceSizeBytes: number;
  sourceMtimeMs: number;
}

export interface CreateFromUrlInput extends CreateCommon {
  url: string;
}

/** Heartbeat details of a running direct upload: what progress queries add as in-flight bytes. */
export interface DirectUploadHeartbeat {
  bytesSent: number;
}

export interface CreatedAsset {
  assetId: string;
  status: string;
}

export interface FindCreatedAssetInput {
  filename: string;
  /** Only assets created at or after this instant (epoch ms) count. */
  createdSinceMs: number;
  /** When known, an asset that reports a different size is not ours. */
  sizeBytes?: number;
}

const HEARTBEAT_INTERVAL_MS = 1000;

export function directUploadActivities(client: TwelveLabsClient, roots: AllowedRoots) {
  return {
    async uploadDirect(input: UploadDirectInput): Promise<CreatedAsset> {
      const ctx = Context.current();
      // Opened under the allowed roots and checked on the open file; the client reads this handle.
      const handle = await openSource(input.path, roots);
      let bytesSent = 0;
      const timer = setInterval(() => ctx.heartbeat({ bytesSent } satisfies DirectUploadHeartbeat), HEARTBEAT_INTERVAL_MS);
      try {
        const stat = await handle.stat();
        const expected = { sizeBytes: input.sourceSizeBytes, mtimeMs: input.sourceMtimeMs };
        assertUnchanged(input.path, expected, { sizeBytes: stat.size, mtimeMs: Math.floor(stat.mtimeMs) });
        const asset = await client.createAsset(
          {
            method: 'direct',
            filePath: input.path,
            handle,
            filename: input.filename,
            enableHls: input.enableHls,
            enableThumbnail: input.enableThumbnail,
            userMetadata: input.userMetadata,
          },
          { signal: ctx.cancellationSignal, onUploadProgress: (n) => (bytesSent = n) },
        );
        ctx.heartbeat({ bytesSent: input.sourceSizeBytes } satisfies DirectUploadHeartbeat);
        return { assetId: asset.id, status: asset.status };
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
        throw createFailure(err);
      } finally {
        clearInterval(timer);
        await handle.close().catch(() => undefined);
      }
    },

    async createAssetFromUrl(input: CreateFromUrlInput): Promise<CreatedAsset> {
      const ctx = Context.current();
      try {
        const asset = await client.createAsset(
          {
            method: 'url',
            url: input.url,
            filename: input.filename,
            enableHls: input.enableHls,
            enableThumbnail: input.enableThumbnail,
            userMetadata: input.userMetadata,
          },
          { signal: ctx.cancellationSignal },
        );
        return { assetId: asset.id, status: asset.status };
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
        throw createFailure(err);
      }
    },

    /**
     * The asset an ambiguous create may have made: the newest asset with exactly this filename
     * created since the attempt began. (A2 filters by filename substring; the list is newest
     * first, so the walk stops at the first older asset.) Two uploads of the same name in the
     * same minutes could be confused; the size check narrows it once the API reports a size.
     */
    async findCreatedAsset(input: FindCreatedAssetInput): Promise<CreatedAsset | undefined> {
      for await (const asset of client.iterateAssets({ filename: input.filename })) {
        const createdAtMs = asset.createdAt ? timestampToEpochMs(asset.createdAt) : undefined;
        if (createdAtMs !== undefined && createdAtMs < input.createdSinceMs) break;
        if (isCandidate(asset, input)) return { assetId: asset.id, status: asset.status };
      }
      return undefined;
    },
  };
}

function isCandidate(asset: AssetDetail, input: FindCreatedAssetInput): boolean {
  if (asset.filename !== input.filename) return false;
  if (input.sizeBytes !== undefined && asset.sizeBytes !== undefined && asset.sizeBytes !== input.sizeBytes) return false;
  return asset.method === undefined || asset.method === 'direct' || asset.method === 'url';
}
