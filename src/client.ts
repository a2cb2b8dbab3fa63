// The client library: what another service (or the CLI) calls to upload media to TwelveLabs
// through Temporal. A small facade, as the Temporal SDK's own Client is over its workflow and
// schedule clients: each part lives in src/client/ (uploads, control, progress, assets, the task
// queue's workers). It never calls TwelveLabs itself: the API key lives only in the worker's
// environment, so a caller needs Temporal access and nothing else.

import type { Client } from '@temporalio/client';
import { DEFAULT_TASK_QUEUE, temporalConfig, uploadClientConfig } from './config';
import type { BatchItem, BatchUploadResult, UploadResult, UploadSource } from './domain/types';
import type { ListUploadsOptions, LiveProgress, StartBatchOptions, StartUploadOptions, UploadClientOptions, UploadListEntry, WatchOptions, WorkerPresence } from './client/types';
import type { AssetDetail, IncompleteUpload, Page, UserMetadataUpdate } from './twelvelabs/wire';
import { AssetCalls, type ListAssetsQuery } from './client/assets';
import { createTemporalClient } from './client/connection';
import { describeWorkflow, type ClientContext } from './client/context';
import { UploadControl } from './client/control';
import { UsageError } from './client/errors';
import { BATCH_WORKFLOW_TYPE, UPLOAD_WORKFLOW_TYPE } from './domain/workflow-messages';
import { TaskQueueWorkers } from './client/task-queue';
import { UploadHandle } from './client/upload-handle';
import { Uploads } from './client/uploads';
import { ProgressReader } from './client/watch';

export { NotFoundError, UnavailableError, UploadFailedError, UsageError } from './client/errors';
export { ASSET_CALL_WORKFLOW_PREFIX } from './client/assets';
export { createTemporalClient } from './client/connection';
export { UploadHandle } from './client/upload-handle';
export type { ProgressListener, ResultOptions, UploadCalls } from './client/upload-handle';
export { HELPER_WORKFLOW_DIVISION, HELPER_WORKFLOWS_QUERY } from './client/helper-workflows';
export type {
  ListUploadsOptions,
  StartBatchOptions,
  StartedUpload,
  StartUploadOptions,
  UploadClientOptions,
  UploadListEntry,
  WatchOptions,
  WorkerPresence,
} from './client/types';

export class UploadClient {
  readonly taskQueue: string;
  readonly searchAttributes: boolean;
  readonly webUiUrl: string | undefined;
  readonly callTimeoutMs: number;
  readonly queryTimeoutMs: number;
  readonly #uploads: Uploads;
  readonly #control: UploadControl;
  readonly #progress: ProgressReader;
  readonly #assets: AssetCalls;
  readonly #workers: TaskQueueWorkers;
  readonly #ctx: ClientContext;
  #ownsConnection = false;

  constructor(
    readonly temporal: Client,
    options: UploadClientOptions = {},
  ) {
    this.taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
    this.searchAttributes = options.searchAttributes ?? true;
    this.webUiUrl = options.webUiUrl?.replace(/\/+$/, '');
    this.callTimeoutMs = options.callTimeoutMs ?? 60_000;
    this.queryTimeoutMs = options.queryTimeoutMs ?? 10_000;
    this.#workers = new TaskQueueWorkers(temporal, this.namespace);
    const ctx: ClientContext = {
      temporal,
      namespace: this.namespace,
      taskQueue: this.taskQueue,
      searchAttributes: this.searchAttributes,
      callTimeoutMs: this.callTimeoutMs,
      queryTimeoutMs: this.queryTimeoutMs,
      workers: this.#workers,
      webUiLink: (workflowId) => this.webUiLink(workflowId),
    };
    this.#ctx = ctx;
    this.#uploads = new Uploads(ctx);
    this.#control = new UploadControl(ctx);
    this.#progress = new ProgressReader(ctx);
    this.#assets = new AssetCalls(ctx);
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

  // ---- Starting and results

  /**
   * Starts uploading one file (a path on the worker's host) or URL, or attaches to the upload
   * with the same workflow id if it already runs or completed. The handle carries the start
   * record (`workflowId`, `attached`, ...) and the calls on this upload (`result()`, `watch()`,
   * `on('progress')`, `pause()`, ...).
   */
  async startUpload(source: string | UploadSource, options: StartUploadOptions = {}): Promise<UploadHandle<UploadResult>> {
    return new UploadHandle(this, await this.#uploads.startUpload(source, options));
  }

  /** Starts a batch of files or URLs, or every media file under a directory (or attaches). */
  async startBatch(options: StartBatchOptions): Promise<UploadHandle<BatchUploadResult>> {
    return new UploadHandle(this, await this.#uploads.startBatch(options));
  }

  /** A handle on an upload or batch that exists (NotFoundError otherwise), e.g. one another process started. */
  async getUploadHandle(workflowId: string): Promise<UploadHandle> {
    const { type } = await describeWorkflow(this.#ctx, workflowId);
    if (type !== UPLOAD_WORKFLOW_TYPE && type !== BATCH_WORKFLOW_TYPE) throw new UsageError(`${workflowId} is a ${type}, not an upload or batch`);
    const link = this.webUiLink(workflowId);
    return new UploadHandle(this, { workflowId, kind: type === UPLOAD_WORKFLOW_TYPE ? 'upload' : 'batch', attached: true, ...(link ? { webUiLink: link } : {}) });
  }

  /** Every file of a batch with its asset id or error, page by page across its runs. */
  batchItems(workflowId: string): AsyncGenerator<BatchItem, void, undefined> {
    return this.#uploads.batchItems(workflowId);
  }

  /** Waits for the result; a failure or cancellation throws UploadFailedError with its type. */
  result(workflowId: string): Promise<UploadResult | BatchUploadResult> {
    return this.#uploads.result(workflowId);
  }

  /** Uploads and batches Temporal knows (newest first), filtered by the search attributes. */
  listUploads(options: ListUploadsOptions = {}): Promise<UploadListEntry[]> {
    return this.#uploads.list(options);
  }

  // ---- Progress

  /**
   * Live progress: the workflow's own progress, plus the bytes its running transfers have
   * streamed (their heartbeats), with a recent rate and ETA. With no worker serving the upload's
   * queue, what Temporal knows, marked `noWorker` (the upload waits; it has not failed).
   */
  progress(workflowId: string): Promise<LiveProgress> {
    return this.#progress.progress(workflowId);
  }

  /** Progress every `intervalMs` until the workflow closes (the last one is its final state). */
  watch(workflowId: string, options: WatchOptions = {}): AsyncGenerator<LiveProgress, void, undefined> {
    return this.#progress.watch(workflowId, options);
  }

  /** Whether a worker polls the task queue (default: this client's), as Temporal sees it. */
  workerPresence(taskQueue = this.taskQueue): Promise<WorkerPresence> {
    return this.#workers.presence(taskQueue);
  }

  // ---- Control

  /** Holds an upload or batch: no new chunk (or file) starts; those in flight finish. */
  pause(workflowId: string): Promise<void> {
    return this.#control.pause(workflowId);
  }

  resume(workflowId: string): Promise<void> {
    return this.#control.resume(workflowId);
  }

  /** Chunk PUTs in flight of a multipart upload, or files at once of a batch; answers the previous value. */
  setConcurrency(workflowId: string, value: number): Promise<number> {
    return this.#control.setConcurrency(workflowId, value);
  }

  /** Cancels an upload or batch: in-flight PUTs stop, the workflow ends as cancelled. */
  cancel(workflowId: string): Promise<void> {
    return this.#control.cancel(workflowId);
  }

  // ---- Assets and sessions (run on the worker: see assetCallWorkflow)

  listAssets(query: ListAssetsQuery = {}): Promise<Page<AssetDetail>> {
    return this.#assets.list(query);
  }

  getAsset(assetId: string): Promise<AssetDetail> {
    return this.#assets.get(assetId);
  }

  deleteAsset(assetId: string, options: { force?: boolean } = {}): Promise<void> {
    return this.#assets.delete(assetId, options);
  }

  /** A5 merge: a value sets a key, `null` removes it. Answers the asset after the change. */
  updateMetadata(assetId: string, metadata: UserMetadataUpdate): Promise<AssetDetail> {
    return this.#assets.updateMetadata(assetId, metadata);
  }

  /** A6 replace: the metadata becomes exactly these keys. */
  replaceMetadata(assetId: string, metadata: UserMetadataUpdate): Promise<AssetDetail> {
    return this.#assets.replaceMetadata(assetId, metadata);
  }

  /** A7: removes every key. */
  clearMetadata(assetId: string): Promise<AssetDetail> {
    return this.#assets.clearMetadata(assetId);
  }

  /** Open multipart sessions at TwelveLabs (M3): what an interrupted upload may have left. */
  listIncompleteUploads(options: { limit?: number } = {}): Promise<{ uploads: IncompleteUpload[]; truncated: boolean }> {
    return this.#assets.listIncomplete(options);
  }
}
