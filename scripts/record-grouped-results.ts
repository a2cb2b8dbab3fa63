// Records the history of finding 10 (docs/RELIABILITY.md) for the replay test: two lanes' results
// applied before the workflow task whose report carried the first lane's chunks only.
//
//   node --import tsx scripts/record-grouped-results.ts
//
// A real upload of two chunks on two lanes, through the loopback API proxy: chunk 2 (1 KiB, the
// last) is stored long before chunk 1 (16 KiB at 32 KiB/s), its lane returns, and the workflow
// reports chunk 2 alone (reportBatchSize 1). The proxy holds that report's answer until chunk 1's
// lane has returned too (a task with no command, since a report is in flight), then the upload
// reports chunk 1 and completes. The live worker thus applied the two results in two tasks. The
// recorded history is then rewritten as a live worker that applied them in two activations of one
// task would have left it (the chaos run's seed 43): chunk 1's lane completion moves before the
// task that started the first report, and the empty task is dropped. Event ids and every
// reference to them are renumbered. Presigned URLs are scrubbed (src/dev/history-scrub.ts).

import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { temporalCliPath } from '../src/dev/temporal-cli';
import { scrubHistoryJson } from '../src/dev/history-scrub';
import { multipartUploadWorkflow, progressQuery } from '../src/workflows/multipart-upload';
import { makeFile, startStack, waitFor } from '../test/support/harness';
import { startApiProxy } from '../test/support/api-proxy';

const OUT_DIR = path.resolve(__dirname, '../test/fixtures/histories');
export const GROUPED_FIXTURE = 'multipart-two-lane-results-before-one-report.json';
const CHUNK = 16 * 1024;

type Event = Record<string, unknown> & { eventId: string; eventType: string };

async function main(): Promise<void> {
  const stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, initialUrls: 10, assetReadyDelayMs: 10 } });
  const proxy = await startApiProxy({ target: stack.emulator.baseUrl });
  try {
    await stack.startWorker({ twelveLabsBaseUrl: proxy.baseUrl });
    await stack.emulator.setFaults({ put_throttle_bps: 32 * 1024 });
    const file = await makeFile(stack.dir, 'grouped.mp4', CHUNK + 1024);
    const workflowId = `rec-grouped-${Date.now()}`;
    const handle = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue, workflowId,
      args: [{ source: { path: file.path }, concurrency: 2, reportBatchSize: 1, reportFlushMs: 60_000, chunkHeartbeatTimeoutMs: 5_000 }],
    });
    const uploadId = await waitFor(async () => (await handle.query(progressQuery)).uploadId, 'the session');
    const report = proxy.holdResponse('POST', `/assets/multipart-uploads/${uploadId}`);
    await report.answered;
    await waitFor(async () => (await handle.query(progressQuery)).uploadedChunks === 2, 'both lanes returned');
    report.release();
    await handle.result();
    const json = execFileSync(temporalCliPath()!, ['workflow', 'show', '--address', stack.server.address, '--workflow-id', workflowId, '--output', 'json'], {
      encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
    });
    const history = JSON.parse(scrubHistoryJson(json)) as { events: Event[] };
    history.events = applyBothResultsBeforeFirstReport(history.events);
    fs.writeFileSync(path.join(OUT_DIR, GROUPED_FIXTURE), `${JSON.stringify(history, null, 2)}\n`);
    const indexPath = path.join(OUT_DIR, 'index.json');
    const index = JSON.parse(fs.readFileSync(indexPath, 'utf8')) as Record<string, string>;
    index[GROUPED_FIXTURE] = workflowId;
    fs.writeFileSync(indexPath, `${JSON.stringify(index, null, 2)}\n`);
    console.log(`recorded ${GROUPED_FIXTURE} (${history.events.length} events) into ${OUT_DIR}`);
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
 * first lane's completion, drops the task that followed the second one (it issued no command), and
 * renumbers. Fails loudly if the recorded history is not the expected shape.
 */
export function applyBothResultsBeforeFirstReport(events: Event[]): Event[] {
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
  // The second task: Scheduled, Started, Completed, and no command after it.
  const secondTaskEvents = events.slice(at(secondTask), at(secondTask) + 3);
  const afterSecond = events[at(secondTask) + 3];
  if (!is(secondTaskEvents[2]!, 'WORKFLOW_TASK_COMPLETED') || (afterSecond && attributesOf(afterSecond).workflowTaskCompletedEventId !== undefined)) {
    throw new Error('the task after the second lane issued commands: the report was not in flight');
  }
  const moved = [started(second), second];
  const dropped = new Set([...moved, ...secondTaskEvents]);
  const out: Event[] = [];
  for (const event of events) {
    if (event === firstTask) out.push(...moved);
    if (!dropped.has(event)) out.push(event);
  }
  const renumbered = new Map(out.map((e, i) => [e.eventId, String(i + 1)]));
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
