// uploadWorkflow: the one entry point for an upload. It looks at the source and picks the route:
// a local file up to 200 MB goes as one direct upload (streamed from disk by an activity), a
// larger one up to 4 GiB runs multipartUploadWorkflow as a child, a larger one is refused, and a
// URL is handed to TwelveLabs to fetch. Then it waits for the asset to be `ready`.
// Deterministic orchestration only: decisions live in upload-planning.ts, the exactly-once
// create in create-once.ts, the wait for the asset in asset-readiness.ts, and what the upload
// shows of itself in upload-tracker.ts.

import {
  ApplicationFailure,
  ChildWorkflowCancellationType,
  isCancellation,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { SourceIdentity } from '../activities/source';
import { uploadRunToken } from '../domain/create-token';
import { uploadMediaType } from '../domain/media-types';
import { isUrlSource, sourceLabel, uploadFileName } from '../domain/names';
import { FailureType, type MultipartUploadResult, type UploadInput, type UploadResult } from '../domain/types';
import { API_CALL_AFTER_CREATE, apiRetry, ASSET_SEARCH_CALL, fileCheckOptions, transferOptions, URL_CREATE_CALL } from './activity-options';
import { formatBytes } from '../domain/bytes';
import { awaitAssetReady } from './asset-readiness';
import { assetLeftSignal, reportAssetToParent } from './asset-report';
import { pauseSignal, resumeSignal, setControlHandlers } from './control-handlers';
import { createOnce } from './create-once';
import { asTypedFailure, failureSummary } from './failure-info';
import { multipartUploadWorkflow } from './multipart-upload';
import { DEFAULT_OPTIONS } from './planning';
import { carriedFromEarlier, earlierChildSession, multipartChildId } from './reset-resume';
import { phasePublisher, type PhasePublisher } from './phase-publisher';
import { TL_PHASE, uploadSearchAttributes } from './search-attributes';
import { chooseFileRoute, needsReadinessWait, RECONCILE_CLOCK_MARGIN_MS, resolveUploadOptions, uploadInputProblems, type UploadOptions } from './upload-planning';
import { UploadTracker } from './upload-tracker';

type Activities = ReturnType<typeof createActivities>;

/** uploadWorkflow's `progress` query (the chunk-level details are in its multipart child's). */
import { uploadProgressQuery } from '../domain/workflow-messages';

export { uploadProgressQuery };
export { pauseSignal, resumeSignal };

/** Histories recorded before create tokens have no token to clear: they replay without the call. */
const CLEAR_CREATE_TOKEN_PATCH = 'clear-create-token';
/**
 * Issue 17, item 5: a cancelled or failed upload whose asset exists tells its parent (a batch) the
 * asset id, learnt from the route or from its multipart child's assetLeft signal. Histories
 * recorded before it end without that signal.
 */
const REPORT_ASSET_WHEN_ENDED = 'report-asset-when-ended';
/**
 * Issue 17, item 7: the create token names the upload's first run (the same in every run a Reset
 * starts, so a reset run finds the asset an earlier run made instead of creating a second), and it
 * is removed only once the upload completed. Before: the token of each run, removed before the
 * wait for `ready`.
 */
const TOKEN_OF_FIRST_RUN = 'create-token-of-first-run';

/** What a route leaves behind: the asset, and how it came to be. */
interface Uploaded {
  assetId: string;
  status: string;
  reconciled: boolean;
  /** Assets TwelveLabs created for this upload, deleted orphans included. */
  assetsCreated: number;
  multipart?: MultipartUploadResult;
}

/** What every route needs: the input, its options, the tracker, and the token its creates carry. */
interface UploadContext {
  input: UploadInput;
  options: UploadOptions;
  fileName: string;
  tracker: UploadTracker;
  publish: PhasePublisher;
  createToken: string;
}

export async function uploadWorkflow(input: UploadInput): Promise<UploadResult> {
  assertValidInput(input);
  const fileName = uploadFileName(input);
  const publish = phasePublisher();
  const tracker = new UploadTracker(publish, { fileName, source: sourceLabel(input.source), startedAt: new Date().toISOString() });
  setControlHandlers({
    progressQuery: uploadProgressQuery,
    progress: () => tracker.progress(),
    progressDescription: 'Phase, route, size, asset id; chunk details are in the multipart child workflow',
    setPaused: (paused) => tracker.setPaused(paused),
    pauseDescription: 'Hold the upload: no new chunk starts (a direct upload pauses only before it begins)',
    resumeDescription: 'Continue a paused upload',
  });
  // A failed or cancelled multipart child says what became of its asset before it ends.
  setHandler(assetLeftSignal, (left) => {
    if (left.workflowId !== tracker.state.multipartWorkflowId) return;
    tracker.state.assetLeft = { assetId: left.assetId, action: left.action, ...(left.reason ? { reason: left.reason } : {}) };
    if (left.action !== 'deleted') tracker.state.assetId = left.assetId;
    tracker.show();
  });
  const context: UploadContext = {
    input,
    options: resolveUploadOptions(input),
    fileName,
    tracker,
    publish,
    createToken: '',
  };
  const tokenOfFirstRun = patched(TOKEN_OF_FIRST_RUN);
  context.createToken = uploadRunToken(tokenOfFirstRun ? workflowInfo().firstExecutionRunId : workflowInfo().runId);
  try {
    tracker.show();
    const uploaded = isUrlSource(input.source) ? await uploadUrl(context, input.source.url) : await uploadFile(context, input.source.path);
    // Known from here on, so a cancel during the steps that follow still reports it.
    tracker.state.assetId = uploaded.assetId;
    const clearToken = () => proxyActivities<Activities>(API_CALL_AFTER_CREATE).clearCreateToken({ assetId: uploaded.assetId });
    if (!tokenOfFirstRun && patched(CLEAR_CREATE_TOKEN_PATCH)) await clearToken();
    const result = await finish(context, uploaded);
    if (tokenOfFirstRun) await clearToken();
    return result;
  } catch (err) {
    if (isCancellation(err)) {
      tracker.enter('cancelled');
      await reportAssetAtEnd(tracker);
      throw err;
    }
    tracker.state.error = failureSummary(err);
    tracker.enter('failed');
    await reportAssetAtEnd(tracker);
    throw asTypedFailure(err);
  }
}

/** A failed or cancelled upload whose asset exists tells its parent (once; finish() may have told it). */
async function reportAssetAtEnd(tracker: UploadTracker): Promise<void> {
  const assetId = tracker.state.assetId;
  if (assetId === undefined || tracker.assetReported || !workflowInfo().parent || !patched(REPORT_ASSET_WHEN_ENDED)) return;
  await reportAssetToParent(assetId);
}

function assertValidInput(input: UploadInput): void {
  const problems = uploadInputProblems(input);
  if (problems.length === 0) return;
  throw ApplicationFailure.create({ type: FailureType.InvalidInput, message: `invalid upload input: ${problems.join('; ')}`, nonRetryable: true });
}

async function uploadUrl(context: UploadContext, url: string): Promise<Uploaded> {
  const { input, tracker, fileName, createToken } = context;
  const create = proxyActivities<Activities>(URL_CREATE_CALL);
  const search = proxyActivities<Activities>(ASSET_SEARCH_CALL);
  tracker.state.route = 'url';
  await tracker.holdWhilePaused();
  tracker.enter('uploading');
  const common = { filename: fileName, enableHls: input.enableHls, enableThumbnail: input.enableThumbnail, userMetadata: input.userMetadata, createToken };
  return createAsset(context, {
    create: () => create.createAssetFromUrl({ ...common, url }),
    find: (createdSinceMs) => search.findCreatedAsset({ filename: fileName, createdSinceMs, createToken }),
  });
}

async function uploadFile(context: UploadContext, path: string): Promise<Uploaded> {
  const { input, tracker, options } = context;
  const identity = await proxyActivities<Activities>(fileCheckOptions(input.fileTaskQueue)).inspectFile({ path });
  tracker.state.totalBytes = identity.sizeBytes;
  context.publish.fileSize(identity.sizeBytes);
  const decision = chooseFileRoute(identity.sizeBytes, options.directMaxBytes, uploadMediaType(input.mediaType, context.fileName));
  if ('refused' in decision) {
    throw ApplicationFailure.create({ type: FailureType.FileTooLarge, message: `${path}: ${decision.refused}`, nonRetryable: true });
  }
  tracker.state.route = decision.route;
  await tracker.holdWhilePaused();
  tracker.enter('uploading');
  const uploaded = decision.route === 'direct' ? await uploadDirect(context, path, identity) : await uploadMultipart(context, path, identity.sizeBytes);
  tracker.state.confirmedBytes = identity.sizeBytes;
  return uploaded;
}

async function uploadDirect(context: UploadContext, path: string, identity: SourceIdentity): Promise<Uploaded> {
  const { input, fileName, createToken } = context;
  const transfer = proxyActivities<Activities>({
    ...transferOptions({
      taskQueue: input.fileTaskQueue,
      // The client's own limit for a direct upload is 30 minutes.
      startToCloseTimeout: '35 minutes',
      heartbeatTimeout: '30 seconds',
      // Only failures that certainly had no effect are retried (failures.ts, createFailure).
      retry: apiRetry(5),
    }),
    // The Web UI's timeline labels the row with it (user metadata: replay does not compare it).
    summary: `${fileName}: ${formatBytes(identity.sizeBytes)} in one request`,
  });
  // The search checks the file too (an asset of a changed file is deleted): on the file's host.
  const search = proxyActivities<Activities>({ ...ASSET_SEARCH_CALL, taskQueue: input.fileTaskQueue });
  const source = { path, sizeBytes: identity.sizeBytes, mtimeMs: identity.mtimeMs };
  return createAsset(context, {
    create: () =>
      transfer.uploadDirect({
        path,
        filename: fileName,
        enableHls: input.enableHls,
        enableThumbnail: input.enableThumbnail,
        userMetadata: input.userMetadata,
        sourceSizeBytes: identity.sizeBytes,
        sourceMtimeMs: identity.mtimeMs,
        createToken,
      }),
    find: (createdSinceMs) => search.findCreatedAsset({ filename: fileName, createdSinceMs, createToken, source }),
  });
}

/** An A1 create through createOnce, with the tracker showing its attempts and reconciliations. */
async function createAsset(
  context: UploadContext,
  calls: { create: Parameters<typeof createOnce>[0]['create']; find: Parameters<typeof createOnce>[0]['find'] },
): Promise<Uploaded> {
  const { tracker } = context;
  const created = await createOnce({
    fileName: context.fileName,
    create: calls.create,
    find: (attemptStartedAtMs) => calls.find(attemptStartedAtMs - RECONCILE_CLOCK_MARGIN_MS),
    reconcileDelayMs: context.options.reconcileDelayMs,
    onAttempt: (attempt) => {
      tracker.state.createAttempts = attempt;
      if (attempt > 1) tracker.enter('uploading');
    },
    onReconciling: () => tracker.enter('reconciling'),
  });
  return { assetId: created.asset.assetId, status: created.asset.status, reconciled: created.reconciled, assetsCreated: created.assetsCreated };
}

async function uploadMultipart(context: UploadContext, path: string, sizeBytes: number): Promise<Uploaded> {
  const { input, fileName, tracker } = context;
  const childId = multipartChildId();
  // After a Reset: carry on (or clean up) what the earlier run's child left (reset-resume.ts).
  const earlier = await earlierChildSession(childId, path, input.fileTaskQueue);
  if (earlier?.found === 'completed') {
    const done = earlier.result;
    return { assetId: done.assetId, status: 'processing', reconciled: true, assetsCreated: done.counters.sessionsCreated, multipart: done };
  }
  const carried =
    earlier?.found === 'resumable'
      ? carriedFromEarlier(earlier, input.multipart?.concurrency ?? DEFAULT_OPTIONS.concurrency, tracker.state.startedAt)
      : undefined;
  const withAttributes = workflowInfo().typedSearchAttributes.get(TL_PHASE) !== undefined;
  const child = await startChild(multipartUploadWorkflow, {
    workflowId: childId,
    args: [
      {
        source: { path },
        filename: fileName,
        ...(input.mediaType !== undefined ? { mediaType: input.mediaType } : {}),
        ...(input.enableHls !== undefined ? { enableHls: input.enableHls } : {}),
        ...(input.enableThumbnail !== undefined ? { enableThumbnail: input.enableThumbnail } : {}),
        ...(input.userMetadata !== undefined ? { userMetadata: input.userMetadata } : {}),
        ...(input.fileTaskQueue !== undefined ? { fileTaskQueue: input.fileTaskQueue } : {}),
        ...(input.multipart ?? {}),
        ...(carried ? { carried } : {}),
      },
    ],
    // Cancelling or terminating the upload stops its chunk PUTs too, gracefully.
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
    staticSummary: `Chunks of ${fileName} (multipart session)`,
    ...(withAttributes ? { typedSearchAttributes: uploadSearchAttributes({ fileName, sizeBytes, phase: 'validating' }) } : {}),
  });
  tracker.attachChild(child, childId);
  const multipart = await child.result();
  // Each session creates its asset (M1); createSession adopts rather than creating twice.
  return { assetId: multipart.assetId, status: 'processing', reconciled: false, assetsCreated: multipart.counters.sessionsCreated, multipart };
}

async function finish(context: UploadContext, uploaded: Uploaded): Promise<UploadResult> {
  const { tracker } = context;
  const { state } = tracker;
  state.assetId = uploaded.assetId;
  state.assetStatus = uploaded.status;
  // Before the wait for `ready`: a batch cancelled meanwhile still knows this asset exists.
  await reportAssetToParent(uploaded.assetId);
  tracker.assetReported = true;
  if (needsReadinessWait(context.options.waitForReady, uploaded.status)) tracker.enter('processing');
  const ready = await awaitAssetReady(uploaded.assetId, uploaded.status, context.options);
  state.assetStatus = ready.status;
  if (state.totalBytes === undefined && ready.sizeBytes !== undefined) {
    state.totalBytes = ready.sizeBytes;
    state.confirmedBytes = ready.sizeBytes;
  }
  state.completedAt = new Date().toISOString();
  tracker.enter('completed');
  return {
    assetId: uploaded.assetId,
    route: state.route!,
    fileName: context.fileName,
    ...(state.totalBytes !== undefined ? { totalBytes: state.totalBytes } : {}),
    assetStatus: ready.status,
    reconciled: uploaded.reconciled,
    assetsCreated: uploaded.assetsCreated,
    ...(uploaded.multipart ? { multipart: uploaded.multipart } : {}),
    startedAt: state.startedAt,
    completedAt: state.completedAt,
  };
}
