// Asset activities: the asset calls a service or the CLI makes through Temporal (so only the
// worker holds the API key), and the wait for an uploaded asset to finish processing.

import { ApplicationFailure, Context } from '@temporalio/activity';
import { ASSET_UPLOAD_CODES, assetUploadCodeOf } from '../twelvelabs/asset-upload-codes';
import type { TwelveLabsClient } from '../twelvelabs/client';
import { FailureType, type AssetCall, type AssetCallResult } from '../domain/types';
import { assetCallFailure } from './failures';

export interface WaitForAssetReadyInput {
  assetId: string;
  pollIntervalMs: number;
  timeoutMs: number;
}

export interface AssetReadiness {
  status: string;
  sizeBytes?: number;
}

/** Most incomplete sessions one call lists (M3 has no filter; a key rarely has many). */
export const DEFAULT_INCOMPLETE_LIMIT = 1000;

export function assetActivities(client: TwelveLabsClient) {
  return {
    async assetCall(call: AssetCall): Promise<AssetCallResult> {
      try {
        return await runAssetCall(client, call);
      } catch (err) {
        throw assetCallFailure(err);
      }
    },

    /**
     * Polls A3 until the asset is `ready` (returned) or `failed` (AssetFailed with the API's
     * message). Heartbeats every poll, so a lost worker is noticed and the wait moves elsewhere.
     */
    async waitForAssetReady(input: WaitForAssetReadyInput): Promise<AssetReadiness> {
      const ctx = Context.current();
      const deadline = Date.now() + input.timeoutMs;
      // Small assets are ready in a second or two: start polling fast, then back off to the interval.
      let delayMs = Math.min(500, input.pollIntervalMs);
      for (;;) {
        let asset;
        try {
          asset = await client.getAsset(input.assetId, { signal: ctx.cancellationSignal });
        } catch (err) {
          if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
          throw assetCallFailure(err);
        }
        ctx.heartbeat({ status: asset.status });
        if (asset.status === 'ready') return { status: asset.status, sizeBytes: asset.sizeBytes };
        if (asset.status === 'failed') throw assetFailure(input.assetId, asset.error?.message);
        if (Date.now() >= deadline) {
          throw ApplicationFailure.create({
            type: FailureType.AssetNotReady,
            message:
              `asset ${input.assetId} was uploaded but is still ${asset.status} after ${Math.round(input.timeoutMs / 1000)} s; ` +
              'it may still become ready: check it later with `tl-upload assets get`',
            nonRetryable: true,
            details: [{ assetId: input.assetId }],
          });
        }
        await ctx.sleep(Math.min(delayMs, Math.max(0, deadline - Date.now())));
        delayMs = Math.min(delayMs * 2, input.pollIntervalMs);
      }
    },
  };
}

async function runAssetCall(client: TwelveLabsClient, call: AssetCall): Promise<AssetCallResult> {
  switch (call.op) {
    case 'list':
      return {
        op: 'list',
        page: await client.listAssets({
          ...(call.filename !== undefined ? { filename: call.filename } : {}),
          ...(call.assetTypes !== undefined ? { assetTypes: call.assetTypes } : {}),
          ...(call.page !== undefined ? { page: call.page } : {}),
          ...(call.pageLimit !== undefined ? { pageLimit: call.pageLimit } : {}),
        }),
      };
    case 'get':
      return { op: 'get', asset: await client.getAsset(call.assetId) };
    case 'delete':
      await client.deleteAsset(call.assetId, call.force !== undefined ? { force: call.force } : {});
      return { op: 'delete', assetId: call.assetId };
    case 'updateMetadata':
      await client.updateUserMetadata(call.assetId, call.metadata);
      return { op: 'metadata', asset: await client.getAsset(call.assetId) };
    case 'replaceMetadata':
      await client.replaceUserMetadata(call.assetId, call.metadata);
      return { op: 'metadata', asset: await client.getAsset(call.assetId) };
    case 'clearMetadata':
      await client.deleteUserMetadata(call.assetId);
      return { op: 'metadata', asset: await client.getAsset(call.assetId) };
    case 'listIncomplete': {
      const limit = call.limit ?? DEFAULT_INCOMPLETE_LIMIT;
      const uploads = [];
      for await (const upload of client.iterateIncompleteUploads()) {
        if (uploads.length === limit) return { op: 'listIncomplete', uploads, truncated: true };
        uploads.push(upload);
      }
      return { op: 'listIncomplete', uploads, truncated: false };
    }
    default:
      throw ApplicationFailure.create({
        type: FailureType.InvalidInput,
        message: `unknown asset call ${JSON.stringify((call as { op?: unknown }).op)}`,
        nonRetryable: true,
      });
  }
}

/**
 * An asset TwelveLabs failed to process: AssetFailed with the API's message, or, when the message
 * starts with a documented code (`video_duration_too_short: ...`), that code's own reason and advice.
 */
export function assetFailure(assetId: string, errorText: string | undefined): ApplicationFailure {
  const code = assetUploadCodeOf(errorText);
  const what = `TwelveLabs could not process asset ${assetId}: ${errorText ?? 'no reason given'}`;
  const advice = code === undefined ? '' : ASSET_UPLOAD_CODES[code].advice;
  return ApplicationFailure.create({
    type: code === undefined ? FailureType.AssetFailed : ASSET_UPLOAD_CODES[code].reason,
    message: code === undefined ? what : `${what.replace(/\.\s*$/, '')}. ${advice.charAt(0).toUpperCase()}${advice.slice(1)}.`,
    nonRetryable: true,
    details: [{ assetId }],
  });
}
