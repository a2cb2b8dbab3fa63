// A run of small files uploaded back to back by one activity (A1 direct, one file after another):
// what lanes did for chunks, done for files. A file pays one heartbeat instead of a workflow of
// its own; the batch's history grows by a few events per run, not per file.
//
// Exactly once per file: every create carries the file's token (its real path, size and mtime,
// hashed), and the token stays on the asset. So the asset of a file is found again by the token
// (A2 filtered by name, the token decides): after a lost reply, after a worker died mid-run (the
// heartbeat lists the files done; the others are looked for before they are created), and in a
// later batch of the same unchanged file (`skipUploaded`). A changed file has another token.

import { createHash } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { baseName } from '../domain/names';
import { FailureType } from '../domain/types';
import { withCreateToken } from '../domain/create-token';
import { openConfined, OutsideRootsError, type AllowedRoots } from '../security/file-roots';
import type { TwelveLabsClient } from '../twelvelabs/client';
import { MAX_DIRECT_BYTES } from '../twelvelabs/limits';
import type { UserMetadata } from '../twelvelabs/wire';
import { createFailure, toActivityFailure } from './failures';
import { assetsCarryingToken, deleteOrphanAsset } from './own-assets';
import { rejectIfSourceChanged, type SentSource } from './source-after-send';
import { identityOf, SourceError, sourceErrorFromFs } from './source';
import { assetFailure } from './assets';

export interface FileRunInput {
  files: Array<{
    index: number;
    path: string;
    /** An earlier attempt may have created its asset (interrupted, or its run was lost): look first. */
    lookFirst?: boolean;
  }>;
  upload: {
    enableHls?: boolean;
    enableThumbnail?: boolean;
    userMetadata?: UserMetadata;
    /** Wait until every created asset is `ready` (or `failed`) before the run returns. */
    waitForReady: boolean;
    readyTimeoutMs: number;
    readyPollIntervalMs: number;
    /** After a create whose answer was lost, wait this long before looking for its asset. */
    reconcileDelayMs: number;
  };
  /** Look for every file's asset before creating it (a re-run of the batch). */
  skipUploaded: boolean;
}

export interface FileOutcome {
  index: number;
  assetId?: string;
  sizeBytes?: number;
  /** Found by its token, made by an earlier batch: not uploaded again. */
  alreadyUploaded?: boolean;
  /** Found by its token after a lost reply or an interrupted attempt of this batch. */
  reconciled?: boolean;
  /** The run stopped while it waited for the asset to be ready: the asset exists, its state is not known. */
  readyUnknown?: boolean;
  error?: { type: string; message: string };
}

/** What a run heartbeats: the files settled so far (a retry skips them) and the bytes of the current one. */
export interface FileRunHeartbeat {
  outcomes: FileOutcome[];
  /** The file being sent now, and its bytes sent (progress). */
  current?: { index: number; bytesSent: number };
}

export interface FileRunResult {
  outcomes: FileOutcome[];
  /** The run was cancelled (the batch paused or was cancelled): files not in `outcomes` were not finished. */
  stopped?: boolean;
  /** The file that was on the way when the run stopped: its asset may exist. */
  interrupted?: number;
}

/** A1 attempts per file: each one after the first follows a search that found nothing. */
const MAX_CREATE_ATTEMPTS = 3;
const HEARTBEAT_INTERVAL_MS = 1000;

export function fileRunActivities(client: TwelveLabsClient, roots: AllowedRoots) {
  return {
    async uploadFileRun(input: FileRunInput): Promise<FileRunResult> {
      const ctx = Context.current();
      const earlier = (ctx.info.heartbeatDetails as FileRunHeartbeat | undefined)?.outcomes ?? [];
      const done = new Map(earlier.map((o) => [o.index, o]));
      const run = new RunState(ctx, [...done.values()]);
      const timer = setInterval(() => run.beat(), HEARTBEAT_INTERVAL_MS);
      try {
        for (const file of input.files) {
          if (done.has(file.index)) continue;
          if (ctx.cancellationSignal.aborted) return run.stop();
          // A retried run cannot know which files its last attempt created after its last heartbeat.
          const lookFirst = file.lookFirst === true || ctx.info.attempt > 1;
          try {
            run.settle(await uploadOne(client, roots, ctx, run, file, input, lookFirst));
          } catch (err) {
            if (ctx.cancellationSignal.aborted) return run.stop(file.index);
            const failure = toActivityFailure(err);
            // Retryable trouble (API down, 429): the whole run is retried; the files done stay done.
            if (!(failure instanceof ApplicationFailure) || !failure.nonRetryable) throw failure;
            run.settle({ index: file.index, error: { type: failure.type ?? 'Error', message: failure.message } });
          }
        }
        if (input.upload.waitForReady) await waitUntilReady(client, ctx, run, input.upload);
        return ctx.cancellationSignal.aborted ? run.stop() : { outcomes: run.outcomes };
      } finally {
        clearInterval(timer);
      }
    },
  };
}

/** The run's outcomes so far, and what it heartbeats. */
class RunState {
  current: { index: number; bytesSent: number } | undefined;
  constructor(
    private readonly ctx: Context,
    readonly outcomes: FileOutcome[],
  ) {}
  settle(outcome: FileOutcome): void {
    this.outcomes.push(outcome);
    this.current = undefined;
    this.beat();
  }
  beat(): void {
    this.ctx.heartbeat({ outcomes: this.outcomes, ...(this.current ? { current: this.current } : {}) } satisfies FileRunHeartbeat);
  }
  stop(interrupted?: number): FileRunResult {
    return { outcomes: this.outcomes, stopped: true, ...(interrupted !== undefined ? { interrupted } : {}) };
  }
}

/** One file: open it under the roots, find its asset if it may exist, else create it once. */
async function uploadOne(
  client: TwelveLabsClient,
  roots: AllowedRoots,
  ctx: Context,
  run: RunState,
  file: FileRunInput['files'][number],
  input: FileRunInput,
  lookFirst: boolean,
): Promise<FileOutcome> {
  const handle = await openFile(file.path, roots);
  try {
    const stat = await handle.handle.stat();
    if (!stat.isFile()) throw new SourceError(FailureType.SourceNotAFile, `${file.path} is not a regular file; give the path of a media file`);
    if (stat.size === 0) throw new SourceError(FailureType.SourceEmpty, `${file.path} is empty (0 bytes); there is nothing to upload`);
    if (stat.size > MAX_DIRECT_BYTES) {
      throw new SourceError(FailureType.SourceChanged, `${file.path} grew to ${stat.size} bytes after it was listed; run the batch again to upload it as a large file`);
    }
    const identity = identityOf(stat);
    const token = fileToken(handle.resolvedPath, identity.sizeBytes, identity.mtimeMs);
    const filename = baseName(file.path);
    const source: SentSource = { path: file.path, ...identity };
    const find = async (): Promise<string | undefined> => {
      const [newest, ...older] = await assetsCarryingToken(client, { filename, token });
      for (const orphan of older) await deleteOrphanAsset(client, orphan.id, 'another create of the same file made it');
      return newest?.id;
    };
    if (input.skipUploaded || lookFirst) {
      const found = await find();
      if (found) {
        const byEarlierBatch = input.skipUploaded && !lookFirst;
        return { index: file.index, assetId: found, sizeBytes: identity.sizeBytes, ...(byEarlierBatch ? { alreadyUploaded: true } : { reconciled: true }) };
      }
    }
    for (let attempt = 1; ; attempt++) {
      run.current = { index: file.index, bytesSent: 0 };
      try {
        const asset = await client.createAsset(
          {
            method: 'direct',
            filePath: file.path,
            handle: handle.handle,
            filename,
            enableHls: input.upload.enableHls,
            enableThumbnail: input.upload.enableThumbnail,
            userMetadata: withCreateToken(input.upload.userMetadata, token),
          },
          { signal: ctx.cancellationSignal, onUploadProgress: (n) => (run.current = { index: file.index, bytesSent: n }) },
        );
        // Checked after the bytes are sent: an edit during the request is caught (and its asset deleted).
        await rejectIfSourceChanged(client, source, asset.id, handle.handle);
        return { index: file.index, assetId: asset.id, sizeBytes: identity.sizeBytes };
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw err;
        const failure = createFailure(err);
        if (!(failure instanceof ApplicationFailure) || failure.type !== FailureType.CreateOutcomeUnknown) throw failure;
      }
      // The answer was lost: the asset may exist. Look for it (once it can show in the list) before creating again.
      await ctx.sleep(input.upload.reconcileDelayMs);
      const found = await find();
      if (found) return { index: file.index, assetId: found, sizeBytes: identity.sizeBytes, reconciled: true };
      if (attempt >= MAX_CREATE_ATTEMPTS) {
        throw ApplicationFailure.create({
          type: FailureType.CreateOutcomeUnknown,
          message:
            `${attempt} attempts to create the asset of ${file.path} ended without a clear answer, and no asset of it appeared; ` +
            `check \`tl-upload assets list --filename ${filename}\`, then run the batch again`,
          nonRetryable: true,
        });
      }
    }
  } finally {
    await handle.handle.close().catch(() => undefined);
  }
}

async function openFile(filePath: string, roots: AllowedRoots) {
  try {
    return await openConfined(filePath, roots);
  } catch (err) {
    if (err instanceof OutsideRootsError) throw new SourceError(FailureType.SourceOutsideRoots, err.message);
    throw sourceErrorFromFs(err, filePath);
  }
}

/**
 * Polls the run's new assets (A3) until each is `ready` or `failed`: an asset TwelveLabs could not
 * process is that file's failure (AssetFailed), one still processing at the deadline AssetNotReady.
 * Cancelled (a pause or cancel of the batch), it stops waiting: the assets exist either way.
 */
async function waitUntilReady(client: TwelveLabsClient, ctx: Context, run: RunState, options: FileRunInput['upload']): Promise<void> {
  const deadline = Date.now() + options.readyTimeoutMs;
  const ready = new Set<number>();
  let delayMs = Math.min(250, options.readyPollIntervalMs);
  for (;;) {
    const waiting = run.outcomes.filter((o) => o.assetId !== undefined && o.error === undefined && !ready.has(o.index));
    if (waiting.length === 0) return;
    const stopped = () => {
      for (const o of waiting) if (!ready.has(o.index) && o.error === undefined) o.readyUnknown = true;
    };
    for (const outcome of waiting) {
      let asset;
      try {
        asset = await client.getAsset(outcome.assetId!, { signal: ctx.cancellationSignal });
      } catch (err) {
        if (ctx.cancellationSignal.aborted) return stopped();
        throw toActivityFailure(err);
      }
      if (asset.status === 'ready') ready.add(outcome.index);
      else if (asset.status === 'failed') {
        // The same typed reason and advice as a single upload's (a documented code gets its own).
        const failure = assetFailure(outcome.assetId!, asset.error?.message);
        outcome.error = { type: failure.type ?? FailureType.AssetFailed, message: failure.message };
      } else if (Date.now() >= deadline) {
        outcome.error = {
          type: FailureType.AssetNotReady,
          message: `asset ${outcome.assetId} was uploaded but is still ${asset.status} after ${Math.round(options.readyTimeoutMs / 1000)} s; check it later with \`tl-upload assets get\``,
        };
      }
    }
    run.beat();
    try {
      await ctx.sleep(delayMs);
    } catch {
      return stopped(); // cancelled
    }
    delayMs = Math.min(delayMs * 2, options.readyPollIntervalMs);
  }
}

/**
 * The token a file's asset carries: the file's real path, size and mtime, hashed (no path in
 * clear). The same unchanged file always has the same token; an edited one another.
 */
export function fileToken(realPath: string, sizeBytes: number, mtimeMs: number): string {
  return `file:${createHash('sha256').update(`${realPath}\n${sizeBytes}\n${mtimeMs}`).digest('hex').slice(0, 32)}`;
}
