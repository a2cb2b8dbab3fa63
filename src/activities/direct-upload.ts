// The A1 creations of uploadWorkflow: a local file streamed as one direct upload, a URL that
// TwelveLabs fetches itself, and the reconciliation that follows an ambiguous attempt. A1 is not
// idempotent (every call makes an asset), so a failure that leaves the outcome open is never
// retried here: createFailure() turns it into CreateOutcomeUnknown and the workflow first looks
// for the asset with findCreatedAsset. Every create carries this upload's create token
// (domain/create-token.ts): that, not the name, is how the asset is recognised as ours.

import { ApplicationFailure, Context } from '@temporalio/activity';
import { CREATE_TOKEN_KEY, uploadRunToken, withCreateToken } from '../domain/create-token';
import { FailureType } from '../domain/types';
import type { AllowedRoots } from '../security/file-roots';
import type { TwelveLabsClient } from '../twelvelabs/client';
import { TwelveLabsApiError } from '../twelvelabs/errors';
import type { AssetMethod, UserMetadata } from '../twelvelabs/wire';
import { createFailure } from './failures';
import { assetsCarryingToken, CREATE_SEARCH_MARGIN_MS, deleteOrphanAsset } from './own-assets';
import { rejectIfSourceChanged, type SentSource } from './source-after-send';
import { assertUnchanged, identityOf, openSource } from './source';

interface CreateCommon {
  filename: string;
  enableHls?: boolean;
  enableThumbnail?: boolean;
  userMetadata?: UserMetadata;
  /** This upload's create token; absent only in histories recorded before tokens (then: the run's). */
  createToken?: string;
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
  /** The asset an earlier attempt made (its answer was lost), adopted instead of created. */
  reconciled?: boolean;
  /** Further assets of this upload's creates that were deleted (only one is kept). */
  orphansDeleted?: string[];
}

export interface FindCreatedAssetInput {
  filename: string;
  /** Only assets created at or after this instant (epoch ms) count: it keeps the list walk short. */
  createdSinceMs: number;
  /** Recorded histories only; the token decides. */
  sizeBytes?: number;
  /** The upload's create token; without one nothing is adopted (a name is not an identity). */
  createToken?: string;
  /** For a local file, what was sent: an asset of a file that changed since is deleted (SourceChanged). */
  source?: SentSource;
}

const HEARTBEAT_INTERVAL_MS = 1000;

export function directUploadActivities(client: TwelveLabsClient, roots: AllowedRoots) {
  /**
   * Adopts the newest asset carrying the token and deletes any other (a create that answered
   * after an earlier one whose answer was lost). Undefined when there is none.
   */
  const adoptOwnAsset = async (input: { filename: string; token: string; createdSinceMs: number; methods: AssetMethod[]; source?: SentSource }) => {
    const found = (await assetsCarryingToken(client, input)).filter((a) => a.method === undefined || input.methods.includes(a.method));
    const [newest, ...older] = found;
    if (!newest) return undefined;
    for (const orphan of older) await deleteOrphanAsset(client, orphan.id, 'another create of the same upload made it');
    if (input.source) await rejectIfSourceChanged(client, input.source, newest.id);
    return { assetId: newest.id, status: newest.status, reconciled: true, orphansDeleted: older.map((a) => a.id) } satisfies CreatedAsset;
  };

  /**
   * On a retry of the activity: the asset an earlier attempt of it made, if it made one. In a run
   * that a Reset started (the token names the upload's first run, not this one): the asset any
   * earlier run made, however long ago; one that failed processing is deleted and made again.
   */
  const adoptOnRetry = async (ctx: Context, input: { filename: string; token: string; methods: AssetMethod[]; source?: SentSource }) => {
    const runId = ctx.info.workflowExecution?.runId;
    const resetRun = runId !== undefined && input.token !== uploadRunToken(runId) && input.token.startsWith('run:');
    if (resetRun) {
      const earlier = await adoptOwnAsset({ ...input, createdSinceMs: 0 });
      if (earlier?.status !== 'failed') return earlier;
      await deleteOrphanAsset(client, earlier.assetId, 'an earlier run made it and TwelveLabs could not process it');
      return undefined;
    }
    return ctx.info.attempt > 1 ? adoptOwnAsset({ ...input, createdSinceMs: ctx.info.scheduledTimestampMs - CREATE_SEARCH_MARGIN_MS }) : undefined;
  };

  return {
    async uploadDirect(input: UploadDirectInput): Promise<CreatedAsset> {
      const ctx = Context.current();
      const token = input.createToken ?? runToken(ctx);
      const source: SentSource = { path: input.path, sizeBytes: input.sourceSizeBytes, mtimeMs: input.sourceMtimeMs };
      // A worker lost mid-request (heartbeat timeout) may have sent every byte: that asset is ours.
      const earlier = await adoptOnRetry(ctx, { filename: input.filename, token, methods: ['direct'], source });
      if (earlier) return earlier;
      // Opened under the allowed roots and checked on the open file; the client reads this handle.
      const handle = await openSource(input.path, roots);
      let bytesSent = 0;
      const timer = setInterval(() => ctx.heartbeat({ bytesSent } satisfies DirectUploadHeartbeat), HEARTBEAT_INTERVAL_MS);
      try {
        assertUnchanged(input.path, source, identityOf(await handle.stat()));
        let asset;
        try {
          asset = await client.createAsset(
            {
              method: 'direct',
              filePath: input.path,
              handle,
              filename: input.filename,
              enableHls: input.enableHls,
              enableThumbnail: input.enableThumbnail,
              userMetadata: withCreateToken(input.userMetadata, token),
            },
            { signal: ctx.cancellationSignal, onUploadProgress: (n) => (bytesSent = n) },
          );
        } catch (err) {
          if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
          throw createFailure(err);
        }
        ctx.heartbeat({ bytesSent: input.sourceSizeBytes } satisfies DirectUploadHeartbeat);
        // Checked after the bytes are sent: an edit during the request is caught here.
        await rejectIfSourceChanged(client, source, asset.id, handle);
        return { assetId: asset.id, status: asset.status, reconciled: false };
      } finally {
        clearInterval(timer);
        await handle.close().catch(() => undefined);
      }
    },

    async createAssetFromUrl(input: CreateFromUrlInput): Promise<CreatedAsset> {
      const ctx = Context.current();
      const token = input.createToken ?? runToken(ctx);
      const earlier = await adoptOnRetry(ctx, { filename: input.filename, token, methods: ['url'] });
      if (earlier) return earlier;
      if (ctx.info.attempt > 1 && ctx.info.heartbeatDetails !== undefined) {
        // The attempt before heartbeated while its create was at TwelveLabs, then was lost (its
        // worker died: only a timeout retries a create that was sent, see createFailure). TwelveLabs
        // may still be fetching the media, so the asset may not be listed yet: creating again now
        // could make a second one. The workflow waits, looks again, and only then creates.
        throw ApplicationFailure.create({
          type: FailureType.CreateOutcomeUnknown,
          message: `the worker running this URL create was lost while TwelveLabs had the request (attempt ${ctx.info.attempt - 1}); the workflow checks for the asset before creating it again`,
          nonRetryable: true,
        });
      }
      // Heartbeats while TwelveLabs fetches the media (it answers after that): a lost worker is
      // noticed within the heartbeat timeout (URL_CREATE_CALL), not after a long start-to-close.
      // The first one comes after a second, so a create refused at once (429) leaves no details.
      try {
        const asset = await whileHeartbeating(ctx, { createSent: true }, () =>
          client.createAsset(
            {
              method: 'url',
              url: input.url,
              filename: input.filename,
              enableHls: input.enableHls,
              enableThumbnail: input.enableThumbnail,
              userMetadata: withCreateToken(input.userMetadata, token),
            },
            { signal: ctx.cancellationSignal },
          ),
        );
        return { assetId: asset.id, status: asset.status, reconciled: false };
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
        throw createFailure(err);
      }
    },

    /**
     * The asset an ambiguous create of this upload made: the newest asset carrying its create
     * token (A2 filtered by filename keeps the walk short; the list is newest first, so it stops
     * at the first asset older than the attempt). Another upload's asset of the same name and
     * size is never taken. For a local file, an asset of a file that changed since is deleted.
     */
    async findCreatedAsset(input: FindCreatedAssetInput): Promise<CreatedAsset | undefined> {
      if (input.createToken === undefined) return undefined;
      const { createToken } = input;
      // A walk of list pages (and maybe deletes): heartbeats, so a lost worker costs seconds (ASSET_SEARCH_CALL).
      return whileHeartbeating(Context.current(), undefined, () =>
        adoptOwnAsset({
          filename: input.filename,
          token: createToken,
          createdSinceMs: input.createdSinceMs,
          methods: input.source ? ['direct'] : ['url'],
          ...(input.source ? { source: input.source } : {}),
        }),
      );
    },

    /**
     * Removes the create token from the asset the upload kept (A5: null deletes one key, the
     * user's own metadata stays). An asset already deleted has no token left to remove.
     */
    async clearCreateToken(input: { assetId: string }): Promise<void> {
      try {
        await client.updateUserMetadata(input.assetId, { [CREATE_TOKEN_KEY]: null });
      } catch (err) {
        if (!(err instanceof TwelveLabsApiError && err.kind === 'http' && err.status === 404)) throw err;
      }
    },
  };
}

/** Runs `work`, heartbeating `details` every HEARTBEAT_INTERVAL_MS (the first after one interval). */
async function whileHeartbeating<T>(ctx: Context, details: unknown, work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => ctx.heartbeat(details), HEARTBEAT_INTERVAL_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

function runToken(ctx: Context): string {
  return uploadRunToken(ctx.info.workflowExecution?.runId ?? ctx.info.activityId);
}
