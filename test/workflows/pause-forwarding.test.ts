// Issue 17, item 4: pause and resume forwarded by uploadWorkflow to its multipart child converge:
// whatever order the forwarded signals arrive in, the child ends in the parent's latest state.
// Real dev server, real worker, the emulator over loopback; the pure rule in pause-order.ts.

import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadClient } from '../../src/client';
import type { UploadProgress, UploadState } from '../../src/domain/types';
import { PauseForwarder, PauseOrderGate } from '../../src/workflows/pause-order';
import { pauseSignal, resumeSignal } from '../../src/workflows/upload';
import { makeFile, startStack, waitFor, type InProcessWorker, type Stack } from '../support/harness';

const CHUNK = 16 * 1024;

describe('PauseOrderGate', () => {
  it('applies only orders newer than the last applied, and every unnumbered signal', () => {
    const forwarder = new PauseForwarder();
    const pause = forwarder.next();
    const resume = forwarder.next();
    const gate = new PauseOrderGate();
    expect(gate.accepts(resume)).toBe(true); // arrived first
    expect(gate.accepts(pause)).toBe(false); // older: ignored
    expect(gate.accepts(undefined)).toBe(true); // a person's pause
    expect(new PauseOrderGate(gate.last).accepts(pause)).toBe(false); // after continue-as-new
  });
});

describe('pause and resume forwarded to the multipart child', () => {
  let stack: Stack;
  let worker: InProcessWorker;
  let client: UploadClient;

  beforeAll(async () => {
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, assetReadyDelayMs: 10 } });
    worker = await stack.startWorker();
    client = new UploadClient(stack.temporal, { taskQueue: stack.taskQueue });
  });
  afterAll(async () => {
    await worker?.stop();
    await stack?.stop();
  });

  async function countEvents(handle: WorkflowHandle, which: 'externalWorkflowExecutionSignaledEventAttributes' | 'workflowExecutionSignaledEventAttributes'): Promise<number> {
    const history = await handle.fetchHistory();
    return (history.events ?? []).filter((e) => e[which]).length;
  }

  it('leaves the child in the parent state after pause and resume sent together, round after round', async () => {
    // A slow store keeps the upload running through every round.
    await stack.emulator.setFaults({ put_throttle_bps: 16 * 1024 });
    const file = await makeFile(stack.dir, 'pause-order.mp4', 64 * CHUNK);
    const run = await client.startUpload(file.path, { directMaxBytes: CHUNK, multipart: { concurrency: 2 } });
    const parent = stack.temporal.workflow.getHandle(run.workflowId);
    const childId = await waitFor(async () => (await parent.query<UploadState>('progress')).multipartWorkflowId, 'the multipart child');
    const child = stack.temporal.workflow.getHandle(childId);
    await waitFor(async () => (await child.query<UploadProgress>('progress')).phase === 'uploading', 'the child uploading');

    const rounds = 8;
    for (let round = 1; round <= rounds; round++) {
      // Two signals at once: they usually land in one workflow task of the parent, which then
      // forwards both in one task, and the server delivers those in no guaranteed order.
      await Promise.all([parent.signal(pauseSignal), parent.signal(resumeSignal)]);
      await waitFor(async () => (await countEvents(parent, 'externalWorkflowExecutionSignaledEventAttributes')) >= 2 * round, 'both forwarded');
      await waitFor(async () => (await countEvents(child, 'workflowExecutionSignaledEventAttributes')) >= 2 * round, 'both received');
      const parentPaused = (await parent.query<UploadState>('progress')).paused;
      const childPaused = (await child.query<UploadProgress>('progress')).paused;
      expect({ round, childPaused }).toEqual({ round, childPaused: parentPaused });
    }
    await stack.emulator.setFaults({});
    await parent.cancel();
  });
});
