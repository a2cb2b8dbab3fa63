// multipartUploadWorkflow: a durable chunked upload into one TwelveLabs multipart session.
// Deterministic orchestration only: all I/O happens in activities (src/activities/), all
// decisions in pure functions (planning.ts, ledger.ts).

import {
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  isCancellation,
  log,
  proxyActivities,
  sleep,
  workflowInfo,
  allHandlersFinished,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { SESSION_TTL_MS } from '../twelvelabs/limits';
import { pauseSignal, resumeSignal, setControlHandlers } from './control-handlers';
import { CHUNK_RETRY, SHORT_API_CALL, sessionCreationOptions, transferOptions } from './activity-options';
import { asTypedFailure, failureSummary, failureTypeOf } from './failure-info';
import { ChunkLedger, chunkByteRange } from './ledger';
import { phasePublisher } from './phase-publisher';
import { chunksToStart, inputProblems, resolveOptions, sessionTooShortReason, shouldReport, urlDropDelayMs, urlLookahead, urlsToMint } from './planning';
import { baseName } from '../domain/names';
import { mediaTypeFor } from '../domain/media-types';
import {
  FailureType,
  MAX_CONCURRENCY,
  MIN_CONCURRENCY,
  type CarriedState,
  type MultipartUploadInput,
  type MultipartUploadResult,
  type PresignedUrl,
  type SessionInfo,
  type UploadCounters,
  type UploadPhase,
  type UploadProgress,
} from '../domain/types';
import { recordSessionRestart, recordUploadFinished } from '../observability/workflow-metrics';

type Activities = ReturnType<typeof createActivities>;

export const progressQuery = defineQuery<UploadProgress>('progress');
export { pauseSignal, resumeSignal };
export const setConcurrencyUpdate = defineUpdate<number, [number]>('setConcurrency');


/** A URL held for handing out, with the batch it was minted in (dropped together). */
type HeldUrl = PresignedUrl & { generation: number };

/** Raised inside the run loop when the session is gone at TwelveLabs and a new one is needed. */
class SessionGoneSignal extends Error {}

export async function multipartUploadWorkflow(input: MultipartUploadInput): Promise<MultipartUploadResult> {
  const problems = inputProblems(input);
  if (problems.length > 0) {
    throw ApplicationFailure.create({
      type: FailureType.InvalidInput,
      message: `invalid multipart upload input: ${problems.join('; ')}`,
      nonRetryable: true,
    });
  }
  const options = resolveOptions(input);
  const carried = input.carried;
  const fileName = input.filename ?? baseName(input.source.path);

  const fileActivities = proxyActivities<Activities>(
    transferOptions({
      taskQueue: input.fileTaskQueue,
      startToCloseTimeout: '15 minutes',
      heartbeatTimeout: options.chunkHeartbeatTimeoutMs,
      retry: CHUNK_RETRY,
    }),
  );
  const sessionCreation = proxyActivities<Activities>(sessionCreationOptions(input.fileTaskQueue));
  const api = proxyActivities<Activities>(SHORT_API_CALL);

  // ---- state (everything the progress query shows) ----
  let phase: UploadPhase = carried ? 'uploading' : 'validating';
  let paused = carried?.paused ?? false;
  const publish = phasePublisher();
  /** Shows the phase as the TlPhase search attribute and the Web UI's current details. */
  const showPhase = () => {
    const shown = phase === 'uploading' && paused ? 'paused' : phase;
    publish(shown, `**${input.filename ?? baseName(input.source.path)}** — ${shown} (multipart session)`);
  };
  showPhase();
  let concurrency = carried?.concurrency ?? options.concurrency;
  const counters: UploadCounters = carried?.counters ?? {
    retries: 0,
    urlRefreshes: 0,
    sessionRestarts: 0,
    sessionsCreated: 0,
    chunksResent: 0,
  };
  const startedAt = carried?.startedAt ?? new Date().toISOString();
  const runs = (carried?.runs ?? 0) + 1;
  let session: SessionInfo | undefined = carried?.session;
  let ledger: ChunkLedger | undefined = session
    ? new ChunkLedger(session.totalChunks, carried!.reported, carried!.unreported)
    : undefined;
  /** URLs not yet handed out, each with the batch (generation) it was minted in. */
  let urls = new Map<number, HeldUrl>();
  let urlGeneration = 0;
  let failure: { type: string; message: string } | undefined;
  /** Bumped by every event the run loop must look at. */
  let changes = 0;
  const wake = () => void changes++;

  const inFlight = new Map<number, Promise<void>>();
  let reportInFlight: Promise<void> | undefined;
  let refreshInFlight: Promise<void> | undefined;
  let flushTimerArmed = false;
  /** The flush timer fired while this chunk (the oldest then) was still unreported. */
  let flushExpiredFor: number | undefined;
  let sessionGone = false;
  let fatal: unknown;
  // Every activity of the upload runs in this scope, so a fatal error can stop them all.
  const workScope = new CancellationScope();

  setControlHandlers({
    progressQuery,
    progressDescription: 'Chunks uploaded, reported and in flight, counters, concurrency',
    progress: (): UploadProgress => {
      const bytes = ledger && session ? ledger.bytesUploadedOrReported(session.chunkSize, session.totalSize) : undefined;
      return {
        phase: phase === 'uploading' && paused ? 'paused' : phase,
        fileName,
        uploadId: session?.uploadId,
        assetId: session?.assetId,
        totalBytes: session?.totalSize,
        confirmedBytes: bytes?.reported ?? 0,
        uploadedBytes: bytes?.uploaded ?? 0,
        totalChunks: session?.totalChunks,
        uploadedChunks: ledger ? ledger.uploaded + ledger.reported : 0,
        reportedChunks: ledger?.reported ?? 0,
        inFlightChunks: [...inFlight.keys()].sort((a, b) => a - b),
        concurrency,
        paused,
        counters: { ...counters },
        startedAt,
        runs,
        error: failure,
      };
    },
    setPaused: (value) => {
      paused = value;
      wake();
      showPhase();
    },
    pauseDescription: 'Hold the upload: no new chunk starts',
    resumeDescription: 'Continue a paused upload',
    concurrency: {
      update: setConcurrencyUpdate,
      set: (value) => {
        const previous = concurrency;
        concurrency = value;
        wake();
        return previous;
      },
      min: MIN_CONCURRENCY,
      max: MAX_CONCURRENCY,
      label: 'concurrency',
      description: `Chunks uploading at once (${MIN_CONCURRENCY}..${MAX_CONCURRENCY}); answers the previous value`,
    },
  });

  /** Settles every running activity promise (they never reject: outcomes go to the state). */
  const allSettled = async () => {
    await Promise.all([...inFlight.values(), reportInFlight, refreshInFlight]);
  };

  const onActivityError = (err: unknown): 'url' | 'gone' | 'fatal' | 'cancelled' => {
    if (isCancellation(err)) return 'cancelled';
    const type = failureTypeOf(err);
    if (type === FailureType.UploadUrlRejected) return 'url';
    if (type === FailureType.SessionGone) {
      sessionGone = true;
      return 'gone';
    }
    fatal ??= err;
    return 'fatal';
  };

  const startChunk = (s: SessionInfo, l: ChunkLedger, chunkIndex: number) => {
    const url = urls.get(chunkIndex)!;
    urls.delete(chunkIndex); // single use: never hand the same URL out twice
    l.start(chunkIndex);
    const range = chunkByteRange(chunkIndex, s.chunkSize, s.totalSize);
    const promise = workScope
      .run(() => fileActivities.uploadChunk({
        path: input.source.path,
        uploadId: s.uploadId,
        chunkIndex,
        byteOffset: range.byteOffset,
        sizeBytes: range.sizeBytes,
        url: url.url,
        urlExpiresAtMs: url.urlExpiresAtMs,
        uploadHeaders: s.uploadHeaders,
        sourceSizeBytes: s.sourceSizeBytes,
        sourceMtimeMs: s.sourceMtimeMs,
        urlSafetyMarginMs: options.urlSafetyMarginMs,
      }))
      .then(
        (result) => {
          if (l !== ledger) return; // a finished upload from a replaced session
          l.uploadSucceeded({ chunkIndex, etag: result.etag, sizeBytes: range.sizeBytes });
          counters.retries += result.attempt - 1;
          // Every attempt after the first minted its own URL; the first may have minted one too.
          counters.urlRefreshes += result.attempt > 1 ? result.attempt - 1 : result.urlsMinted;
        },
        (err) => {
          if (l !== ledger) return;
          l.uploadFailed(chunkIndex);
          counters.retries++;
          // Its batch-mates were minted together (same expiry, same signing key): mint anew.
          if (onActivityError(err) === 'url') dropUrls(url.generation);
        },
      )
      .finally(() => {
        inFlight.delete(chunkIndex);
        wake();
      });
    inFlight.set(chunkIndex, promise);
  };

  const startReport = (s: SessionInfo, l: ChunkLedger) => {
    const batch = l.unreported(options.reportBatchSize);
    reportInFlight = (async () => {
      try {
        const result = await workScope.run(() => api.reportBatch({ uploadId: s.uploadId, chunks: batch }));
        if (l !== ledger) return;
        if (result.processed + result.duplicates >= batch.length) {
          l.markReported(batch.map((c) => c.chunkIndex));
        } else {
          // Some entries were rejected (chunk marked failed): ask which, send those again.
          const status = await workScope.run(() => api.pollStatus({ uploadId: s.uploadId, totalChunks: s.totalChunks }));
          if (l !== ledger) return;
          const incomplete = new Set(status.incompleteChunks);
          const rejected = batch.filter((c) => incomplete.has(c.chunkIndex)).map((c) => c.chunkIndex);
          l.markReported(batch.filter((c) => !incomplete.has(c.chunkIndex)).map((c) => c.chunkIndex));
          counters.chunksResent += l.resend(rejected).length;
        }
      } catch (err) {
        onActivityError(err);
      } finally {
        reportInFlight = undefined;
        wake();
      }
    })();
  };

  const startRefresh = (s: SessionInfo, chunkIndices: number[]) => {
    refreshInFlight = (async () => {
      try {
        const minted = await workScope.run(() => api.refreshUrls({ uploadId: s.uploadId, chunkIndices }));
        if (s !== session) return;
        holdUrls(minted);
        counters.urlRefreshes += minted.length;
      } catch (err) {
        onActivityError(err);
      } finally {
        refreshInFlight = undefined;
        wake();
      }
    })();
  };

  /**
   * Keeps a batch of freshly minted URLs until shortly before the first of them expires; a timer
   * then drops the rest of the batch. Freshness is an event in history, never a clock comparison.
   */
  const holdUrls = (minted: PresignedUrl[]) => {
    if (minted.length === 0) return;
    const generation = ++urlGeneration;
    for (const url of minted) urls.set(url.chunkIndex, { ...url, generation });
    const delayMs = urlDropDelayMs(minted.map((u) => u.urlExpiresAtMs), Date.now(), options.urlSafetyMarginMs);
    sleep(delayMs)
      .then(() => dropUrls(generation), () => undefined) // cancelled with the workflow: nothing to drop
      .finally(wake);
  };
  const dropUrls = (generation: number) => {
    for (const [chunkIndex, url] of urls) if (url.generation === generation) urls.delete(chunkIndex);
  };

  const shouldContinueAsNew = () =>
    workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= options.continueAsNewAfterEvents;

  /** Creates a session (validating the source first) and resets the ledger. */
  const beginSession = async (previousRate: number | undefined) => {
    if (session) {
      const remaining = session.totalSize;
      const reason = sessionTooShortReason({
        remainingBytes: remaining,
        observedBytesPerSecond: previousRate,
        sessionLifetimeMs: SESSION_TTL_MS,
      });
      if (reason) {
        throw ApplicationFailure.create({ type: FailureType.SessionTooShort, message: reason, nonRetryable: true });
      }
    }
    phase = 'creating-session';
    showPhase();
    const created = await sessionCreation.createSession({
      path: input.source.path,
      filename: fileName,
      mediaType: input.mediaType ?? mediaTypeFor(fileName),
      enableHls: input.enableHls,
      enableThumbnail: input.enableThumbnail,
      userMetadata: input.userMetadata,
    });
    counters.sessionsCreated++;
    session = created.session;
    ledger = new ChunkLedger(session.totalChunks);
    urls = new Map();
    holdUrls(created.urls);
    sessionGone = false;
    flushExpiredFor = undefined;
    phase = 'uploading';
    showPhase();
    log.info('multipart session created', { uploadId: session.uploadId, totalChunks: session.totalChunks });
  };

  /**
   * Runs the current session until every chunk is reported and the API confirms `completed`.
   * Returns 'completed', or 'continue-as-new' when the history should be cut. Throws
   * SessionGoneSignal when the session died at TwelveLabs.
   */
  const runSession = async (): Promise<'completed' | 'continue-as-new'> => {
    const s = session!;
    const l = ledger!;
    for (;;) {
      if (fatal) throw fatal;
      const draining = sessionGone || shouldContinueAsNew();
      if (draining) {
        if (inFlight.size > 0 || reportInFlight || refreshInFlight) {
          await condition(() => inFlight.size === 0 && !reportInFlight && !refreshInFlight);
          continue;
        }
        if (sessionGone) throw new SessionGoneSignal();
        return 'continue-as-new';
      }

      if (flushExpiredFor !== undefined && !l.isUnreported(flushExpiredFor)) flushExpiredFor = undefined;
      if (
        !reportInFlight &&
        shouldReport({
          unreported: l.uploaded,
          batchSize: options.reportBatchSize,
          flushDue: flushExpiredFor !== undefined,
          uploadsRemaining: l.waiting + l.inFlight,
        })
      ) {
        startReport(s, l);
      }

      if (!refreshInFlight && !paused) {
        const lookahead = urlLookahead(concurrency);
        const missing = urlsToMint(l, urls, lookahead);
        const ready = Math.min(l.waiting, lookahead) - missing.length;
        // Mint in big batches, as soon as less than one window of usable URLs is ready.
        if (missing.length > 0 && ready < concurrency) startRefresh(s, missing);
      }

      if (!paused) {
        for (const chunkIndex of chunksToStart(l, urls, concurrency)) {
          startChunk(s, l, chunkIndex);
        }
      }

      if (l.done && !reportInFlight) {
        phase = 'confirming';
        showPhase();
        const status = await workScope.run(() => api.pollStatus({ uploadId: s.uploadId, totalChunks: s.totalChunks })).catch((e: unknown) => {
          if (failureTypeOf(e) === FailureType.SessionGone) return undefined;
          throw e;
        });
        if (status?.status === 'completed') return 'completed';
        if (!status || status.status === 'expired' || status.status === 'failed') {
          sessionGone = true;
          continue;
        }
        // Active but some chunks are not complete at TwelveLabs: send them again.
        counters.chunksResent += l.resend(status.incompleteChunks).length;
        phase = 'uploading';
        showPhase();
        continue;
      }

      // One flush timer at a time, for the oldest unreported chunk: if that chunk is still
      // unreported when it fires, the partial batch goes out. The decision rests on the timer's
      // firing (an event in history), not on comparing Date.now() with a stored time: the
      // workflow clock of a task is not guaranteed to be the same on replay (see urlDropDelayMs).
      const oldest = flushExpiredFor === undefined && !flushTimerArmed ? l.oldestUnreported() : undefined;
      if (oldest !== undefined) {
        flushTimerArmed = true;
        sleep(options.reportFlushMs)
          .then(
            () => {
              // Cleared at the loop's top if the chunk got reported meanwhile.
              if (l === ledger) flushExpiredFor = oldest;
            },
            () => undefined, // cancelled with the workflow: nothing to flush then
          )
          .finally(() => {
            flushTimerArmed = false;
            wake();
          });
      }
      const seen = changes;
      await condition(() => changes !== seen);
    }
  };

  let outcome: 'completed' | 'continue-as-new';
  try {
    outcome = await runUntilDone();
  } catch (err) {
    if (isCancellation(err)) {
      phase = 'cancelled';
    } else {
      phase = 'failed';
      failure = failureSummary(err);
      workScope.cancel(); // stop every other PUT: nothing keeps sending for a dead upload
    }
    showPhase();
    // Wait until the in-flight PUTs have really stopped (their activities acknowledge).
    await CancellationScope.nonCancellable(allSettled);
    recordUploadFinished(isCancellation(err) ? 'cancelled' : 'failed', startedAt);
    throw isCancellation(err) ? err : asTypedFailure(err);
  }

  if (outcome === 'continue-as-new') {
    await condition(allHandlersFinished);
    const snapshot = ledger!.snapshot();
    const next: CarriedState = {
      session: session!,
      reported: snapshot.reported,
      unreported: snapshot.unreported,
      counters,
      startedAt,
      paused,
      concurrency,
      runs,
    };
    log.info('continuing as new', { uploadId: session!.uploadId, reportedChunks: ledger!.reported });
    return await continueAsNew<typeof multipartUploadWorkflow>({ ...input, carried: next });
  }
  phase = 'completed';
  showPhase();
  recordUploadFinished('completed', startedAt);
  return {
    assetId: session!.assetId,
    uploadId: session!.uploadId,
    totalBytes: session!.totalSize,
    totalChunks: session!.totalChunks,
    counters,
    startedAt,
    completedAt: new Date().toISOString(),
    runs,
  };

  /** Sessions, one after another, until one completes or the history must be cut. */
  async function runUntilDone(): Promise<'completed' | 'continue-as-new'> {
    let sessionStartedAtMs = Date.now();
    if (!session) await beginSession(undefined);
    for (;;) {
      try {
        return await runSession();
      } catch (err) {
        if (!(err instanceof SessionGoneSignal)) throw err;
      }
      const confirmed = await api.pollStatus({ uploadId: session!.uploadId, totalChunks: session!.totalChunks }).catch((e: unknown) => {
        if (failureTypeOf(e) === FailureType.SessionGone) return undefined;
        throw e;
      });
      if (confirmed?.status === 'active') {
        // A false alarm (one stale 404, say): carry on with the same session.
        sessionGone = false;
        continue;
      }
      counters.sessionRestarts++;
      recordSessionRestart();
      if (counters.sessionRestarts > options.maxSessionRestarts) {
        throw ApplicationFailure.create({
          type: FailureType.TooManySessionRestarts,
          message:
            `the upload session was lost ${counters.sessionRestarts} times (last: ${confirmed?.status ?? 'not found'}); ` +
            `giving up after maxSessionRestarts=${options.maxSessionRestarts}`,
          nonRetryable: true,
        });
      }
      const elapsedMs = Date.now() - sessionStartedAtMs;
      const sentBytes = ledger!.bytesUploadedOrReported(session!.chunkSize, session!.totalSize).uploaded;
      log.warn('upload session lost; starting a new one', { uploadId: session!.uploadId, status: confirmed?.status });
      sessionStartedAtMs = Date.now();
      await beginSession(elapsedMs > 0 && sentBytes > 0 ? (sentBytes / elapsedMs) * 1000 : undefined);
    }
  }
}
