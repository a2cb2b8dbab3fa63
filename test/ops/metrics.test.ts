// The worker's Prometheus endpoint and its logs, as an operator sees them: the worker runs as
// its own process configured only by its environment (TL_METRICS_BIND), uploads go through the
// emulator, and the counters scraped over HTTP must move by exactly what the emulator saw.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartUploadWorkflow, pauseSignal, progressQuery, resumeSignal } from '../../src/workflows/multipart-upload';
import { UploadMetric } from '../../src/observability/metric-names';
import { API_KEY, makeFile, startStack, waitFor, type Stack, type WorkerProcess } from '../support/harness';
import { freePort } from '../../src/dev/dev-server';
import { readWorkerHeartbeats } from '../../scripts/bench/worker-metrics';
import { scrape, total, type Sample } from './prometheus';

const CHUNK = 16 * 1024;
const INITIAL_URLS = 10;
const counter = (name: string) => `${name}_total`;

describe('worker metrics and logs', () => {
  let stack: Stack;
  let worker: WorkerProcess;
  let metricsUrl: string;

  beforeAll(async () => {
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, initialUrls: INITIAL_URLS, assetReadyDelayMs: 10 } });
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    worker = await stack.spawnWorker({ TL_METRICS_BIND: `127.0.0.1:${port}`, TL_LOG_LEVEL: 'INFO' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const delta = (before: Sample[], after: Sample[], name: string, labels: Record<string, string> = {}) =>
    total(after, name, labels) - total(before, name, labels);

  it('counts bytes, chunks, retries by reason and URL refreshes exactly as the emulator saw them', async () => {
    const sizeBytes = 60 * CHUNK - 321;
    const file = await makeFile(stack.dir, 'metered.mp4', sizeBytes);
    await stack.emulator.setFaults({ put_500: 0.15 });
    const before = (await scrape(metricsUrl)).samples;
    const emulatorBefore = await stack.emulator.counters();

    const result = await stack.temporal.workflow.execute(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId: `metrics-${Date.now()}`,
      args: [{ source: { path: file.path }, reportFlushMs: 200, chunkHeartbeatTimeoutMs: 5_000 }],
    });
    await stack.emulator.setFaults({});
    const emulatorAfter = await stack.emulator.counters();
    const failedPuts = (emulatorAfter.puts_by_status['500'] ?? 0) - (emulatorBefore.puts_by_status['500'] ?? 0);
    const urlsMinted = emulatorAfter.presigned_urls_minted - emulatorBefore.presigned_urls_minted;
    expect(failedPuts).toBeGreaterThan(0); // the faults fired, so the retry counter has something to count

    // Workflow metrics are flushed with the workflow task; wait until the completion shows.
    const after = await waitFor(async () => {
      const { samples } = await scrape(metricsUrl);
      return delta(before, samples, counter(UploadMetric.uploadsFinished), { outcome: 'completed' }) >= 1 && samples;
    }, 'the completed upload in the metrics', 20_000);

    expect(delta(before, after, counter(UploadMetric.bytesUploaded))).toBe(sizeBytes);
    expect(delta(before, after, counter(UploadMetric.chunksUploaded))).toBe(60);
    expect(delta(before, after, counter(UploadMetric.chunkRetries), { reason: 'server' })).toBe(failedPuts);
    expect(delta(before, after, counter(UploadMetric.chunkRetries))).toBe(failedPuts);
    // Every URL minted after the session's initial set, by batch or by a retry.
    expect(delta(before, after, counter(UploadMetric.urlRefreshes))).toBe(urlsMinted - INITIAL_URLS);
    expect(delta(before, after, counter(UploadMetric.sessionRestarts))).toBe(0);
    expect(delta(before, after, counter(UploadMetric.uploadsFinished), { outcome: 'completed' })).toBe(1);
    expect(delta(before, after, `${UploadMetric.uploadDurationSeconds}_count`)).toBe(1);
    expect(delta(before, after, `${UploadMetric.uploadDurationSeconds}_sum`)).toBeGreaterThan(0);
    expect(result.counters.sessionRestarts).toBe(0);

    // Temporal's own worker metrics are on the same endpoint.
    expect(delta(before, after, 'temporal_workflow_completed_total', { workflow_type: 'multipartUploadWorkflow' })).toBe(1);
    // A lane that stored chunks hands a failed PUT back (with its ETags) instead of failing, so
    // Temporal sees at most as many failed executions as failed PUTs.
    expect(delta(before, after, 'temporal_activity_execution_failed_total', { activity_type: 'uploadChunk' })).toBeLessThanOrEqual(failedPuts);
  });

  it('counts a session restart once, and every chunk the store accepted on either session', async () => {
    const file = await makeFile(stack.dir, 'restarted.mp4', 30 * CHUNK);
    const before = (await scrape(metricsUrl)).samples;
    const emulatorBefore = await stack.emulator.counters();
    const stored = async () => ((await stack.emulator.counters()).puts_by_status['200'] ?? 0) - (emulatorBefore.puts_by_status['200'] ?? 0);
    // Slow PUTs (about 1 s a chunk) until the pause holds: a lane reports its chunks only when it
    // returns, so the upload must not be able to finish on its first session before the pause.
    await stack.emulator.setFaults({ put_throttle_bps: 16 * 1024 });
    const handle = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId: `metrics-restart-${Date.now()}`,
      args: [{ source: { path: file.path }, concurrency: 2, reportFlushMs: 200, chunkHeartbeatTimeoutMs: 5_000 }],
    });
    try {
      await waitFor(async () => (await stored()) >= 5, 'first chunks stored');
      await handle.signal(pauseSignal);
      const paused = await waitFor(async () => {
        const p = await handle.query(progressQuery);
        return p.phase === 'paused' && p.lanesInFlight === 0 && p.inFlightChunks.length === 0 && p;
      }, 'every lane to return');
      expect(paused.uploadedChunks).toBeGreaterThanOrEqual(5);
      expect(paused.uploadedChunks).toBeLessThan(30); // the second session has chunks to send
    } finally {
      await stack.emulator.setFaults({});
    }
    await stack.emulator.advanceClock(25 * 60 * 60 * 1000); // the 24 h session is now expired
    await handle.signal(resumeSignal);
    const result = await handle.result();
    const emulatorAfter = await stack.emulator.counters();

    const after = await waitFor(async () => {
      const { samples } = await scrape(metricsUrl);
      return delta(before, samples, counter(UploadMetric.uploadsFinished), { outcome: 'completed' }) >= 1 && samples;
    }, 'the completed upload in the metrics', 20_000);
    expect(result.counters.sessionRestarts).toBe(1);
    expect(delta(before, after, counter(UploadMetric.sessionRestarts))).toBe(1);
    const acceptedPuts = (emulatorAfter.puts_by_status['200'] ?? 0) - (emulatorBefore.puts_by_status['200'] ?? 0);
    expect(acceptedPuts).toBeGreaterThan(30); // the first session's chunks were sent again
    expect(delta(before, after, counter(UploadMetric.chunksUploaded))).toBe(acceptedPuts);
    expect(delta(before, after, counter(UploadMetric.bytesUploaded))).toBe(acceptedPuts * CHUNK);
  });

  it('counts an upload once when its completing workflow task is rejected and runs again (a signal arrived meanwhile)', async () => {
    // A signal that lands while the workflow task that completes the upload is running makes the
    // server refuse that completion (UnhandledCommand); the task runs again, and a metric emitted
    // from workflow code would count the upload twice. Signals are sent without pause until the
    // upload ends, so on most rounds one lands in that window; rounds without it prove nothing and
    // are repeated (at most a few).
    let rejectedCompletions = 0;
    for (let round = 0; round < 8 && rejectedCompletions === 0; round++) {
      const file = await makeFile(stack.dir, `resignalled-${round}.mp4`, 2 * CHUNK);
      const before = (await scrape(metricsUrl)).samples;
      const storedBefore = (await stack.emulator.counters()).puts_by_status['200'] ?? 0;
      const handle = await stack.temporal.workflow.start(multipartUploadWorkflow, {
        taskQueue: stack.taskQueue,
        workflowId: `metrics-resignalled-${Date.now()}-${round}`,
        args: [{ source: { path: file.path }, reportFlushMs: 200, chunkHeartbeatTimeoutMs: 5_000 }],
      });
      let ended = false;
      const result = handle.result().finally(() => (ended = true));
      // From the last stored chunk on (the upload is reporting, confirming, completing), a signal
      // every 20 ms: often enough to hit the completing task, rarely enough to let it complete.
      await waitFor(async () => ended || ((await stack.emulator.counters()).puts_by_status['200'] ?? 0) >= storedBefore + 2, 'both chunks stored');
      for (let sent = 0; !ended && sent < 500; sent++) {
        await handle.signal(resumeSignal).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 20));
      }
      await result;
      const history = await handle.fetchHistory();
      rejectedCompletions = (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes).length;
      const after = await waitFor(async () => {
        const { samples } = await scrape(metricsUrl);
        return delta(before, samples, counter(UploadMetric.uploadsFinished), { outcome: 'completed' }) >= 1 && samples;
      }, 'the completed upload in the metrics', 20_000);
      // Whatever happened to its workflow tasks, the upload finished once.
      expect(delta(before, after, counter(UploadMetric.uploadsFinished), { outcome: 'completed' })).toBe(1);
      expect(delta(before, after, `${UploadMetric.uploadDurationSeconds}_count`)).toBe(1);
    }
    expect(rejectedCompletions).toBeGreaterThan(0);
  });

  it('counts the heartbeat RPCs that slow chunks send, as the bench reads them', async () => {
    // 16 KiB at 6 KB/s: each chunk takes almost 3 s, so its activity heartbeats (every second)
    // and at least its first heartbeat reaches the server.
    const file = await makeFile(stack.dir, 'slow.mp4', 2 * CHUNK);
    await stack.emulator.setFaults({ put_throttle_bps: 6_000 });
    const before = await readWorkerHeartbeats(metricsUrl);
    try {
      await stack.temporal.workflow.execute(multipartUploadWorkflow, {
        taskQueue: stack.taskQueue,
        workflowId: `metrics-heartbeats-${Date.now()}`,
        args: [{ source: { path: file.path }, concurrency: 2 }],
      });
    } finally {
      await stack.emulator.setFaults({});
    }
    expect((await readWorkerHeartbeats(metricsUrl)) - before).toBeGreaterThanOrEqual(2);
  });

  it('logs one JSON object per line with workflowId, uploadId and chunkIndex, and never a credential', async () => {
    const lines = worker
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatchObject({ ts: expect.any(String), level: expect.any(String), msg: expect.any(String) });

    // A failed chunk attempt (the injected 500s) is logged with the chunk it concerns.
    const chunkFailure = lines.find((l) => l.activityType === 'uploadChunk' && typeof l.chunkIndex === 'number');
    expect(chunkFailure).toMatchObject({ workflowId: expect.stringMatching(/^metrics-/), uploadId: expect.any(String), level: 'warn' });
    // The workflow's own lines carry its id and the session's upload id.
    const sessionLine = lines.find((l) => l.msg === 'multipart session created' && l.workflowId !== undefined);
    expect(sessionLine).toMatchObject({ workflowId: expect.stringMatching(/^metrics-/), uploadId: expect.any(String) });

    const output = worker.output();
    expect(output).not.toContain(API_KEY);
    expect(output).not.toContain('taskToken');
    expect(output).not.toMatch(/X-Amz-(Signature|Credential)=(?!\[redacted\])/);
  });
});
