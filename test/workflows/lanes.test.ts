// Chunk lanes end to end: real Temporal dev server, real workers, the emulator over loopback (some
// tests through a real loopback proxy), real files. What lanes promise: controls take effect within
// one chunk per lane, stragglers are hedged and stored and reported once, refused URLs and a store
// whose ETags are not MD5s end in typed failures with bounded work, and a completed session is
// never uploaded again.

import { WorkflowFailedError, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { COMPLETED_SESSION_IS_FINAL, multipartUploadWorkflow, pauseSignal, progressQuery, resumeSignal, setConcurrencyUpdate } from '../../src/workflows/multipart-upload';
import type { MultipartUploadInput } from '../../src/domain/types';
import { makeFile, replayAllRuns, startStack, waitFor, type Stack } from '../support/harness';
import { startApiProxy, type ApiProxy } from '../support/api-proxy';

const CHUNK = 16 * 1024;

type Counters = Awaited<ReturnType<Stack['emulator']['counters']>>;
const putRequests = (c: Counters) => c.requests_by_endpoint.S1 ?? 0;
const storedPuts = (c: Counters) => c.puts_by_status['200'] ?? 0;

async function typedFailure(handle: { result(): Promise<unknown> }): Promise<ApplicationFailure> {
  const err = await handle.result().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

describe('chunk lanes', () => {
  let stack: Stack;
  let proxy: ApiProxy;
  let counter = 0;

  beforeAll(async () => {
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, initialUrls: 10, assetReadyDelayMs: 10 } });
    // The worker reaches the API through a loopback proxy (the store directly, as URLs name it).
    proxy = await startApiProxy({ target: stack.emulator.baseUrl });
    await stack.startWorker({ twelveLabsBaseUrl: proxy.baseUrl });
  });
  afterEach(async () => {
    await stack.emulator.setFaults({});
  });
  afterAll(async () => {
    await proxy?.close();
    await stack?.stop();
  });

  async function start(input: MultipartUploadInput): Promise<WorkflowHandleWithFirstExecutionRunId<typeof multipartUploadWorkflow>> {
    return stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId: `lanes-${Date.now()}-${counter++}`,
      args: [{ reportFlushMs: 200, chunkHeartbeatTimeoutMs: 5_000, ...input }],
    });
  }

  it('pause, a lowered concurrency and cancel each take effect within one chunk per lane', async () => {
    // 2 s per chunk: longer than the worker's heartbeat throttle (1 s), the case where the bound is one chunk.
    const file = await makeFile(stack.dir, 'controls.mp4', 24 * CHUNK);
    await stack.emulator.setFaults({ put_throttle_bps: 8 * 1024 });
    const base = storedPuts(await stack.emulator.counters());
    const handle = await start({ source: { path: file.path }, concurrency: 2 });
    await waitFor(async () => storedPuts(await stack.emulator.counters()) >= base + 2 && (await handle.query(progressQuery)).lanesInFlight === 2, 'two lanes with chunks stored');

    // Pause: each of the 2 lanes starts at most one more PUT, then every lane has returned.
    const atPause = await stack.emulator.counters();
    await handle.signal(pauseSignal);
    const paused = await waitFor(async () => {
      const p = await handle.query(progressQuery);
      return p.lanesInFlight === 0 && p.inFlightChunks.length === 0 && p;
    }, 'every lane to return after pause');
    const afterPause = await stack.emulator.counters();
    expect(putRequests(afterPause) - putRequests(atPause)).toBeLessThanOrEqual(2);
    expect(afterPause.bytes_received - atPause.bytes_received).toBeLessThanOrEqual(2 * CHUNK + 2 * CHUNK); // the PUTs in flight at the pause, plus one chunk per lane
    expect(paused.phase).toBe('paused');
    // What the lanes had stored came back with them: nothing stored is waiting to be re-sent.
    expect(paused.uploadedChunks).toBeLessThanOrEqual(storedPuts(afterPause) - base);
    expect(paused.uploadedChunks).toBeGreaterThanOrEqual(storedPuts(afterPause) - base - 2); // a PUT stored as its lane was cancelled

    // Resume at concurrency 2, then lower it to 1: one lane returns within one chunk.
    await handle.signal(resumeSignal);
    await waitFor(async () => (await handle.query(progressQuery)).lanesInFlight === 2, 'two lanes again');
    const atLower = await stack.emulator.counters();
    const loweredAt = Date.now();
    expect(await handle.executeUpdate(setConcurrencyUpdate, { args: [1] })).toBe(2);
    await waitFor(async () => (await handle.query(progressQuery)).lanesInFlight === 1, 'one lane left');
    const afterLower = await stack.emulator.counters();
    // The lane lowered away started at most one more PUT; the remaining one goes on at 2 s a chunk.
    const remainingLanePuts = 1 + Math.ceil((Date.now() - loweredAt) / 2_000);
    expect(putRequests(afterLower) - putRequests(atLower)).toBeLessThanOrEqual(1 + remainingLanePuts);

    // Cancel: the lane stops within one chunk and nothing more is sent.
    const atCancel = await stack.emulator.counters();
    await handle.cancel();
    await handle.result().catch(() => undefined);
    const afterCancel = await stack.emulator.counters();
    expect(putRequests(afterCancel) - putRequests(atCancel)).toBeLessThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(putRequests(await stack.emulator.counters())).toBe(putRequests(afterCancel));
    expect((await handle.query(progressQuery)).phase).toBe('cancelled');
    expect(await replayAllRuns(stack.temporal, handle.workflowId, handle.firstExecutionRunId)).toBe(1);
  });

  it('an uneven first wave (4, 3, 3, 3 chunks of 13) ends without cancelling the lane whose last chunk is in flight', async () => {
    // ~3 s per chunk, longer than a cancelled lane's grace (2 s): a cancel would abort that PUT.
    const chunks = 13;
    const file = await makeFile(stack.dir, 'uneven.mp4', chunks * CHUNK);
    await stack.emulator.setFaults({ put_throttle_bps: 5 * 1024 });
    const before = await stack.emulator.counters();
    const handle = await start({ source: { path: file.path }, concurrency: 4 });
    const result = await handle.result();

    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: chunks * CHUNK, sha256: file.sha256 });
    const after = await stack.emulator.counters();
    // Each chunk PUT once: the idle slots at the end had nothing to take from the lane still running.
    expect(putRequests(after) - putRequests(before)).toBe(chunks);
    expect(after.bytes_received - before.bytes_received).toBe(chunks * CHUNK);
    expect(result.counters.lanes).toBe(4);
    // No lane was cancelled to be re-planned (a cancel is an ActivityTaskCancelRequested in history).
    const { events } = await handle.fetchHistory();
    expect(events!.filter((e) => e.activityTaskCancelRequestedEventAttributes).length).toBe(0);
    expect(await replayAllRuns(stack.temporal, handle.workflowId, handle.firstExecutionRunId)).toBe(1);
  });

  it.each([
    ['after the whole body arrived', 0],
    ['after the request, the body received at once', 1],
  ])('hedges straggling PUTs on a fresh URL (answered 3 s late %s); a hedged chunk is stored and reported once', async (_model, atOnce) => {
    const chunks = 120;
    const file = await makeFile(stack.dir, `hedged-${atOnce}.mp4`, chunks * CHUNK);
    // 10% of PUTs are answered 3 s late, as an object store's tail, in either of the emulator's two models.
    await stack.emulator.setFaults({ put_slow: 0.1, put_slow_ms: 3_000, put_slow_at_once: atOnce });
    const before = await stack.emulator.counters();
    const handle = await start({ source: { path: file.path }, concurrency: 4 });
    const result = await handle.result();

    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: chunks * CHUNK, sha256: file.sha256 });
    const after = await stack.emulator.counters();
    console.log(`hedging: ${result.counters.hedges} hedges, ${result.counters.hedgedBytes} bytes; ${(after.faults_injected.put_slow ?? 0) - (before.faults_injected.put_slow ?? 0)} slow PUTs; ${result.counters.lanes} lanes`);
    expect(result.counters.hedges).toBeGreaterThan(0);
    // The extra bytes are bounded: at most one chunk per hedge, and hedges per lane are budgeted.
    expect(result.counters.hedgedBytes).toBeLessThanOrEqual(result.counters.hedges! * CHUNK);
    expect(result.counters.hedges).toBeLessThanOrEqual(result.counters.lanes! * 1 + chunks / 10);
    // Reported once: no chunk was reported twice, every chunk was accepted once.
    expect(after.duplicate_chunks - before.duplicate_chunks).toBe(0);
    const progress = await handle.query(progressQuery);
    expect(progress.reportedChunks).toBe(chunks);
    expect(progress.counters.hedges).toBe(result.counters.hedges);
  });

  it('a store that refuses every URL fails the upload typed, within 3 minutes and 200 chunk PUTs', async () => {
    const file = await makeFile(stack.dir, 'refused.mp4', 64 * CHUNK);
    await stack.emulator.setFaults({ url_expired: 1 });
    const before = await stack.emulator.counters();
    const startedAt = Date.now();
    const handle = await start({ source: { path: file.path }, concurrency: 8 });
    const failure = await typedFailure(handle);
    const elapsedMs = Date.now() - startedAt;
    const after = await stack.emulator.counters();
    const puts = putRequests(after) - putRequests(before);
    console.log(`refused URLs: failed after ${elapsedMs} ms, ${puts} PUTs, ${after.presigned_url_requests - before.presigned_url_requests} M5 calls`);

    expect(failure.type).toBe('UploadUrlsRefused');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/AccessDenied/); // the store's own code
    expect(failure.message).toMatch(/clock/);
    expect(failure.message).toMatch(/proxy/);
    expect(failure.message).not.toMatch(/X-Amz-Signature/); // a URL is a credential
    expect(elapsedMs).toBeLessThan(180_000);
    expect(puts).toBeLessThanOrEqual(200);
    expect(puts).toBeGreaterThan(0);
    const progress = await handle.query(progressQuery);
    expect(progress.uploadedChunks).toBe(0); // nothing was stored
    expect(progress.phase).toBe('failed');
    expect(progress.error?.type).toBe('UploadUrlsRefused');
  });

  it('a session that answers completed after a false alarm is final: the file is not sent again', async () => {
    const file = await makeFile(stack.dir, 'completed.mp4', 12 * CHUNK);
    const before = await stack.emulator.counters();
    // The first status check (the confirmation after the last report) gets a stale 404 from the proxy.
    proxy.answerNext('GET', /\/assets\/multipart-uploads\/[0-9a-f]+$/, 1, 404, { code: 'resource_not_exist', message: 'stale gateway answer' });
    const handle = await start({ source: { path: file.path }, concurrency: 2 });
    const result = await handle.result();

    const after = await stack.emulator.counters();
    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: 12 * CHUNK, sha256: file.sha256 });
    expect(result.counters.sessionsCreated).toBe(1);
    expect(result.counters.sessionRestarts).toBe(0);
    expect(after.sessions_created - before.sessions_created).toBe(1);
    expect(after.bytes_received - before.bytes_received).toBe(12 * CHUNK);
    // The fix is a patch: this execution's history carries its marker and replays.
    const history = await handle.fetchHistory();
    const patchIds = history.events!
      .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
      .flatMap((e) => Object.values(e.markerRecordedEventAttributes!.details ?? {}).flatMap((p) => p.payloads ?? []))
      .map((payload) => {
        const data = payload.data as Uint8Array | string;
        return (typeof data === 'string' ? Buffer.from(data, 'base64') : Buffer.from(data)).toString('utf8');
      });
    expect(patchIds.filter((id) => id.includes(COMPLETED_SESSION_IS_FINAL))).toHaveLength(1);
    expect(await replayAllRuns(stack.temporal, handle.workflowId, handle.firstExecutionRunId)).toBe(1);
  });
});

describe('a store whose ETags are not MD5s', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, initialUrls: 10, assetReadyDelayMs: 10, etagMode: 'not-md5' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('fails the upload typed (StoreEtagNotMd5) after a bounded number of PUTs, saying what to set', async () => {
    const worker = await stack.startWorker(); // the default: the ETag check is on
    const file = await makeFile(stack.dir, 'sse-kms.mp4', 40 * CHUNK);
    const handle = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId: `etag-${Date.now()}`,
      args: [{ source: { path: file.path }, concurrency: 4, chunkHeartbeatTimeoutMs: 5_000 }],
    });
    const failure = await typedFailure(handle);
    await worker.stop();
    const counters = await stack.emulator.counters();

    expect(failure.type).toBe('StoreEtagNotMd5');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/TL_CHUNK_DIGEST_CHECK/);
    // Each lane sends its chunk at most 3 times before the upload gives up: no endless loop.
    expect(putRequests(counters)).toBeLessThanOrEqual(4 * 3);
  });

  it('uploads against it when the operator turns the check off, as the failure says', async () => {
    const worker = await stack.spawnWorker({ TL_CHUNK_DIGEST_CHECK: 'never' });
    const file = await makeFile(stack.dir, 'sse-kms-ok.mp4', 40 * CHUNK);
    const handle = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId: `etag-off-${Date.now()}`,
      args: [{ source: { path: file.path }, concurrency: 4, chunkHeartbeatTimeoutMs: 5_000 }],
    });
    const result = await handle.result();
    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: 40 * CHUNK, sha256: file.sha256 });
    await worker.kill('SIGTERM');
  });
});
