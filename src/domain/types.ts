// Inputs, results, progress and failure names of the upload workflows: one definition shared by
// workflows, activities, the client library and the CLI. Everything here is plain JSON (it
// travels through Temporal payloads) and free of Node imports (workflows import it).

import { ASSET_UPLOAD_FAILURE_TYPES } from '../twelvelabs/asset-upload-codes';
import type { AssetDetail, IncompleteUpload, MediaType, MetadataValue, Page, UserMetadata } from '../twelvelabs/wire';

/** Typed failure reasons (`ApplicationFailure.type`). Each is something a person can act on. */
export const FailureType = {
  /** Workflow input is malformed (message says which field). */
  InvalidInput: 'InvalidInput',
  SourceNotFound: 'SourceNotFound',
  SourceNotAFile: 'SourceNotAFile',
  SourceEmpty: 'SourceEmpty',
  SourceUnreadable: 'SourceUnreadable',
  /** The path resolves (symlinks and `..` followed) outside the worker's TL_ALLOWED_ROOTS. */
  SourceOutsideRoots: 'SourceOutsideRoots',
  FileTooLarge: 'FileTooLarge',
  /** The file's size or modification time changed after the session began. */
  SourceChanged: 'SourceChanged',
  /** A presigned URL was refused (expired, used, bad signature): the workflow mints a fresh one. */
  UploadUrlRejected: 'UploadUrlRejected',
  /**
   * The store refused fresh presigned URLs again and again (with backoff, past a bound): a clock
   * far off, a proxy that rewrites the Host header or signed headers, or a wrong store endpoint.
   */
  UploadUrlsRefused: 'UploadUrlsRefused',
  /**
   * The store answers every chunk with an ETag that looks like an MD5 but is not the MD5 of the
   * bytes sent (some S3 encryption modes): the ETag check cannot work against it.
   */
  StoreEtagNotMd5: 'StoreEtagNotMd5',
  /** The session is expired, failed or unknown at TwelveLabs: the workflow starts a new one. */
  SessionGone: 'SessionGone',
  /** The session cannot finish before it expires at the observed rate. */
  SessionTooShort: 'SessionTooShort',
  /** Too many sessions were replaced; something keeps killing them. */
  TooManySessionRestarts: 'TooManySessionRestarts',
  /** TwelveLabs accepted every chunk but kept the session `active` past `assemblyWaitMs`. */
  SessionNotCompleting: 'SessionNotCompleting',
  /** TwelveLabs marked one chunk `failed` again and again (the message quotes its error). */
  ChunkRejected: 'ChunkRejected',
  /** The API key is missing, invalid, or not allowed to use this API (401/403). */
  ApiAuthRejected: 'ApiAuthRejected',
  /** The API refused the request as malformed (400) in a way a retry cannot fix. */
  ApiRequestRejected: 'ApiRequestRejected',
  /** Transient API trouble (429, 5xx, network): retried with backoff. */
  ApiUnavailable: 'ApiUnavailable',
  /** The store's ETag is not the MD5 of the bytes we sent: corruption in transit, retried. */
  ChunkDigestMismatch: 'ChunkDigestMismatch',
  /** A chunk PUT failed in a way a retry with a fresh URL can fix (5xx, reset, stall). */
  ChunkTransient: 'ChunkTransient',
  /** The API answered with something we cannot use. */
  InvalidApiResponse: 'InvalidApiResponse',
  /**
   * A create call (A1 direct/url, which is not idempotent) failed in a way that leaves open
   * whether the asset was created; reconciliation did not settle it.
   */
  CreateOutcomeUnknown: 'CreateOutcomeUnknown',
  /** TwelveLabs finished processing the asset as `failed`; the message is the API's. */
  AssetFailed: 'AssetFailed',
  /** The asset was uploaded but did not become `ready` within `readyTimeoutMs`. */
  AssetNotReady: 'AssetNotReady',
  AssetNotFound: 'AssetNotFound',
  /** A4 refused: an index still uses the asset (delete with force). */
  AssetInUse: 'AssetInUse',
  /**
   * A1's documented error codes (contract 5.8), one reason each (`VideoDurationTooShort`,
   * `MediaUrlNotAccessible`, `MediaFileTooLarge`, ...): see twelvelabs/asset-upload-codes.ts.
   */
  ...ASSET_UPLOAD_FAILURE_TYPES,
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Where the bytes come from. Only local files for the multipart route. */
export interface LocalFileSource {
  path: string;
}

export interface MultipartUploadInput {
  source: LocalFileSource;
  /** Name the asset gets; default: the file's base name. */
  filename?: string;
  /** Default: derived from the file extension, else `video`. */
  mediaType?: MediaType;
  enableHls?: boolean;
  enableThumbnail?: boolean;
  userMetadata?: UserMetadata;
  /** Chunk PUTs in flight at once (sliding window). Default 8, 1..64. */
  concurrency?: number;
  /** Report as soon as this many chunks wait to be reported. Default 10, 1..50. */
  reportBatchSize?: number;
  /** ...or when the oldest unreported chunk has waited this long. Default 2000 ms. */
  reportFlushMs?: number;
  /** A URL closer than this to its expiry is not used. Default 5 minutes. */
  urlSafetyMarginMs?: number;
  /**
   * A lane that has not heartbeaten for this long (its worker died) is retried elsewhere; a PUT
   * that sends no byte for half of it (at least 5 s) is abandoned and retried. Default 10 s.
   */
  chunkHeartbeatTimeoutMs?: number;
  /** Give up after this many replaced sessions. Default 3. */
  maxSessionRestarts?: number;
  /**
   * Pin the activities that read the file (createSession, uploadChunk) to this task queue: the
   * queue of the host that has the file on its disk (see `hostTaskQueue` in worker.ts).
   */
  fileTaskQueue?: string;
  /** Continue-as-new after this many history events even if Temporal does not suggest it yet. */
  continueAsNewAfterEvents?: number;
  /**
   * How long the session may stay `active` after TwelveLabs accepted every chunk (it assembles
   * the object) before the upload fails with SessionNotCompleting. Default 10 minutes.
   */
  assemblyWaitMs?: number;
  /**
   * How long an API call of the upload (report, URLs, status) is retried with backoff while it
   * keeps failing before the upload fails ApiUnavailable (its session kept for a Reset). Default 30 min.
   */
  apiOutageMs?: number;
  /**
   * Keep the asset (and its session) the upload reserved when it fails or is cancelled, for a
   * Reset to carry on, like lib-storage's `leavePartsOnError`. Default false: it is deleted.
   */
  keepAssetOnFailure?: boolean;
  /** Internal: the ledger carried across continue-as-new. Never set by callers. */
  carried?: CarriedState;
}

/** Everything a new run needs to resume the same session without re-sending finished chunks. */
export interface CarriedState {
  session: SessionInfo;
  /** Chunks uploaded with their ETags but not yet confirmed as reported. */
  unreported: ChunkEtag[];
  /** Chunks the API accepted, as inclusive ranges `[first, last]`. */
  reported: ChunkRange[];
  counters: UploadCounters;
  startedAt: string;
  paused: boolean;
  concurrency: number;
  runs: number;
  /** Chunks TwelveLabs marked `failed`: [chunkIndex, times, last error] (absent before issue 17). */
  chunkRejections?: Array<[chunkIndex: number, count: number, lastError: string]>;
  /** The last forwarded pause/resume applied (workflows/pause-order.ts), so older ones stay ignored. */
  pauseSeq?: number;
}

export type ChunkRange = [first: number, last: number];

export interface ChunkEtag {
  chunkIndex: number;
  etag: string;
  sizeBytes: number;
}

/** What the workflow keeps of a session (M1 response without URLs, plus source identity). */
export interface SessionInfo {
  uploadId: string;
  assetId: string;
  chunkSize: number;
  totalChunks: number;
  totalSize: number;
  uploadHeaders: Record<string, string>;
  /** Session expiry, epoch ms (server clock). */
  expiresAtMs: number;
  /** The source as it was when the session began: a change means the bytes differ. */
  sourceSizeBytes: number;
  sourceMtimeMs: number;
}

export interface PresignedUrl {
  chunkIndex: number;
  url: string;
  /** epoch ms */
  urlExpiresAtMs: number;
}

export interface UploadCounters {
  /** Chunk attempts that failed and were tried again. */
  retries: number;
  /** URLs minted after the initial set (refreshes and ranges beyond it). */
  urlRefreshes: number;
  sessionRestarts: number;
  sessionsCreated: number;
  /** Chunks the API marked failed and that were sent again. */
  chunksResent: number;
  /** Straggling chunk PUTs sent a second time on a fresh URL (the first to finish won). */
  hedges?: number;
  /** Bytes those second PUTs sent (the bound on what hedging costs). */
  hedgedBytes?: number;
  /** Chunk PUTs the store refused (expired, used or badly signed URL). */
  urlRefusals?: number;
  /** Lane activities run (one uploads a run of consecutive chunks). */
  lanes?: number;
}

/** Counters before any work: the required ones at zero (sessionsCreated as given). */
export function zeroCounters(sessionsCreated = 0): UploadCounters {
  return { retries: 0, urlRefreshes: 0, sessionRestarts: 0, sessionsCreated, chunksResent: 0 };
}

export type UploadPhase =
  | 'validating'
  | 'creating-session'
  | 'uploading'
  | 'paused'
  | 'confirming'
  | 'completed'
  | 'failed'
  | 'cancelled';

export interface UploadProgress {
  phase: UploadPhase;
  fileName: string;
  uploadId?: string;
  assetId?: string;
  totalBytes?: number;
  /** Bytes in chunks the API has accepted (reported and counted). */
  confirmedBytes: number;
  /** Bytes in chunks uploaded to the store (reported or not). */
  uploadedBytes: number;
  totalChunks?: number;
  uploadedChunks: number;
  reportedChunks: number;
  /** Chunks handed to running lanes and not yet returned (some may be stored already). */
  inFlightChunks: number[];
  /** Lanes (chunk-run activities) running now. */
  lanesInFlight?: number;
  concurrency: number;
  paused: boolean;
  counters: UploadCounters;
  startedAt: string;
  /** Continue-as-new generations so far (1 = first run). */
  runs: number;
  /** Set when phase is `failed`. */
  error?: { type: string; message: string };
  /** A failed or cancelled multipart upload: what became of the asset its session reserved. */
  assetLeft?: AssetLeftBehind;
}

export interface MultipartUploadResult {
  assetId: string;
  uploadId: string;
  totalBytes: number;
  totalChunks: number;
  counters: UploadCounters;
  startedAt: string;
  completedAt: string;
  runs: number;
}

/** Limits of `setConcurrency`. */
export const MIN_CONCURRENCY = 1;
export const MAX_CONCURRENCY = 64;

// ---------------------------------------------------------------------------------------------
// uploadWorkflow: the one entry point (direct, multipart or URL route)

/** A media file behind an http(s) URL that TwelveLabs fetches itself (A1 `method=url`). */
export interface UrlSource {
  url: string;
}

export type UploadSource = LocalFileSource | UrlSource;

/** How a source reaches TwelveLabs: A1 direct, a multipart session, or A1 url. */
export type UploadRoute = 'direct' | 'multipart' | 'url';

/** Tuning of the multipart route, passed through to multipartUploadWorkflow. */
export type MultipartTuning = Pick<
  MultipartUploadInput,
  | 'concurrency'
  | 'reportBatchSize'
  | 'reportFlushMs'
  | 'urlSafetyMarginMs'
  | 'chunkHeartbeatTimeoutMs'
  | 'maxSessionRestarts'
  | 'continueAsNewAfterEvents'
  | 'assemblyWaitMs'
  | 'apiOutageMs'
  | 'keepAssetOnFailure'
>;

export interface UploadInput {
  source: UploadSource;
  /** Name the asset gets; default: the file's base name (or the URL's last path segment). */
  filename?: string;
  /** Default: derived from the file extension, else `video`. */
  mediaType?: MediaType;
  enableHls?: boolean;
  enableThumbnail?: boolean;
  userMetadata?: UserMetadata;
  /**
   * Local files up to this many bytes go as one direct upload (A1), larger ones as a multipart
   * session. Default and maximum: MAX_DIRECT_BYTES (200 MiB), the API's direct-upload limit.
   */
  directMaxBytes?: number;
  /** Chunk concurrency and the like for the multipart route. */
  multipart?: MultipartTuning;
  /** Return only once the asset is `ready` (fail with AssetFailed if it ends `failed`). Default true. */
  waitForReady?: boolean;
  /** Stop waiting for `ready` after this long (AssetNotReady). Default 2 hours. */
  readyTimeoutMs?: number;
  /** How often the asset status is read while waiting. Default 5 s. */
  readyPollIntervalMs?: number;
  /** Pin the activities that read the file to this host's task queue (see worker.ts). */
  fileTaskQueue?: string;
  /** After an ambiguous create, wait this long before looking for its asset. Default 10 s. */
  reconcileDelayMs?: number;
}

export type UploadWorkflowPhase =
  | 'validating'
  | 'uploading'
  | 'paused'
  /** An ambiguous create failed: looking for the asset it may have made before trying again. */
  | 'reconciling'
  /** Uploaded; waiting for TwelveLabs to finish processing the asset. */
  | 'processing'
  | 'completed'
  | 'failed'
  | 'cancelled';

/** What uploadWorkflow's `progress` query answers (the multipart details live in its child). */
export interface UploadState {
  phase: UploadWorkflowPhase;
  route?: UploadRoute;
  fileName: string;
  /** The file path or the URL. */
  source: string;
  totalBytes?: number;
  /** Bytes TwelveLabs holds: the whole file once a direct upload returned (multipart: see the child). */
  confirmedBytes: number;
  /** Workflow id of the multipartUploadWorkflow child (multipart route). */
  multipartWorkflowId?: string;
  assetId?: string;
  assetStatus?: string;
  paused: boolean;
  /** Create calls made (A1): more than 1 only after ambiguous failures. */
  createAttempts: number;
  startedAt: string;
  completedAt?: string;
  error?: { type: string; message: string };
  /** A failed or cancelled multipart upload: what became of the asset its session reserved. */
  assetLeft?: AssetLeftBehind;
}

/** What a failed or cancelled multipart upload left at TwelveLabs (activities/session-cleanup.ts). */
export interface AssetLeftBehind {
  assetId: string;
  /** `deleted`: nothing is left; `kept`: the asset stays (reason says why); `left`: deleting it failed. */
  action: 'deleted' | 'kept' | 'left';
  reason?: string;
}

export interface UploadResult {
  assetId: string;
  route: UploadRoute;
  fileName: string;
  totalBytes?: number;
  /** `ready` when the workflow waited for it, else whatever the API said last. */
  assetStatus: string;
  /** An ambiguous create was settled by adopting the asset it had created. */
  reconciled: boolean;
  /**
   * Assets TwelveLabs created for this upload (1 unless a create had to be repeated; orphans that
   * were deleted count). Multipart: one per session. Absent in results from before it existed.
   */
  assetsCreated?: number;
  multipart?: MultipartUploadResult;
  startedAt: string;
  completedAt: string;
}

// ---------------------------------------------------------------------------------------------
// batchUploadWorkflow

export interface BatchUploadInput {
  /** Files (on the worker's host) or URLs, uploaded in this order; at most MAX_INLINE_SOURCES. */
  sources?: UploadSource[];
  /** Every media file under this directory, by name order (paged: any number of files). */
  directory?: { path: string; recursive?: boolean };
  /**
   * A text file on the worker's host with one path or URL per line (blank lines and lines that
   * start with `#` are ignored): a list of any length, read page by page.
   */
  list?: { path: string };
  /** Options for every file (the source aside). */
  upload?: Omit<UploadInput, 'source'>;
  /** Files uploading at once. Default 4, 1..MAX_BATCH_CONCURRENCY. */
  maxConcurrentUploads?: number;
  /**
   * Look for each file's asset before uploading it, and report it instead of uploading again
   * (a re-run of the same batch). The client sets it when the batch ran before under its id.
   */
  skipUploaded?: boolean;
  /** Continue-as-new after this many history events of a run. Default 5,000 (tests lower it). */
  continueAsNewAfterEvents?: number;
  /** Entries read per listing page. Default 500 (tests lower it). */
  listPageEntries?: number;
  /** Internal: what a run hands the next one at continue-as-new. Never set by callers. */
  carried?: BatchCarried;
}

export type BatchItemState = 'waiting' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface BatchItem {
  /** 0-based position in the batch (listing order). */
  index: number;
  /** The file path or URL. */
  source: string;
  fileName: string;
  sizeBytes?: number;
  /** The uploadWorkflow child that uploads this item (large files and URLs); small files go in runs. */
  workflowId?: string;
  state: BatchItemState;
  route?: UploadRoute;
  assetId?: string;
  /** The file was uploaded before, unchanged since: its asset is reported, not made again. */
  alreadyUploaded?: boolean;
  error?: { type: string; message: string };
}

export interface BatchTotals {
  /** Entries to upload found so far (the final count once `listingDone`). */
  files: number;
  waiting: number;
  running: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Completed files whose asset existed already (a re-run): reported, not uploaded again. */
  alreadyUploaded: number;
  /** Sum of the known file sizes. */
  totalBytes: number;
  /** Sum of the sizes of completed files. */
  completedBytes: number;
}

/** Entries of a directory or list that are not uploaded, by reason, with a few examples. */
export interface BatchSkipped {
  reason: string;
  count: number;
  examples: string[];
}

export type BatchPhase = 'listing' | 'uploading' | 'paused' | 'completed' | 'failed' | 'cancelled';

export interface BatchProgress {
  phase: BatchPhase;
  /** This run's items: those running now and those finished in this run (earlier runs: client.batchItems). */
  items: BatchItem[];
  /** Every failed or cancelled item of every run so far (the first MAX_BATCH_FAILURES_KEPT). */
  failures: BatchItem[];
  /** Failures beyond those kept in `failures`. */
  failuresOmitted: number;
  totals: BatchTotals;
  skipped: BatchSkipped[];
  /** The whole directory or list has been read (totals.files is final). */
  listingDone: boolean;
  maxConcurrentUploads: number;
  paused: boolean;
  /** Continue-as-new generations so far (1 = first run). */
  runs: number;
  /** Run ids of every run so far, first to last (each run's items: the `items` query). */
  runIds: string[];
  startedAt: string;
  completedAt?: string;
  error?: { type: string; message: string };
}

export interface BatchUploadResult {
  /** The last run's items (all of them when the batch ran in one run; earlier runs: client.batchItems). */
  items: BatchItem[];
  /** Every failed or cancelled item (the first MAX_BATCH_FAILURES_KEPT). */
  failures: BatchItem[];
  failuresOmitted: number;
  totals: BatchTotals;
  skipped: BatchSkipped[];
  /** Run ids of every run, first to last: each run's items are readable with the `items` query. */
  runIds: string[];
  startedAt: string;
  completedAt: string;
}

/** One entry of a batch's listing: what the batch knows of a file before it uploads it. */
export interface BatchEntry {
  index: number;
  /** A local path or a URL. */
  source: string;
  isUrl?: boolean;
  /** Known for local files the listing could see (under the roots). */
  sizeBytes?: number;
  /** An earlier attempt was interrupted (its asset may exist): look for it before creating. */
  lookFirst?: boolean;
  /** This version of the file (or the URL), hashed: a large file's upload is named by it across batches. */
  key?: string;
}

/** What one batch run hands the next at continue-as-new. */
export interface BatchCarried {
  /** The listing's cursor: where the next page starts. */
  cursor?: string;
  listingDone: boolean;
  /** Entries listed and not yet started. */
  queue: BatchEntry[];
  /** Entries listed so far (the next entry's index). */
  listed: number;
  totals: BatchTotals;
  failures: BatchItem[];
  failuresOmitted: number;
  skipped: BatchSkipped[];
  maxConcurrentUploads: number;
  paused: boolean;
  runIds: string[];
  startedAt: string;
}

export const DEFAULT_BATCH_CONCURRENCY = 4;
export const MAX_BATCH_CONCURRENCY = 32;
/** A longer list of sources goes as `list` (a file on the worker's host): inputs stay small. */
export const MAX_INLINE_SOURCES = 1000;
/** Failures listed one by one; more are counted (`failuresOmitted`). */
export const MAX_BATCH_FAILURES_KEPT = 1000;

// ---------------------------------------------------------------------------------------------
// assetCallWorkflow: asset and session calls run on the worker (the API key never leaves it)

export type AssetCall =
  | { op: 'list'; filename?: string; assetTypes?: string[]; page?: number; pageLimit?: number }
  | { op: 'get'; assetId: string }
  | { op: 'delete'; assetId: string; force?: boolean }
  /** A5 (merge: `null` deletes a key), A6 (replace) or A7 (clear); answers the asset after the change. */
  | { op: 'updateMetadata'; assetId: string; metadata: Record<string, MetadataValue | null> }
  | { op: 'replaceMetadata'; assetId: string; metadata: Record<string, MetadataValue | null> }
  | { op: 'clearMetadata'; assetId: string }
  /** Open multipart sessions at TwelveLabs (M3, every page up to `limit`). */
  | { op: 'listIncomplete'; limit?: number };

export type AssetCallResult =
  | { op: 'list'; page: Page<AssetDetail> }
  | { op: 'get'; asset: AssetDetail }
  | { op: 'delete'; assetId: string }
  | { op: 'metadata'; asset: AssetDetail }
  | { op: 'listIncomplete'; uploads: IncompleteUpload[]; truncated: boolean };
