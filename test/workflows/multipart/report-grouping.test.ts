// Finding 10 (docs/RELIABILITY.md): the session's commands do not depend on how many lane results
// one activation applied. A report's outcome is decided from its recorded result; lane results are
// applied one per loop turn (ONE_LANE_RESULT_PER_TURN). Each history here is a real upload whose
// two lane results were rewritten into one task (scripts/record-grouped-results.ts).

import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import type { ReportBatchResult } from '../../../src/activities/reporting';
import { reportOutcome } from '../../../src/workflows/multipart/report-outcome';
import { workflowBundle } from '../../support/harness';

const etag = (chunkIndex: number) => ({ chunkIndex, etag: `e${chunkIndex}`, sizeBytes: 10 });
const result = (fields: Partial<ReportBatchResult>): ReportBatchResult => ({ processed: 0, duplicates: 0, totalCompleted: 0, complete: false, ...fields });

describe('reportOutcome', () => {
  it('marks reported exactly the chunks the result accepted, even from a bigger batch', () => {
    // Live, the report held chunks 1-12; a replay built a batch of 1-23 for the same recorded result.
    const replayBatch = Array.from({ length: 23 }, (_, i) => etag(i + 1));
    const outcome = reportOutcome(replayBatch, result({ processed: 12, accepted: [[1, 12]], unsettled: [] }));
    expect(outcome).toEqual({ reported: Array.from({ length: 12 }, (_, i) => i + 1), unsettled: [] });
  });

  it('asks for the status only for the chunks of calls that rejected entries', () => {
    const batch = [1, 2, 3, 60, 61].map(etag);
    const outcome = reportOutcome(batch, result({ processed: 4, accepted: [[1, 3]], unsettled: [[60, 61]] }));
    expect(outcome).toEqual({ reported: [1, 2, 3], unsettled: [60, 61] });
  });

  it('never marks a chunk outside the batch it reported', () => {
    expect(reportOutcome([etag(5)], result({ processed: 2, accepted: [[4, 6]], unsettled: [[9, 9]] }))).toEqual({ reported: [5], unsettled: [] });
  });

  it('keeps the old rule for a result recorded before the fix (no accepted field)', () => {
    const batch = [1, 2, 3].map(etag);
    expect(reportOutcome(batch, result({ processed: 2, duplicates: 1 }))).toEqual({ reported: [1, 2, 3], unsettled: [] });
    expect(reportOutcome(batch, result({ processed: 2 }))).toEqual({ reported: [], unsettled: [1, 2, 3] });
  });
});

describe('a report started after one of two lane results applied in the same task', () => {
  const DIR = path.resolve(__dirname, '../../fixtures/histories');
  const FILE = 'multipart-two-lane-results-before-one-report.json';
  type Event = Record<string, any> & { eventType: string };
  const history = JSON.parse(fs.readFileSync(path.join(DIR, FILE), 'utf8')) as { events: Event[] };
  const workflowId = (JSON.parse(fs.readFileSync(path.join(DIR, 'index.json'), 'utf8')) as Record<string, string>)[FILE]!;
  const decode = (payloads: { data: string }[]) => JSON.parse(Buffer.from(payloads[0]!.data, 'base64').toString('utf8'));

  it('is the shape of the chaos run\'s seed 43: both lanes completed, then a task that reported one lane\'s chunks', () => {
    const { events } = history;
    const lanes = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'uploadChunk').map((e) => e.eventId);
    const laneCompletions = events.filter((e) => lanes.includes(e.activityTaskCompletedEventAttributes?.scheduledEventId));
    const firstReport = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'reportBatch')!;
    const taskOfReport = events.find((e) => e.eventId === firstReport.activityTaskScheduledEventAttributes.workflowTaskCompletedEventId)!;
    expect(laneCompletions).toHaveLength(2);
    // Both lane results come before the task that started the report ...
    for (const completion of laneCompletions) expect(Number(completion.eventId)).toBeLessThan(Number(taskOfReport.eventId));
    const taskStarts = events.filter((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_STARTED').map((e) => Number(e.eventId));
    const lastLane = Math.max(...laneCompletions.map((e) => Number(e.eventId)));
    expect(taskStarts.filter((id) => id > lastLane && id < Number(taskOfReport.eventId))).toHaveLength(1);
    // ... and the report carried one lane's chunk only, then the other's came in a second report.
    const reports = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'reportBatch');
    expect(reports.map((e) => decode(e.activityTaskScheduledEventAttributes.input.payloads).chunks.length)).toEqual([1, 1]);
    expect(events.at(-1)!.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
  });

  it('replays on the current workflow code (the old code asked pollStatus where history has reportBatch)', async () => {
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId)).resolves.toBeUndefined();
  });
});

describe('a flush timer armed after the first of two lane results applied in the same task', () => {
  const DIR = path.resolve(__dirname, '../../fixtures/histories');
  const FILE = 'multipart-two-lane-results-before-flush-timer.json';
  type Event = Record<string, any> & { eventType: string };
  const history = JSON.parse(fs.readFileSync(path.join(DIR, FILE), 'utf8')) as { events: Event[] };
  const workflowId = (JSON.parse(fs.readFileSync(path.join(DIR, 'index.json'), 'utf8')) as Record<string, string>)[FILE]!;

  it('is a task after both lane results whose commands are the flush timer, then the report', () => {
    const { events } = history;
    const lanes = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'uploadChunk').map((e) => e.eventId);
    const laneCompletions = events.filter((e) => lanes.includes(e.activityTaskCompletedEventAttributes?.scheduledEventId));
    const report = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'reportBatch')!;
    const task = report.activityTaskScheduledEventAttributes.workflowTaskCompletedEventId;
    const commands = events.filter((e) => Object.values(e).some((v) => v && typeof v === 'object' && (v as any).workflowTaskCompletedEventId === task));
    expect(commands.map((e) => e.eventType)).toEqual(['EVENT_TYPE_TIMER_STARTED', 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED']);
    expect(commands[0]!.timerStartedEventAttributes.startToFireTimeout).toBe('60s'); // reportFlushMs
    for (const completion of laneCompletions) expect(Number(completion.eventId)).toBeLessThan(Number(task));
    expect(laneCompletions).toHaveLength(2);
  });

  it('replays on the current workflow code (applying both results at once reported without arming the timer)', async () => {
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId)).resolves.toBeUndefined();
  });

  it('without its patch marker takes the old path, which applies both results at once and diverges', async () => {
    // The marker and the TemporalChangeVersion upsert that goes with it removed, ids renumbered:
    // the history the old path would have to replay.
    const changeVersion = (e: Event) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.TemporalChangeVersion !== undefined;
    const withoutMarker = history.events.filter((e) => e.markerRecordedEventAttributes === undefined && !changeVersion(e));
    expect(history.events.length - withoutMarker.length).toBe(2);
    const ids = new Map(withoutMarker.map((e, i) => [e.eventId as string, String(i + 1)]));
    const renumber = (value: unknown): unknown =>
      Array.isArray(value) ? value.map(renumber)
        : value && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, (k === 'eventId' || k.endsWith('EventId')) && typeof v === 'string' && ids.has(v) ? ids.get(v) : renumber(v)]))
          : value;
    const oldPath = { events: withoutMarker.map((e) => renumber(e) as Event) };
    const error = await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, oldPath, workflowId).then(() => undefined, (e: unknown) => e as Error);
    // At the task after both lane results: the replay reports at once where history starts the flush timer.
    expect(error?.message).toMatch(/Nondeterminism error: Activity machine does not handle this event: HistoryEvent\(id: \d+, TimerStarted\)/);
    expect(error?.message).not.toMatch(/UpsertWorkflowSearchAttributes/);
  });
});
