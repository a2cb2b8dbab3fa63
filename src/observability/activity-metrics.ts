// Metrics an activity records at the point where the thing happens (the interceptor sees only
// an activity's outcome, and a failed attempt may already have minted URLs).

import { Context } from '@temporalio/activity';
import { UploadMetric } from './metric-names';

/** Counts presigned URLs minted after the session's initial set. Call from inside an activity. */
export function countUrlRefreshes(count: number): void {
  if (count <= 0) return;
  Context.current()
    .metricMeter.createCounter(UploadMetric.urlRefreshes, '1', 'presigned URLs minted after session creation')
    .add(count);
}

/**
 * Counts a failed chunk attempt that a lane hands back to the workflow instead of throwing (a
 * refused URL, or a transient failure after the lane stored chunks): the interceptor sees only
 * thrown failures. `reason` is the chunk PUT's own reason, as the interceptor labels it.
 */
export function countChunkRetry(reason: string): void {
  Context.current()
    .metricMeter.createCounter(UploadMetric.chunkRetries, '1', 'failed chunk attempts that send the chunk again')
    .add(1, { reason });
}
