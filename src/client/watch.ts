// Reading an upload's progress: the workflows' own `progress` queries, the heartbeats of the
// transfers running now (read with describe, so no worker is needed for them), and a recent rate.
// A query needs a worker: with none polling the workflow's queue (workflow-query.ts), the answer is
// what Temporal itself knows, marked `noWorker`, instead of a query that hangs and then looks like
// a failure.

import { setTimeout as sleep } from 'node:timers/promises';
import type { QueryDefinition, WorkflowExecutionDescription } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { BatchProgress, UploadInput, UploadProgress, UploadState } from '../domain/types';
import type { LiveProgress, NoWorker, WatchOptions } from './types';
import { batchProgressQuery, multipartProgressQuery, uploadProgressQuery, UPLOAD_WORKFLOW_TYPE, BATCH_WORKFLOW_TYPE, MULTIPART_WORKFLOW_TYPE } from '../domain/workflow-messages';
import { TL_FILE_NAME, TL_FILE_SIZE, TL_PHASE } from '../workflows/search-attributes';
import { describeWorkflow, type ClientContext } from './context';
import { UsageError } from './errors';
import { toFailedError } from './failures';
import {
  batchLiveProgress,
  closedLiveProgress,
  completedBatchProgress,
  completedUploadProgress,
  knownLiveProgress,
  uploadLiveProgress,
  type RunningActivity,
  type StoredBytes,
} from './progress/live-progress';
import { etaSeconds, RateMeters } from './progress/rate-meter';
import { RecentMap } from './recent-map';
import { noHostWorker } from './task-queue';
import { queryIfServed, type Answer } from './workflow-query';

/** temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED */
const PENDING_ACTIVITY_STATE_STARTED = 2;

export class ProgressReader {
  readonly #meters = new RateMeters();
  readonly #last = new RecentMap<string, LiveProgress>(256);
  readonly #fileQueues = new RecentMap<string, string | null>(256);

  constructor(private readonly ctx: ClientContext) {}

  async progress(workflowId: string): Promise<LiveProgress> {
    const description = await describeWorkflow(this.ctx, workflowId);
    let progress: LiveProgress;
    if (description.type === UPLOAD_WORKFLOW_TYPE) progress = await this.#upload(workflowId, description);
    else if (description.type === BATCH_WORKFLOW_TYPE) progress = await this.#batch(workflowId, description);
    else {
      throw new UsageError(
        description.type === MULTIPART_WORKFLOW_TYPE
          ? `${workflowId} is the chunk-level child of an upload: watch its parent ${description.parentExecution?.workflowId ?? ''}`.trim()
          : `${workflowId} is a ${description.type}, not an upload`,
      );
    }
    this.#withRecentRate(progress);
    if (!progress.noWorker) this.#last.set(workflowId, progress);
    return progress;
  }

  async *watch(workflowId: string, options: WatchOptions = {}): AsyncGenerator<LiveProgress, void, undefined> {
    for (;;) {
      const progress = await this.progress(workflowId);
      yield progress;
      if (progress.executionStatus !== 'RUNNING') return;
      try {
        await sleep(options.intervalMs ?? 500, undefined, options.signal ? { signal: options.signal } : {});
      } catch {
        return; // aborted by the caller
      }
    }
  }

  /** Rate and ETA over this client's recent samples of the workflow; a pause resets the window. */
  #withRecentRate(progress: LiveProgress): void {
    const moving = progress.executionStatus === 'RUNNING' && progress.phase === 'uploading' && !progress.paused && !progress.noWorker;
    const recent = this.#meters.sample(progress.workflowId, { atMs: Date.now(), bytes: progress.sentBytes, moving });
    if (!moving) {
      delete progress.bytesPerSecond;
      delete progress.etaSeconds;
      return;
    }
    if (recent === undefined) return; // too few samples yet: keep the running transfers' own rate
    progress.bytesPerSecond = recent;
    const eta = etaSeconds(progress.totalBytes, progress.sentBytes, recent);
    if (eta !== undefined) progress.etaSeconds = eta;
    else delete progress.etaSeconds;
  }

  async #upload(workflowId: string, description: WorkflowExecutionDescription): Promise<LiveProgress> {
    const status = description.status.name;
    const handle = this.ctx.temporal.workflow.getHandle(workflowId);
    if (status === 'COMPLETED') return completedUploadProgress(workflowId, await handle.result());
    if (status !== 'RUNNING') return this.#closed(workflowId, description, 'upload');
    const answer = await this.#query<UploadState>(workflowId, uploadProgressQuery, description.taskQueue);
    // No answer: a missing host worker is the more useful thing to say (the query may have gone to
    // that dead worker's sticky queue first), else that nobody answered on the workflow's queue.
    if (answer.noWorker) return this.#known(workflowId, description, 'upload', (await this.#missingHostWorker(workflowId)) ?? answer.noWorker);
    const state = answer.value;
    let multipart: UploadProgress | undefined;
    let activities: RunningActivity[];
    if (state.route === 'multipart' && state.multipartWorkflowId && state.confirmedBytes === 0) {
      const child = this.ctx.temporal.workflow.getHandle(state.multipartWorkflowId);
      const found = await Promise.all([child.describe(), this.#query<UploadProgress>(state.multipartWorkflowId, multipartProgressQuery, description.taskQueue)]).catch(
        () => undefined,
      );
      multipart = found?.[1].value;
      activities = found ? await this.#runningActivities(found[0]) : [];
    } else {
      activities = await this.#runningActivities(description);
    }
    const progress = uploadLiveProgress({ workflowId, executionStatus: status, state, ...(multipart ? { multipart } : {}), activities });
    const missing = await this.#missingHostWorker(workflowId);
    if (missing) progress.noWorker = missing;
    return progress;
  }

  /** A file pinned to its host's queue (fileTaskQueue) waits for that host's worker, whoever else runs. */
  async #missingHostWorker(workflowId: string): Promise<NoWorker | undefined> {
    try {
      const hostQueue = await this.#fileTaskQueue(workflowId);
      if (hostQueue === undefined) return undefined;
      const presence = await this.ctx.workers.presence(hostQueue, 'activity');
      return presence.polling ? undefined : noHostWorker(presence);
    } catch {
      return undefined; // an extra the progress can do without: asked again on the next poll
    }
  }

  /** The upload's fileTaskQueue, from its start input (read once per upload: it never changes). */
  async #fileTaskQueue(workflowId: string): Promise<string | undefined> {
    const known = this.#fileQueues.get(workflowId);
    if (known !== undefined) return known ?? undefined;
    const response = await this.ctx.temporal.workflowService.getWorkflowExecutionHistory({ namespace: this.ctx.namespace, execution: { workflowId }, maximumPageSize: 1 });
    const payloads = response.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
    const input = payloads?.length
      ? await decodeFromPayloadsAtIndex<UploadInput>(this.ctx.temporal.options.loadedDataConverter, 0, payloads).catch(() => undefined)
      : undefined;
    const queue = typeof input?.fileTaskQueue === 'string' ? input.fileTaskQueue : undefined;
    this.#fileQueues.set(workflowId, queue ?? null);
    return queue;
  }

  async #batch(workflowId: string, description: WorkflowExecutionDescription): Promise<LiveProgress> {
    const status = description.status.name;
    if (status !== 'RUNNING' && status !== 'COMPLETED') return this.#closed(workflowId, description, 'batch');
    const answer = await this.#query<BatchProgress>(workflowId, batchProgressQuery, description.taskQueue);
    if (answer.noWorker) {
      if (status === 'COMPLETED') return completedBatchProgress(workflowId, await this.ctx.temporal.workflow.getHandle(workflowId).result());
      return this.#known(workflowId, description, 'batch', answer.noWorker);
    }
    const batch = answer.value;
    // Small files run inside the batch's own activities; only child uploads have progress of their own.
    const runningItems = batch.items.filter((item): item is typeof item & { workflowId: string } => item.state === 'running' && item.workflowId !== undefined);
    const running = (
      await Promise.all(
        runningItems.map((item) =>
          describeWorkflow(this.ctx, item.workflowId)
            .then((d) => this.#upload(item.workflowId, d))
            .then((p) => (this.#withRecentRate(p), p))
            .catch(() => undefined),
        ),
      )
    ).filter((p): p is LiveProgress => p !== undefined && !p.noWorker);
    return batchLiveProgress({ workflowId, executionStatus: status, batch, running });
  }

  /** A failed, cancelled, terminated or timed-out workflow: its failure, and what it had stored. */
  async #closed(workflowId: string, description: WorkflowExecutionDescription, kind: 'upload' | 'batch'): Promise<LiveProgress> {
    const failure = await this.ctx.temporal.workflow
      .getHandle(workflowId)
      .result()
      .then(() => undefined, (err: unknown) => toFailedError(workflowId, err));
    const attributes = description.typedSearchAttributes;
    const totalBytes = attributes.get(TL_FILE_SIZE);
    const stored = kind === 'upload' ? await this.#storedAtClose(workflowId, description.taskQueue) : undefined;
    return closedLiveProgress({
      workflowId,
      kind,
      executionStatus: description.status.name,
      title: attributes.get(TL_FILE_NAME) ?? workflowId,
      ...(totalBytes !== undefined ? { totalBytes } : {}),
      startedAt: description.startTime.toISOString(),
      ...(failure ? { error: { type: failure.type, message: failure.message, ...(failure.assetId ? { assetId: failure.assetId } : {}) } } : {}),
      ...(stored ? { stored } : {}),
    });
  }

  /**
   * What a closed upload had stored: its queries still answer after it closed (a worker replays
   * the history), and the multipart child's ledger holds the chunks in the store.
   */
  async #storedAtClose(workflowId: string, taskQueue: string): Promise<StoredBytes | undefined> {
    try {
      const answer = await this.#query<UploadState>(workflowId, uploadProgressQuery, taskQueue);
      if (answer.noWorker) return undefined;
      const state = answer.value;
      if (state.route === 'multipart' && state.multipartWorkflowId && state.confirmedBytes === 0) {
        const child = await this.#query<UploadProgress>(state.multipartWorkflowId, multipartProgressQuery, taskQueue);
        return child.noWorker ? undefined : { confirmedBytes: child.value.confirmedBytes, storedBytes: child.value.uploadedBytes, ...assetOf(state) };
      }
      return { confirmedBytes: state.confirmedBytes, storedBytes: state.confirmedBytes, ...assetOf(state) };
    } catch {
      return undefined; // e.g. a workflow that failed before it answered anything: nothing stored
    }
  }

  #known(workflowId: string, description: WorkflowExecutionDescription, kind: 'upload' | 'batch', missing: NoWorker): LiveProgress {
    const attributes = description.typedSearchAttributes;
    const phase = attributes.get(TL_PHASE);
    const totalBytes = attributes.get(TL_FILE_SIZE);
    const last = this.#last.get(workflowId);
    return knownLiveProgress({
      workflowId,
      kind,
      executionStatus: description.status.name,
      ...(phase !== undefined ? { phase } : {}),
      title: attributes.get(TL_FILE_NAME) ?? workflowId,
      ...(totalBytes !== undefined ? { totalBytes } : {}),
      startedAt: description.startTime.toISOString(),
      noWorker: missing,
      ...(last ? { last } : {}),
    });
  }

  #query<T>(workflowId: string, query: QueryDefinition<T, []>, taskQueue: string): Promise<Answer<T>> {
    return queryIfServed(this.ctx, workflowId, query, taskQueue);
  }

  /** The workflow's pending activities with their last heartbeat, decoded as the worker wrote it. */
  async #runningActivities(description: WorkflowExecutionDescription): Promise<RunningActivity[]> {
    const converter = this.ctx.temporal.options.loadedDataConverter;
    return Promise.all(
      (description.raw.pendingActivities ?? []).map(async (activity) => {
        const payloads = activity.heartbeatDetails?.payloads;
        const heartbeat = payloads && payloads.length > 0 ? await decodeFromPayloadsAtIndex(converter, 0, payloads).catch(() => undefined) : undefined;
        const startedAtMs = optionalTsToMs(activity.lastStartedTime);
        const heartbeatAtMs = optionalTsToMs(activity.lastHeartbeatTime);
        const lastFailure = activity.lastFailure?.message ?? undefined;
        return {
          ...(activity.attempt ? { attempt: activity.attempt } : {}),
          ...(lastFailure ? { lastFailure } : {}),
          activityType: activity.activityType?.name ?? '',
          started: activity.state === PENDING_ACTIVITY_STATE_STARTED,
          heartbeat,
          ...(startedAtMs !== undefined ? { startedAtMs } : {}),
          ...(heartbeatAtMs !== undefined ? { heartbeatAtMs } : {}),
        };
      }),
    );
  }
}

/** The asset a closed upload made or reserved, and what became of it. */
function assetOf(state: UploadState): { assetId?: string; assetLeft?: UploadState['assetLeft'] } {
  return { ...(state.assetId ? { assetId: state.assetId } : {}), ...(state.assetLeft ? { assetLeft: state.assetLeft } : {}) };
}
