// The client library's options and answers (UploadClient in src/client.ts) and the live progress
// it computes: plain JSON, beside the client that produces them. The workflows' inputs, results
// and progress stay in src/domain/types.ts, which these build on.

import type { AssetLeftBehind, BatchProgress, BatchUploadInput, UploadInput, UploadProgress, UploadRoute, UploadSource, UploadState } from '../domain/types';

// ---------------------------------------------------------------------------------------------
// Live progress: what the client library computes from the queries and the running activities'
// heartbeats, and what the CLI draws.

export interface LiveProgress {
  workflowId: string;
  kind: 'upload' | 'batch';
  /** Temporal's view: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT, ... */
  executionStatus: string;
  phase: string;
  /** The file name, or `<n> files` for a batch. */
  title: string;
  route?: UploadRoute;
  totalBytes?: number;
  /** Bytes TwelveLabs has accepted (reported chunks, finished files). */
  confirmedBytes: number;
  /** Bytes sent so far: stored chunks plus what running activities have streamed (heartbeats). */
  sentBytes: number;
  /** Of `sentBytes`, the part still inside running activities (chunk or direct upload in flight). */
  inFlightBytes: number;
  /** 0..100, when the total is known. */
  percent?: number;
  /**
   * Recent rate: from the running transfers (bytes each has streamed over the time it has run),
   * so paused time and earlier sessions never count; `watch()` smooths it over a window of its
   * own samples that a pause resets.
   */
  bytesPerSecond?: number;
  etaSeconds?: number;
  paused: boolean;
  concurrency?: number;
  assetId?: string;
  startedAt?: string;
  error?: { type: string; message: string };
  /** A failed or cancelled multipart upload: what became of the asset its session reserved. */
  assetLeft?: AssetLeftBehind;
  /**
   * An activity Temporal is retrying after failures (an API outage, a store that keeps failing):
   * which, its attempt, and its last error. Absent while every call succeeds.
   */
  retrying?: RetryingActivity;
  upload?: UploadState;
  multipart?: UploadProgress;
  batch?: BatchProgress;
  /** Batch only: the live progress of the files uploading now. */
  running?: LiveProgress[];
  /**
   * Set when no worker answered for the workflow's task queue: the figures above are what
   * Temporal itself knows (describe, search attributes), and the upload waits for a worker.
   */
  noWorker?: NoWorker;
}

/** An activity that failed and waits for, or runs, another attempt (from describe's pending activities). */
export interface RetryingActivity {
  activityType: string;
  /** The attempt running or scheduled next (2 = the first retry). */
  attempt: number;
  /** The last attempt's failure message. */
  lastError: string;
}

/** Nobody serves a task queue: the upload is not failed, it waits until a worker starts. */
export interface NoWorker {
  taskQueue: string;
  /** Says what is missing and what to do, naming the queue. */
  message: string;
}

// ---------------------------------------------------------------------------------------------
// The client library's options and answers (UploadClient in src/client.ts)

export interface UploadClientOptions {
  /** Task queue the workers poll. Default TL_TASK_QUEUE or `twelvelabs-uploads`. */
  taskQueue?: string;
  /** Set TlFileName/TlFileSize/TlPhase on uploads (they must be registered). Default true. */
  searchAttributes?: boolean;
  /** Base URL of the Temporal Web UI, for `webUiLink`. */
  webUiUrl?: string;
  /** How long an asset call may wait for a worker before it fails as unavailable. Default 60 s. */
  callTimeoutMs?: number;
  /** How long a progress query may wait for the worker to answer. Default 10 s. */
  queryTimeoutMs?: number;
}

/** Options of one upload: everything of UploadInput but the source, plus its workflow id. */
export interface StartUploadOptions extends Omit<UploadInput, 'source'> {
  /** Default: from the file's identity (path, size, mtime) or the URL, so a repeat attaches. */
  workflowId?: string;
}

export interface StartBatchOptions extends Omit<BatchUploadInput, 'sources' | 'directory' | 'list' | 'carried'> {
  /** Files (paths, made absolute) or URLs, at most MAX_INLINE_SOURCES. Give this, `directory` or `list`. */
  sources?: Array<string | UploadSource>;
  /** Every media file under this directory (on the worker's host). */
  directory?: string;
  recursive?: boolean;
  /** A text file on the worker's host, one path or URL per line: a batch of any length. */
  list?: string;
  workflowId?: string;
}

export interface StartedUpload {
  workflowId: string;
  kind: 'upload' | 'batch';
  /** True when an upload with this id already ran or runs: nothing new was started. */
  attached: boolean;
  /** A batch that ran before under this id was started again: it uploads only what is left. */
  rerun?: boolean;
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
  /** The exact file name (TlFileName); any character, quotes included. */
  fileName?: string;
  /** Default 50. */
  limit?: number;
}

export interface WatchOptions {
  /** Default 500 ms. */
  intervalMs?: number;
  signal?: AbortSignal;
}

/** Whether a worker serves a task queue (its pollers, as Temporal's DescribeTaskQueue shows them). */
export interface WorkerPresence {
  taskQueue: string;
  /** A worker polled the queue recently. */
  polling: boolean;
  /** When the most recent poll arrived, if Temporal remembers one. */
  lastPollAt?: string;
}
