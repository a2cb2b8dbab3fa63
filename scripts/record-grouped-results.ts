// Records the histories of finding 10 (docs/RELIABILITY.md) for the replay tests: two lanes'
// results applied before one workflow task that holds the commands a live worker issued after the
// first result alone (and, merged into it, those it issued after the second).
//
//   node --import tsx scripts/record-grouped-results.ts [report|flush-timer]
//
// report (default): the task's report carried the first lane's chunks only.
// A real upload of two chunks on two lanes, through the loopback API proxy: chunk 2 (1 KiB, the
// last) is stored long before chunk 1 (16 KiB at 32 KiB/s), its lane returns, and the workflow
// reports chunk 2 alone (reportBatchSize 1). The proxy holds that report's answer until chunk 1's
// lane has returned too (a task with no command, since a report is in flight), then the upload
// reports chunk 1 and completes.
// flush-timer: after chunk 2's lane alone, fewer chunks than reportBatchSize (2) wait, so the
// workflow arms the flush timer; after chunk 1's it reports both.
// The live worker thus applied the two results in two tasks. The recorded history is then
// rewritten as a live worker that applied them in two activations of one task would have left it
// (the chaos run's seed 43): chunk 1's lane completion moves before the task that followed chunk
// 2's, and the task that followed chunk 1's is merged into it (its commands follow the first
// task's). Event ids and every reference to them are renumbered. Presigned URLs are scrubbed
// (src/dev/history-scrub.ts).

import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { temporalCliPath } from '../src/dev/temporal-cli';
import { scrubHistoryJson } from '../src/dev/history-scrub';
import { multipartUploadWorkflow, progressQuery } from '../src/workflows/multipart-upload';
import { makeFile, startStack, waitFor } from '../test/support/harness';
import { startApiProxy } from '../test/support/api-proxy';

const OUT_DIR = path.resolve(__dirname, '../test/fixtures/histories');
const CHUNK = 16 * 1024;
const SCENARIOS = {
  report: { fixture: 'multipart-two-lane-results-before-one-report.json', reportBatchSize: 1, holdFirstReport: true },
  'flush-timer': { fixture: 'multipart-two-lane-results-before-flush-timer.json', reportBatchSize: 2, holdFirstReport: false },
} as const;

type Event = Record<string, unknown> & { eventId: string; eventType: string };

async function main(): Promise<void> {
  const name = (process.argv[2] ?? 'report') as keyof typeof SCENARIOS;
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`unknown scenario '${name}': one of ${Object.keys(SCENARIOS).join(', ')}`);
  const stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, initialUrls: 10, assetReadyDelayMs: 10 } });
  const proxy = await startApiProxy({ target: stack.emulator.baseUrl });
  try {
    await stack.startWorker({ twelveLabsBaseUrl: proxy.baseUrl });
    await stack.emulator.setFaults({ put_throttle_bps: 32 * 1024 });
    const file = await makeFile(stack.dir, 'grouped.mp4', CHUNK + 1024);
    const workflowId = `rec-grouped-${Date.now()}`;
    const handle = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue, workflowId,
      args: [{ source: { path: file.path }, concurrency: 2, reportBatchSize: scenario.reportBatchSize, reportFlushMs: 60_000, chunkHeartbeatTimeoutMs: 5_000 }],
    });
    if (scenario.holdFirstReport) {
      const uploadId = await waitFor(async () => (await handle.query(progressQuery)).uploadId, 'the session');
      const report = proxy.holdResponse('POST', `/assets/multipart-uploads/${uploadId}`);
      await report.answered;
      await waitFor(async () => (await handle.query(progressQuery)).uploadedChunks === 2, 'both lanes returned');
      report.release();
    }
    await handle.result();
    const json = execFileSync(temporalCliPath()!, ['workflow', 'show', '--address', stack.server.address, '--workflow-id', workflowId, '--output', 'json'], {
      encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
    });
    const history = JSON.parse(scrubHistoryJson(json)) as { events: Event[] };
    history.events = groupLaneResultsInOneTask(history.events);
    fs.writeFileSync(path.join(OUT_DIR, scenario.fixture), `${JSON.stringify(history, null, 2)}\n`);
    const indexPath = path.join(OUT_DIR, 'index.json');
    const index = JSON.parse(fs.readFileSync(indexPath, 'utf8')) as Record<string, string>;
    index[scenario.fixture] = workflowId;
    fs.writeFileSync(indexPath, `${JSON.stringify(index, null, 2)}\n`);
    console.log(`recorded ${scenario.fixture} (${history.events.length} events) into ${OUT_DIR}`);
  } finally {
    await proxy.close();
    await stack.stop();
  }
}

const attributesOf = (event: Event) => event[Object.keys(event).find((k) => k.endsWith('EventAttributes'))!] as Record<string, unknown>;
const activityName = (event: Event) => (attributesOf(event).activityType as { name?: string } | undefined)?.name;
const is = (event: Event, type: string) => event.eventType === `EVENT_TYPE_${type}`;

/**
 * Moves the second lane's ActivityTaskStarted/Completed before the workflow task that followed the
 * first lane's completion, merges the task that followed the second one into that task (its
 * commands, if any, now follow the first task's), and renumbers. Fails loudly if the recorded
 * history is not the expected shape.
 */
export function groupLaneResultsInOneTask(events: Event[]): Event[] {
  const laneIds = events.filter((e) => is(e, 'ACTIVITY_TASK_SCHEDULED') && activityName(e) === 'uploadChunk').map((e) => e.eventId);
  const completions = events.filter((e) => is(e, 'ACTIVITY_TASK_COMPLETED') && laneIds.includes(String(attributesOf(e).scheduledEventId)));
  if (laneIds.length !== 2 || completions.length !== 2) throw new Error(`expected two lanes that completed, found ${laneIds.length} and ${completions.length}`);
  const [first, second] = completions as [Event, Event];
  const at = (e: Event) => events.indexOf(e);
  const started = (completion: Event) => events.find((e) => e.eventId === String(attributesOf(completion).startedEventId))!;
  // The task that followed the first completion, and the one that followed the second.
  const taskAfter = (completion: Event) => events.slice(at(completion)).find((e) => is(e, 'WORKFLOW_TASK_SCHEDULED'))!;
  const firstTask = taskAfter(first);
  const secondTask = taskAfter(second);
  if (firstTask === secondTask) throw new Error('both lanes already completed before one task: nothing to move');
  // Each task: Scheduled, Started, Completed, then its commands.
  const firstTaskEvents = events.slice(at(firstTask), at(firstTask) + 3);
  const secondTaskEvents = events.slice(at(secondTask), at(secondTask) + 3);
  if (!is(firstTaskEvents[2]!, 'WORKFLOW_TASK_COMPLETED') || !is(secondTaskEvents[2]!, 'WORKFLOW_TASK_COMPLETED')) {
    throw new Error('a workflow task after a lane did not complete at once (timed out or failed): not the expected shape');
  }
  // Between the first task's commands and the second lane's events nothing else may happen.
  const firstCommandsEnd = at(started(second));
  if (events.slice(at(firstTask) + 3, firstCommandsEnd).some((e) => attributesOf(e).workflowTaskCompletedEventId === undefined)) {
    throw new Error('other events came between the two lanes: not the expected shape');
  }
  const moved = [started(second), second];
  const dropped = new Set([...moved, ...secondTaskEvents]);
  const out: Event[] = [];
  for (const event of events) {
    if (event === firstTask) out.push(...moved);
    if (!dropped.has(event)) out.push(event);
  }
  const renumbered = new Map(out.map((e, i) => [e.eventId, String(i + 1)]));
  // The second task's commands were completed by the first task now.
  renumbered.set(secondTaskEvents[2]!.eventId, renumbered.get(firstTaskEvents[2]!.eventId)!);
  const renumber = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(renumber);
    if (!value || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => [key, key.endsWith('EventId') && typeof v === 'string' && renumbered.has(v) ? renumbered.get(v) : renumber(v)]),
    );
  };
  return out.map((event) => ({ ...(renumber(event) as Event), eventId: renumbered.get(event.eventId)! }));
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
