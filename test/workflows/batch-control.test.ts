// Control of a batch that converges: pause and resume sent back to back, in either order, leave
// the batch's running child uploads in the batch's latest state (issue 17, item 4, the batch's
// side). Real dev server, worker, emulator and files; the child is a slow multipart upload.

import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadClient } from '../../src/client';
import type { BatchUploadResult } from '../../src/domain/types';
import { batchProgressQuery, pauseSignal, resumeSignal } from '../../src/workflows/batch-upload';
import { uploadProgressQuery } from '../../src/workflows/upload';
import { makeFile, startStack, waitFor, type InProcessWorker, type Stack } from '../support/harness';

const CHUNK = 32 * 1024;

describe('pause and resume of a batch reach its children in order', () => {
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

  it('leaves each child in the batch latest state, whatever order the signals arrive in', async () => {
    const dir = path.join(stack.dir, 'control');
    fs.mkdirSync(dir);
    const large = await makeFile(dir, 'large.mp4', 40 * CHUNK);
    // About a chunk a second: the child runs for as long as the test needs.
    await stack.emulator.setFaults({ put_throttle_bps: 32 * 1024 });
    const run = await client.startBatch({ directory: dir, upload: { directMaxBytes: 2 * CHUNK } });
    const batch = stack.temporal.workflow.getHandle(run.workflowId);
    const childId = (await waitFor(async () => (await batch.query(batchProgressQuery)).items.find((i) => i.workflowId && i.state === 'running'), 'the child to start')).workflowId!;
    const child = stack.temporal.workflow.getHandle(childId);
    await waitFor(async () => (await child.query(uploadProgressQuery)).route === 'multipart', 'the child to take the multipart route');

    const rounds = 5;
    for (let round = 1; round <= rounds; round++) {
      // Both signals in one go: they land in one workflow task of the batch, in no guaranteed
      // order, so the batch's own final state is whichever came last; the child must agree with it.
      const [first, second] = round % 2 === 0 ? [resumeSignal, pauseSignal] : [pauseSignal, resumeSignal];
      await Promise.all([batch.signal(first), batch.signal(second)]);
      await waitFor(async () => (await signalsReceived(batch)) >= 2 * round, 'the batch to take both signals');
      const batchState = await settled(() => batch.query(batchProgressQuery), 'the batch to settle');
      // The child reaches that state (on unordered forwarding it stayed in the other one for good)...
      await waitFor(async () => (await child.query(uploadProgressQuery)).paused === batchState.paused, `round ${round}: the child to reach the batch's state`);
      // ...and stays there.
      await new Promise((r) => setTimeout(r, 300));
      expect((await child.query(uploadProgressQuery)).paused, `round ${round}: the child against the batch`).toBe(batchState.paused);
    }
    // End resumed, whatever the last round left.
    await batch.signal(resumeSignal);
    await stack.emulator.setFaults({});
    const result = (await client.result(run.workflowId)) as BatchUploadResult;
    expect(result.totals).toMatchObject({ files: 1, completed: 1 });
    expect((await stack.emulator.objectInfo(result.items[0]!.assetId!))?.sha256).toBe(large.sha256);
  });
});

/** Signals a workflow's current run has received (the history's signal events). */
async function signalsReceived(handle: WorkflowHandle): Promise<number> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
}

/** A progress answer whose pause state holds over 300 ms (not just for a moment). */
async function settled<T extends { paused: boolean }>(read: () => Promise<T>, what: string): Promise<T> {
  return waitFor(async () => {
    const a = await read();
    await new Promise((r) => setTimeout(r, 300));
    const b = await read();
    return a.paused === b.paused && b;
  }, what);
}
