// Pure decisions of the multipart workflow: options with their defaults, when to report, how long
// to hold URLs, whether a session can still finish (lanes: multipart/lane-planning.ts). No I/O and no clocks;
// freshness and flushing are decided by timers the workflow sets (urlDropDelayMs gives a length).

import { MAX_CHUNKS_PER_REPORT } from '../twelvelabs/limits';
import { multipartMediaTypeProblem, uploadMediaType } from '../domain/media-types';
import { baseName } from '../domain/names';
import { DEFAULT_ASSEMBLY_WAIT_MS } from './multipart/assembly-wait';
import { MAX_CONCURRENCY, MIN_CONCURRENCY, type MultipartUploadInput } from '../domain/types';

export interface MultipartOptions {
  concurrency: number;
  reportBatchSize: number;
  reportFlushMs: number;
  urlSafetyMarginMs: number;
  chunkHeartbeatTimeoutMs: number;
  maxSessionRestarts: number;
  continueAsNewAfterEvents: number;
  assemblyWaitMs: number;
  apiOutageMs: number;
}

export const DEFAULT_OPTIONS: MultipartOptions = {
  concurrency: 8,
  reportBatchSize: 10,
  reportFlushMs: 2_000,
  urlSafetyMarginMs: 5 * 60_000,
  // A dead worker's lanes are retried this long after their last heartbeat; a live lane beats
  // every chunk and every 2 s inside a PUT that moves bytes, so a slow chunk is never taken for a death.
  chunkHeartbeatTimeoutMs: 10_000,
  maxSessionRestarts: 3,
  // Temporal suggests continue-as-new well before its 50k-event limit; this is a backstop.
  continueAsNewAfterEvents: 10_000,
  assemblyWaitMs: DEFAULT_ASSEMBLY_WAIT_MS,
  // An API call that keeps failing is retried this long, then the upload fails ApiUnavailable.
  apiOutageMs: 30 * 60_000,
};

/**
 * Validates a workflow input at the edge. Returns the problems found (empty when valid) so the
 * workflow can fail once with every reason, rather than on the first. `asMultipartSession` false
 * checks only the options uploadWorkflow shares (its images go direct, never as a session).
 */
export function inputProblems(input: unknown, asMultipartSession = true): string[] {
  const problems: string[] = [];
  if (typeof input !== 'object' || input === null) return ['the input must be an object'];
  const value = input as Partial<MultipartUploadInput> & Record<string, unknown>;
  const path = value.source?.path;
  if (typeof path !== 'string' || path.length === 0) problems.push('source.path must be a non-empty string');
  if (value.filename !== undefined && (typeof value.filename !== 'string' || value.filename.length < 1 || value.filename.length > 255)) {
    problems.push('filename must be 1 to 255 characters');
  }
  if (value.mediaType !== undefined && !['video', 'audio', 'image'].includes(value.mediaType)) {
    problems.push('mediaType must be video, audio or image');
  } else if (asMultipartSession && typeof path === 'string' && path.length > 0 && (value.filename === undefined || typeof value.filename === 'string')) {
    const mediaProblem = multipartMediaTypeProblem(uploadMediaType(value.mediaType, value.filename || baseName(path)));
    if (mediaProblem) problems.push(mediaProblem);
  }
  const integer = (name: keyof MultipartOptions, min: number, max: number) => {
    const v = value[name];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)) {
      problems.push(`${name} must be an integer from ${min} to ${max}`);
    }
  };
  integer('concurrency', MIN_CONCURRENCY, MAX_CONCURRENCY);
  integer('reportBatchSize', 1, MAX_CHUNKS_PER_REPORT);
  integer('reportFlushMs', 10, 600_000);
  integer('urlSafetyMarginMs', 0, 30 * 60_000);
  integer('chunkHeartbeatTimeoutMs', 1_000, 600_000);
  integer('maxSessionRestarts', 0, 100);
  integer('continueAsNewAfterEvents', 100, 50_000);
  integer('assemblyWaitMs', 1_000, 24 * 60 * 60_000);
  integer('apiOutageMs', 10_000, 24 * 60 * 60_000);
  if (value.keepAssetOnFailure !== undefined && typeof value.keepAssetOnFailure !== 'boolean') problems.push('keepAssetOnFailure must be a boolean');
  if (value.userMetadata !== undefined) {
    const meta = value.userMetadata;
    if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) problems.push('userMetadata must be an object');
    else {
      for (const [key, v] of Object.entries(meta)) {
        if (!['string', 'number', 'boolean'].includes(typeof v)) problems.push(`userMetadata.${key} must be a string, number or boolean`);
      }
    }
  }
  if (value.fileTaskQueue !== undefined && (typeof value.fileTaskQueue !== 'string' || value.fileTaskQueue.length === 0)) {
    problems.push('fileTaskQueue must be a non-empty string');
  }
  return problems;
}

export function resolveOptions(input: MultipartUploadInput): MultipartOptions {
  return {
    concurrency: input.concurrency ?? DEFAULT_OPTIONS.concurrency,
    reportBatchSize: input.reportBatchSize ?? DEFAULT_OPTIONS.reportBatchSize,
    reportFlushMs: input.reportFlushMs ?? DEFAULT_OPTIONS.reportFlushMs,
    urlSafetyMarginMs: input.urlSafetyMarginMs ?? DEFAULT_OPTIONS.urlSafetyMarginMs,
    chunkHeartbeatTimeoutMs: input.chunkHeartbeatTimeoutMs ?? DEFAULT_OPTIONS.chunkHeartbeatTimeoutMs,
    maxSessionRestarts: input.maxSessionRestarts ?? DEFAULT_OPTIONS.maxSessionRestarts,
    continueAsNewAfterEvents: input.continueAsNewAfterEvents ?? DEFAULT_OPTIONS.continueAsNewAfterEvents,
    assemblyWaitMs: input.assemblyWaitMs ?? DEFAULT_OPTIONS.assemblyWaitMs,
    apiOutageMs: input.apiOutageMs ?? DEFAULT_OPTIONS.apiOutageMs,
  };
}

/** Shortest time a batch of URLs is kept, so a clock or TTL oddity cannot make the loop spin. */
export const MIN_URL_HOLD_MS = 1_000;

/**
 * How long a batch of URLs minted together may be handed out: until the first of them comes
 * within `safetyMarginMs` of its expiry. When the TTL is shorter than twice the margin, half the
 * remaining lifetime instead (the chunk activity then checks the real expiry and mints its own).
 *
 * The workflow drops the batch when a timer of this length fires. Deciding freshness by an event
 * rather than by comparing Date.now() keeps every decision replay-safe: the workflow clock of a
 * task can differ between its first execution and a replay (seen after a worker was killed while
 * its workflow task was pending), while the timer's firing is recorded in history.
 */
export function urlDropDelayMs(expiresAtMs: readonly number[], nowMs: number, safetyMarginMs: number): number {
  if (expiresAtMs.length === 0) return MIN_URL_HOLD_MS;
  const lifetime = Math.min(...expiresAtMs) - nowMs;
  const usable = lifetime > 2 * safetyMarginMs ? lifetime - safetyMarginMs : lifetime / 2;
  return Math.max(MIN_URL_HOLD_MS, Math.floor(usable));
}

/**
 * Report now? When a batch is full, when the flush timer found the oldest unreported chunk still
 * waiting (`flushDue`), or when nothing else is left to upload (the tail must not wait for a timer).
 */
export function shouldReport(params: {
  unreported: number;
  batchSize: number;
  flushDue: boolean;
  uploadsRemaining: number;
}): boolean {
  if (params.unreported === 0) return false;
  if (params.unreported >= params.batchSize) return true;
  if (params.uploadsRemaining === 0) return true;
  return params.flushDue;
}

/**
 * Before starting a session: can the remaining bytes be sent before it expires, at the rate the
 * previous session achieved? Returns the reason it cannot, or undefined when it can or the rate
 * is unknown.
 */
export function sessionTooShortReason(params: {
  remainingBytes: number;
  observedBytesPerSecond: number | undefined;
  sessionLifetimeMs: number;
}): string | undefined {
  const rate = params.observedBytesPerSecond;
  if (!rate || rate <= 0) return undefined;
  const neededMs = (params.remainingBytes / rate) * 1000;
  if (neededMs <= params.sessionLifetimeMs * 0.9) return undefined;
  const hours = (ms: number) => (ms / 3_600_000).toFixed(1);
  return (
    `at the observed ${(rate / 1e6).toFixed(2)} MB/s the ${params.remainingBytes} bytes left need about ` +
    `${hours(neededMs)} h, longer than a ${hours(params.sessionLifetimeMs)} h upload session: ` +
    `raise the concurrency, move the worker closer to the file, or use a faster link`
  );
}
