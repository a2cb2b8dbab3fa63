// Heartbeats are not in a workflow's history, so the bench counts them where they are sent: the
// worker's Temporal core counts every RPC it makes (`temporal_request`, by `operation`), and the
// worker exports that on its Prometheus endpoint (TL_METRICS_BIND). Activity heartbeats the SDK
// throttled or folded into the activity's completion never leave the worker and are not counted:
// only what reaches the server is load on it.

import { scrape, total, type Sample } from '../../src/dev/prometheus-text';

/** The RPC of an activity heartbeat (the worker knows its task token, so never the ById form). */
export const HEARTBEAT_OPERATION = 'RecordActivityTaskHeartbeat';

/** Heartbeat RPCs the worker has sent since it started, successful or not. */
export function heartbeatsSent(samples: Sample[]): number {
  return total(samples, 'temporal_request_total', { operation: HEARTBEAT_OPERATION });
}

/** Reads a worker's /metrics; the counters start with the process, so callers take differences. */
export async function readWorkerHeartbeats(metricsUrl: string): Promise<number> {
  return heartbeatsSent((await scrape(metricsUrl)).samples);
}
