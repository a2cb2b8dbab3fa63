// The worker side of the "upload finished" metric. Workflow code cannot count an upload's end by
// itself: the workflow task that completes it can run twice without replaying (the server refuses
// a completion when a signal or timer arrived meanwhile, UnhandledCommand, and the task runs again
// with the new event), and a metric emitted from workflow code then counts the upload twice. The
// workflow tells this sink instead, and the sink counts each run once: the task that runs again
// goes back to the same worker (its sticky queue), which remembers the runs it counted.

import type { MetricMeter } from '@temporalio/common';
import type { InjectedSinks } from '@temporalio/worker';
import { Runtime } from '@temporalio/worker';
import type { UploadMetricSinks } from './workflow-metrics';
import { UploadMetric } from './metric-names';

/** Runs remembered per worker process: far more than end within one task's retry window. */
const REMEMBERED_RUNS = 10_000;

export function uploadMetricSinks(meter: MetricMeter = Runtime.instance().metricMeter): InjectedSinks<UploadMetricSinks> {
  const finished = meter.createCounter(UploadMetric.uploadsFinished, '1', 'uploads that ended, by outcome');
  const duration = meter.createHistogram(UploadMetric.uploadDurationSeconds, 'float', 's', 'upload duration from start to completed');
  const counted = new Set<string>();
  return {
    uploadMetrics: {
      finished: {
        fn(info, outcome, durationSeconds) {
          if (counted.has(info.runId)) return;
          counted.add(info.runId);
          if (counted.size > REMEMBERED_RUNS) counted.delete(counted.values().next().value!);
          finished.add(1, { outcome });
          if (outcome === 'completed') duration.record(durationSeconds);
        },
        callDuringReplay: false,
      },
    },
  };
}
