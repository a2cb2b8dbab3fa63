// Issue 17: every loop of the multipart workflow is bounded and paced against a TwelveLabs that
// misbehaves (the emulator's assembly_active_s, chunk_always_failed and put_corrupt faults): real
// dev server, real worker, the emulator over loopback, real files.

import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UploadClient } from '../../src/client';
import type { MultipartUploadResult, UploadResult } from '../../src/domain/types';
import { FailureType } from '../../src/domain/types';
import { multipartUploadWorkflow } from '../../src/workflows/multipart-upload';
import { MAX_CHUNK_REJECTIONS } from '../../src/workflows/multipart/chunk-rejections';
import { makeFile, startStack, type InProcessWorker, type Stack } from '../support/harness';

const CHUNK = 16 * 1024;

describe('bounded loops of the multipart workflow', () => {
  let stack: Stack;
  let worker: InProcessWorker;
  let client: UploadClient;
  let counter = 0;

  beforeAll(async () => {
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, assetReadyDelayMs: 10 } });
    worker = await stack.startWorker();
    client = new UploadClient(stack.temporal, { taskQueue: stack.taskQueue });
  });
  afterEach(async () => {
    await stack.emulator.setFaults({});
  });
  afterAll(async () => {
    await worker?.stop();
    await stack?.stop();
  });

  function statusCalls(counters: { requests_by_endpoint: Record<string, number> }): number {
    return counters.requests_by_endpoint['M2'] ?? 0;
  }

  it('waits with backoff while TwelveLabs assembles, without flipping the phase, and then completes', async () => {
    const size = 5 * CHUNK - 11;
    const file = await makeFile(stack.dir, `assembling-${counter++}.mp4`, size);
    await stack.emulator.setFaults({ assembly_active_s: 5 });
    const before = await stack.emulator.counters();
    const run = await client.startUpload(file.path, { directMaxBytes: CHUNK, readyPollIntervalMs: 100 });
    const result = (await client.result(run.workflowId)) as UploadResult;
    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size, sha256: file.sha256 });

    // 5 s of `active` with nothing missing: asked after 1, 2, 4 s, not hundreds of times.
    const calls = statusCalls(await stack.emulator.counters()) - statusCalls(before);
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(calls).toBeLessThanOrEqual(8);
    // The child's phase went to `confirming` once and stayed there until `completed`.
    const childId = (await stack.temporal.workflow.getHandle(run.workflowId).query<{ multipartWorkflowId?: string }>('progress')).multipartWorkflowId!;
    const history = await stack.temporal.workflow.getHandle(childId).fetchHistory();
    const phases = (history.events ?? []).flatMap((e) => {
      const field = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.['TlPhase'];
      return field?.data ? [JSON.parse(Buffer.from(field.data).toString()) as string] : [];
    });
    expect(phases.slice(phases.indexOf('confirming'))).toEqual(['confirming', 'completed']);
    const timers = (history.events ?? []).filter((e) => e.timerStartedEventAttributes).length;
    expect(timers).toBeGreaterThanOrEqual(3); // the backoff is timers in history, not a tight loop
  });

  it('fails SessionNotCompleting after assemblyWaitMs when the session never completes, saying what to do', async () => {
    const file = await makeFile(stack.dir, `stuck-${counter++}.mp4`, 3 * CHUNK);
    await stack.emulator.setFaults({ assembly_active_s: 3600 });
    const before = await stack.emulator.counters();
    const handle = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId: `stuck-${Date.now()}`,
      args: [{ source: { path: file.path }, reportFlushMs: 200, assemblyWaitMs: 10_000 }],
    });
    const failure = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe(FailureType.SessionNotCompleting);
    expect(cause.message).toMatch(/still answers `active`/);
    expect(cause.message).toMatch(/Reset this upload/);
    // 10 s of waiting in pauses of 1, 2, 4, 3 s: a handful of status calls.
    const calls = statusCalls(await stack.emulator.counters()) - statusCalls(before);
    expect(calls).toBeLessThanOrEqual(8);
  });

  it('sends a chunk TwelveLabs always marks failed a bounded number of times, then fails naming it and quoting the error', async () => {
    const file = await makeFile(stack.dir, `rejected-${counter++}.mp4`, 4 * CHUNK);
    await stack.emulator.setFaults({ chunk_always_failed: 3 });
    const before = await stack.emulator.counters();
    const handle = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId: `rejected-${Date.now()}`,
      // Continue-as-new as often as allowed: the count must survive it.
      args: [{ source: { path: file.path }, reportFlushMs: 200, continueAsNewAfterEvents: 100 }],
    });
    const failure = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe(FailureType.ChunkRejected);
    expect(cause.message).toContain('chunk 3 ');
    expect(cause.message).toContain('checksum mismatch in the assembled part');
    const after = await stack.emulator.counters();
    const puts = (after.puts_by_status['200'] ?? 0) - (before.puts_by_status['200'] ?? 0);
    // Chunks 1, 2, 4 once; chunk 3 once plus MAX_CHUNK_REJECTIONS re-sends.
    expect(puts).toBeLessThanOrEqual(3 + 1 + MAX_CHUNK_REJECTIONS);
    expect(puts).toBeGreaterThanOrEqual(1 + MAX_CHUNK_REJECTIONS);
  });

  it('catches a store that keeps other bytes than it received: the chunk goes again and the object is byte-exact', async () => {
    const size = 6 * CHUNK + 5;
    const file = await makeFile(stack.dir, `corrupted-${counter++}.mp4`, size);
    await stack.emulator.fireNext('put_corrupt', 2);
    const before = await stack.emulator.counters();
    const handle = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId: `corrupted-${Date.now()}`,
      args: [{ source: { path: file.path }, reportFlushMs: 200 }],
    });
    const result: MultipartUploadResult = await handle.result();
    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size, sha256: file.sha256 });
    const after = await stack.emulator.counters();
    expect((after.faults_injected['put_corrupt'] ?? 0) - (before.faults_injected['put_corrupt'] ?? 0)).toBe(2);
    // The two corrupted chunks were stored a second time.
    expect(after.bytes_stored_again - before.bytes_stored_again).toBeGreaterThan(0);
    expect((after.puts_by_status['200'] ?? 0) - (before.puts_by_status['200'] ?? 0)).toBe(7 + 2);
  });
});
