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
