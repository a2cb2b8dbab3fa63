// multipartUploadWorkflow: a durable chunked upload into one TwelveLabs multipart session.
// Deterministic orchestration only: all I/O happens in activities (src/activities/), all
// decisions in pure modules (planning.ts, ledger.ts, multipart/lane-planning.ts, url-pool.ts,
// refusals.ts). The story:
//   1. validate the input; answer the controls (progress, pause, resume, setConcurrency);
//   2. create a session (validating the source first), unless continuing one;
//   3. run it with lanes (multipart/session-run.ts) until TwelveLabs confirms `completed`,
//      replacing a session that dies, and continuing as new when the history grows long;
//   4. end with the asset, or with a typed failure once every PUT has stopped.

import {
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  allHandlersFinished,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { SESSION_TTL_MS } from '../twelvelabs/limits';
import { pauseSignal, resumeSignal, setControlHandlers } from './control-handlers';
import { CHUNK_RETRY, CLEANUP_CALL, LANE_PROGRESS_READ, sessionCreationOptions, shortApiCall, transferOptions } from './activity-options';
import { reportAssetLeftToParent } from './asset-report';
import { asTypedFailure, failureSummary, failureTypeOf } from './failure-info';
import { ChunkLedger } from './ledger';
import { inputProblems, resolveOptions, sessionTooShortReason, type MultipartOptions } from './planning';
import { mediaTypeFor } from '../domain/media-types';
import {
  FailureType,
  MAX_CONCURRENCY,
  MIN_CONCURRENCY,
  type CarriedState,
  type MultipartUploadInput,
  type MultipartUploadResult,
} from '../domain/types';
import { recordSessionRestart, recordUploadFinished } from '../observability/workflow-metrics';
import { SessionRun, type SessionActivities } from './multipart/session-run';
import { MultipartState } from './multipart/multipart-state';

type Activities = ReturnType<typeof createActivities>;

import { multipartProgressQuery as progressQuery, setConcurrencyUpdate } from '../domain/workflow-messages';

export { progressQuery };
export { pauseSignal, resumeSignal };
export { setConcurrencyUpdate };

/**
 * Issue 11, item 5: a status check after a lost session that answers `completed` means the file
 * is received; before this patch it started a new session and sent the whole file again.
 * Upgrade story: executions recorded before the patch replay unchanged (patched() is false for
 * them, and they never reached this branch with `completed` anyway). Once no execution started
 * before the release with this patch can still be running (uploads last at most the 24 h of their
 * session, plus continue-as-new runs of the same upload), a later release replaces the call with
 * deprecatePatch(COMPLETED_SESSION_IS_FINAL), and the release after that removes it.
 */
export const COMPLETED_SESSION_IS_FINAL = 'completed-session-is-final';

/**
 * Issue 17, item 7: a failed or cancelled upload deletes the asset its session reserved unless
 * keepAssetOnFailure, or TwelveLabs has every chunk (then it is kept and the parent told). Histories
 * recorded before it end without the cleanup activity and replay the old path.
 */
export const CLEAN_UP_AFTER_FAILURE = 'clean-up-after-failure';

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
  const up = new MultipartState(input, options);
  answerControls(up);
  const acts = activitiesFor(input, options);
  // Every activity of the upload runs in this scope, so a fatal error can stop them all.
  const workScope = new CancellationScope();

  let outcome: 'completed' | 'continue-as-new';
  try {
    outcome = await runUntilDone(input, options, up, acts, workScope);
  } catch (err) {
    throw await failed(input, up, acts, err, workScope);
  }
  if (outcome === 'continue-as-new') return await continueWithLedger(input, up);
  up.setPhase('completed');
  recordUploadFinished('completed', up.startedAt);
  const s = up.session!;
  return {
    assetId: s.assetId,
    uploadId: s.uploadId,
    totalBytes: s.totalSize,
    totalChunks: s.totalChunks,
    counters: up.counters,
    startedAt: up.startedAt,
    completedAt: new Date().toISOString(),
    runs: up.runs,
  };
}

function answerControls(up: MultipartState): void {
  setControlHandlers({
    progressQuery,
    progressDescription: 'Chunks uploaded, reported and in flight, lanes, counters, concurrency',
    progress: () => up.progress(),
    pauseOrder: up.pauseOrder,
    setPaused: (value) => {
      up.paused = value;
      up.wake();
      up.show();
    },
    pauseDescription: 'Hold the upload: every lane stops within one chunk, no new chunk starts',
    resumeDescription: 'Continue a paused upload',
    concurrency: {
      update: setConcurrencyUpdate,
      set: (value) => {
        const previous = up.concurrency;
        up.concurrency = value;
        if (value > previous) up.concurrencyRaised = true;
        up.wake();
        return previous;
      },
      min: MIN_CONCURRENCY,
      max: MAX_CONCURRENCY,
      label: 'concurrency',
      description: `Lanes (chunk PUTs) at once (${MIN_CONCURRENCY}..${MAX_CONCURRENCY}); answers the previous value`,
    },
  });
}

interface UploadActivities extends SessionActivities {
  sessionCreation: Pick<Activities, 'createSession'>;
  cleanup: Pick<Activities, 'abandonSession'>;
}

function activitiesFor(input: MultipartUploadInput, options: MultipartOptions): UploadActivities {
  const laneOptions = transferOptions({
    taskQueue: input.fileTaskQueue,
    // A lane lasts about TARGET_LANE_MS; a retry resumes after its last finished chunk.
    startToCloseTimeout: '15 minutes',
    heartbeatTimeout: options.chunkHeartbeatTimeoutMs,
    retry: CHUNK_RETRY,
  });
  return {
    // The summary is user metadata on the command, not part of what replay compares.
    lanes: (summary) => proxyActivities<Activities>({ ...laneOptions, summary }),
    api: proxyActivities<Activities>(shortApiCall(options.apiOutageMs)),
    progress: proxyActivities<Activities>(LANE_PROGRESS_READ),
    sessionCreation: proxyActivities<Activities>(sessionCreationOptions(input.fileTaskQueue)),
    cleanup: proxyActivities<Activities>(CLEANUP_CALL),
  };
}

/** Sessions, one after another, until one completes or the history must be cut. */
async function runUntilDone(
  input: MultipartUploadInput,
  options: MultipartOptions,
  up: MultipartState,
  acts: UploadActivities,
  workScope: CancellationScope,
): Promise<'completed' | 'continue-as-new'> {
  let sessionStartedAtMs = Date.now();
  let run = up.session ? runFor(input, options, up, acts, workScope) : await beginSession(input, up, acts, undefined, options, workScope);
  for (;;) {
    const outcome = await run.run();
    if (outcome !== 'gone') return outcome;
    const s = up.session!;
    const confirmed = await acts.api.pollStatus({ uploadId: s.uploadId, totalChunks: s.totalChunks }).catch((e: unknown) => {
      if (failureTypeOf(e) === FailureType.SessionGone) return undefined;
      throw e;
    });
    if (confirmed?.status === 'active') {
      // A false alarm (one stale 404, say): carry on with the same session.
      run = runFor(input, options, up, acts, workScope);
      continue;
    }
    // The file was received: the session is final, never uploaded again (patched: see above).
    if (confirmed?.status === 'completed' && patched(COMPLETED_SESSION_IS_FINAL)) return 'completed';
    up.counters.sessionRestarts++;
    recordSessionRestart();
    if (up.counters.sessionRestarts > options.maxSessionRestarts) {
      throw ApplicationFailure.create({
        type: FailureType.TooManySessionRestarts,
        message:
          `the upload session was lost ${up.counters.sessionRestarts} times (last: ${confirmed?.status ?? 'not found'}); ` +
          `giving up after maxSessionRestarts=${options.maxSessionRestarts}`,
        nonRetryable: true,
      });
    }
    const elapsedMs = Date.now() - sessionStartedAtMs;
    const sentBytes = up.ledger!.bytesUploadedOrReported(s.chunkSize, s.totalSize).uploaded;
    log.warn('upload session lost; starting a new one', { uploadId: s.uploadId, status: confirmed?.status });
    sessionStartedAtMs = Date.now();
    const rate = elapsedMs > 0 && sentBytes > 0 ? (sentBytes / elapsedMs) * 1000 : undefined;
    run = await beginSession(input, up, acts, rate, options, workScope);
  }
}

/** A run of the current session (a new SessionRun, the same ledger). */
function runFor(input: MultipartUploadInput, options: MultipartOptions, up: MultipartState, acts: UploadActivities, workScope: CancellationScope): SessionRun {
  const run = new SessionRun(up, up.session!, up.ledger!, acts, options, input.source.path, workScope);
  up.lanes = run;
  return run;
}

/** Creates a session (validating the source first) with a fresh ledger. */
async function beginSession(
  input: MultipartUploadInput,
  up: MultipartState,
  acts: UploadActivities,
  previousRate: number | undefined,
  options: MultipartOptions,
  workScope: CancellationScope,
): Promise<SessionRun> {
  if (up.session) {
    const reason = sessionTooShortReason({
      remainingBytes: up.session.totalSize,
      observedBytesPerSecond: previousRate,
      sessionLifetimeMs: SESSION_TTL_MS,
    });
    if (reason) throw ApplicationFailure.create({ type: FailureType.SessionTooShort, message: reason, nonRetryable: true });
  }
  up.setPhase('creating-session');
  const created = await acts.sessionCreation.createSession({
    path: input.source.path,
    filename: up.fileName,
    mediaType: input.mediaType ?? mediaTypeFor(up.fileName),
    enableHls: input.enableHls,
    enableThumbnail: input.enableThumbnail,
    userMetadata: input.userMetadata,
  });
  // What TwelveLabs really created: an adopted session counts once, a deleted orphan too.
  up.counters.sessionsCreated += created.sessionsCreated ?? 1;
  up.session = created.session;
  up.ledger = new ChunkLedger(created.session.totalChunks);
  const run = runFor(input, options, up, acts, workScope);
  run.holdUrls(created.urls);
  up.setPhase('uploading');
  log.info('multipart session created', { uploadId: created.session.uploadId, totalChunks: created.session.totalChunks });
  return run;
}

/** Ends a failed or cancelled upload once every PUT has really stopped; answers what to throw. */
async function failed(input: MultipartUploadInput, up: MultipartState, acts: UploadActivities, err: unknown, workScope: CancellationScope): Promise<unknown> {
  if (isCancellation(err)) {
    up.phase = 'cancelled';
  } else {
    up.phase = 'failed';
    up.failure = failureSummary(err);
    workScope.cancel(); // stop every other PUT: nothing keeps sending for a dead upload
  }
  up.show();
  // Wait until the lanes have really stopped (their activities acknowledge the cancellation).
  const lanes = up.lanes;
  if (lanes instanceof SessionRun) await CancellationScope.nonCancellable(() => lanes.settle());
  const s = up.session;
  if (s && patched(CLEAN_UP_AFTER_FAILURE)) {
    up.assetLeft = await CancellationScope.nonCancellable(async () => {
      const left = await acts.cleanup
        .abandonSession({ uploadId: s.uploadId, assetId: s.assetId, totalChunks: s.totalChunks, keepAsset: keepsAsset(input, err) })
        .catch((e: unknown) => ({ assetId: s.assetId, action: 'left' as const, reason: `the cleanup failed: ${failureSummary(e).message}` }));
      await reportAssetLeftToParent(left);
      return left;
    });
    up.show();
  }
  recordUploadFinished(isCancellation(err) ? 'cancelled' : 'failed', up.startedAt);
  return isCancellation(err) ? err : asTypedFailure(err);
}

/** The caller asked to keep it, or an outage ended the upload: its session is kept for a Reset. */
function keepsAsset(input: MultipartUploadInput, err: unknown): boolean {
  return input.keepAssetOnFailure === true || (!isCancellation(err) && failureTypeOf(err) === FailureType.ApiUnavailable);
}

/** Carries the ledger into a new run of the same workflow (the history was getting long). */
async function continueWithLedger(input: MultipartUploadInput, up: MultipartState): Promise<never> {
  await condition(allHandlersFinished);
  const snapshot = up.ledger!.snapshot();
  const next: CarriedState = {
    session: up.session!,
    reported: snapshot.reported,
    unreported: snapshot.unreported,
    counters: up.counters,
    startedAt: up.startedAt,
    paused: up.paused,
    concurrency: up.concurrency,
    runs: up.runs,
    chunkRejections: up.rejections.snapshot(),
    pauseSeq: up.pauseOrder.last,
  };
  log.info('continuing as new', { uploadId: up.session!.uploadId, reportedChunks: up.ledger!.reported });
  return await continueAsNew<typeof multipartUploadWorkflow>({ ...input, carried: next });
}
