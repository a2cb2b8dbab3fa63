// Determinism against the past: histories recorded from real runs (scripts/record-histories.ts)
// must replay on today's workflow code. A failure here means a change would break uploads that
// are already running; re-record only when that is intended.

import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowBundle } from '../support/harness';

const DIR = path.resolve(__dirname, '../fixtures/histories');
const load = (file: string) => JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as { events: Record<string, unknown>[] };
const activityTypes = (history: { events: Record<string, unknown>[] }) =>
  history.events
    .map((e) => (e.activityTaskScheduledEventAttributes as { activityType?: { name?: string } } | undefined)?.activityType?.name)
    .filter(Boolean);

describe('recorded histories', () => {
  /** fixture file → the workflow id it was recorded under (child ids derive from it). */
  const index = JSON.parse(fs.readFileSync(path.join(DIR, 'index.json'), 'utf8')) as Record<string, string>;
  const files = Object.keys(index).sort();

  it('cover the paths that matter: continue-as-new, session restart, cancellation, grouped lane results, every entry point', () => {
    expect(files).toEqual(expect.arrayContaining([
      'multipart-continue-as-new-first-run.json',
      'multipart-faults-pause-session-restart.json',
      'multipart-cancelled.json',
      'multipart-completed-after-stale-404.json',
      'upload-direct.json',
      'upload-multipart-child.json',
      'batch-with-a-missing-file.json',
      'batch-continue-as-new-first-run.json',
      // Finding 10: two lane results before the task whose report carried one lane's chunks.
      'multipart-two-lane-results-before-one-report.json',
    ]));
    const batchFirstRun = load('batch-continue-as-new-first-run.json').events;
    expect(batchFirstRun[batchFirstRun.length - 1]).toHaveProperty('workflowExecutionContinuedAsNewEventAttributes');
    expect(activityTypes(load('batch-with-a-missing-file.json'))).toContain('uploadFileRun');
    const restart = activityTypes(load('multipart-faults-pause-session-restart.json'));
    expect(restart.filter((t) => t === 'createSession')).toHaveLength(2);
    expect(restart).toContain('pollStatus');
    // Recorded before the completed-session fix (a patch): the old path, a second session.
    const stale = load('multipart-completed-after-stale-404.json');
    expect(activityTypes(stale).filter((t) => t === 'createSession')).toHaveLength(2);
    expect(stale.events.some((e) => (e.markerRecordedEventAttributes as { markerName?: string } | undefined)?.markerName === 'core_patch')).toBe(false);
    const firstRun = load('multipart-continue-as-new-first-run.json').events;
    expect(firstRun[firstRun.length - 1]).toHaveProperty('workflowExecutionContinuedAsNewEventAttributes');
  });

  it('replay on the current workflow code without a determinism error', async () => {
    const histories = files.map((file) => ({ workflowId: index[file]!, history: load(file) }));
    const bundle = await workflowBundle();
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
      expect(result.error, `replay of ${result.workflowId}`).toBeUndefined();
      replayed++;
    }
    expect(replayed).toBe(files.length);
  });

  it('replay with a different workflow clock: no decision compares Date.now() with a stored time', async () => {
    // The clock a workflow task sees is not guaranteed to be the same on replay: after a worker
    // was SIGKILLed while its workflow task was pending, the next worker's first task ran with the
    // previous task's time, and every later replay with the recorded time (the chaos evidence in
    // test/chaos/evidence/). Rewriting each task's start time must not change a single command.
    const wftStarted = (history: { events: Record<string, unknown>[] }) =>
      history.events.filter((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_STARTED');
    const variants: { workflowId: string; history: { events: Record<string, unknown>[] } }[] = [];
    for (const file of files) {
      // Stale: every task sees the previous task's time (the case the chaos run met).
      const stale = structuredClone(load(file));
      const tasks = wftStarted(stale);
      for (let i = tasks.length - 1; i > 0; i--) tasks[i]!.eventTime = tasks[i - 1]!.eventTime;
      // Fast: task k sees the recorded time plus k × 7 minutes (URLs "expire" on that clock).
      const fast = structuredClone(load(file));
      wftStarted(fast).forEach((task, k) => {
        task.eventTime = new Date(Date.parse(task.eventTime as string) + k * 7 * 60_000).toISOString();
      });
      variants.push({ workflowId: index[file]!, history: stale }, { workflowId: index[file]!, history: fast });
    }
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, variants)) {
      expect(result.error, `replay of ${result.workflowId} with a rewritten clock`).toBeUndefined();
      replayed++;
    }
    expect(replayed).toBe(2 * files.length);
  });

  it('catch a history the code would not produce (the replayer is really checking)', async () => {
    const history = load('multipart-cancelled.json');
    // Say the first chunk activity was another activity: the code schedules uploadChunk there.
    const tampered = structuredClone(history);
    const scheduled = tampered.events
      .map((e) => e.activityTaskScheduledEventAttributes as { activityType?: { name?: string } } | undefined)
      .find((a) => a?.activityType?.name === 'uploadChunk');
    expect(scheduled).toBeDefined();
    scheduled!.activityType!.name = 'reportBatch';
    const results = Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, [{ workflowId: index['multipart-cancelled.json']!, history: tampered }]);
    let checked = 0;
    for await (const result of results) {
      expect(result.error?.message).toMatch(/[Nn]ondeterminism/);
      checked++;
    }
    expect(checked).toBe(1);
  });
});
