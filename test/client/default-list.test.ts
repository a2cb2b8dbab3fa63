// The Web UI's default workflow list (and `temporal workflow list`) asks Temporal's visibility
// with an empty query. It must show the uploads and batches a person started, not the helper
// workflows of asset calls and file identity checks: those run out of sight in their own
// TemporalNamespaceDivision, and a missing file leaves one failed upload there, not two failures.

import path from 'node:path';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELPER_WORKFLOWS_QUERY, UploadClient, UploadFailedError } from '../../src/index';
import { makeFile, startStack, waitFor, type Stack } from '../support/harness';

describe("the Web UI's default workflow list", () => {
  let stack: Stack;
  let client: UploadClient;

  beforeAll(async () => {
    stack = await startStack({ emulator: { assetReadyDelayMs: 10 } });
    await stack.startWorker();
    client = new UploadClient(stack.temporal, { taskQueue: stack.taskQueue });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function list(query: string): Promise<WorkflowExecutionInfo[]> {
    const found: WorkflowExecutionInfo[] = [];
    for await (const info of stack.temporal.workflow.list({ query })) found.push(info);
    return found;
  }

  it('holds only uploads and batches after asset calls, identity checks and a missing file', async () => {
    const file = await makeFile(stack.dir, 'listed.mp4', 256 * 1024);
    const upload = await client.startUpload(file.path);
    const { assetId } = await upload.result();
    const batch = await client.startBatch({ sources: [(await makeFile(stack.dir, 'in-a-batch.mp4', 128 * 1024)).path] });
    await batch.result();

    // Asset calls run as workflows on the worker.
    expect((await client.listAssets()).items.map((a) => a.id)).toContain(assetId);
    expect((await client.getAsset(assetId)).id).toBe(assetId);
    // A file this client cannot see is identified by the worker; this one is missing there too.
    const missing = await client.startUpload(path.join(stack.dir, 'not-there.mp4'));
    const failure = await missing.result().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(UploadFailedError);
    expect((failure as UploadFailedError).type).toBe('SourceNotFound');

    // The helpers ran (list, get, the identity check) and are visible to those who ask for them...
    const helpers = await waitFor(async () => {
      const found = await list(HELPER_WORKFLOWS_QUERY);
      return found.length >= 3 && found;
    }, 'the helper workflows in visibility');
    expect(helpers.map((h) => h.type).sort()).toEqual(['assetCallWorkflow', 'assetCallWorkflow', 'sourceIdentityWorkflow']);
    expect(helpers.find((h) => h.type === 'sourceIdentityWorkflow')?.status.name).toBe('FAILED');

    // ...and the default list, written after them, shows only what a person started.
    const everything = await waitFor(async () => {
      const found = await list('');
      // (The batch's small file goes up in a run inside the batch: no workflow of its own.)
      return found.length >= 3 && found;
    }, 'the uploads in visibility');
    const listed = everything.map((w) => `${w.type} ${w.workflowId}`).sort();
    expect(listed).toEqual(
      [
        `uploadWorkflow ${upload.workflowId}`,
        `batchUploadWorkflow ${batch.workflowId}`,
        `uploadWorkflow ${missing.workflowId}`,
      ].sort(),
    );
    // The same through the client's own list.
    expect((await client.listUploads()).map((u) => u.workflowId)).toHaveLength(3);
  });
});
