// The client library: what another service (or the CLI) calls to upload media to TwelveLabs
// through Temporal. It starts and controls the upload workflows and reads their live progress;
// asset calls run as short workflows on the worker. It never calls TwelveLabs itself: the API key
// lives only in the worker's environment, so a caller needs Temporal access and nothing else.

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Client,
  Connection,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowExecutionDescription,
} from '@temporalio/client';
import {
  ApplicationFailure,
  CancelledFailure,
  TerminatedFailure,
  TimeoutFailure,
  WorkflowIdReusePolicy,
  type DataConverter,
} from '@temporalio/common';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { NotFoundError, UnavailableError, UploadFailedError, UsageError } from './client/errors';
import { DEFAULT_TASK_QUEUE, temporalConfig, uploadClientConfig } from './config';
import { batchLiveProgress, completedUploadProgress, uploadLiveProgress, type RunningActivity } from './client/progress/live-progress';
import { etaSeconds, RateMeter } from './client/progress/rate-meter';
import { dataConverterFromEnv } from './security/data-converter';
import type { AssetDetail, IncompleteUpload, Page, UserMetadataUpdate } from './twelvelabs/wire';
import { batchWorkflowId, localIdentity, sourceIdentity, toUploadSource, uploadWorkflowId } from './client/upload-identity';
import { assetCallWorkflow } from './workflows/asset-call';
import { batchProgressQuery, batchUploadWorkflow, setBatchConcurrencyUpdate } from './workflows/batch-upload';
import { pauseSignal, progressQuery as multipartProgressQuery, resumeSignal, setConcurrencyUpdate } from './workflows/multipart-upload';
import { TL_FILE_NAME, TL_FILE_SIZE, TL_PHASE, uploadSearchAttributes } from './workflows/search-attributes';
import type {
  AssetCall,
  AssetCallResult,
  BatchUploadInput,
  BatchUploadResult,
  LiveProgress,
  UploadInput,
  UploadProgress,
  UploadResult,
  UploadSource,
  UploadState,
} from './domain/types';
import { uploadProgressQuery, uploadWorkflow } from './workflows/upload';
import { uploadStartSummary } from './workflows/upload-planning';
import { uploadFileName } from './domain/names';

export { NotFoundError, UnavailableError, UploadFailedError, UsageError } from './client/errors';

export interface UploadClientOptions {
  /** Task queue the workers poll. Default TL_TASK_QUEUE or `twelvelabs-uploads`. */
  taskQueue?: string;
  /** Set TlFileName/TlFileSize/TlPhase on uploads (they must be registered). Default true. */
  searchAttributes?: boolean;
  /** Base URL of the Temporal Web UI, for `webUiLink`. */
  webUiUrl?: string;
  /** How long an asset call may wait for a worker before it fails as unavailable. Default 60 s. */
  callTimeoutMs?: number;
}

/** Options of one upload: everything of UploadInput but the source, plus its workflow id. */
export interface StartUploadOptions extends Omit<UploadInput, 'source'> {
  /** Default: from the file's identity (path, size, mtime) or the URL, so a repeat attaches. */
  workflowId?: string;
}

export interface StartBatchOptions extends Omit<BatchUploadInput, 'sources' | 'directory'> {
  /** Files (paths, made absolute) or URLs. Give this or `directory`. */
  sources?: Array<string | UploadSource>;
  /** Every media file under this directory (on the worker's host). */
  directory?: string;
  recursive?: boolean;
  workflowId?: string;
}

export interface StartedUpload {
  workflowId: string;
  kind: 'upload' | 'batch';
  /** True when an upload with this id already ran or runs: nothing new was started. */
  attached: boolean;
  /** Link to the workflow in the Temporal Web UI, when its address is known. */
  webUiLink?: string;
}

export interface UploadListEntry {
  workflowId: string;
  kind: 'upload' | 'batch';
  /** RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, ... */
  status: string;
  fileName?: string;
  sizeBytes?: number;
  phase?: string;
  startTime: string;
  closeTime?: string;
  /** Set for the files of a batch. */
  parentWorkflowId?: string;
}

export interface ListUploadsOptions {
  running?: boolean;
  /** TlPhase, e.g. `uploading`. */
  phase?: string;
  fileName?: string;
  /** Default 50. */
  limit?: number;
}

export interface WatchOptions {
  /** Default 500 ms. */
  intervalMs?: number;
  signal?: AbortSignal;
}

export const ASSET_CALL_WORKFLOW_PREFIX = 'asset-call-';
/** temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED */
const PENDING_ACTIVITY_STATE_STARTED = 2;

/**
 * The one place a Temporal client is made from the environment: connection (address, TLS or API
 * key, namespace, via @temporalio/envconfig) and the data converter (payload encryption when
 * TL_CODEC_KEYS is set), so the CLI and services always agree with the worker.
 */
export async function createTemporalClient(env: NodeJS.ProcessEnv = process.env): Promise<Client> {
  const config = temporalConfig(env);
  let connection: Connection;
  try {
    connection = await Connection.connect(config.connectionOptions);
  } catch (err) {
    throw new UnavailableError(`cannot reach Temporal at ${config.address}: ${(err as Error).message}`);
  }
  const dataConverter: DataConverter | undefined = dataConverterFromEnv(env);
  return new Client({ connection, namespace: config.namespace, ...(dataConverter ? { dataConverter } : {}) });
}

export class UploadClient {
  readonly taskQueue: string;
  readonly searchAttributes: boolean;
  readonly webUiUrl: string | undefined;
  readonly callTimeoutMs: number;
  #ownsConnection = false;

  constructor(
    readonly temporal: Client,
    options: UploadClientOptions = {},
  ) {
    this.taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
    this.searchAttributes = options.searchAttributes ?? true;
    this.webUiUrl = options.webUiUrl?.replace(/\/+$/, '');
    this.callTimeoutMs = options.callTimeoutMs ?? 60_000;
  }

  /** A client configured from the environment (see README, Configuration); close() it when done. */
  static async connect(env: NodeJS.ProcessEnv = process.env, overrides: UploadClientOptions = {}): Promise<UploadClient> {
    const config = temporalConfig(env);
    const clientConfig = uploadClientConfig(env, config);
    const client = new UploadClient(await createTemporalClient(env), {
      taskQueue: config.taskQueue,
      searchAttributes: clientConfig.searchAttributes,
      ...(clientConfig.webUiUrl ? { webUiUrl: clientConfig.webUiUrl } : {}),
      ...overrides,
    });
    client.#ownsConnection = true;
    return client;
  }

  async close(): Promise<void> {
    if (this.#ownsConnection) await this.temporal.connection.close();
  }

  get namespace(): string {
    return this.temporal.options.namespace;
  }

  /** The workflow's page in the Temporal Web UI, when the UI's address is known. */
  webUiLink(workflowId: string): string | undefined {
    if (!this.webUiUrl) return undefined;
    return `${this.webUiUrl}/namespaces/${encodeURIComponent(this.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  }

  // -------------------------------------------------------------------------------------------
  // Starting

  /**
   * Starts uploading one file (a path on the worker's host) or URL, or attaches to the upload
   * with the same workflow id if it already runs or completed.
   */
  async startUpload(source: string | UploadSource, options: StartUploadOptions = {}): Promise<StartedUpload> {
    const { workflowId: givenId, ...rest } = options;
    const input: UploadInput = { ...rest, source: toUploadSource(source) };
    // A given id needs no identity but for the summary: no round trip to the worker for it.
    const identity = givenId !== undefined ? await localIdentity(input.source) : await this.#identify(input.fileTaskQueue)(input.source);
    const workflowId = givenId ?? uploadWorkflowId(input.source, identity);
    const fileName = uploadFileName(input);
    return this.#start('upload', workflowId, input, fileName, identity?.sizeBytes);
  }

  /** Starts a batch of files or URLs, or every media file under a directory (or attaches). */
  async startBatch(options: StartBatchOptions): Promise<StartedUpload> {
    const { workflowId: givenId, sources, directory, recursive, ...rest } = options;
    if ((sources === undefined) === (directory === undefined)) throw new UsageError('a batch takes either sources or a directory');
    const input: BatchUploadInput = {
      ...rest,
      ...(sources ? { sources: sources.map(toUploadSource) } : {}),
      ...(directory !== undefined ? { directory: { path: toPath(directory), recursive: recursive ?? false } } : {}),
    };
    const workflowId =
      givenId ??
      (await batchWorkflowId(
        { ...(input.sources ? { sources: input.sources } : {}), ...(directory !== undefined ? { directory, recursive } : {}) },
        this.#identify(input.upload?.fileTaskQueue),
      ));
    const title = directory !== undefined ? `${toPath(directory)}/` : `${input.sources!.length} files`;
    return this.#start('batch', workflowId, input, title, undefined);
  }

  /** A source's identity, from this host or else from the worker that has the file. */
  #identify(fileTaskQueue: string | undefined): (source: UploadSource) => ReturnType<typeof sourceIdentity> {
    return (source) => sourceIdentity(source, { workflow: this.temporal.workflow, taskQueue: this.taskQueue, fileTaskQueue, timeoutMs: this.callTimeoutMs });
  }

  async #start(kind: 'upload' | 'batch', workflowId: string, input: UploadInput | BatchUploadInput, fileName: string, sizeBytes: number | undefined): Promise<StartedUpload> {
    const common = {
      taskQueue: this.taskQueue,
      workflowId,
      // A completed upload is not repeated (that would make a second asset); a failed one may be.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      staticSummary: kind === 'upload' ? uploadStartSummary(fileName, sizeBytes) : `Batch upload of ${fileName} to TwelveLabs`,
      ...(this.searchAttributes ? { typedSearchAttributes: uploadSearchAttributes({ fileName, sizeBytes, phase: 'validating' }) } : {}),
    };
    const link = this.webUiLink(workflowId);
    try {
      if (kind === 'upload') await this.temporal.workflow.start(uploadWorkflow, { ...common, args: [input as UploadInput] });
      else await this.temporal.workflow.start(batchUploadWorkflow, { ...common, args: [input as BatchUploadInput] });
      return { workflowId, kind, attached: false, ...(link ? { webUiLink: link } : {}) };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      const existing = await this.#describe(workflowId);
      const expected = kind === 'upload' ? 'uploadWorkflow' : 'batchUploadWorkflow';
      if (existing.type !== expected) {
        throw new UsageError(`workflow id ${workflowId} already belongs to a workflow of type ${existing.type} (not ${expected}): choose another id`);
      }
      return { workflowId, kind, attached: true, ...(link ? { webUiLink: link } : {}) };
    }
  }

  // -------------------------------------------------------------------------------------------
  // Progress

  /**
   * Live progress: the workflow's own progress, plus for a running multipart upload the child's
   * chunk ledger and the bytes its running chunk PUTs have streamed (their heartbeats), with an
   * average rate and ETA since the start (watch() smooths them over recent samples).
   */
  async progress(workflowId: string): Promise<LiveProgress> {
    const description = await this.#describe(workflowId);
    if (description.type === 'uploadWorkflow') return this.#uploadProgress(workflowId, description);
    if (description.type === 'batchUploadWorkflow') return this.#batchProgress(workflowId, description);
    throw new UsageError(
      description.type === 'multipartUploadWorkflow'
        ? `${workflowId} is the chunk-level child of an upload: watch its parent ${description.parentExecution?.workflowId ?? ''}`.trim()
        : `${workflowId} is a ${description.type}, not an upload`,
    );
  }

  /** Progress every `intervalMs` until the workflow closes (the last one is its final state). */
  async *watch(workflowId: string, options: WatchOptions = {}): AsyncGenerator<LiveProgress, void, undefined> {
    const meter = new RateMeter();
    for (;;) {
      const progress = await this.progress(workflowId);
      meter.add({ atMs: Date.now(), bytes: progress.sentBytes });
      const recent = meter.bytesPerSecond();
      if (progress.executionStatus === 'RUNNING' && progress.phase === 'uploading' && recent !== undefined) {
        progress.bytesPerSecond = recent;
        const eta = etaSeconds(progress.totalBytes, progress.sentBytes, recent);
        if (eta !== undefined) progress.etaSeconds = eta;
        else delete progress.etaSeconds;
      }
      yield progress;
      if (progress.executionStatus !== 'RUNNING') return;
      try {
        await sleep(options.intervalMs ?? 500, undefined, options.signal ? { signal: options.signal } : {});
      } catch {
        return; // aborted by the caller
      }
    }
  }

  async #uploadProgress(workflowId: string, description: WorkflowExecutionDescription): Promise<LiveProgress> {
    const status = description.status.name;
    const handle = this.temporal.workflow.getHandle<typeof uploadWorkflow>(workflowId);
    if (status === 'COMPLETED') return completedUploadProgress(workflowId, await handle.result());
    if (status !== 'RUNNING') return this.#closedProgress(workflowId, description, 'upload');
    const state: UploadState = await handle.query(uploadProgressQuery);
    let multipart: UploadProgress | undefined;
    let activities: RunningActivity[];
    if (state.route === 'multipart' && state.multipartWorkflowId && state.confirmedBytes === 0) {
      const child = this.temporal.workflow.getHandle(state.multipartWorkflowId);
      const found = await Promise.all([child.describe(), child.query(multipartProgressQuery)]).catch(() => undefined);
      multipart = found?.[1];
      activities = found ? await this.#runningActivities(found[0]) : [];
    } else {
      activities = await this.#runningActivities(description);
    }
    return uploadLiveProgress({ workflowId, executionStatus: status, state, ...(multipart ? { multipart } : {}), activities, nowMs: Date.now() });
  }

  async #batchProgress(workflowId: string, description: WorkflowExecutionDescription): Promise<LiveProgress> {
    const status = description.status.name;
    const handle = this.temporal.workflow.getHandle<typeof batchUploadWorkflow>(workflowId);
    if (status !== 'RUNNING' && status !== 'COMPLETED') return this.#closedProgress(workflowId, description, 'batch');
    const batch = await handle.query(batchProgressQuery);
    const runningItems = batch.items.filter((item) => item.state === 'running');
    const running = (
      await Promise.all(runningItems.map((item) => this.#describe(item.workflowId).then((d) => this.#uploadProgress(item.workflowId, d)).catch(() => undefined)))
    ).filter((p): p is LiveProgress => p !== undefined);
    return batchLiveProgress({ workflowId, executionStatus: status, batch, running, nowMs: Date.now() });
  }

  /** A failed, cancelled, terminated or timed-out workflow: what its failure and attributes say. */
  async #closedProgress(workflowId: string, description: WorkflowExecutionDescription, kind: 'upload' | 'batch'): Promise<LiveProgress> {
    const failure = await this.temporal.workflow
      .getHandle(workflowId)
      .result()
      .then(() => undefined, (err: unknown) => toFailedError(workflowId, err));
    const attributes = description.typedSearchAttributes;
    const totalBytes = attributes.get(TL_FILE_SIZE);
    return {
      workflowId,
      kind,
      executionStatus: description.status.name,
      phase: description.status.name.toLowerCase().replace('_', '-'),
      title: attributes.get(TL_FILE_NAME) ?? workflowId,
      ...(totalBytes !== undefined ? { totalBytes } : {}),
      confirmedBytes: 0,
      sentBytes: 0,
      inFlightBytes: 0,
      paused: false,
      startedAt: description.startTime.toISOString(),
      ...(failure ? { error: { type: failure.type, message: failure.message } } : {}),
      ...(failure?.assetId ? { assetId: failure.assetId } : {}),
    };
  }

  /** The workflow's pending activities with their last heartbeat, decoded as the worker wrote it. */
  async #runningActivities(description: WorkflowExecutionDescription): Promise<RunningActivity[]> {
    const converter = this.temporal.options.loadedDataConverter;
    return Promise.all(
      (description.raw.pendingActivities ?? []).map(async (activity) => {
        const payloads = activity.heartbeatDetails?.payloads;
        const heartbeat = payloads && payloads.length > 0 ? await decodeFromPayloadsAtIndex(converter, 0, payloads).catch(() => undefined) : undefined;
        return {
          activityType: activity.activityType?.name ?? '',
          started: activity.state === PENDING_ACTIVITY_STATE_STARTED,
          heartbeat,
        };
      }),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Control

  /** Holds an upload or batch: no new chunk (or file) starts; those in flight finish. */
  async pause(workflowId: string): Promise<void> {
    await this.#signal(workflowId, pauseSignal);
  }

  async resume(workflowId: string): Promise<void> {
    await this.#signal(workflowId, resumeSignal);
  }

  /**
   * Chunk PUTs in flight for a multipart upload, or files at once for a batch. Answers the
   * previous value.
   */
  async setConcurrency(workflowId: string, value: number): Promise<number> {
    const description = await this.#requireRunning(workflowId);
    try {
      if (description.type === 'batchUploadWorkflow') {
        return await this.temporal.workflow.getHandle(workflowId).executeUpdate(setBatchConcurrencyUpdate, { args: [value] });
      }
      const state = await this.temporal.workflow.getHandle<typeof uploadWorkflow>(workflowId).query(uploadProgressQuery);
      if (state.route !== 'multipart' || !state.multipartWorkflowId || state.phase === 'processing') {
        throw new UsageError(
          `${workflowId} is ${state.route ? `a ${state.route} upload` : 'not uploading yet'}` +
            `${state.phase === 'processing' ? ' that has finished sending' : ''}: concurrency applies to the chunks of a running multipart upload`,
        );
      }
      return await this.temporal.workflow.getHandle(state.multipartWorkflowId).executeUpdate(setConcurrencyUpdate, { args: [value] });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw new UsageError(causeMessage(err));
      throw err;
    }
  }

  /** Cancels an upload or batch: in-flight PUTs stop, the workflow ends as cancelled. */
  async cancel(workflowId: string): Promise<void> {
    await this.#requireRunning(workflowId);
    await this.temporal.workflow.getHandle(workflowId).cancel();
  }

  /** Waits for the result; a failure or cancellation throws UploadFailedError with its type. */
  async result(workflowId: string): Promise<UploadResult | BatchUploadResult> {
    await this.#describe(workflowId); // NotFoundError for an unknown id
    try {
      return await this.temporal.workflow.getHandle<typeof uploadWorkflow | typeof batchUploadWorkflow>(workflowId).result();
    } catch (err) {
      throw toFailedError(workflowId, err);
    }
  }

  /** Uploads and batches Temporal knows (newest first), filtered by the search attributes. */
  async listUploads(options: ListUploadsOptions = {}): Promise<UploadListEntry[]> {
    const clauses = [`(WorkflowType = 'uploadWorkflow' OR WorkflowType = 'batchUploadWorkflow')`];
    if (options.running) clauses.push(`ExecutionStatus = 'Running'`);
    if (options.phase) clauses.push(`TlPhase = '${quote(options.phase)}'`);
    if (options.fileName) clauses.push(`TlFileName = '${quote(options.fileName)}'`);
    const limit = options.limit ?? 50;
    const entries: UploadListEntry[] = [];
    for await (const info of this.temporal.workflow.list({ query: clauses.join(' AND '), pageSize: Math.min(limit, 100) })) {
      const attributes = info.typedSearchAttributes;
      const fileName = attributes.get(TL_FILE_NAME);
      const sizeBytes = attributes.get(TL_FILE_SIZE);
      const phase = attributes.get(TL_PHASE);
      entries.push({
        workflowId: info.workflowId,
        kind: info.type === 'batchUploadWorkflow' ? 'batch' : 'upload',
        status: info.status.name,
        ...(fileName !== undefined ? { fileName } : {}),
        ...(sizeBytes !== undefined ? { sizeBytes } : {}),
        ...(phase !== undefined ? { phase } : {}),
        startTime: info.startTime.toISOString(),
        ...(info.closeTime ? { closeTime: info.closeTime.toISOString() } : {}),
        ...(info.parentExecution?.workflowId ? { parentWorkflowId: info.parentExecution.workflowId } : {}),
      });
      if (entries.length >= limit) break;
    }
    return entries;
  }

  // -------------------------------------------------------------------------------------------
  // Assets and sessions (run on the worker: see assetCallWorkflow)

  async listAssets(query: { filename?: string; assetTypes?: string[]; page?: number; pageLimit?: number } = {}): Promise<Page<AssetDetail>> {
    return ((await this.#assetCall({ op: 'list', ...query })) as Extract<AssetCallResult, { op: 'list' }>).page;
  }

  async getAsset(assetId: string): Promise<AssetDetail> {
    return ((await this.#assetCall({ op: 'get', assetId })) as Extract<AssetCallResult, { op: 'get' }>).asset;
  }

  async deleteAsset(assetId: string, options: { force?: boolean } = {}): Promise<void> {
    await this.#assetCall({ op: 'delete', assetId, ...(options.force !== undefined ? { force: options.force } : {}) });
  }

  /** A5 merge: a value sets a key, `null` removes it. Answers the asset after the change. */
  async updateMetadata(assetId: string, metadata: UserMetadataUpdate): Promise<AssetDetail> {
    return ((await this.#assetCall({ op: 'updateMetadata', assetId, metadata })) as Extract<AssetCallResult, { op: 'metadata' }>).asset;
  }

  /** A6 replace: the metadata becomes exactly these keys. */
  async replaceMetadata(assetId: string, metadata: UserMetadataUpdate): Promise<AssetDetail> {
    return ((await this.#assetCall({ op: 'replaceMetadata', assetId, metadata })) as Extract<AssetCallResult, { op: 'metadata' }>).asset;
  }

  /** A7: removes every key. */
  async clearMetadata(assetId: string): Promise<AssetDetail> {
    return ((await this.#assetCall({ op: 'clearMetadata', assetId })) as Extract<AssetCallResult, { op: 'metadata' }>).asset;
  }

  /** Open multipart sessions at TwelveLabs (M3): what an interrupted upload may have left. */
  async listIncompleteUploads(options: { limit?: number } = {}): Promise<{ uploads: IncompleteUpload[]; truncated: boolean }> {
    const result = (await this.#assetCall({ op: 'listIncomplete', ...options })) as Extract<AssetCallResult, { op: 'listIncomplete' }>;
    return { uploads: result.uploads, truncated: result.truncated };
  }

  async #assetCall(call: AssetCall): Promise<AssetCallResult> {
    const workflowId = `${ASSET_CALL_WORKFLOW_PREFIX}${call.op}-${randomUUID()}`;
    try {
      return await this.temporal.workflow.execute(assetCallWorkflow, {
        taskQueue: this.taskQueue,
        workflowId,
        args: [call],
        // No worker, no answer: fail in bounded time instead of waiting forever.
        workflowExecutionTimeout: this.callTimeoutMs,
        staticSummary: `TwelveLabs ${call.op}${'assetId' in call ? ` ${call.assetId}` : ''}`,
      });
    } catch (err) {
      const failed = toFailedError(workflowId, err);
      if (failed.type === 'TimedOut') {
        throw new UnavailableError(
          `no worker answered on task queue ${this.taskQueue} within ${Math.round(this.callTimeoutMs / 1000)} s: is a worker running (npm run worker)?`,
        );
      }
      if (failed.type === 'AssetNotFound') throw new NotFoundError(failed.message);
      throw failed;
    }
  }

  // -------------------------------------------------------------------------------------------

  async #describe(workflowId: string): Promise<WorkflowExecutionDescription> {
    try {
      return await this.temporal.workflow.getHandle(workflowId).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new NotFoundError(`no upload with workflow id ${workflowId} in namespace ${this.namespace}`);
      throw err;
    }
  }

  async #requireRunning(workflowId: string): Promise<WorkflowExecutionDescription> {
    const description = await this.#describe(workflowId);
    if (description.type !== 'uploadWorkflow' && description.type !== 'batchUploadWorkflow') {
      throw new UsageError(`${workflowId} is a ${description.type}, not an upload or batch`);
    }
    if (description.status.name !== 'RUNNING') throw new UsageError(`${workflowId} is not running (it is ${description.status.name.toLowerCase()})`);
    return description;
  }

  async #signal(workflowId: string, signal: typeof pauseSignal | typeof resumeSignal): Promise<void> {
    await this.#requireRunning(workflowId);
    await this.temporal.workflow.getHandle(workflowId).signal(signal);
  }
}

/** A workflow's failure as UploadFailedError: its typed reason, or how Temporal ended it. */
function toFailedError(workflowId: string, err: unknown): UploadFailedError {
  if (err instanceof UploadFailedError) return err;
  if (err instanceof WorkflowNotFoundError) return new UploadFailedError(workflowId, 'NotFound', err.message);
  if (!(err instanceof WorkflowFailedError)) {
    return new UploadFailedError(workflowId, 'Error', err instanceof Error ? err.message : String(err));
  }
  const cause = err.cause;
  if (cause instanceof CancelledFailure) return new UploadFailedError(workflowId, 'Cancelled', `${workflowId} was cancelled`);
  if (cause instanceof TerminatedFailure) return new UploadFailedError(workflowId, 'Terminated', `${workflowId} was terminated: ${cause.message}`);
  if (cause instanceof TimeoutFailure) return new UploadFailedError(workflowId, 'TimedOut', `${workflowId} timed out`);
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as { assetId?: unknown } | undefined;
    return new UploadFailedError(workflowId, cause.type ?? 'Error', cause.message, typeof details?.assetId === 'string' ? details.assetId : undefined);
  }
  return new UploadFailedError(workflowId, 'Error', cause?.message ?? err.message);
}

function causeMessage(err: Error): string {
  let current: unknown = err;
  while (current instanceof Error && (current as { cause?: unknown }).cause instanceof Error) current = (current as { cause: Error }).cause;
  return current instanceof Error ? current.message : err.message;
}

function quote(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}

function toPath(dir: string): string {
  return (toUploadSource(dir) as { path: string }).path;
}
