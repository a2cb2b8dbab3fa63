// The activity option sets and retry policies of every workflow, named once (a retry literal
// repeated across files drifts). Timeouts that depend on an upload's options are parameters.

import { ActivityCancellationType, type ActivityOptions, type RetryPolicy } from '@temporalio/workflow';

/** Calls to TwelveLabs and the file system: 1 s doubling to 30 s; unbounded unless a count is given. */
export function apiRetry(maximumAttempts?: number): RetryPolicy {
  return { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', ...(maximumAttempts ? { maximumAttempts } : {}) };
}

/**
 * A chunk is cheap to retry, and a long backoff only leaves a slot of the window idle. The first
 * retry comes at once (50 ms). A lane cancelled while it waits for a retry ends without its last
 * heartbeat; the workflow reads the heartbeats before a cancel (finding 8, LANE_PROGRESS_READ).
 */
export const CHUNK_RETRY: RetryPolicy = { initialInterval: '50ms', backoffCoefficient: 2, maximumInterval: '10s' };

/**
 * Reading the lanes' last heartbeats before cancelling some (lane-progress.ts), on the workflow's
 * own queue: quick, and a failure only costs the old behaviour (the cancel goes ahead).
 */
export const LANE_PROGRESS_READ: ActivityOptions = {
  // A worker killed while it reads must not hold the cancel (and the re-planning) up for long.
  startToCloseTimeout: '3 seconds',
  scheduleToCloseTimeout: '8 seconds',
  retry: { initialInterval: '100ms', backoffCoefficient: 2, maximumInterval: '1s', maximumAttempts: 3 },
};

/** Checks of a source before an upload (stat, listing): quick, on the host that has the files. */
export function fileCheckOptions(taskQueue: string | undefined, startToCloseTimeout: ActivityOptions['startToCloseTimeout'] = '1 minute'): ActivityOptions {
  return { taskQueue, startToCloseTimeout, retry: apiRetry(5) };
}

/** Moving bytes: runs long, heartbeats, and a cancel waits until the PUT or POST has really stopped. */
export function transferOptions(params: {
  taskQueue: string | undefined;
  startToCloseTimeout: ActivityOptions['startToCloseTimeout'];
  heartbeatTimeout: ActivityOptions['heartbeatTimeout'];
  retry: RetryPolicy;
}): ActivityOptions {
  return {
    taskQueue: params.taskQueue,
    startToCloseTimeout: params.startToCloseTimeout,
    heartbeatTimeout: params.heartbeatTimeout,
    // Wait for the transfer to really stop, so `cancelled` means no more bytes are on the way.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: params.retry,
  };
}

/**
 * A run of small files (uploadFileRun), on the files' host: heartbeats after every file, so a lost
 * worker is noticed in 30 s and the retry skips the files it finished.
 */
export function fileRunOptions(taskQueue: string | undefined): ActivityOptions {
  return transferOptions({ taskQueue, startToCloseTimeout: '24 hours', heartbeatTimeout: '30 seconds', retry: apiRetry(10) });
}

/** Creating a multipart session (M1), on the file's host: it validates the source first. */
export function sessionCreationOptions(taskQueue: string | undefined): ActivityOptions {
  return { taskQueue, startToCloseTimeout: '2 minutes', retry: apiRetry(10) };
}

/**
 * One short API call (a report, a URL batch, a status page or a few): a worker killed in the
 * middle of one costs this long before the call is retried elsewhere. An outage is retried with
 * backoff (1 s doubling to 30 s) for `outageLimitMs` (the multipart option apiOutageMs, default
 * 30 min), then the upload fails ApiUnavailable, keeping its session for a Reset.
 */
export function shortApiCall(outageLimitMs: number): ActivityOptions {
  return { startToCloseTimeout: '30 seconds', scheduleToCloseTimeout: outageLimitMs, retry: apiRetry() };
}

/** Cleaning up after a failed or cancelled upload: a few tries, then what is left is reported. */
export const CLEANUP_CALL: ActivityOptions = { startToCloseTimeout: '1 minute', retry: apiRetry(3) };

/** API calls of uploadWorkflow (create, status), cancelled cleanly with the upload. */
export const API_CALL: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: apiRetry(10),
};

/**
 * One or two API calls of uploadWorkflow after its create (clearing the create token): a worker
 * killed in the middle of one costs 30 s, not API_CALL's 10 minutes (found by the chaos run).
 */
export const API_CALL_AFTER_CREATE: ActivityOptions = { ...API_CALL, startToCloseTimeout: '30 seconds' };

/**
 * A URL create (A1, method=url): TwelveLabs fetches the media before it answers, which may take
 * minutes, so the call keeps API_CALL's 10-minute bound and heartbeats instead: a worker killed
 * during it costs 10 s, not 10 minutes (finding 9). A retry after a lost worker does not create
 * blindly: it adopts the asset carrying the upload's create token, or hands over to the
 * workflow's reconciliation (CreateOutcomeUnknown: wait, look again, then create).
 */
export const URL_CREATE_CALL: ActivityOptions = { ...API_CALL, heartbeatTimeout: '10 seconds' };

/** findCreatedAsset: a walk of A2 pages that heartbeats, so a lost worker costs 10 s (finding 9). */
export const ASSET_SEARCH_CALL: ActivityOptions = { ...API_CALL, heartbeatTimeout: '10 seconds' };

/** One asset call on behalf of a client (assetCallWorkflow): a person is waiting for the answer. */
export const ASSET_CALL: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 5 },
};

/** Waiting for an asset to be ready: polls and heartbeats for up to the upload's ready timeout. */
export function readinessOptions(readyTimeoutMs: number, readyPollIntervalMs: number): ActivityOptions {
  return {
    startToCloseTimeout: readyTimeoutMs + 5 * 60_000,
    heartbeatTimeout: Math.max(30_000, 3 * readyPollIntervalMs),
    retry: apiRetry(),
  };
}
