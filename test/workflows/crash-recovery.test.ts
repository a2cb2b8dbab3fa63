// The upload survives the death of the processes around it: a worker killed with SIGKILL, and
// the Temporal dev server killed and restarted on its database file.

import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { multipartUploadWorkflow, pauseSignal, progressQuery, resumeSignal } from '../../src/workflows/multipart-upload';
import { temporal } from '@temporalio/proto';
import { finishedOfPendingLanes } from '../../src/activities/lane-progress';
import { makeFile, replayAllRuns, startStack, waitFor, type Stack } from '../support/harness';

const CHUNK = 64 * 1024;
const MIB = 1024 * 1024;

describe('crash recovery', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  it('a lane cancelled by a pause while its worker dies returns its chunks; the upload does not fail', async () => {
    // The cancel reaches lanes whose worker is gone: nobody acknowledges it, so the server ends
    // each lane by its heartbeat timeout and, a cancel being requested, does not retry it. The
    // workflow must take that as lanes returned (found by the chaos run, where work stealing
    // cancels a dead worker's lanes), not as a failed upload.
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, assetReadyDelayMs: 10 } });
    const size = 32 * CHUNK;
    const file = await makeFile(stack.dir, 'pause-kill.mp4', size);
    await stack.emulator.setFaults({ put_throttle_bps: 48 * 1024 }); // ~1.3 s per chunk
    const first = await stack.spawnWorker();
    const handle = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId: `pause-kill-${Date.now()}`,
      args: [{ source: { path: file.path }, concurrency: 4, chunkHeartbeatTimeoutMs: 3_000, reportFlushMs: 200 }],
    });
    await waitFor(async () => (await handle.query(progressQuery)).lanesInFlight === 4, 'four lanes running', 90_000);
    await handle.signal(pauseSignal);
    // The workflow has taken the pause (and requested the lanes' cancellation) once a query says so;
    // the lanes hear of it only with their next heartbeat, and get 2 s for the PUT in flight.
    await waitFor(async () => (await handle.query(progressQuery)).paused, 'the pause taken', 30_000);
    await first.kill('SIGKILL');
    const second = await stack.spawnWorker();
    // Past the heartbeat timeout every cancelled lane has ended one way or the other.
    await waitFor(async () => (await handle.query(progressQuery)).lanesInFlight === 0, 'every lane ended', 60_000);
    const { status } = await handle.describe();
    expect(status.name).toBe('RUNNING');
    await handle.signal(resumeSignal);
    const result = await handle.result();
    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size, sha256: file.sha256 });
    expect((await stack.emulator.counters()).sessions_created).toBe(1);
    expect(await replayAllRuns(stack.temporal, handle.workflowId, handle.firstExecutionRunId)).toBeGreaterThanOrEqual(1);
    await second.kill('SIGTERM');
  });

  it('a lane cancelled while it waits for its retry keeps the chunks it finished (finding 8)', async () => {
    // The race of docs/RELIABILITY.md finding 8, made deterministic: the lanes run on a file task
    // queue whose only worker is SIGKILLed while the workflow's own worker lives. Each lane times
    // out by its heartbeat and waits for attempt 2 (nobody polls the file queue); a pause then
    // cancels them all. The server ends such a lane at once, without its last heartbeat details.
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, assetReadyDelayMs: 10 } });
    const size = 48 * CHUNK;
    const file = await makeFile(stack.dir, 'cancel-between-attempts.mp4', size);
    await stack.emulator.setFaults({ put_throttle_bps: 256 * 1024 }); // ~0.25 s per chunk
    const fileQueue = `${stack.taskQueue}-files`;
    const fileWorkerEnv = { TL_TASK_QUEUE: `${stack.taskQueue}-unused`, TL_HOST_TASK_QUEUE: fileQueue };
    await stack.startWorker(); // workflows and the workflow's own activities, alive throughout
    const fileWorker = await stack.spawnWorker(fileWorkerEnv);
    const handle = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId: `cancel-between-attempts-${Date.now()}`,
      args: [{ source: { path: file.path }, fileTaskQueue: fileQueue, concurrency: 4, chunkHeartbeatTimeoutMs: 3_000, reportFlushMs: 200 }],
    });
    // Lanes in mid-run, each with chunks finished that only its heartbeat holds.
    const atKill = await waitFor(async () => {
      const p = await handle.query(progressQuery);
      return p.lanesInFlight === 4 && ((await stack!.emulator.counters()).puts_by_status['200'] ?? 0) >= 8 && p;
    }, 'four lanes with chunks stored', 90_000);
    await fileWorker.kill('SIGKILL');
    // Every lane timed out and waits for attempt 2, its heartbeat details kept by the server.
    const waiting = await waitFor(async () => {
      const { raw } = await handle.describe();
      const lanes = (raw.pendingActivities ?? []).filter((a) => a.activityType?.name === 'uploadChunk');
      const between = lanes.every((a) => a.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED && (a.attempt ?? 0) >= 2);
      return lanes.length === 4 && between && lanes;
    }, 'every lane waiting for its retry', 60_000);
    const heldByServer = await finishedOfPendingLanes(stack.temporal, handle.workflowId, handle.firstExecutionRunId);
    expect(waiting).toHaveLength(4);
    expect(heldByServer.length).toBeGreaterThanOrEqual(4); // the lanes had finished chunks; the test can fail
    const uploadId = atKill.uploadId!;
    const putsBefore = new Map(((await stack.emulator.sessionView(uploadId))?.chunks ?? []).map((c) => [c.index, c.puts.length]));

    await handle.signal(pauseSignal);
    await waitFor(async () => (await handle.query(progressQuery)).lanesInFlight === 0, 'every lane cancelled', 60_000);
    const second = await stack.spawnWorker(fileWorkerEnv);
    await handle.signal(resumeSignal);
    const result = await handle.result();

    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size, sha256: file.sha256 });
    const after = new Map(((await stack.emulator.sessionView(uploadId))?.chunks ?? []).map((c) => [c.index, c.puts.length]));
    const sentAgain = heldByServer.map((c) => c.chunkIndex).filter((i) => after.get(i) !== putsBefore.get(i));
    expect(sentAgain).toEqual([]);
    expect((await stack.emulator.counters()).sessions_created).toBe(1);
    expect(await replayAllRuns(stack.temporal, handle.workflowId, handle.firstExecutionRunId)).toBeGreaterThanOrEqual(1);
    await second.kill('SIGTERM');
  });

  it('after a SIGKILL at full speed with the defaults: at most one chunk per lane re-sent, moving again within 15 s', async () => {
    // The product as shipped: the emulator's own chunk size (5 MiB), the workflow's default window
    // and heartbeat timeout, a worker launched as `npm run worker`, loopback at full speed.
    stack = await startStack({ emulator: { assetReadyDelayMs: 10 } });
    const size = 512 * MIB;
    const file = await makeFile(stack.dir, 'sigkill-full-speed.mp4', size);
    const first = await stack.spawnWorker();
    const handle = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId: `sigkill-${Date.now()}`,
      args: [{ source: { path: file.path } }],
    });
    // Lanes return their ETags only when they end: wait for lanes in mid-run, with chunks stored
    // that the workflow has not heard of yet (only the lanes' heartbeats hold their ETags).
    const atKill = await waitFor(async () => {
      const stored = (await stack!.emulator.counters()).puts_by_status['200'] ?? 0;
      const p = await handle.query(progressQuery);
      return stored >= 16 && p.lanesInFlight === p.concurrency && p.uploadedChunks < stored && p;
    }, 'lanes in mid-run, with chunks stored that the workflow has not heard of yet', 90_000);
    await first.kill('SIGKILL');
    const killedAtMs = Date.now();
    expect(() => process.kill(first.child.pid!, 0)).toThrow(); // the worker is really gone
    const second = await stack.spawnWorker();
    const uploadId = atKill.uploadId!;
    // Moving again: the store begins to read a PUT that started after the kill.
    const movingAtMs = await waitFor(async () => {
      const view = await stack!.emulator.sessionView(uploadId);
      const starts = (view?.chunks ?? []).flatMap((c) => c.puts.map((p) => p.started_at_ms)).filter((t) => t > killedAtMs);
      return starts.length > 0 && Math.min(...starts);
    }, 'a chunk PUT after the kill', 120_000);
    const result = await handle.result();

    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size, sha256: file.sha256 });
    const counters = await stack.emulator.counters();
    const chunkSize = (await stack.emulator.sessionView(uploadId))!.chunk_size;
    const resentBytes = counters.bytes_received - size;
    const lanes = atKill.lanesInFlight!;
    const recoverySeconds = (movingAtMs - killedAtMs) / 1000;
    console.log(
      `SIGKILL at full speed: re-sent ${resentBytes} bytes (bound ${lanes} lanes x one chunk = ${lanes * chunkSize}); ` +
        `workflow knew ${atKill.uploadedChunks} chunks at the kill; moving again ${recoverySeconds.toFixed(1)} s after it`,
    );
    // Every chunk a lane had finished, the retried lane read back from its heartbeat and did not
    // send again: what was re-sent is the chunk each lane had in flight.
    expect(resentBytes).toBeLessThanOrEqual(lanes * chunkSize);
    // Chunk by chunk, from the store's own log: no chunk stored well before the kill (more than a
    // heartbeat round trip, 500 ms as the chaos accounting allows) went again after it, and the
    // chunks that did go again number at most one per lane.
    const view = (await stack.emulator.sessionView(uploadId))!;
    const sentAgain = view.chunks.filter((c) => c.puts.some((p) => p.started_at_ms > killedAtMs) && c.puts.some((p) => p.started_at_ms < killedAtMs));
    const finishedBefore = sentAgain.filter((c) => c.puts.some((p) => p.outcome === 'stored' && p.ended_at_ms !== null && p.ended_at_ms < killedAtMs - 500));
    expect(finishedBefore.map((c) => c.index)).toEqual([]);
    expect(sentAgain.length).toBeLessThanOrEqual(lanes);
    // A dead worker's lanes are retried one heartbeat timeout (10 s by default) after it died.
    expect(recoverySeconds).toBeLessThanOrEqual(15);
    expect(counters.sessions_created).toBe(1);
    // What the next worker to pick this up would do: replay it all, with no determinism error.
    expect(await replayAllRuns(stack.temporal, handle.workflowId, handle.firstExecutionRunId)).toBeGreaterThanOrEqual(1);
    await second.kill('SIGTERM');
  });

  it('finishes after the Temporal dev server is killed and restarted in the middle', async () => {
    const dbDir = (await import('node:fs')).mkdtempSync(path.join((await import('node:os')).tmpdir(), 'tl-db-'));
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, assetReadyDelayMs: 10 }, server: { dbFile: path.join(dbDir, 'temporal.db') } });
    const size = 64 * CHUNK;
    const file = await makeFile(stack.dir, 'server-restart.mp4', size);
    await stack.emulator.setFaults({ put_throttle_bps: 256 * 1024 });
    await stack.startWorker();
    const handle = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId: `server-restart-${Date.now()}`,
      args: [{ source: { path: file.path }, concurrency: 4, chunkHeartbeatTimeoutMs: 5_000, reportFlushMs: 200 }],
    });
    await waitFor(async () => ((await stack!.emulator.counters()).puts_by_status['200'] ?? 0) >= 16, 'a quarter of the chunks', 90_000);
    await stack.server.kill('SIGKILL');
    await stack.server.restart();
    await stack.emulator.setFaults({});
    const result = await handle.result();

    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size, sha256: file.sha256 });
    expect((await stack.emulator.counters()).sessions_created).toBe(1);
    expect(await replayAllRuns(stack.temporal, handle.workflowId, handle.firstExecutionRunId)).toBeGreaterThanOrEqual(1);
  });
});
