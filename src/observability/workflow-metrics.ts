// Metrics recorded by workflow code. Deterministic-safe: the workflow metric meter emits nothing
// while a workflow replays its history, so a metric counts each event once, not once per replay.
// Imported by the workflow bundle: no Node APIs here.

import { metricMeter, proxySinks, workflowInfo, type Sinks } from '@temporalio/workflow';
import { UploadMetric } from './metric-names';

export function recordSessionRestart(): void {
  metricMeter.createCounter(UploadMetric.sessionRestarts, '1', 'upload sessions replaced after TwelveLabs lost one').add(1);
}

export type UploadOutcome = 'completed' | 'failed' | 'cancelled';

/** What the worker counts for workflow code (upload-outcome-sink.ts), once per run. */
export interface UploadMetricSinks extends Sinks {
  uploadMetrics: {
    finished(outcome: UploadOutcome, durationSeconds: number): void;
  };
}

const { uploadMetrics } = proxySinks<UploadMetricSinks>();

/**
 * Counts an ended upload; completed uploads also record their duration since the first run
 * began. Through a sink, not the workflow metric meter: the task that ends an upload can run
 * twice without replaying, and the worker counts each run once.
 */
export function recordUploadFinished(outcome: UploadOutcome, startedAt: string): void {
  // A replay counts nothing (and a replaying worker, e.g. a history check, need not have the sink).
  if (workflowInfo().unsafe.isReplaying) return;
  uploadMetrics.finished(outcome, Math.max(0, (Date.now() - Date.parse(startedAt)) / 1000));
}
