// The upload survives the death of the processes around it: a worker killed with SIGKILL, and
// the Temporal dev server killed and restarted on its database file.

import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { multipartUploadWorkflow, pauseSignal, progressQuery, resumeSignal } from '../../src/workflows/multipart-upload';
import { makeFile, replayAllRuns, startStack, waitFor, type Stack } from '../support/harness';

const CHUNK = 64 * 1024;

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

  it('finishes on another worker process after SIGKILL; each lane resumes after its last finished chunk', async () => {
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, assetReadyDelayMs: 10 } });
    const concurrency = 4;
    const size = 64 * CHUNK;
    const file = await makeFile(stack.dir, 'sigkill.mp4', size);
    // ~1.3 s per chunk: longer than the worker's heartbeat throttle (1 s), so every finished
    // chunk's ETag reaches the server before the lane's next chunk ends. The bound this proves:
    // bytes re-sent after a SIGKILL are at most the chunk in flight per lane.
    await stack.emulator.setFaults({ put_throttle_bps: 48 * 1024 });
    const first = await stack.spawnWorker();
    const handle = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId: `sigkill-${Date.now()}`,
      args: [{ source: { path: file.path }, concurrency, chunkHeartbeatTimeoutMs: 3_000, reportFlushMs: 200 }],
    });
    // Lanes return their ETags only when they end: wait on what the store holds.
    const atKill = await waitFor(async () => {
      const stored = (await stack!.emulator.counters()).puts_by_status['200'] ?? 0;
      const p = await handle.query(progressQuery);
      return stored >= 12 && p.lanesInFlight === concurrency && p.uploadedChunks < stored && p;
    }, 'lanes in mid-run, with chunks stored that the workflow has not heard of yet', 90_000);
    await first.kill('SIGKILL');
    expect(() => process.kill(first.child.pid!, 0)).toThrow(); // the worker is really gone
    const second = await stack.spawnWorker();
    const result = await handle.result();

    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size, sha256: file.sha256 });
    const counters = await stack.emulator.counters();
    const resentBytes = counters.bytes_received - size;
    const lanes = atKill.lanesInFlight!;
    // Chunks were mid-PUT when the worker died, so some bytes were sent twice...
    expect(resentBytes).toBeGreaterThan(0);
    // ...but no more than the chunk in flight per lane: every chunk a lane had finished, the
    // retried lane read back from its heartbeat and did not send again (a lane restarting its
    // whole run would re-send several chunks).
    expect(resentBytes).toBeLessThanOrEqual(lanes * CHUNK);
    expect(counters.sessions_created).toBe(1);
    // What the next worker to pick this up would do: replay it all, with no determinism error.
    expect(await replayAllRuns(stack.temporal, handle.workflowId, handle.firstExecutionRunId)).toBeGreaterThanOrEqual(1);
    console.log(`SIGKILL test: re-sent ${resentBytes} bytes (bound ${lanes} lanes x one chunk = ${lanes * CHUNK}) of ${size}; workflow knew ${atKill.uploadedChunks} chunks at the kill`);
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
