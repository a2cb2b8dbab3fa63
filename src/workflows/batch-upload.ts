// batchUploadWorkflow: many files (every media file under a directory, a list file of any length,
// or a few sources given inline), at most `maxConcurrentUploads` at once. Small files go in runs
// (one activity uploads several back to back: file-run-lanes.ts), large files and URLs as
// uploadWorkflow children (child-uploads.ts). The listing is read page by page, and the batch
// continues as new before its history grows large, carrying its queue, totals and failures, so a
// batch of any size has bounded history per run. One file's failure never stops the others.
// Deterministic orchestration only; decisions live in batch-planning.ts, state in batch-state.ts.

import {
  ApplicationFailure,
  CancellationScope,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { FailureType, MAX_BATCH_CONCURRENCY, type BatchUploadInput, type BatchUploadResult } from '../domain/types';
import { fileCheckOptions } from './activity-options';
import { BatchState } from './batch/batch-state';
import { ChildUploads } from './batch/child-uploads';
import { FileRunLanes } from './batch/file-run-lanes';
import {
  batchInputProblems,
  DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS,
  DEFAULT_LIST_PAGE_ENTRIES,
  MAX_ITEMS_PER_RUN,
  mergeSkipped,
  nextRunLength,
  runUploadOptions,
  shouldContinueAsNew,
} from './batch-planning';
import { pauseSignal, resumeSignal, setControlHandlers } from './control-handlers';
import { asTypedFailure, failureSummary } from './failure-info';
import { phasePublisher } from './phase-publisher';

type Activities = ReturnType<typeof createActivities>;

import { batchItemsQuery, batchProgressQuery, setBatchConcurrencyUpdate } from '../domain/workflow-messages';

export { batchItemsQuery, batchProgressQuery };
/** Changes how many files upload at once; answers the previous bound. */
export { setBatchConcurrencyUpdate };
export { pauseSignal, resumeSignal };

const MAX_ITEMS_PER_QUERY = 1000;

export async function batchUploadWorkflow(input: BatchUploadInput): Promise<BatchUploadResult> {
  assertValidInput(input);
  const info = workflowInfo();
  const state = new BatchState(input, phasePublisher(), info.runId, new Date().toISOString());
  const lanes = new FileRunLanes(state, runUploadOptions(input), input.skipUploaded ?? false, input.upload?.fileTaskQueue);
  const children = new ChildUploads(state, input, info.workflowId);
  setBatchHandlers(state, lanes);
  try {
    state.show();
    for (;;) {
      await listMore(state, input);
      startWhatFits(state, lanes, children, input);
      if (state.listingDone && state.queue.length === 0 && state.active === 0) return finish(state);
      if (timeToHandOver(state, input)) {
        state.draining = true;
        if (state.active === 0) return await continueAsNew<typeof batchUploadWorkflow>({ ...input, carried: state.carried() });
      }
      await state.nextChange();
    }
  } catch (err) {
    throw await endEarly(state, lanes, children, err);
  }
}

function assertValidInput(input: BatchUploadInput): void {
  const problems = batchInputProblems(input);
  if (problems.length === 0) return;
  throw ApplicationFailure.create({ type: FailureType.InvalidInput, message: `invalid batch input: ${problems.join('; ')}`, nonRetryable: true });
}

function setBatchHandlers(state: BatchState, lanes: FileRunLanes): void {
  setControlHandlers({
    progressQuery: batchProgressQuery,
    progress: () => state.progress(),
    progressDescription: 'Totals across runs, the files running and lately finished, every failure',
    setPaused: (paused) => {
      state.paused = paused;
      // Runs stop within the file they are sending; children hear it from their forwarders.
      if (paused) lanes.stopAll();
      state.changed();
    },
    pauseDescription: 'Hold the batch: no new file starts, running uploads pause',
    resumeDescription: 'Continue a paused batch',
    concurrency: {
      update: setBatchConcurrencyUpdate,
      set: (value) => {
        const previous = state.concurrency;
        state.concurrency = value;
        state.changed();
        return previous;
      },
      min: 1,
      max: MAX_BATCH_CONCURRENCY,
      label: 'files at once',
      description: `Files uploading at once (1..${MAX_BATCH_CONCURRENCY}); answers the previous value`,
    },
  });
  setHandler(batchItemsQuery, ({ offset, limit }) => state.itemsPage(offset, Math.min(limit, MAX_ITEMS_PER_QUERY)), {
    description: "This run's items from offset (at most 1,000 per call), each with its asset id or error",
  });
}

/** Reads the next listing page when the queue runs low (a page at a time: payloads stay small). */
async function listMore(state: BatchState, input: BatchUploadInput): Promise<void> {
  const pageEntries = input.listPageEntries ?? DEFAULT_LIST_PAGE_ENTRIES;
  if (state.listingDone || state.draining || state.queue.length >= pageEntries / 2) return;
  // Listing a page of a directory takes longer than one stat.
  const files = proxyActivities<Activities>(fileCheckOptions(input.upload?.fileTaskQueue, '5 minutes'));
  if (input.sources) {
    const start = Number(state.cursor ?? 0);
    const end = Math.min(start + pageEntries, input.sources.length);
    const slice = input.sources.slice(start, end).map((s) => ('url' in s ? s.url : s.path));
    const page = await files.listBatchPage({ sources: slice, maxEntries: pageEntries });
    state.addPage({ ...page, done: end >= input.sources.length }, String(end), state.skipped);
  } else {
    const page = await files.listBatchPage({
      ...(input.directory ? { directory: { path: input.directory.path, recursive: input.directory.recursive ?? false } } : {}),
      ...(input.list ? { list: input.list } : {}),
      ...(state.cursor !== undefined ? { cursor: state.cursor } : {}),
      maxEntries: pageEntries,
    });
    state.addPage(page, page.cursor, mergeSkipped(state.skipped, page.skipped));
  }
  if (state.listingDone && state.totals.files === 0) {
    const where = input.directory?.path ?? input.list?.path ?? 'the sources';
    throw ApplicationFailure.create({
      type: FailureType.SourceNotFound,
      message: `${where} holds no media files (by extension)${input.directory && !input.directory.recursive ? '; add recursive to look in subdirectories' : ''}`,
      nonRetryable: true,
    });
  }
}

/** Starts runs of small files and child uploads while slots are free and the batch is not held. */
function startWhatFits(state: BatchState, lanes: FileRunLanes, children: ChildUploads, input: BatchUploadInput): void {
  while (!state.paused && !state.draining && state.active < state.concurrency && state.queue.length > 0 && state.items.size < MAX_ITEMS_PER_RUN) {
    const runLength = nextRunLength(state.queue, state.concurrency, input.upload?.directMaxBytes);
    if (runLength > 0) lanes.start(runLength);
    else children.start();
  }
}

/** Whether this run hands over to a new one (there is work left to start, and its history or items are at their bound). */
function timeToHandOver(state: BatchState, input: BatchUploadInput): boolean {
  if (state.listingDone && state.queue.length === 0) return false;
  const info = workflowInfo();
  return shouldContinueAsNew({
    historyLength: info.historyLength,
    limit: input.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS,
    suggested: info.continueAsNewSuggested,
    itemsThisRun: state.items.size,
  });
}

function finish(state: BatchState): BatchUploadResult {
  state.phase = 'completed';
  state.completedAt = new Date().toISOString();
  state.show();
  return state.result();
}

/** A failure or a cancel: waits until every running upload has really stopped, and says so. */
async function endEarly(state: BatchState, lanes: FileRunLanes, children: ChildUploads, err: unknown): Promise<unknown> {
  if (isCancellation(err)) {
    state.cancelling = true;
    state.phase = 'cancelled';
  } else {
    state.phase = 'failed';
    state.error = failureSummary(err);
  }
  // Runs and children were asked to cancel with us; wait until they have really stopped.
  await CancellationScope.nonCancellable(async () => {
    await lanes.settled();
    await children.settled();
  });
  if (state.cancelling) state.cancelWaiting();
  state.show();
  return isCancellation(err) ? err : asTypedFailure(err);
}
