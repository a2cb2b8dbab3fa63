// Inputs, results, progress and failure names of the upload workflows: one definition shared by
// workflows, activities, the client library and the CLI. Everything here is plain JSON (it
// travels through Temporal payloads) and free of Node imports (workflows import it).

import type { MediaType, UserMetadata } from '../twelvelabs/wire';

/** Typed failure reasons (`ApplicationFailure.type`). Each is something a person can act on. */
export const FailureType = {
  /** Workflow input is malformed (message says which field). */
  InvalidInput: 'InvalidInput',
  SourceNotFound: 'SourceNotFound',
  SourceNotAFile: 'SourceNotAFile',
  SourceEmpty: 'SourceEmpty',
  SourceUnreadable: 'SourceUnreadable',
  FileTooLarge: 'FileTooLarge',
  /** The file's size or modification time changed after the session began. */
  SourceChanged: 'SourceChanged',
  /** A presigned URL was refused (expired, used, bad signature): the workflow mints a fresh one. */
  UploadUrlRejected: 'UploadUrlRejected',
  /** The session is expired, failed or unknown at TwelveLabs: the workflow starts a new one. */
  SessionGone: 'SessionGone',
  /** The session cannot finish before it expires at the observed rate. */
  SessionTooShort: 'SessionTooShort',
  /** Too many sessions were replaced; something keeps killing them. */
  TooManySessionRestarts: 'TooManySessionRestarts',
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
  /** A chunk PUT that sends no byte for this long is abandoned and retried. Default 30 s. */
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
  inFlightChunks: number[];
  concurrency: number;
  paused: boolean;
  counters: UploadCounters;
  startedAt: string;
  /** Continue-as-new generations so far (1 = first run). */
  runs: number;
  /** Set when phase is `failed`. */
  error?: { type: string; message: string };
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
