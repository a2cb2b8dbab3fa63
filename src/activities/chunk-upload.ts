// uploadChunk: a lane. One activity execution streams a run of chunks, back to back, each from its
// byte range of the source file to its own presigned URL, with no workflow task between them.
// The hot path: no temp files and no whole-chunk buffers (a few read buffers per PUT).
//
// What a lane promises the workflow:
// - Every finished chunk's ETag goes into a heartbeat the moment it finishes. A retried lane (its
//   worker died, say) reads them back and resumes after the last chunk it finished.
// - It returns, with the ETags it finished, when its run is done, when a URL of the run nears
//   expiry or is refused, and when it is cancelled (pause, lowered concurrency, cancel): no chunk
//   starts after the cancellation reaches it, and the PUT in flight gets CANCEL_GRACE_MS to finish
//   before it is aborted. Cancellation reaches an activity with the response to a heartbeat, so it
//   lands at the lane's next chunk end (or progress beat). Returning normally after a cancellation
//   is deliberate: the workflow uses WAIT_CANCELLATION_COMPLETED, so
//   it receives this result (a completed activity) instead of a bare CancelledFailure, and no
//   finished chunk is lost or sent again.
// - A lane that holds finished chunks never throws a retryable failure: it returns them (stop
//   'transient'). A throttled heartbeat may not have reached the server yet, and a lane cancelled
//   while it waits for a retry ends without a result (its failure carries no heartbeat details).
//
// Heartbeats are sent when a chunk finishes, and otherwise every PROGRESS_BEAT_MS while the PUT in
// flight has moved bytes within the stall window (stall-window.ts: on a slow link the socket
// buffers keep a healthy PUT quiet for seconds; a PUT quiet past the window is aborted by its
// watchdog). A chunk slower than the heartbeat timeout is therefore never taken for a dead worker,
// and a dead worker's lanes are retried one timeout after it died.
// The worker does not throttle heartbeats (src/worker.ts), so a finished chunk's ETag leaves for
// the server at once: after a SIGKILL a lane re-sends the chunk in flight, and a chunk it finished
// within one heartbeat round trip before the kill (then the next chunk had only that round trip
// to send bytes). Cost: about one heartbeat RPC per chunk (the bench prints it).

import type fs from 'node:fs/promises';
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { TwelveLabsClient } from '../twelvelabs/client';
import { ChunkPutError } from '../twelvelabs/errors';
import { timestampToEpochMs } from '../twelvelabs/timestamps';
import { MAX_URLS_PER_REQUEST } from '../twelvelabs/limits';
import { countChunkRetry, countUrlRefreshes } from '../observability/activity-metrics';
import { FailureType, type ChunkEtag } from '../domain/types';
import { chunkByteRange, contiguousRequests } from '../domain/chunk-ranges';
import { shouldVerifyDigest, type ChunkDigestCheck } from '../domain/chunk-digest-check';
import { toActivityFailure } from './failures';
import type { AllowedRoots } from '../security/file-roots';
import { assertPathStillNames, assertUnchanged, identityOf, openSource } from './source';
import { etagContradictsMd5, sendChunk, StallError } from './chunk-send';
import type { FileRangeBody } from './file-range-body';
import { chunkTimesOf, type ChunkTimes, hedgeAfterMs, hedgeBudget } from './hedging';
import { stallWindowMs } from './stall-window';

export interface LaneChunk {
  /** 1-based, as the API numbers chunks. */
  chunkIndex: number;
  /** A presigned URL for this chunk (a credential: never logged). */
  url: string;
  urlExpiresAtMs: number;
}

export interface UploadLaneInput {
  path: string;
  uploadId: string;
  /** The session's geometry: chunk i holds bytes [(i−1)·chunkSize, min(i·chunkSize, totalSize)). */
  chunkSize: number;
  totalSize: number;
  /** The run, in upload order, each chunk with its own single-use URL. */
  chunks: LaneChunk[];
  uploadHeaders: Record<string, string>;
  sourceSizeBytes: number;
  sourceMtimeMs: number;
  urlSafetyMarginMs: number;
  /** Typical ms of one chunk PUT seen by earlier lanes (0 = unknown): sets when to hedge. */
  typicalChunkMs: number;
}

/** Why a lane returned. */
export type LaneStop = 'done' | 'url-expiring' | 'url-refused' | 'transient' | 'cancelled';

export interface UploadLaneResult {
  /** Chunks stored, with their ETags (including those of earlier attempts of this lane). */
  finished: ChunkEtag[];
  stop: LaneStop;
  /** For 'url-refused' and 'transient': which chunk and what the store said (never the URL). */
  problem?: { chunkIndex: number; code: string; message: string };
  /** Which attempt of the activity this was (1 = first). */
  attempt: number;
  /** URLs this lane minted itself (retries and hedges never reuse a URL). */
  urlsMinted: number;
  /** Chunk PUTs that failed and were sent again, over every attempt of this lane. */
  failedPuts: number;
  hedges: number;
  hedgedBytes: number;
  /** Median ms of one chunk PUT in this lane (0 if none finished). */
  typicalChunkMs: number;
}

/** Heartbeat details of a lane: what a retry resumes from and what progress shows in flight. */
export interface LaneHeartbeat {
  /** The chunk being sent now (0 when none) and its bytes sent so far. */
  chunkIndex: number;
  bytesSent: number;
  finished: ChunkEtag[];
  failedPuts: number;
  hedges: number;
  hedgedBytes: number;
}

export interface ChunkUploadOptions {
  /** Default 'always'. */
  digestCheck?: ChunkDigestCheck;
}

/**
 * A cancelled lane lets the PUT in flight finish for this long (its ETag then comes back, and no
 * stored chunk goes unreported), then aborts it. No new chunk starts after the cancellation.
 */
export const CANCEL_GRACE_MS = 2_000;
/** Heartbeat this often while a long chunk's bytes move (progress, liveness, cancellation); at most ¼ of the heartbeat timeout. */
const PROGRESS_BEAT_MS = 2_000;
/** A chunk whose ETag contradicts its MD5 this many times in a row: the store's ETags are not MD5s. */
export const MAX_DIGEST_MISMATCHES = 3;

/** PUT refusals the workflow answers with fresh URLs (and a bound), not the lane. */
const REFUSED: ReadonlySet<string> = new Set(['url-expired', 'url-used', 'signature-mismatch', 'access-denied']);

export function chunkUploadActivities(client: TwelveLabsClient, roots: AllowedRoots, options: ChunkUploadOptions = {}) {
  const digestCheck = options.digestCheck ?? 'always';
  return {
    async uploadChunk(input: UploadLaneInput): Promise<UploadLaneResult> {
      const lane = new Lane(client, roots, digestCheck, input, Context.current());
      try {
        return await lane.run();
      } catch (err) {
        throw lane.keepingFinished(err);
      }
    },
  };
}

class Lane {
  private readonly finished: ChunkEtag[];
  private failedPuts: number;
  private hedges: number;
  private hedgedBytes: number;
  private urlsMinted = 0;
  private finishedThisAttempt = 0;
  private readonly times: ChunkTimes;
  /** How long a PUT may move no byte before it counts as stalled (stall-window.ts). */
  private readonly stallMs: number;
  private current: { chunkIndex: number; body?: FileRangeBody } = { chunkIndex: 0 };
  private lastBeatAt = 0;
  private readonly attempt: number;
  /** Aborts the PUTs of the lane: CANCEL_GRACE_MS after a cancellation. */
  private readonly stop = new AbortController();

  constructor(
    private readonly client: TwelveLabsClient,
    private readonly roots: AllowedRoots,
    private readonly digestCheck: ChunkDigestCheck,
    private readonly input: UploadLaneInput,
    private readonly ctx: Context,
  ) {
    this.attempt = ctx.info.attempt;
    const resumed = laneHeartbeatOf(ctx.info.heartbeatDetails);
    this.finished = resumed?.finished ?? [];
    this.failedPuts = resumed?.failedPuts ?? 0;
    this.hedges = resumed?.hedges ?? 0;
    this.hedgedBytes = resumed?.hedgedBytes ?? 0;
    this.times = chunkTimesOf(input.uploadId, input.typicalChunkMs);
    this.stallMs = stallWindowMs(ctx.info.heartbeatTimeoutMs);
  }

  async run(): Promise<UploadLaneResult> {
    const { input, ctx } = this;
    const done = new Set(this.finished.map((c) => c.chunkIndex));
    let run = input.chunks.filter((c) => !done.has(c.chunkIndex));
    // The attempt before may have used any URL of the run up (single use): mint them all anew.
    if (this.attempt > 1) {
      // The attempt before ended with a failed (or killed) PUT; recorded at once, so it counts once.
      this.failedPuts++;
      if (run.length > 0) run = await this.mintFor(run);
      this.heartbeat();
    }
    let handle: fs.FileHandle | undefined;
    const beatEveryMs = Math.min(PROGRESS_BEAT_MS, (ctx.info.heartbeatTimeoutMs ?? 60_000) / 4);
    let bytesSeen = -1;
    let movedAt = Date.now();
    const beat = setInterval(() => {
      const body = this.current.body;
      if ((body?.bytesRead ?? -1) !== bytesSeen) {
        bytesSeen = body?.bytesRead ?? -1;
        movedAt = Date.now();
      }
      if (Date.now() - this.lastBeatAt < beatEveryMs) return;
      // Inside a PUT, bytes that moved within the stall window (or a whole body awaiting its
      // answer) prove the lane alive. On a slow link the socket buffers keep a healthy PUT quiet
      // for seconds (stall-window.ts), longer than the heartbeat timeout below ~0.14 MB/s; a PUT
      // quiet past the window is the watchdog's to abort. Between PUTs the lane is busy with its
      // own short calls (URLs, file checks).
      if (body && body.bytesRead < body.sizeBytes && Date.now() - movedAt > this.stallMs) return;
      this.heartbeat();
    }, Math.min(500, beatEveryMs / 2));
    let grace: NodeJS.Timeout | undefined;
    const onCancel = () => {
      grace = setTimeout(() => this.stop.abort(ctx.cancellationSignal.reason), CANCEL_GRACE_MS);
    };
    ctx.cancellationSignal.addEventListener('abort', onCancel);
    try {
      // Confined to the worker's roots, checked on the file actually opened (not just its name).
      handle = await openSource(input.path, this.roots);
      const expected = { sizeBytes: input.sourceSizeBytes, mtimeMs: input.sourceMtimeMs };
      assertUnchanged(input.path, expected, identityOf(await handle.stat()));
      const hedgesAllowed = hedgeBudget(input.chunks.length);
      for (let i = 0; i < run.length; i++) {
        if (ctx.cancellationSignal.aborted) return this.result('cancelled');
        let chunk = run[i]!;
        if (chunk.urlExpiresAtMs - input.urlSafetyMarginMs <= Date.now()) {
          // Return what is done; with nothing done yet, mint fresh URLs rather than come back empty.
          if (this.finishedThisAttempt > 0) return this.result('url-expiring');
          run = [...run.slice(0, i), ...(await this.mintFor(run.slice(i)))];
          chunk = run[i]!;
        }
        const outcome = await this.sendOne(handle, chunk, this.hedges < hedgesAllowed);
        if (outcome !== 'ok') return outcome;
        // The handle outlives the path's check at open: a path swapped since fails the upload.
        await assertPathStillNames(input.path, this.roots, handle);
      }
      assertUnchanged(input.path, expected, identityOf(await handle.stat()));
      return this.result('done');
    } finally {
      clearInterval(beat);
      clearTimeout(grace);
      ctx.cancellationSignal.removeEventListener('abort', onCancel);
      await handle?.close().catch(() => undefined);
    }
  }

  /** Sends one chunk (again on a fresh URL while its ETag contradicts its MD5). */
  private async sendOne(handle: fs.FileHandle, chunk: LaneChunk, mayHedge: boolean): Promise<'ok' | UploadLaneResult> {
    const { input } = this;
    const range = chunkByteRange(chunk.chunkIndex, input.chunkSize, input.totalSize);
    let url = chunk.url;
    for (let mismatches = 0; ; ) {
      this.current = { chunkIndex: chunk.chunkIndex };
      let sent;
      try {
        sent = await sendChunk({
          handle,
          chunkIndex: chunk.chunkIndex,
          byteOffset: range.byteOffset,
          sizeBytes: range.sizeBytes,
          url,
          headers: input.uploadHeaders,
          verifyDigest: shouldVerifyDigest(this.digestCheck, url),
          signal: this.stop.signal,
          stallMs: this.stallMs,
          hedgeAfterMs: mayHedge ? hedgeAfterMs(this.times.typicalMs()) : undefined,
          // A cancelled lane hedges too: it returns once this chunk is over (or at the grace's
          // end), and a hedge makes that sooner (an end-game steal cancels a lane mid-chunk).
          mintUrl: async () => (await this.mintFor([chunk]))[0]!.url,
          onAttempt: (body) => {
            this.current = { chunkIndex: chunk.chunkIndex, body };
          },
        });
      } catch (err) {
        return this.failed(chunk.chunkIndex, err);
      }
      if (sent.hedged) {
        this.hedges++;
        this.hedgedBytes += sent.hedgedBytes;
      }
      if (!etagContradictsMd5(sent.etag, sent.md5)) {
        this.times.add(sent.durationMs);
        this.finished.push({ chunkIndex: chunk.chunkIndex, etag: sent.etag, sizeBytes: range.sizeBytes });
        this.finishedThisAttempt++;
        this.current = { chunkIndex: 0 };
        this.heartbeat(); // right away: this ETag is what a retry resumes after
        return 'ok';
      }
      this.failedPuts++;
      countChunkRetry(FailureType.ChunkDigestMismatch);
      if (++mismatches >= MAX_DIGEST_MISMATCHES) throw etagNotMd5Failure(chunk.chunkIndex, mismatches, sent.etag, sent.md5!);
      log.warn('chunk ETag is not the MD5 of the bytes sent; sending it again on a fresh URL', { chunkIndex: chunk.chunkIndex });
      url = (await this.mintFor([chunk]))[0]!.url;
    }
  }

  /**
   * A failure that ends the lane carries the ETags it finished (as a heartbeat would), so a lane
   * that fails for good still hands back the chunks it stored: status shows them (issue 17).
   */
  keepingFinished(err: unknown): unknown {
    if (this.finished.length === 0) return err;
    const failure = toActivityFailure(err);
    if (!(failure instanceof ApplicationFailure)) return err;
    return ApplicationFailure.create({
      type: failure.type ?? undefined,
      message: failure.message,
      nonRetryable: failure.nonRetryable === true,
      details: [{ finished: this.finished }, ...(failure.details ?? [])],
      ...(failure.nextRetryDelay !== undefined ? { nextRetryDelay: failure.nextRetryDelay } : {}),
      ...(failure.cause ? { cause: failure.cause } : {}),
    });
  }

  /** What a failed chunk PUT means for the lane: return, or throw for Temporal to retry. */
  private failed(chunkIndex: number, err: unknown): UploadLaneResult {
    if (this.ctx.cancellationSignal.aborted) return this.result('cancelled');
    if (err instanceof ChunkPutError && REFUSED.has(err.reason)) {
      countChunkRetry(err.reason);
      return this.result('url-refused', { chunkIndex, code: err.s3Code ?? err.reason, message: err.message });
    }
    const transient = err instanceof StallError || (err instanceof ChunkPutError && err.retryable);
    if (transient && this.finished.length > 0) {
      // Hand the finished ETags back now rather than trust a heartbeat that may still be pending.
      this.failedPuts++;
      countChunkRetry(err instanceof ChunkPutError ? err.reason : 'stall');
      const code = err instanceof ChunkPutError ? (err.s3Code ?? err.reason) : 'stall';
      return this.result('transient', { chunkIndex, code, message: (err as Error).message });
    }
    if (err instanceof StallError) {
      log.warn('chunk upload stalled; retrying on a fresh URL', { chunkIndex });
      throw ApplicationFailure.create({ type: FailureType.ChunkTransient, message: err.message, nonRetryable: false, cause: err });
    }
    throw toActivityFailure(err);
  }

  /** Fresh URLs for these chunks, in as few M5 calls as contiguity allows. */
  private async mintFor(chunks: LaneChunk[]): Promise<LaneChunk[]> {
    const fresh = new Map<number, LaneChunk>();
    for (const range of contiguousRequests(chunks.map((c) => c.chunkIndex), MAX_URLS_PER_REQUEST)) {
      const batch = await this.client.requestPresignedUrls(this.input.uploadId, range);
      for (const u of batch.uploadUrls) fresh.set(u.chunkIndex, { chunkIndex: u.chunkIndex, url: u.url, urlExpiresAtMs: timestampToEpochMs(u.expiresAt) });
    }
    this.urlsMinted += fresh.size;
    countUrlRefreshes(fresh.size);
    return chunks.map((c) => {
      const url = fresh.get(c.chunkIndex);
      if (!url) {
        throw ApplicationFailure.create({
          type: FailureType.InvalidApiResponse,
          message: `presigned-urls returned no URL for chunk ${c.chunkIndex}`,
          nonRetryable: true,
        });
      }
      return url;
    });
  }

  private heartbeat(): void {
    this.lastBeatAt = Date.now();
    this.ctx.heartbeat({
      chunkIndex: this.current.chunkIndex,
      bytesSent: this.current.body?.bytesRead ?? 0,
      finished: this.finished,
      failedPuts: this.failedPuts,
      hedges: this.hedges,
      hedgedBytes: this.hedgedBytes,
    } satisfies LaneHeartbeat);
  }

  private result(stop: LaneStop, problem?: UploadLaneResult['problem']): UploadLaneResult {
    return {
      finished: this.finished,
      stop,
      ...(problem ? { problem } : {}),
      attempt: this.attempt,
      urlsMinted: this.urlsMinted,
      failedPuts: this.failedPuts,
      hedges: this.hedges,
      hedgedBytes: this.hedgedBytes,
      typicalChunkMs: this.times.typicalMs() ?? 0,
    };
  }
}

/** The lane heartbeat of an earlier attempt, if the details are one. */
export function laneHeartbeatOf(details: unknown): LaneHeartbeat | undefined {
  const hb = details as Partial<LaneHeartbeat> | undefined;
  if (!hb || !Array.isArray(hb.finished)) return undefined;
  return {
    chunkIndex: Number(hb.chunkIndex) || 0,
    bytesSent: Number(hb.bytesSent) || 0,
    finished: hb.finished,
    failedPuts: Number(hb.failedPuts) || 0,
    hedges: Number(hb.hedges) || 0,
    hedgedBytes: Number(hb.hedgedBytes) || 0,
  };
}

function etagNotMd5Failure(chunkIndex: number, times: number, etag: string, md5: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.StoreEtagNotMd5,
    message:
      `chunk ${chunkIndex} was stored ${times} times in a row with an ETag (last ${etag}) that is not the MD5 ${md5} of the bytes sent: ` +
      'the store does not answer MD5 ETags (S3 with SSE-KMS or SSE-C encryption does this), so the ETag check cannot work. ' +
      'If the transport is TLS, set TL_CHUNK_DIGEST_CHECK=auto (or never) on the worker and start the upload again',
    nonRetryable: true,
  });
}
