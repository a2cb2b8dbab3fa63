// Live progress of an upload or a batch, computed from what Temporal knows: the workflows'
// `progress` queries and the heartbeats of the activities running now (bytes already streamed by
// a chunk PUT or a direct upload that has not finished). Pure: the client library gathers the
// inputs, the CLI and services read the result.

import type { BatchProgress, LiveProgress, UploadProgress, UploadResult, UploadState } from '../../domain/types';
import { etaSeconds } from './rate-meter';

/** A running activity as describe() shows it, with its decoded heartbeat details. */
export interface RunningActivity {
  activityType: string;
  /** Only STARTED activities stream bytes; SCHEDULED ones wait for a retry. */
  started: boolean;
  heartbeat: unknown;
}

/**
 * Bytes the running lanes have streamed, counting only chunks the workflow has in flight: each
 * lane's heartbeat lists the chunks it finished (the workflow learns of them when the lane
 * returns) and the bytes sent of the chunk it is sending now.
 */
export function chunkBytesInFlight(activities: readonly RunningActivity[], inFlightChunks: readonly number[]): number {
  const inFlight = new Set(inFlightChunks);
  let bytes = 0;
  for (const a of activities) {
    if (a.activityType !== 'uploadChunk' || !a.started) continue;
    const hb = a.heartbeat as { chunkIndex?: unknown; bytesSent?: unknown; finished?: unknown } | undefined;
    if (typeof hb?.chunkIndex === 'number' && typeof hb.bytesSent === 'number' && inFlight.has(hb.chunkIndex)) bytes += hb.bytesSent;
    if (!Array.isArray(hb?.finished)) continue;
    for (const chunk of hb.finished as { chunkIndex?: unknown; sizeBytes?: unknown }[]) {
      if (typeof chunk?.chunkIndex === 'number' && typeof chunk.sizeBytes === 'number' && inFlight.has(chunk.chunkIndex)) bytes += chunk.sizeBytes;
    }
  }
  return bytes;
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
  nowMs: number;
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
  const startedAtMs = Date.parse(multipart?.startedAt ?? state.startedAt);
  const elapsedMs = input.nowMs - startedAtMs;
  const moving = state.phase === 'uploading' && sentBytes > 0 && elapsedMs > 0;
  const bytesPerSecond = moving ? (sentBytes * 1000) / elapsedMs : undefined;
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
    ...optional('etaSeconds', moving ? etaSeconds(totalBytes, sentBytes, bytesPerSecond) : undefined),
    paused: state.paused,
    ...(multipart ? { concurrency: multipart.concurrency } : {}),
    ...(state.assetId ? { assetId: state.assetId } : {}),
    startedAt: state.startedAt,
    ...(state.error ? { error: state.error } : {}),
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

export interface BatchLiveInput {
  workflowId: string;
  executionStatus: string;
  batch: BatchProgress;
  /** Live progress of the items running now. */
  running: LiveProgress[];
  nowMs: number;
}

export function batchLiveProgress(input: BatchLiveInput): LiveProgress {
  const { batch } = input;
  const runningSent = input.running.reduce((sum, p) => sum + p.sentBytes, 0);
  const runningConfirmed = input.running.reduce((sum, p) => sum + p.confirmedBytes, 0);
  const runningInFlight = input.running.reduce((sum, p) => sum + p.inFlightBytes, 0);
  const totalBytes = batch.totals.totalBytes;
  const sentBytes = clamp(batch.totals.completedBytes + runningSent, totalBytes);
  const elapsedMs = input.nowMs - Date.parse(batch.startedAt);
  const moving = (batch.phase === 'uploading' || batch.phase === 'listing') && sentBytes > 0 && elapsedMs > 0;
  const bytesPerSecond = moving ? (sentBytes * 1000) / elapsedMs : undefined;
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
    ...optional('etaSeconds', moving ? etaSeconds(totalBytes, sentBytes, bytesPerSecond) : undefined),
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
