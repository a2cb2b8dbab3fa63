// Live progress of an upload or a batch, computed from what Temporal knows: the workflows'
// `progress` queries and the heartbeats of the activities running now (bytes already streamed by
// a chunk PUT or a direct upload that has not finished). Pure: the client library gathers the
// inputs, the CLI and services read the result.

import type { AssetLeftBehind, BatchProgress, BatchUploadResult, UploadProgress, UploadResult, UploadState } from '../../domain/types';
import type { LiveProgress, NoWorker, RetryingActivity } from '../types';
import { etaSeconds } from './rate-meter';

/** A running activity as describe() shows it, with its decoded heartbeat details. */
export interface RunningActivity {
  activityType: string;
  /** Only STARTED activities stream bytes; SCHEDULED ones wait for a retry. */
  started: boolean;
  heartbeat: unknown;
  /** When this attempt started, and when its last heartbeat arrived (server clock). */
  startedAtMs?: number;
  heartbeatAtMs?: number;
  /** The attempt running or scheduled (1 = first), and the last failed attempt's message. */
  attempt?: number;
  lastFailure?: string;
}

/** The activity on its highest retry, if any failed: an outage shows as climbing attempts. */
export function retryingActivity(activities: readonly RunningActivity[]): RetryingActivity | undefined {
  let worst: RetryingActivity | undefined;
  for (const a of activities) {
    if (a.attempt === undefined || a.attempt < 2 || a.lastFailure === undefined) continue;
    if (!worst || a.attempt > worst.attempt) worst = { activityType: a.activityType, attempt: a.attempt, lastError: a.lastFailure };
  }
  return worst;
}

/**
 * What the running transfers stream now: each one's bytes over the time its attempt has run,
 * summed. A snapshot's own recent rate (no earlier sample needed); paused time and earlier
 * sessions never count, because only attempts running now do. A lane's bytes are the chunks its
 * heartbeat lists as finished plus the chunk it is sending (between chunks that is 0 bytes, and
 * the finished ones still count). The heartbeats count bytes read for sending, which run ahead of
 * the network by what socket buffers hold: small next to a chunk of megabytes, but it overstates
 * the rate of tiny chunks. The client's own window (RateMeter) replaces it from the second sample on.
 */
export function transferRate(activities: readonly RunningActivity[], inFlightChunks?: readonly number[]): number | undefined {
  const inFlight = inFlightChunks ? new Set(inFlightChunks) : undefined;
  let rate: number | undefined;
  for (const a of activities) {
    if (!a.started || (a.activityType !== 'uploadChunk' && a.activityType !== 'uploadDirect')) continue;
    // A retried lane's heartbeat lists the chunks its earlier attempts finished too, while its time
    // runs from this attempt's start: only the chunk in flight counts (issue 17, item 10).
    const bytes =
      a.activityType === 'uploadChunk'
        ? (a.attempt ?? 1) > 1
          ? laneBytes(currentChunkOnly(a.heartbeat), inFlight)
          : laneBytes(a.heartbeat, inFlight)
        : ((a.heartbeat as { bytesSent?: unknown } | undefined)?.bytesSent ?? 0);
    if (typeof bytes !== 'number' || bytes <= 0) continue;
    if (a.startedAtMs === undefined || a.heartbeatAtMs === undefined || a.heartbeatAtMs <= a.startedAtMs) continue;
    rate = (rate ?? 0) + (bytes * 1000) / (a.heartbeatAtMs - a.startedAtMs);
  }
  return rate;
}

/**
 * Bytes the running lanes have streamed, counting only chunks the workflow has in flight: each
 * lane's heartbeat lists the chunks it finished (the workflow learns of them when the lane
 * returns) and the bytes sent of the chunk it is sending now.
 */
export function chunkBytesInFlight(activities: readonly RunningActivity[], inFlightChunks: readonly number[]): number {
  const inFlight = new Set(inFlightChunks);
  let bytes = 0;
  for (const a of activities) if (a.activityType === 'uploadChunk' && a.started) bytes += laneBytes(a.heartbeat, inFlight);
  return bytes;
}

/** One lane heartbeat's bytes: finished chunks and the current one, those in `inFlight` if given. */
function laneBytes(heartbeat: unknown, inFlight: ReadonlySet<number> | undefined): number {
  const hb = heartbeat as { chunkIndex?: unknown; bytesSent?: unknown; finished?: unknown } | undefined;
  const counts = (chunkIndex: unknown): boolean => typeof chunkIndex === 'number' && (inFlight === undefined || inFlight.has(chunkIndex));
  let bytes = 0;
  if (typeof hb?.bytesSent === 'number' && counts(hb.chunkIndex)) bytes += hb.bytesSent;
  if (!Array.isArray(hb?.finished)) return bytes;
  for (const chunk of hb.finished as { chunkIndex?: unknown; sizeBytes?: unknown }[]) {
    if (typeof chunk?.sizeBytes === 'number' && counts(chunk.chunkIndex)) bytes += chunk.sizeBytes;
  }
  return bytes;
}

/** A lane heartbeat without the finished chunks: what the chunk in flight has sent. */
function currentChunkOnly(heartbeat: unknown): unknown {
  if (typeof heartbeat !== 'object' || heartbeat === null) return heartbeat;
  return { ...heartbeat, finished: [] };
}

/** Bytes a running direct upload has streamed. */
export function directBytesInFlight(activities: readonly RunningActivity[]): number {
  for (const a of activities) {
    if (a.activityType !== 'uploadDirect' || !a.started) continue;
    const hb = a.heartbeat as { bytesSent?: unknown } | undefined;
    if (typeof hb?.bytesSent === 'number') return hb.bytesSent;
  }
  return 0;
}

export interface UploadLiveInput {
  workflowId: string;
  executionStatus: string;
  state: UploadState;
  /** The multipart child's progress, while it runs. */
  multipart?: UploadProgress;
  /** Running activities of the workflow that moves bytes (the child for multipart). */
  activities: readonly RunningActivity[];
}

export function uploadLiveProgress(input: UploadLiveInput): LiveProgress {
  const { state, multipart } = input;
  const totalBytes = state.totalBytes ?? multipart?.totalBytes;
  let confirmedBytes = state.confirmedBytes;
  let storedBytes = state.confirmedBytes;
  let inFlightBytes = 0;
  if (state.confirmedBytes === 0 && state.route === 'multipart' && multipart) {
    confirmedBytes = multipart.confirmedBytes;
    storedBytes = multipart.uploadedBytes;
    inFlightBytes = chunkBytesInFlight(input.activities, multipart.inFlightChunks);
  } else if (state.confirmedBytes === 0 && state.route === 'direct') {
    inFlightBytes = directBytesInFlight(input.activities);
  }
  const sentBytes = clamp(storedBytes + inFlightBytes, totalBytes);
  const moving = state.phase === 'uploading' && !state.paused;
  const bytesPerSecond = moving ? transferRate(input.activities, multipart?.inFlightChunks) : undefined;
  const retrying = retryingActivity(input.activities);
  return {
    workflowId: input.workflowId,
    kind: 'upload',
    executionStatus: input.executionStatus,
    phase: state.phase,
    title: state.fileName,
    ...(state.route ? { route: state.route } : {}),
    ...(totalBytes !== undefined ? { totalBytes, percent: percentOf(sentBytes, totalBytes) } : {}),
    confirmedBytes,
    sentBytes,
    inFlightBytes,
    ...(bytesPerSecond !== undefined ? { bytesPerSecond } : {}),
    ...optional('etaSeconds', etaSeconds(totalBytes, sentBytes, bytesPerSecond)),
    paused: state.paused,
    ...(multipart ? { concurrency: multipart.concurrency } : {}),
    ...(state.assetId ? { assetId: state.assetId } : {}),
    startedAt: state.startedAt,
    ...(state.error ? { error: state.error } : {}),
    ...(retrying ? { retrying } : {}),
    upload: state,
    ...(multipart ? { multipart } : {}),
  };
}

/** A finished upload, from its result alone (no query needed, so no worker needed). */
export function completedUploadProgress(workflowId: string, result: UploadResult): LiveProgress {
  const total = result.totalBytes ?? 0;
  return {
    workflowId,
    kind: 'upload',
    executionStatus: 'COMPLETED',
    phase: 'completed',
    title: result.fileName,
    route: result.route,
    ...(result.totalBytes !== undefined ? { totalBytes: total, percent: 100 } : {}),
    confirmedBytes: total,
    sentBytes: total,
    inFlightBytes: 0,
    paused: false,
    assetId: result.assetId,
    startedAt: result.startedAt,
  };
}

/** What a failed or cancelled upload had stored at TwelveLabs when it ended (from its queries). */
export interface StoredBytes {
  /** Bytes TwelveLabs accepted (reported chunks; a finished direct upload). */
  confirmedBytes: number;
  /** Bytes in the store (chunks uploaded, reported or not). */
  storedBytes: number;
  /** The asset the upload made or reserved, and what became of it (failed or cancelled multipart). */
  assetId?: string;
  assetLeft?: AssetLeftBehind;
}

export interface ClosedLiveInput {
  workflowId: string;
  kind: 'upload' | 'batch';
  executionStatus: string;
  title: string;
  totalBytes?: number;
  startedAt: string;
  error?: { type: string; message: string; assetId?: string };
  stored?: StoredBytes;
}

/** A failed, cancelled, terminated or timed-out workflow: what it had stored, and why it ended. */
export function closedLiveProgress(input: ClosedLiveInput): LiveProgress {
  const sentBytes = clamp(input.stored?.storedBytes ?? 0, input.totalBytes);
  return {
    workflowId: input.workflowId,
    kind: input.kind,
    executionStatus: input.executionStatus,
    phase: input.executionStatus.toLowerCase().replace('_', '-'),
    title: input.title,
    ...(input.totalBytes !== undefined ? { totalBytes: input.totalBytes, percent: percentOf(sentBytes, input.totalBytes) } : {}),
    confirmedBytes: input.stored?.confirmedBytes ?? 0,
    sentBytes,
    inFlightBytes: 0,
    paused: false,
    startedAt: input.startedAt,
    ...(input.error ? { error: { type: input.error.type, message: input.error.message } } : {}),
    ...(input.error?.assetId ? { assetId: input.error.assetId } : input.stored?.assetId ? { assetId: input.stored.assetId } : {}),
    ...(input.stored?.assetLeft ? { assetLeft: input.stored.assetLeft } : {}),
  };
}

export interface BatchLiveInput {
  workflowId: string;
  executionStatus: string;
  batch: BatchProgress;
  /** Live progress of the items running now. */
  running: LiveProgress[];
}

export function batchLiveProgress(input: BatchLiveInput): LiveProgress {
  const { batch } = input;
  const runningSent = input.running.reduce((sum, p) => sum + p.sentBytes, 0);
  const runningConfirmed = input.running.reduce((sum, p) => sum + p.confirmedBytes, 0);
  const runningInFlight = input.running.reduce((sum, p) => sum + p.inFlightBytes, 0);
  const totalBytes = batch.totals.totalBytes;
  const sentBytes = clamp(batch.totals.completedBytes + runningSent, totalBytes);
  const rates = input.running.map((p) => p.bytesPerSecond).filter((r): r is number => r !== undefined);
  const bytesPerSecond = rates.length > 0 ? rates.reduce((a, b) => a + b, 0) : undefined;
  return {
    workflowId: input.workflowId,
    kind: 'batch',
    executionStatus: input.executionStatus,
    phase: batch.phase,
    title: `${batch.totals.files} files`,
    totalBytes,
    percent: percentOf(sentBytes, totalBytes),
    confirmedBytes: batch.totals.completedBytes + runningConfirmed,
    sentBytes,
    inFlightBytes: runningInFlight,
    ...(bytesPerSecond !== undefined ? { bytesPerSecond } : {}),
    ...optional('etaSeconds', etaSeconds(totalBytes, sentBytes, bytesPerSecond)),
    paused: batch.paused,
    concurrency: batch.maxConcurrentUploads,
    startedAt: batch.startedAt,
    ...(batch.error ? { error: batch.error } : {}),
    batch,
    running: input.running,
  };
}

function clamp(bytes: number, total: number | undefined): number {
  return total === undefined ? bytes : Math.min(bytes, total);
}

function percentOf(sent: number, total: number): number {
  return total > 0 ? Math.min(100, (sent / total) * 100) : 0;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

export interface KnownLiveInput {
  workflowId: string;
  kind: 'upload' | 'batch';
  executionStatus: string;
  /** From the search attributes the workflow keeps up to date (TlPhase, TlFileName, TlFileSize). */
  phase?: string;
  title: string;
  totalBytes?: number;
  startedAt: string;
  noWorker: NoWorker;
  /** The last progress this client saw of the workflow, if any: its byte counts still hold. */
  last?: LiveProgress;
}

/** A running workflow no worker answers for: what Temporal itself knows, and why that is all. */
export function knownLiveProgress(input: KnownLiveInput): LiveProgress {
  const last = input.last?.workflowId === input.workflowId ? input.last : undefined;
  const totalBytes = input.totalBytes ?? last?.totalBytes;
  const sentBytes = last?.sentBytes ?? 0;
  return {
    workflowId: input.workflowId,
    kind: input.kind,
    executionStatus: input.executionStatus,
    phase: input.phase ?? last?.phase ?? 'waiting',
    title: last?.title ?? input.title,
    ...(last?.route ? { route: last.route } : {}),
    ...(totalBytes !== undefined ? { totalBytes, percent: percentOf(sentBytes, totalBytes) } : {}),
    confirmedBytes: last?.confirmedBytes ?? 0,
    sentBytes,
    inFlightBytes: 0,
    paused: last?.paused ?? false,
    ...(last?.concurrency !== undefined ? { concurrency: last.concurrency } : {}),
    ...(last?.assetId ? { assetId: last.assetId } : {}),
    startedAt: input.startedAt,
    noWorker: input.noWorker,
  };
}

/** A finished batch from its result alone (no query, so no worker needed). */
export function completedBatchProgress(workflowId: string, result: BatchUploadResult): LiveProgress {
  const { totals } = result;
  return {
    workflowId,
    kind: 'batch',
    executionStatus: 'COMPLETED',
    phase: 'completed',
    title: `${totals.files} files`,
    totalBytes: totals.totalBytes,
    percent: percentOf(totals.completedBytes, totals.totalBytes),
    confirmedBytes: totals.completedBytes,
    sentBytes: totals.completedBytes,
    inFlightBytes: 0,
    paused: false,
    startedAt: result.startedAt,
    // The totals decide the exit code of every command (a file failed: 1), with or without a worker.
    batch: {
      phase: 'completed',
      items: result.items,
      failures: result.failures,
      failuresOmitted: result.failuresOmitted,
      totals,
      skipped: result.skipped,
      listingDone: true,
      maxConcurrentUploads: 0,
      paused: false,
      runs: result.runIds.length,
      runIds: result.runIds,
      startedAt: result.startedAt,
      completedAt: result.completedAt,
    },
  };
}
