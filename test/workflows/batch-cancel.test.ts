// A batch cancelled while a file is finishing: that file's asset already exists at TwelveLabs
// (it is only waiting to be ready), so the batch's answer must name it. Real dev server, worker,
// emulator over loopback and files.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadClient, UploadFailedError } from '../../src/client';
import { batchProgressQuery } from '../../src/workflows/batch-upload';
import { makeFile, startStack, waitFor, type InProcessWorker, type Stack } from '../support/harness';

describe('a batch cancelled while a file is finishing', () => {
  let stack: Stack;
  let worker: InProcessWorker;
  let client: UploadClient;

  beforeAll(async () => {
    // Assets take ten minutes to be ready: a file stays "finishing" for as long as the test needs.
    stack = await startStack({ emulator: { assetReadyDelayMs: 600_000 } });
    worker = await stack.startWorker();
    client = new UploadClient(stack.temporal, { taskQueue: stack.taskQueue });
  });
  afterAll(async () => {
    await worker?.stop();
    await stack?.stop();
  });

  it('names the asset that file left, in the items, the failures and the Web UI details', async () => {
    const file = await makeFile(stack.dir, 'finishing.mp4', 200 * 1024);
    const run = await client.startBatch({ sources: [file.path], upload: { readyPollIntervalMs: 200 } });
    const batch = stack.temporal.workflow.getHandle(run.workflowId);
    // The file's asset exists (its bytes are in): now it only waits to be ready.
    const created = await waitFor(async () => (await stack.emulator.created()).find((a) => a.filename === 'finishing.mp4'), 'the asset to be created');

    await client.cancel(run.workflowId);
    const err = await client.result(run.workflowId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UploadFailedError);
    expect((err as UploadFailedError).type).toBe('Cancelled');

    // The asset exists, with the file's bytes, and the batch says so.
    expect(await stack.emulator.objectInfo(created.asset_id)).toEqual({ size: 200 * 1024, sha256: file.sha256 });
    const progress = await batch.query(batchProgressQuery);
    expect(progress.phase).toBe('cancelled');
    const expected = {
      state: 'cancelled',
      assetId: created.asset_id,
      error: { type: 'CancelledAfterAssetCreated', message: expect.stringContaining(`tl-upload assets delete ${created.asset_id}`) },
    };
    expect(progress.items[0]).toMatchObject(expected);
    expect(progress.failures).toEqual([expect.objectContaining(expected)]);
    expect(progress.totals).toMatchObject({ files: 1, cancelled: 1, completed: 0, running: 0, waiting: 0 });
    const metadata = await batch.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain(`cancelled after their asset was created (the assets stay): \`${created.asset_id}\``);
  });
});
