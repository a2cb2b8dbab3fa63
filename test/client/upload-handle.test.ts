// The upload handle a service keeps after starting (or attaching to) an upload, as Temporal's
// WorkflowHandle and @aws-sdk/lib-storage's Upload: result(), progress(), watch(), pause(),
// resume(), setConcurrency(), cancel(), and progress events while result() waits. Against the
// dev server, a worker and the emulator.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, UploadClient, UploadFailedError, UploadHandle, UsageError, type LiveProgress } from '../../src/index';
import { makeFile, startStack, waitFor, type Stack } from '../support/harness';

const CHUNK = 64 * 1024;

describe('UploadHandle', () => {
  let stack: Stack;
  let client: UploadClient;

  beforeAll(async () => {
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, assetReadyDelayMs: 10 } });
    await stack.startWorker();
    client = new UploadClient(stack.temporal, { taskQueue: stack.taskQueue, webUiUrl: 'http://ui.example:8233' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('starts an upload, controls it through the handle and hears its progress while result() waits', async () => {
    const file = await makeFile(stack.dir, 'handle.mp4', 16 * CHUNK);
    await stack.emulator.setFaults({ put_throttle_bps: 32 * 1024 }); // a chunk takes ~2 s
    try {
      const upload = await client.startUpload(file.path, { directMaxBytes: CHUNK, multipart: { concurrency: 2 } });
      expect(upload).toBeInstanceOf(UploadHandle);
      // The start record is still there, for callers that keep the id.
      expect(upload.toJSON()).toEqual({
        workflowId: upload.workflowId,
        kind: 'upload',
        attached: false,
        webUiLink: `http://ui.example:8233/namespaces/default/workflows/${upload.workflowId}`,
      });

      await waitFor(async () => (await upload.progress()).inFlightBytes > 0, 'the first chunk PUTs');
      await upload.pause();
      const paused = await waitFor(async () => {
        const p = await upload.progress();
        return p.paused && p.multipart?.inFlightChunks.length === 0 && p;
      }, 'the paused upload to drain its window');
      expect(paused).toMatchObject({ phase: 'paused', executionStatus: 'RUNNING' });
      expect(await upload.setConcurrency(4)).toBe(2);

      const heard: LiveProgress[] = [];
      upload.on('progress', (p) => heard.push(p));
      await stack.emulator.setFaults({ put_throttle_bps: 256 * 1024 });
      await upload.resume();
      const result = await upload.result({ progressIntervalMs: 100 });
      expect(result.route).toBe('multipart');
      expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: 16 * CHUNK, sha256: file.sha256 });

      // Every snapshot went to the listener, moving forward, the last one the completed upload.
      expect(heard.length).toBeGreaterThan(1);
      expect(heard.every((p) => p.workflowId === upload.workflowId)).toBe(true);
      const sent = heard.map((p) => p.confirmedBytes);
      expect(sent).toEqual([...sent].sort((a, b) => a - b));
      expect(heard.at(-1)).toMatchObject({ executionStatus: 'COMPLETED', percent: 100, assetId: result.assetId });
    } finally {
      await stack.emulator.setFaults({});
    }
  });

  it('attaches with getUploadHandle(id) from another client, watches it, and cancels it', async () => {
    const file = await makeFile(stack.dir, 'attach.mp4', 16 * CHUNK);
    await stack.emulator.setFaults({ put_throttle_bps: 16 * 1024 });
    try {
      const started = await client.startUpload(file.path, { directMaxBytes: CHUNK, multipart: { concurrency: 1 } });
      const other = new UploadClient(stack.temporal, { taskQueue: stack.taskQueue });
      const attached = await other.getUploadHandle(started.workflowId);
      expect(attached.toJSON()).toEqual({ workflowId: started.workflowId, kind: 'upload', attached: true });

      const seen: LiveProgress[] = [];
      attached.on('progress', (p) => seen.push(p));
      for await (const p of attached.watch({ intervalMs: 100 })) {
        if (p.inFlightBytes > 0) {
          await attached.cancel();
          break;
        }
      }
      expect(seen.some((p) => p.inFlightBytes > 0)).toBe(true);
      const failure = await started.result().catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(UploadFailedError);
      expect((failure as UploadFailedError).type).toBe('Cancelled');

    } finally {
      await stack.emulator.setFaults({});
    }
  });

  it('hands out a batch handle whose result is the batch result', async () => {
    const a = await makeFile(stack.dir, 'batch-a.mp4', 3 * CHUNK);
    const b = await makeFile(stack.dir, 'batch-b.mp4', 2 * CHUNK);
    const batch = await client.startBatch({ sources: [a.path, b.path] });
    expect(batch.kind).toBe('batch');
    const result = await batch.result();
    expect(result.totals).toMatchObject({ files: 2, completed: 2, failed: 0 });
    const again = await client.getUploadHandle(batch.workflowId);
    expect(again.kind).toBe('batch');
    expect(await again.result()).toEqual(result);
  });

  it('refuses an unknown id and a workflow that is not an upload', async () => {
    await expect(client.getUploadHandle('no-such-upload')).rejects.toThrow(NotFoundError);
    const helper = await stack.temporal.workflow.start('sourceIdentityWorkflow', { taskQueue: stack.taskQueue, workflowId: `not-an-upload-${Date.now()}`, args: [{ path: '/nonexistent/x.mp4' }] });
    await expect(client.getUploadHandle(helper.workflowId)).rejects.toThrow(UsageError);
  });
});
