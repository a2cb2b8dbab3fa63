// batchUploadWorkflow: many files (or every media file under a directory) as uploadWorkflow
// children, at most `maxConcurrentUploads` at once. One file's failure never stops the others;
// the result lists each file's asset or error. Deterministic orchestration only; decisions live
// in batch-planning.ts.

import { fileCheckOptions } from './activity-options';
import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  condition,
  isCancellation,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { assetsLeftByCancel, batchConcurrency, batchDetails, batchInputProblems, batchTotals, cancelledWithAsset, newBatchItem } from './batch-planning';
import { assetCreatedSignal } from './asset-report';
import { asTypedFailure, failureSummary } from './failure-info';
import { pauseSignal, resumeSignal, setControlHandlers } from './control-handlers';
import { phasePublisher } from './phase-publisher';
import { TL_PHASE, uploadSearchAttributes } from './search-attributes';
import {
  FailureType,
  MAX_BATCH_CONCURRENCY,
  type BatchItem,
  type BatchPhase,
  type BatchProgress,
  type BatchUploadInput,
  type BatchUploadResult,
  type UploadSource,
} from '../domain/types';
import { uploadWorkflow } from './upload';
import { uploadStartSummary } from './upload-planning';
import { isUrlSource } from '../domain/names';

type Activities = ReturnType<typeof createActivities>;

import { batchProgressQuery, setBatchConcurrencyUpdate } from '../domain/workflow-messages';

export { batchProgressQuery };
/** Changes how many files upload at once; answers the previous bound. */
export { setBatchConcurrencyUpdate };
export { pauseSignal, resumeSignal };

export async function batchUploadWorkflow(input: BatchUploadInput): Promise<BatchUploadResult> {
  const problems = batchInputProblems(input);
  if (problems.length > 0) {
    throw ApplicationFailure.create({ type: FailureType.InvalidInput, message: `invalid batch input: ${problems.join('; ')}`, nonRetryable: true });
  }
  // Listing a folder of up to MAX_BATCH_FILES files takes longer than one stat.
  const files = proxyActivities<Activities>(fileCheckOptions(input.upload?.fileTaskQueue, '5 minutes'));
  const publish = phasePublisher();
  const batchId = workflowInfo().workflowId;
  const withAttributes = workflowInfo().typedSearchAttributes.get(TL_PHASE) !== undefined;
  const startedAt = new Date().toISOString();

  let phase: BatchPhase = 'listing';
  let paused = false;
  let maxConcurrentUploads = batchConcurrency(input);
  let items: BatchItem[] = [];
  /** The source of each item, by index (items show it as a string). */
  let sources: UploadSource[] = [];
  let failure: { type: string; message: string } | undefined;
  let completedAt: string | undefined;
  const running = new Map<number, { handle?: ChildWorkflowHandle<typeof uploadWorkflow>; done: Promise<void> }>();
  let changes = 0;

  const shownPhase = (): BatchPhase => (phase === 'uploading' && paused ? 'paused' : phase);
  const show = () => publish(shownPhase(), batchDetails(shownPhase(), batchTotals(items), maxConcurrentUploads, assetsLeftByCancel(items)));
  const forward = (signal: typeof pauseSignal | typeof resumeSignal) => {
    for (const { handle } of running.values()) handle?.signal(signal).catch(() => undefined);
  };

  setControlHandlers({
    progressQuery: batchProgressQuery,
    progress: (): BatchProgress => ({
      phase: shownPhase(),
      items,
      totals: batchTotals(items),
      maxConcurrentUploads,
      paused,
      startedAt,
      ...(completedAt ? { completedAt } : {}),
      ...(failure ? { error: failure } : {}),
    }),
    progressDescription: 'Each file with its state, asset id or error, and the totals',
    setPaused: (value) => {
      paused = value;
      forward(value ? pauseSignal : resumeSignal);
      changes++;
      show();
    },
    pauseDescription: 'Hold the batch: no new file starts, running uploads pause',
    resumeDescription: 'Continue a paused batch',
    concurrency: {
      update: setBatchConcurrencyUpdate,
      set: (value) => {
        const previous = maxConcurrentUploads;
        maxConcurrentUploads = value;
        changes++;
        show();
        return previous;
      },
      min: 1,
      max: MAX_BATCH_CONCURRENCY,
      label: 'files at once',
      description: `Files uploading at once (1..${MAX_BATCH_CONCURRENCY}); answers the previous value`,
    },
  });

  // A file's asset is known here as soon as it exists, even if its upload is cancelled later.
  setHandler(assetCreatedSignal, ({ workflowId, assetId }) => {
    const item = items.find((i) => i.workflowId === workflowId);
    if (item) item.assetId = assetId;
  });

  const startItem = (item: BatchItem, source: UploadSource) => {
    item.state = 'running';
    const entry: { handle?: ChildWorkflowHandle<typeof uploadWorkflow>; done: Promise<void> } = { done: Promise.resolve() };
    entry.done = (async () => {
      try {
        entry.handle = await startChild(uploadWorkflow, {
          workflowId: item.workflowId,
          args: [{ ...input.upload, source }],
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
          staticSummary: uploadStartSummary(item.fileName, item.sizeBytes),
          ...(withAttributes
            ? { typedSearchAttributes: uploadSearchAttributes({ fileName: item.fileName, sizeBytes: item.sizeBytes, phase: 'validating' }) }
            : {}),
        });
        if (paused) entry.handle.signal(pauseSignal).catch(() => undefined);
        const result = await entry.handle.result();
        item.state = 'completed';
        item.assetId = result.assetId;
        item.route = result.route;
        if (result.totalBytes !== undefined) item.sizeBytes = result.totalBytes;
      } catch (err) {
        if (isCancellation(err)) {
          item.state = 'cancelled';
          if (item.assetId !== undefined) item.error = cancelledWithAsset(item.assetId);
        } else {
          item.state = 'failed';
          item.error = failureSummary(err);
        }
      } finally {
        running.delete(item.index);
        changes++;
        show();
      }
    })();
    running.set(item.index, entry);
  };

  try {
    show();
    if (input.directory) {
      const listed = await files.listMediaFiles({ directory: input.directory.path, recursive: input.directory.recursive ?? false });
      sources = listed.files.map((f) => ({ path: f.path }));
      items = listed.files.map((f, i) => newBatchItem(batchId, i, { path: f.path }, f.sizeBytes));
      if (items.length === 0) {
        throw ApplicationFailure.create({
          type: FailureType.SourceNotFound,
          message: `${input.directory.path} holds no media files (by extension)${input.directory.recursive ? '' : '; add recursive to look in subdirectories'}`,
          nonRetryable: true,
        });
      }
    } else {
      sources = input.sources!;
      const paths = sources.filter((s) => !isUrlSource(s)).map((s) => (s as { path: string }).path);
      const sizes = paths.length > 0 ? await files.sizeOfFiles({ paths }) : [];
      let fileIndex = 0;
      items = sources.map((source, i) => newBatchItem(batchId, i, source, isUrlSource(source) ? undefined : (sizes[fileIndex++] ?? undefined)));
    }
    phase = 'uploading';
    publish.fileSize(batchTotals(items).totalBytes);
    show();

    let next = 0;
    for (;;) {
      while (!paused && running.size < maxConcurrentUploads && next < items.length) {
        startItem(items[next]!, sources[next]!);
        next++;
      }
      if (next >= items.length && running.size === 0) break;
      const seen = changes;
      await condition(() => changes !== seen);
    }
    phase = 'completed';
    completedAt = new Date().toISOString();
    show();
    return { items, totals: batchTotals(items), startedAt, completedAt };
  } catch (err) {
    if (isCancellation(err)) {
      phase = 'cancelled';
      for (const item of items) if (item.state === 'waiting') item.state = 'cancelled';
    } else {
      phase = 'failed';
      failure = failureSummary(err);
    }
    // The running uploads were asked to cancel with us; wait until they have really stopped.
    await CancellationScope.nonCancellable(() => Promise.all([...running.values()].map((r) => r.done)));
    show();
    throw isCancellation(err) ? err : asTypedFailure(err);
  }
}
