// Control of a batch that converges: pause and resume sent back to back, in either order, leave
// the batch's running child uploads in the batch's latest state (issue 17, item 4, the batch's
// side). Real dev server, worker, emulator and files; the child is a slow multipart upload.

import fs from 'node:fs';
import path from 'node:path';
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

    for (const finalPaused of [false, true, false, true, false]) {
      // Both signals in one go: they land in one workflow task of the batch.
      const [first, second] = finalPaused ? [resumeSignal, pauseSignal] : [pauseSignal, resumeSignal];
      await Promise.all([batch.signal(first), batch.signal(second)]);
      // Settled: the batch knows its state, and the child agrees (not just for a moment).
      await waitFor(async () => (await batch.query(batchProgressQuery)).paused === finalPaused, 'the batch to take the signals');
      const settled = await waitFor(async () => {
        const a = await child.query(uploadProgressQuery);
        await new Promise((r) => setTimeout(r, 300));
        const b = await child.query(uploadProgressQuery);
        return a.paused === b.paused && b;
      }, 'the child to settle');
      expect(settled.paused, `round ending ${finalPaused ? 'paused' : 'resumed'}`).toBe(finalPaused);
    }
    await stack.emulator.setFaults({});
    const result = (await client.result(run.workflowId)) as BatchUploadResult;
    expect(result.totals).toMatchObject({ files: 1, completed: 1 });
    expect((await stack.emulator.objectInfo(result.items[0]!.assetId!))?.sha256).toBe(large.sha256);
  });
});
