// Records workflow histories for the replay test (test/workflows/replay-recorded.test.ts):
// `node --import tsx scripts/record-histories.ts`. Run it when a change to the workflows is
// meant to be incompatible with running executions (and say so in the commit); otherwise the
// replay test's failure is the point: the change would break uploads already in flight.
// Presigned URLs are scrubbed (src/dev/history-scrub.ts): the histories are fixtures, not credentials.
// `... record-histories.ts --only batch` re-records the batch histories alone (the others stay).

import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { temporalCliPath } from '../src/dev/temporal-cli';
import { scrubHistoryJson } from '../src/dev/history-scrub';
import type { WorkflowHandle } from '@temporalio/client';
import { batchUploadWorkflow } from '../src/workflows/batch-upload';
import { multipartUploadWorkflow, pauseSignal, progressQuery, resumeSignal } from '../src/workflows/multipart-upload';
import { uploadWorkflow } from '../src/workflows/upload';
import { makeFile, startStack, waitFor } from '../test/support/harness';
import { startApiProxy } from '../test/support/api-proxy';

const OUT_DIR = path.resolve(__dirname, '../test/fixtures/histories');
const CHUNK = 16 * 1024;

async function main(): Promise<void> {
  const stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, initialUrls: 10, assetReadyDelayMs: 10 } });
  // The worker reaches the API through a loopback proxy, which can answer a stale 404.
  const proxy = await startApiProxy({ target: stack.emulator.baseUrl });
  await stack.startWorker({ twelveLabsBaseUrl: proxy.baseUrl });
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const saved: string[] = [];
  // Replay needs each history's real workflow id (child ids are derived from it).
  const onlyBatch = process.argv.includes('--only') && process.argv[process.argv.indexOf('--only') + 1] === 'batch';
  const indexPath = path.join(OUT_DIR, 'index.json');
  const index: Record<string, string> = onlyBatch ? (JSON.parse(fs.readFileSync(indexPath, 'utf8')) as Record<string, string>) : {};
  const save = async (name: string, handle: WorkflowHandle, runId?: string) => {
    // The Temporal CLI's JSON is the format the replayer documents (historyFromJSON).
    const args = ['workflow', 'show', '--address', stack.server.address, '--workflow-id', handle.workflowId, '--output', 'json'];
    if (runId) args.push('--run-id', runId);
    const json = execFileSync(temporalCliPath()!, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const events = (JSON.parse(json) as { events: unknown[] }).events.length;
    // Presigned URLs and keys, inside base64 payloads too (one scrubber for every kept history).
    const scrubbed = scrubHistoryJson(json);
    fs.writeFileSync(path.join(OUT_DIR, `${name}.json`), scrubbed);
    index[`${name}.json`] = handle.workflowId;
    saved.push(`${name} (${events} events)`);
  };
  const common = { reportFlushMs: 200, chunkHeartbeatTimeoutMs: 5_000 };
  const recordBatch = async () => {
    // Small files in runs, a missing file, a larger one as an uploadWorkflow child, and a listing
    // paged one entry at a time so that the batch continues as new (first and last run recorded).
    const one = await makeFile(stack.dir, 'batch-a.mp4', 3 * CHUNK);
    const two = await makeFile(stack.dir, 'batch-b.mp4', 2 * CHUNK);
    const large = await makeFile(stack.dir, 'batch-large.mp4', 6 * CHUNK);
    const batch = await stack.temporal.workflow.start(batchUploadWorkflow, {
      taskQueue: stack.taskQueue, workflowId: `rec-batch-${Date.now()}`,
      args: [{
        sources: [{ path: one.path }, { path: path.join(stack.dir, 'missing.mp4') }, { path: large.path }, { path: two.path }],
        upload: { directMaxBytes: 4 * CHUNK },
        maxConcurrentUploads: 2,
        listPageEntries: 1,
        continueAsNewAfterEvents: 20,
      }],
    });
    await batch.result();
    await save('batch-continue-as-new-first-run', batch, batch.firstExecutionRunId);
    await save('batch-with-a-missing-file', batch);
  };
  try {
    if (onlyBatch) {
      await recordBatch();
      fs.writeFileSync(indexPath, `${JSON.stringify(index, null, 2)}\n`);
      return;
    }
    // Many chunks, URLs minted beyond the initial set, continued as new (first run recorded).
    const big = await makeFile(stack.dir, 'can.mp4', 1600 * CHUNK);
    const can = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue, workflowId: `rec-can-${Date.now()}`,
      args: [{ source: { path: big.path }, continueAsNewAfterEvents: 100, ...common }],
    });
    await can.result();
    await save('multipart-continue-as-new-first-run', can, can.firstExecutionRunId);
    await save('multipart-continue-as-new-last-run', can);

    // Faults on PUTs and API calls, chunks failed at report time, a pause, a session expiry.
    const faulty = await makeFile(stack.dir, 'faulty.mp4', 40 * CHUNK);
    await stack.emulator.setFaults({ put_500: 0.1, put_reset: 0.05, url_expired: 0.05, api_429: 0.1, api_5xx: 0.05, chunk_failed: 0.1 });
    const restart = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue, workflowId: `rec-faults-${Date.now()}`,
      args: [{ source: { path: faulty.path }, concurrency: 2, ...common }],
    });
    await waitFor(async () => (await restart.query(progressQuery)).uploadedChunks >= 6, 'first chunks');
    await restart.signal(pauseSignal);
    await waitFor(async () => (await restart.query(progressQuery)).inFlightChunks.length === 0, 'pause');
    await stack.emulator.advanceClock(25 * 60 * 60 * 1000);
    await restart.signal(resumeSignal);
    await restart.result();
    await stack.emulator.setFaults({});
    await save('multipart-faults-pause-session-restart', restart);

    // Cancelled mid-upload.
    await stack.emulator.setFaults({ put_throttle_bps: 32 * 1024 });
    const cancelled = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue, workflowId: `rec-cancel-${Date.now()}`,
      args: [{ source: { path: faulty.path }, concurrency: 4, ...common }],
    });
    await waitFor(async () => (await cancelled.query(progressQuery)).uploadedChunks >= 2, 'chunks before cancel');
    await cancelled.cancel();
    await cancelled.result().catch(() => undefined);
    await stack.emulator.setFaults({});
    await save('multipart-cancelled', cancelled);

    // A stale 404 on the confirming status check, then `completed`: the path of issue 11 item 5
    // (recorded before its fix, a new session; replayed after it, the patch keeps that history valid).
    const confirmed = await makeFile(stack.dir, 'confirmed.mp4', 6 * CHUNK);
    proxy.answerNext('GET', /\/assets\/multipart-uploads\/[0-9a-f]+$/, 1, 404, { code: 'resource_not_exist', message: 'stale gateway answer' });
    const stale = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue, workflowId: `rec-stale-${Date.now()}`,
      args: [{ source: { path: confirmed.path }, concurrency: 2, ...common }],
    });
    await stale.result();
    await save('multipart-completed-after-stale-404', stale);

    // The product entry points: a direct upload, a multipart child, and a batch.
    const small = await makeFile(stack.dir, 'small.mp4', 3 * CHUNK);
    const direct = await stack.temporal.workflow.start(uploadWorkflow, {
      taskQueue: stack.taskQueue, workflowId: `rec-direct-${Date.now()}`, args: [{ source: { path: small.path } }],
    });
    await direct.result();
    await save('upload-direct', direct);
    const routed = await stack.temporal.workflow.start(uploadWorkflow, {
      taskQueue: stack.taskQueue, workflowId: `rec-routed-${Date.now()}`,
      args: [{ source: { path: faulty.path }, directMaxBytes: 2 * CHUNK }],
    });
    await routed.result();
    await save('upload-multipart-child', routed);
    await recordBatch();
    fs.writeFileSync(indexPath, `${JSON.stringify(index, null, 2)}\n`);
  } finally {
    await proxy.close();
    await stack.stop();
  }
  console.log(`recorded into ${OUT_DIR}:\n  ${saved.join('\n  ')}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
