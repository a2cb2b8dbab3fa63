// The bench's Temporal-cost counters, on recorded histories and a recorded metrics exposition,
// and its store flags (--wan, --slow-chunks). The bench itself runs for minutes on a dev server,
// so these check its counting; `npm run bench` shows the figures.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addRunCost, emptyHistoryCost, type HistoryEventLike } from '../../scripts/bench/history';
import { describeStore, parseStoreProfile, storeLabel, wanEmulatorArgs } from '../../scripts/bench/store-profile';
import { heartbeatsSent } from '../../scripts/bench/worker-metrics';
import { parseExposition } from '../../src/dev/prometheus-text';

const HISTORIES = path.resolve(__dirname, '../fixtures/histories');
const events = (file: string) =>
  (JSON.parse(fs.readFileSync(path.join(HISTORIES, file), 'utf8')) as { events: (HistoryEventLike & { eventType: string })[] }).events;
const ofType = (list: { eventType: string }[], type: string) => list.filter((e) => e.eventType === `EVENT_TYPE_${type}`).length;

describe('the Temporal cost read from a history', () => {
  it('counts events, workflow tasks, activities, their retried attempts and timers of a recorded upload', () => {
    // Recorded under faults: API 500s made some activities run 2 or 3 attempts. (Figures of the
    // lane-era recording: one uploadChunk execution sends a run of chunks.)
    const recorded = events('multipart-faults-pause-session-restart.json');
    const cost = addRunCost(emptyHistoryCost(), recorded);
    expect(cost).toEqual({ runs: 1, events: 454, workflowTasks: 73, activitiesScheduled: 64, activityExecutions: 81, timersStarted: 29 });
    expect(cost.events).toBe(recorded.length);
    // The same figures by event type, a second way to read the file.
    expect(cost.workflowTasks).toBe(ofType(recorded, 'WORKFLOW_TASK_COMPLETED'));
    expect(cost.activitiesScheduled).toBe(ofType(recorded, 'ACTIVITY_TASK_SCHEDULED'));
    expect(cost.timersStarted).toBe(ofType(recorded, 'TIMER_STARTED'));
    expect(cost.activityExecutions).toBeGreaterThan(ofType(recorded, 'ACTIVITY_TASK_STARTED'));
  });

  it('adds up every run of an upload that continued as new', () => {
    const first = events('multipart-continue-as-new-first-run.json');
    const last = events('multipart-continue-as-new-last-run.json');
    expect(first.at(-1)?.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW');
    const cost = emptyHistoryCost();
    addRunCost(cost, first);
    addRunCost(cost, last);
    expect(cost).toEqual({ runs: 2, events: 155 + 68, workflowTasks: 21 + 8, activitiesScheduled: 26 + 13, activityExecutions: 26 + 13, timersStarted: 4 + 2 });
    // The same sums by event type over both runs (no retried attempts in this recording).
    const both = [...first, ...last];
    expect(cost.events).toBe(both.length);
    expect(cost.workflowTasks).toBe(ofType(both, 'WORKFLOW_TASK_COMPLETED'));
    expect(cost.activitiesScheduled).toBe(ofType(both, 'ACTIVITY_TASK_SCHEDULED'));
    expect(cost.activityExecutions).toBe(ofType(both, 'ACTIVITY_TASK_STARTED'));
    expect(cost.timersStarted).toBe(ofType(both, 'TIMER_STARTED'));
  });
});

describe('heartbeats counted from the worker metrics', () => {
  // The shape of the worker's /metrics (Temporal core's `temporal_request`, by RPC name).
  const exposition = [
    '# HELP temporal_request_total Count of client request successes by rpc name',
    '# TYPE temporal_request_total counter',
    'temporal_request_total{namespace="default",operation="RecordActivityTaskHeartbeat",service_name="temporal-core-sdk",task_queue="q"} 41',
    'temporal_request_total{namespace="default",operation="RecordActivityTaskHeartbeat",service_name="temporal-core-sdk",task_queue="other"} 1',
    'temporal_request_total{namespace="default",operation="RespondActivityTaskCompleted",service_name="temporal-core-sdk",task_queue="q"} 205',
    'temporal_request_failure_total{namespace="default",operation="RecordActivityTaskHeartbeat",status_code="NOT_FOUND"} 3',
    'temporal_long_request_total{namespace="default",operation="PollActivityTaskQueue"} 300',
  ].join('\n');

  it('counts every RecordActivityTaskHeartbeat RPC sent (failed ones are in the same counter), and nothing else', () => {
    expect(heartbeatsSent(parseExposition(exposition))).toBe(42);
    expect(heartbeatsSent(parseExposition('# no series yet\n'))).toBe(0);
  });
});

describe('the bench store flags', () => {
  it('--wan is 60 ms per chunk PUT and 20 MB/s per connection; either figure alone implies it', () => {
    expect(parseStoreProfile({ wan: true })).toEqual({ wan: { putLatencyMs: 60, connectionMbPerSecond: 20 } });
    expect(parseStoreProfile({ 'wan-mb-per-s': '2.5' })).toEqual({ wan: { putLatencyMs: 60, connectionMbPerSecond: 2.5 } });
    expect(parseStoreProfile({ 'wan-latency-ms': '0', wan: true })).toEqual({ wan: { putLatencyMs: 0, connectionMbPerSecond: 20 } });
    expect(parseStoreProfile({ wan: false })).toBeUndefined();
    expect(wanEmulatorArgs(parseStoreProfile({ wan: true }))).toEqual(['--wan-latency-ms', '60', '--wan-mb-per-s', '20']);
    expect(wanEmulatorArgs(undefined)).toEqual([]);
  });

  it('combines with --slow-chunks, each profile under its own result key', () => {
    const both = parseStoreProfile({ wan: true, 'slow-chunks': '0.05', 'slow-chunk-ms': '2000' });
    expect(both).toEqual({ slowChunks: 0.05, slowChunkMs: 2000, slowModel: 'after-body', wan: { putLatencyMs: 60, connectionMbPerSecond: 20 } });
    expect(storeLabel(both)).toBe('-wan-60ms-20MBps-slow-5pct-2000ms');
    expect(storeLabel(parseStoreProfile({ 'slow-chunks': '0.05', 'slow-chunk-ms': '2000' }))).toBe('-slow-5pct-2000ms');
    expect(storeLabel(undefined)).toBe('');
    expect(describeStore(both)).toBe('a WAN of 60 ms per chunk PUT and 20 MB/s per connection, 5 % of chunk PUTs answered 2000 ms late (after the whole body)');
  });

  it('--slow-model at-once is the second tail model, under its own result key', () => {
    const atOnce = parseStoreProfile({ wan: true, 'slow-chunks': '0.05', 'slow-model': 'at-once' });
    expect(atOnce).toMatchObject({ slowChunks: 0.05, slowChunkMs: 2000, slowModel: 'at-once' });
    expect(storeLabel(atOnce)).toBe('-wan-60ms-20MBps-slow-5pct-2000ms-at-once');
    expect(describeStore(atOnce)).toContain('after the request, the body received at once');
    expect(() => parseStoreProfile({ 'slow-chunks': '0.05', 'slow-model': 'late' })).toThrow(/--slow-model/);
    expect(() => parseStoreProfile({ 'slow-model': 'at-once' })).toThrow(/--slow-model needs --slow-chunks/);
  });

  it('rejects figures it cannot use, naming the flag', () => {
    expect(() => parseStoreProfile({ 'wan-latency-ms': '1.5' })).toThrow(/--wan-latency-ms/);
    expect(() => parseStoreProfile({ 'wan-mb-per-s': 'fast' })).toThrow(/--wan-mb-per-s/);
    expect(() => parseStoreProfile({ 'slow-chunks': '2' })).toThrow(/--slow-chunks/);
  });
});
