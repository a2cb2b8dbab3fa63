// multipartUploadWorkflow end to end: real Temporal dev server, real worker, the emulator over
// loopback, real files. Every upload ends by comparing the emulator's SHA-256 of the assembled
// object with the source file's.

import { WorkflowFailedError, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  multipartUploadWorkflow,
  pauseSignal,
  progressQuery,
  resumeSignal,
  setConcurrencyUpdate,
} from '../../src/workflows/multipart-upload';
import type { MultipartUploadInput, MultipartUploadResult } from '../../src/domain/types';
import { historyEventsAcrossRuns, makeFile, startStack, waitFor, workflowBundle, type InProcessWorker, type Stack } from '../support/harness';
import { multipartSentBytes } from '../support/lane-heartbeats';

const CHUNK = 16 * 1024;

describe('multipartUploadWorkflow', () => {
  let stack: Stack;
  let worker: InProcessWorker;
  const finished: string[] = [];

  beforeAll(async () => {
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, initialUrls: 10, assetReadyDelayMs: 10 } });
    worker = await stack.startWorker();
  });
  afterEach(async () => {
    await stack.emulator.setFaults({});
  });
  afterAll(async () => {
    await worker?.stop();
    await stack?.stop();
  });

  let counter = 0;
  async function start(input: MultipartUploadInput): Promise<WorkflowHandleWithFirstExecutionRunId<typeof multipartUploadWorkflow>> {
    const workflowId = `mp-${Date.now()}-${counter++}`;
    finished.push(workflowId);
    return stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId,
      args: [{ reportFlushMs: 200, chunkHeartbeatTimeoutMs: 5_000, ...input }],
    });
  }

  async function expectAssembled(result: MultipartUploadResult, sha256: string, sizeBytes: number) {
    const object = await stack.emulator.objectInfo(result.assetId);
    expect(object).toEqual({ size: sizeBytes, sha256 });
  }

  it('uploads a file of thousands of small chunks, minting URLs beyond the initial set and continuing as new', async () => {
    const chunks = 1600;
    const size = chunks * CHUNK - 123;
    const file = await makeFile(stack.dir, 'plain.mp4', size);
    const before = await stack.emulator.counters();
    const handle = await start({ source: { path: file.path }, continueAsNewAfterEvents: 100 });
    const result = await handle.result();

    await expectAssembled(result, file.sha256, size);
    expect(result.totalChunks).toBe(chunks);
    expect(result.runs).toBeGreaterThan(1); // the history was cut at least once
    expect(result.counters.urlRefreshes).toBeGreaterThanOrEqual(chunks - 10); // 10 came with the session
    expect(result.counters.sessionRestarts).toBe(0);
    const after = await stack.emulator.counters();
    // a clean run sends every chunk exactly once
    expect((after.puts_by_status['200'] ?? 0) - (before.puts_by_status['200'] ?? 0)).toBe(chunks);
    expect(after.bytes_received - before.bytes_received).toBe(size);
    const progress = await handle.query(progressQuery);
    expect(progress).toMatchObject({ phase: 'completed', confirmedBytes: size, reportedChunks: chunks });
    // Lanes: a run of chunks per activity, so far fewer activities and events than chunks, even
    // with the history cut every 100 events.
    const events = await historyEventsAcrossRuns(stack.temporal, handle.workflowId, handle.firstExecutionRunId);
    console.log(`history: ${events} events over ${result.runs} runs for ${chunks} chunks = ${(events / chunks).toFixed(2)} per chunk; ${result.counters.lanes} lanes`);
    expect(result.counters.lanes).toBeLessThanOrEqual(chunks / 10);
    expect(events / chunks).toBeLessThan(1);
  });

  it('survives URLs that expire in the middle of a lane', async () => {
    const file = await makeFile(stack.dir, 'expiring.mp4', 60 * CHUNK);
    await stack.emulator.setFaults({ put_throttle_bps: 64 * 1024 }); // lanes are in mid-run when the clock jumps
    const handle = await start({ source: { path: file.path }, concurrency: 2 });
    await waitFor(async () => ((await stack.emulator.counters()).puts_by_status['200'] ?? 0) >= 4 && (await handle.query(progressQuery)).lanesInFlight === 2, 'lanes in mid-run');
    const before = await stack.emulator.counters();
    await stack.emulator.advanceClock(2 * 60 * 60 * 1000); // every URL the lanes hold is now expired
    await stack.emulator.setFaults({});
    const result = await handle.result();

    await expectAssembled(result, file.sha256, 60 * CHUNK);
    const after = await stack.emulator.counters();
    expect((after.puts_by_status['403'] ?? 0) - (before.puts_by_status['403'] ?? 0)).toBeGreaterThan(0);
    expect(result.counters.urlRefusals).toBeGreaterThan(0);
    expect(result.counters.sessionRestarts).toBe(0);
  });

  it('never reuses a single-use URL: every retry goes out on a fresh one', async () => {
    const file = await makeFile(stack.dir, 'retries.mp4', 80 * CHUNK);
    await stack.emulator.setFaults({ put_500: 0.1, put_503: 0.05 });
    const before = await stack.emulator.counters();
    const result = await (await start({ source: { path: file.path } })).result();

    await expectAssembled(result, file.sha256, 80 * CHUNK);
    const after = await stack.emulator.counters();
    const failedPuts = (after.puts_by_status['500'] ?? 0) + (after.puts_by_status['503'] ?? 0) - (before.puts_by_status['500'] ?? 0) - (before.puts_by_status['503'] ?? 0);
    expect(failedPuts).toBeGreaterThan(0);
    // Retries the workflow heard of (a lane cancelled while it waited for a retry, to re-plan the
    // end of the upload, does not report its failed attempt; its chunks go again in other lanes).
    expect(result.counters.retries).toBeGreaterThan(0);
    expect(result.counters.retries).toBeLessThanOrEqual(failedPuts);
    // each retried attempt minted its own URL, and no PUT ever presented a URL seen before
    expect(result.counters.urlRefreshes).toBeGreaterThanOrEqual(70 + failedPuts);
    expect(after.puts_reusing_url - before.puts_reusing_url).toBe(0);
  });

  it('replaces a session that expires in the middle and finishes on the new one', async () => {
    const file = await makeFile(stack.dir, 'session-expiry.mp4', 40 * CHUNK);
    await stack.emulator.setFaults({ put_throttle_bps: 64 * 1024 }); // the pause must land mid-upload
    const handle = await start({ source: { path: file.path }, concurrency: 2 });
    // The lanes' heartbeats show stored chunks at once; the workflow's count only when a lane returns.
    await waitFor(async () => (await multipartSentBytes(stack.temporal, handle.workflowId)) >= 5 * CHUNK, 'first chunks');
    const first = await handle.query(progressQuery);
    await handle.signal(pauseSignal);
    const paused = await waitFor(async () => {
      const p = await handle.query(progressQuery);
      return p.inFlightChunks.length === 0 && p;
    }, 'in-flight chunks to settle');
    expect(paused.uploadedChunks).toBeLessThan(40);
    await stack.emulator.setFaults({});
    await stack.emulator.advanceClock(25 * 60 * 60 * 1000);
    await handle.signal(resumeSignal);
    const result = await handle.result();

    expect(result.counters.sessionRestarts).toBe(1);
    expect(result.counters.sessionsCreated).toBe(2);
    expect(result.uploadId).not.toBe(first.uploadId);
    await expectAssembled(result, file.sha256, 40 * CHUNK);
  });

  it('uploads again the chunks the API marks failed', async () => {
    const file = await makeFile(stack.dir, 'failed-chunks.mp4', 60 * CHUNK);
    await stack.emulator.setFaults({ chunk_failed: 0.15 });
    const result = await (await start({ source: { path: file.path } })).result();

    expect(result.counters.chunksResent).toBeGreaterThan(0);
    await expectAssembled(result, file.sha256, 60 * CHUNK);
  });

  it('rides out injected faults on PUTs and on the API calls, including 429 with Retry-After', async () => {
    const file = await makeFile(stack.dir, 'faults.mp4', 60 * CHUNK);
    await stack.emulator.setFaults({ put_500: 0.05, put_reset: 0.05, url_expired: 0.05, api_429: 0.15, retry_after_s: 1, api_5xx: 0.1 });
    const before = await stack.emulator.counters();
    const handle = await start({ source: { path: file.path } });
    const sampler = setInterval(() => void handle.query(progressQuery).then((p) => process.env.TL_DEBUG && console.log(JSON.stringify({ ...p, fileName: undefined }))), 3000);
    const result = await handle.result().finally(() => clearInterval(sampler));

    await expectAssembled(result, file.sha256, 60 * CHUNK);
    const after = await stack.emulator.counters();
    const injected = (kind: string) => (after.faults_injected[kind] ?? 0) - (before.faults_injected[kind] ?? 0);
    expect(injected('api_429')).toBeGreaterThan(0);
    expect(injected('put_500') + injected('put_reset') + injected('url_expired')).toBeGreaterThan(0);
  });

  it('pauses (no new chunks), resumes, and applies setConcurrency while running', async () => {
    const file = await makeFile(stack.dir, 'controls.mp4', 48 * CHUNK);
    await stack.emulator.setFaults({ put_throttle_bps: 64 * 1024 }); // ~250 ms per chunk
    const handle = await start({ source: { path: file.path }, concurrency: 1 });

    let maxLanes = 0;
    await waitFor(async () => {
      const p = await handle.query(progressQuery);
      maxLanes = Math.max(maxLanes, p.lanesInFlight ?? 0);
      return (await multipartSentBytes(stack.temporal, handle.workflowId)) >= 3 * CHUNK;
    }, 'three chunks at concurrency 1');
    expect(maxLanes).toBe(1);

    const rejected = await handle.executeUpdate(setConcurrencyUpdate, { args: [0] }).catch((e: unknown) => e);
    expect((rejected as Error & { cause?: Error }).cause?.message).toMatch(/concurrency must be an integer from 1 to 64, got 0/);
    expect(await handle.executeUpdate(setConcurrencyUpdate, { args: [4] })).toBe(1);
    await waitFor(async () => (await handle.query(progressQuery)).lanesInFlight === 4, 'four lanes in flight');

    await handle.signal(pauseSignal);
    const paused = await waitFor(async () => {
      const p = await handle.query(progressQuery);
      return p.inFlightChunks.length === 0 && p;
    }, 'the window to drain after pause');
    expect(paused.phase).toBe('paused');
    const putsWhilePaused = (await stack.emulator.counters()).puts_by_status['200'];
    await new Promise((r) => setTimeout(r, 1500));
    expect((await stack.emulator.counters()).puts_by_status['200']).toBe(putsWhilePaused);
    expect((await handle.query(progressQuery)).uploadedChunks).toBe(paused.uploadedChunks);

    await stack.emulator.setFaults({});
    await handle.signal(resumeSignal);
    const result = await handle.result();
    await expectAssembled(result, file.sha256, 48 * CHUNK);
  });

  it('cancels: in-flight PUTs stop, nothing more is sent, the final phase is cancelled', async () => {
    const file = await makeFile(stack.dir, 'cancel.mp4', 64 * CHUNK);
    await stack.emulator.setFaults({ put_throttle_bps: 16 * 1024 }); // a chunk takes ~1 s
    const handle = await start({ source: { path: file.path }, concurrency: 4 });
    await waitFor(async () => (await multipartSentBytes(stack.temporal, handle.workflowId)) >= 4 * CHUNK, 'some chunks');
    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);

    // Every PUT the worker started has ended at the emulator (bytes already in socket buffers
    // may still drain into it for a moment, but no request is left open)...
    const ended = (c: Awaited<ReturnType<typeof stack.emulator.counters>>) =>
      Object.values(c.puts_by_status).reduce((a, b) => a + b, 0) + c.puts_aborted + c.puts_reset;
    const settled = await waitFor(async () => {
      const c = await stack.emulator.counters();
      return ended(c) === (c.requests_by_endpoint.S1 ?? 0) && c;
    }, 'every PUT to end');
    // ...and after that nothing new is sent: no PUT, no report.
    await new Promise((r) => setTimeout(r, 2000));
    const later = await stack.emulator.counters();
    expect(later.requests_by_endpoint.S1).toBe(settled.requests_by_endpoint.S1);
    expect(later.bytes_received).toBe(settled.bytes_received);
    expect(later.reports).toBe(settled.reports);
    const progress = await handle.query(progressQuery);
    expect(progress.phase).toBe('cancelled');
    expect(progress.inFlightChunks).toEqual([]);
  });

  it('fails with a typed reason when the source changes during the upload, without a retry storm', async () => {
    const file = await makeFile(stack.dir, 'changing.mp4', 48 * CHUNK);
    await stack.emulator.setFaults({ put_throttle_bps: 64 * 1024 });
    const handle = await start({ source: { path: file.path }, concurrency: 2 });
    await waitFor(async () => (await multipartSentBytes(stack.temporal, handle.workflowId)) >= 2 * CHUNK, 'first chunks');
    const fs = await import('node:fs/promises');
    await fs.appendFile(file.path, 'more bytes');
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('SourceChanged');
    expect((cause as ApplicationFailure).message).toMatch(/changed after the upload began/);
    const progress = await handle.query(progressQuery);
    expect(progress.phase).toBe('failed');
    expect(progress.counters.retries).toBeLessThanOrEqual(2); // the chunks in flight, not a storm
  });

  it('replays every recorded history deterministically', async () => {
    const histories = [];
    for (const workflowId of finished) {
      histories.push({ workflowId, history: await stack.temporal.workflow.getHandle(workflowId).fetchHistory() });
    }
    expect(histories.length).toBeGreaterThanOrEqual(8);
    const results = Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories);
    for await (const replay of results) {
      expect(replay.error, `replay of ${replay.workflowId}`).toBeUndefined();
    }
  });
});
