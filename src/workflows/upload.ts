// uploadWorkflow: the one entry point for an upload. It looks at the source and picks the route:
// a local file up to 200 MB goes as one direct upload (streamed from disk by an activity), a
// larger one up to 4 GiB runs multipartUploadWorkflow as a child, a larger one is refused, and a
// URL is handed to TwelveLabs to fetch. Then it waits for the asset to be `ready`.
// Deterministic orchestration only; decisions live in upload-planning.ts.

import { API_CALL, apiRetry, fileCheckOptions, readinessOptions, transferOptions } from './activity-options';
import {
  ApplicationFailure,
  ChildWorkflowCancellationType,
  condition,
  defineQuery,
  isCancellation,
  log,
  ParentClosePolicy,
  proxyActivities,
  sleep,
  startChild,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { CreatedAsset } from '../activities/direct-upload';
import { asTypedFailure, failureSummary, failureTypeOf } from './failure-info';
import { reportAssetToParent } from './asset-report';
import { carriedFromEarlier, earlierChildSession, multipartChildId } from './reset-resume';
import { DEFAULT_OPTIONS } from './planning';
import { pauseSignal, resumeSignal, setControlHandlers } from './control-handlers';
import { multipartUploadWorkflow } from './multipart-upload';
import { phasePublisher } from './phase-publisher';
import { TL_PHASE, uploadSearchAttributes } from './search-attributes';
import {
  FailureType,
  type MultipartUploadResult,
  type UploadInput,
  type UploadResult,
  type UploadState,
  type UploadWorkflowPhase,
} from '../domain/types';
import { chooseFileRoute, MAX_CREATE_ATTEMPTS, RECONCILE_CLOCK_MARGIN_MS, resolveUploadOptions, uploadDetails, uploadInputProblems } from './upload-planning';
import { isUrlSource, sourceLabel, uploadFileName } from '../domain/names';
import { uploadMediaType } from '../domain/media-types';

type Activities = ReturnType<typeof createActivities>;

/** uploadWorkflow's `progress` query (the chunk-level details are in its multipart child's). */
export const uploadProgressQuery = defineQuery<UploadState>('progress');
export { pauseSignal, resumeSignal };

export async function uploadWorkflow(input: UploadInput): Promise<UploadResult> {
  const problems = uploadInputProblems(input);
  if (problems.length > 0) {
    throw ApplicationFailure.create({
      type: FailureType.InvalidInput,
      message: `invalid upload input: ${problems.join('; ')}`,
      nonRetryable: true,
    });
  }
  const options = resolveUploadOptions(input);
  const fileName = uploadFileName(input);
  const publish = phasePublisher();

  const fileActivities = proxyActivities<Activities>(fileCheckOptions(input.fileTaskQueue));
  const directUpload = proxyActivities<Activities>(
    transferOptions({
      taskQueue: input.fileTaskQueue,
      // The client's own limit for a direct upload is 30 minutes.
      startToCloseTimeout: '35 minutes',
      heartbeatTimeout: '30 seconds',
      // Only failures that certainly had no effect are retried (failures.ts, createFailure).
      retry: apiRetry(5),
    }),
  );
  const api = proxyActivities<Activities>(API_CALL);
  const readiness = proxyActivities<Activities>(readinessOptions(options.readyTimeoutMs, options.readyPollIntervalMs));

  const state: UploadState = {
    phase: 'validating',
    fileName,
    source: sourceLabel(input.source),
    confirmedBytes: 0,
    paused: false,
    createAttempts: 0,
    startedAt: new Date().toISOString(),
  };
  let child: ChildWorkflowHandle<typeof multipartUploadWorkflow> | undefined;
  /** True while the workflow holds before a step because of a pause. */
  let holding = false;

  // A direct upload is one HTTP request: it cannot pause halfway, so it shows as uploading.
  const shownPhase = (): UploadWorkflowPhase =>
    state.paused && (holding || (state.phase === 'uploading' && state.route === 'multipart')) ? 'paused' : state.phase;
  const show = () => {
    const phase = shownPhase();
    publish(phase, uploadDetails({ ...state, phase }));
  };
  const enter = (phase: UploadWorkflowPhase) => {
    state.phase = phase;
    show();
  };
  const forward = (signal: typeof pauseSignal | typeof resumeSignal) => {
    // The child may have finished already; a pause for a finished upload has nothing to do.
    if (child) child.signal(signal).catch(() => undefined);
  };

  setControlHandlers({
    progressQuery: uploadProgressQuery,
    progress: (): UploadState => ({ ...state, phase: shownPhase() }),
    progressDescription: 'Phase, route, size, asset id; chunk details are in the multipart child workflow',
    setPaused: (paused) => {
      state.paused = paused;
      forward(paused ? pauseSignal : resumeSignal);
      show();
    },
    pauseDescription: 'Hold the upload: no new chunk starts (a direct upload pauses only before it begins)',
    resumeDescription: 'Continue a paused upload',
  });

  /** Waits while paused, before a step that cannot be paused once begun. */
  const holdWhilePaused = async () => {
    if (!state.paused) return;
    holding = true;
    show();
    await condition(() => !state.paused);
    holding = false;
  };

  /**
   * Creates the asset with a non-idempotent call. After an ambiguous failure it looks for the
   * asset that attempt may have made, and adopts it; only if there is none does it create again.
   */
  const createOnce = async (create: () => Promise<CreatedAsset>, sizeBytes: number | undefined) => {
    for (let attempt = 1; ; attempt++) {
      const attemptStartedAtMs = Date.now();
      state.createAttempts = attempt;
      try {
        return { asset: await create(), reconciled: false };
      } catch (err) {
        if (failureTypeOf(err) !== FailureType.CreateOutcomeUnknown) throw err;
        enter('reconciling');
        log.warn('create outcome unknown; looking for the asset before creating again', { attempt, fileName });
        await sleep(options.reconcileDelayMs);
        const found = await api.findCreatedAsset({
          filename: fileName,
          createdSinceMs: attemptStartedAtMs - RECONCILE_CLOCK_MARGIN_MS,
          ...(sizeBytes !== undefined ? { sizeBytes } : {}),
        });
        if (found) {
          log.info('adopted the asset an ambiguous create had made', { assetId: found.assetId });
          return { asset: found, reconciled: true };
        }
        if (attempt >= MAX_CREATE_ATTEMPTS) {
          throw ApplicationFailure.create({
            type: FailureType.CreateOutcomeUnknown,
            message:
              `${attempt} attempts to create the asset ${fileName} ended without a clear answer, and no asset of that name ` +
              `appeared; check \`tl-upload assets list --filename ${fileName}\` before uploading it again`,
            nonRetryable: true,
          });
        }
        enter('uploading');
      }
    }
  };

  const runMultipart = async (sizeBytes: number): Promise<MultipartUploadResult> => {
    const childId = multipartChildId();
    const path = (input.source as { path: string }).path;
    // After a Reset: carry on (or clean up) what the earlier run's child left (reset-resume.ts).
    const earlier = await earlierChildSession(childId, path, input.fileTaskQueue);
    if (earlier?.found === 'completed') return earlier.result;
    const carried =
      earlier?.found === 'resumable' ? carriedFromEarlier(earlier, input.multipart?.concurrency ?? DEFAULT_OPTIONS.concurrency, state.startedAt) : undefined;
    const withAttributes = workflowInfo().typedSearchAttributes.get(TL_PHASE) !== undefined;
    child = await startChild(multipartUploadWorkflow, {
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
    state.multipartWorkflowId = childId;
    if (state.paused) forward(pauseSignal);
    show();
    return await child.result();
  };

  const run = async (): Promise<UploadResult> => {
    show();
    let assetId: string;
    let assetStatus: string;
    let reconciled = false;
    let multipart: MultipartUploadResult | undefined;

    if (isUrlSource(input.source)) {
      const url = input.source.url;
      state.route = 'url';
      await holdWhilePaused();
      enter('uploading');
      const created = await createOnce(
        () =>
          api.createAssetFromUrl({
            url,
            filename: fileName,
            enableHls: input.enableHls,
            enableThumbnail: input.enableThumbnail,
            userMetadata: input.userMetadata,
          }),
        undefined,
      );
      ({ assetId, status: assetStatus } = created.asset);
      reconciled = created.reconciled;
    } else {
      const path = input.source.path;
      const identity = await fileActivities.inspectFile({ path });
      state.totalBytes = identity.sizeBytes;
      publish.fileSize(identity.sizeBytes);
      const decision = chooseFileRoute(identity.sizeBytes, options.directMaxBytes, uploadMediaType(input.mediaType, fileName));
      if ('refused' in decision) {
        throw ApplicationFailure.create({ type: FailureType.FileTooLarge, message: `${path}: ${decision.refused}`, nonRetryable: true });
      }
      state.route = decision.route;
      await holdWhilePaused();
      enter('uploading');
      if (decision.route === 'direct') {
        const created = await createOnce(
          () =>
            directUpload.uploadDirect({
              path,
              filename: fileName,
              enableHls: input.enableHls,
              enableThumbnail: input.enableThumbnail,
              userMetadata: input.userMetadata,
              sourceSizeBytes: identity.sizeBytes,
              sourceMtimeMs: identity.mtimeMs,
            }),
          identity.sizeBytes,
        );
        ({ assetId, status: assetStatus } = created.asset);
        reconciled = created.reconciled;
      } else {
        multipart = await runMultipart(identity.sizeBytes);
        assetId = multipart.assetId;
        assetStatus = 'processing';
      }
      state.confirmedBytes = identity.sizeBytes;
    }

    state.assetId = assetId;
    state.assetStatus = assetStatus;
    await reportAssetToParent(assetId);
    if (options.waitForReady && assetStatus !== 'ready') {
      enter('processing');
      const ready = await readiness.waitForAssetReady({
        assetId,
        pollIntervalMs: options.readyPollIntervalMs,
        timeoutMs: options.readyTimeoutMs,
      });
      state.assetStatus = ready.status;
      if (state.totalBytes === undefined && ready.sizeBytes !== undefined) {
        state.totalBytes = ready.sizeBytes;
        state.confirmedBytes = ready.sizeBytes;
      }
    }
    state.completedAt = new Date().toISOString();
    enter('completed');
    return {
      assetId,
      route: state.route!,
      fileName,
      ...(state.totalBytes !== undefined ? { totalBytes: state.totalBytes } : {}),
      assetStatus: state.assetStatus ?? assetStatus,
      reconciled,
      ...(multipart ? { multipart } : {}),
      startedAt: state.startedAt,
      completedAt: state.completedAt,
    };
  };

  try {
    return await run();
  } catch (err) {
    if (isCancellation(err)) {
      enter('cancelled');
      throw err;
    }
    state.error = failureSummary(err);
    enter('failed');
    throw asTypedFailure(err);
  }
}
