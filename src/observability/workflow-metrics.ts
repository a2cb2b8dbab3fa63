// Metrics recorded by workflow code. Deterministic-safe: the workflow metric meter emits nothing
// while a workflow replays its history, so a metric counts each event once, not once per replay.
// Imported by the workflow bundle: no Node APIs here.

import { metricMeter } from '@temporalio/workflow';
import { UploadMetric } from './metric-names';

export function recordSessionRestart(): void {
  metricMeter.createCounter(UploadMetric.sessionRestarts, '1', 'upload sessions replaced after TwelveLabs lost one').add(1);
}

export type UploadOutcome = 'completed' | 'failed' | 'cancelled';

/** Counts an ended upload; completed uploads also record their duration since the first run began. */
export function recordUploadFinished(outcome: UploadOutcome, startedAt: string): void {
  metricMeter.createCounter(UploadMetric.uploadsFinished, '1', 'uploads that ended, by outcome').add(1, { outcome });
  if (outcome === 'completed') {
    metricMeter
      .createHistogram(UploadMetric.uploadDurationSeconds, 'float', 's', 'upload duration from start to completed')
      .record(Math.max(0, (Date.now() - Date.parse(startedAt)) / 1000));
  }
}
