// The client library against the dev server, a worker and the emulator: live progress that
// includes the bytes inside running chunk PUTs (their heartbeats), a batch's progress summed over
// its files, concurrency changes, asset calls through Temporal, and its typed errors.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, UnavailableError, UploadClient, UploadFailedError, UsageError } from '../../src/client';
import type { BatchUploadResult, UploadResult } from '../../src/domain/types';
import { makeFile, startStack, waitFor, type Stack } from '../support/harness';

const CHUNK = 64 * 1024;

describe('UploadClient', () => {
  let stack: Stack;
  let client: UploadClient;

  beforeAll(async () => {
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, assetReadyDelayMs: 10 } });
    await stack.startWorker();
    client = new UploadClient(stack.temporal, { taskQueue: stack.taskQueue, webUiUrl: 'http://ui.example:8233/' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('reports bytes inside running chunk PUTs, read from their heartbeats, and changes the window', async () => {
    const file = await makeFile(stack.dir, 'live.mp4', 24 * CHUNK);
    await stack.emulator.setFaults({ put_throttle_bps: 16 * 1024 }); // a chunk takes ~4 s
    try {
      const run = await client.startUpload(file.path, { directMaxBytes: CHUNK, multipart: { concurrency: 2 } });
      expect(client.webUiLink(run.workflowId)).toBe(`http://ui.example:8233/namespaces/default/workflows/${run.workflowId}`);
      const live = await waitFor(async () => {
        const p = await client.progress(run.workflowId);
        return p.inFlightBytes > 0 && p;
      }, 'a heartbeat with bytes of a running chunk');
      expect(live).toMatchObject({ kind: 'upload', route: 'multipart', phase: 'uploading', totalBytes: 24 * CHUNK, executionStatus: 'RUNNING' });
      // stored chunks plus what the running PUTs have streamed, never more than the window holds
      expect(live.sentBytes).toBe(live.multipart!.uploadedBytes + live.inFlightBytes);
      expect(live.inFlightBytes).toBeLessThanOrEqual(2 * CHUNK);
      expect(live.percent).toBeCloseTo((live.sentBytes / (24 * CHUNK)) * 100);

      expect(await client.setConcurrency(run.workflowId, 6)).toBe(2);
      await waitFor(async () => (await client.progress(run.workflowId)).multipart!.inFlightChunks.length > 2, 'a wider window');
      await expect(client.setConcurrency(run.workflowId, 65)).rejects.toThrow(UsageError);

      await client.pause(run.workflowId);
      const paused = await waitFor(async () => {
        const p = await client.progress(run.workflowId);
        return p.multipart!.inFlightChunks.length === 0 && p;
      }, 'the window to drain');
      expect(paused).toMatchObject({ phase: 'paused', paused: true });
      // The paused upload's session is open at TwelveLabs: the incomplete list (run on the worker) shows it.
      const open = await client.listIncompleteUploads();
      expect(open.uploads.map((u) => u.uploadId)).toContain(paused.multipart!.uploadId);

      await stack.emulator.setFaults({});
      await client.resume(run.workflowId);
      const result = (await client.result(run.workflowId)) as UploadResult;
      expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: 24 * CHUNK, sha256: file.sha256 });
      expect(await client.progress(run.workflowId)).toMatchObject({ phase: 'completed', percent: 100, sentBytes: 24 * CHUNK });
      await expect(client.pause(run.workflowId)).rejects.toThrow(/is not running \(it is completed\)/);
    } finally {
      await stack.emulator.setFaults({});
    }
  });

  it('takes the rate from the recent past: paused time never dilutes it', async () => {
    const file = await makeFile(stack.dir, 'rate.mp4', 24 * CHUNK);
    await stack.emulator.setFaults({ put_throttle_bps: 64 * 1024 }); // a chunk takes about a second
    try {
      const run = await client.startUpload(file.path, { directMaxBytes: CHUNK, multipart: { concurrency: 2 } });
      // Two chunks sent, read from the lanes' heartbeats (the workflow hears of a lane's chunks when it returns).
      await waitFor(async () => (await client.progress(run.workflowId)).sentBytes >= 2 * CHUNK, 'two chunks sent');
      await client.pause(run.workflowId);
      const paused = await waitFor(async () => {
        const p = await client.progress(run.workflowId);
        return p.multipart!.inFlightChunks.length === 0 && p;
      }, 'the window to drain');
      expect(paused.bytesPerSecond).toBeUndefined();
      expect(paused.etaSeconds).toBeUndefined();
      // Stay paused five times as long as the upload ran before: an average since the start
      // would now be a sixth of the real rate or less.
      const activeMs = Date.now() - Date.parse(paused.startedAt!);
      await new Promise((r) => setTimeout(r, Math.max(5 * activeMs, 5_000)));

      await client.resume(run.workflowId);
      const moving = await waitFor(async () => {
        const p = await client.progress(run.workflowId);
        return p.phase === 'uploading' && p.sentBytes > paused.sentBytes && p;
      }, 'bytes moving again');
      // A later sample with more bytes: a window (lanes' heartbeats move in steps of a chunk).
      const after = await waitFor(async () => {
        const p = await client.progress(run.workflowId);
        return p.sentBytes > moving.sentBytes && p;
      }, 'more bytes sent');
      const sinceStart = (after.sentBytes * 1000) / (Date.now() - Date.parse(after.startedAt!));
      expect(moving.phase).toBe('uploading');
      expect(after.bytesPerSecond).toBeDefined();
      expect(after.bytesPerSecond!).toBeGreaterThan(1.5 * sinceStart);
      expect(after.etaSeconds).toBeCloseTo((24 * CHUNK - after.sentBytes) / after.bytesPerSecond!);

      await stack.emulator.setFaults({});
      const result = (await client.result(run.workflowId)) as UploadResult;
      expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: 24 * CHUNK, sha256: file.sha256 });
    } finally {
      await stack.emulator.setFaults({});
    }
  });

  it("sums a batch's progress over its files, with the live bytes of the running ones", async () => {
    const dir = path.join(stack.dir, 'batch');
    fs.mkdirSync(dir);
    const files = await Promise.all([1, 2, 3].map((n) => makeFile(dir, `part-${n}.mp4`, 8 * CHUNK)));
    await stack.emulator.setFaults({ put_throttle_bps: 32 * 1024 });
    try {
      const run = await client.startBatch({ directory: dir, maxConcurrentUploads: 2, upload: { directMaxBytes: CHUNK } });
      const live = await waitFor(async () => {
        const p = await client.progress(run.workflowId);
        return p.running && p.running.some((r) => r.inFlightBytes > 0) && p;
      }, 'a running file with bytes in flight');
      expect(live).toMatchObject({ kind: 'batch', title: '3 files', totalBytes: 24 * CHUNK, concurrency: 2 });
      expect(live.running!.length).toBeLessThanOrEqual(2);
      const runningSent = live.running!.reduce((sum, r) => sum + r.sentBytes, 0);
      expect(live.sentBytes).toBe(live.batch!.totals.completedBytes + runningSent);

      expect(await client.setConcurrency(run.workflowId, 3)).toBe(2);
      await stack.emulator.setFaults({});
      const result = (await client.result(run.workflowId)) as BatchUploadResult;
      expect(result.totals).toMatchObject({ files: 3, completed: 3, failed: 0 });
      for (const [i, item] of result.items.entries()) {
        expect(await stack.emulator.objectInfo(item.assetId!)).toEqual({ size: 8 * CHUNK, sha256: files[i]!.sha256 });
      }
    } finally {
      await stack.emulator.setFaults({});
    }
  });

  it('runs asset calls on the worker: list, get, metadata (merge, replace, clear) and delete', async () => {
    const file = await makeFile(stack.dir, 'asset-calls.mp4', 10_000);
    const { assetId } = (await client.result((await client.startUpload(file.path)).workflowId)) as UploadResult;

    const page = await client.listAssets({ filename: 'asset-calls' });
    expect(page.items.map((a) => a.id)).toEqual([assetId]);
    expect(await client.getAsset(assetId)).toMatchObject({ id: assetId, status: 'ready', method: 'direct', sizeBytes: 10_000 });
    expect((await client.updateMetadata(assetId, { team: 'ml', views: 3 })).userMetadata).toEqual({ team: 'ml', views: 3 });
    expect((await client.updateMetadata(assetId, { views: null, live: true })).userMetadata).toEqual({ team: 'ml', live: true });
    expect((await client.replaceMetadata(assetId, { only: 'this' })).userMetadata).toEqual({ only: 'this' });
    expect((await client.clearMetadata(assetId)).userMetadata).toEqual({});
    await client.deleteAsset(assetId);
    await expect(client.getAsset(assetId)).rejects.toThrow(NotFoundError);
  });

  it('fails with typed errors: unknown ids, a workflow of another kind, no worker', async () => {
    await expect(client.progress('no-such-upload')).rejects.toThrow(NotFoundError);
    await expect(client.result('no-such-upload')).rejects.toThrow(NotFoundError);
    const missing = await client.startUpload(path.join(stack.dir, 'missing.mp4'));
    const err = await client.result(missing.workflowId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UploadFailedError);
    expect(err).toMatchObject({ type: 'SourceNotFound' });
    // A failed upload's id may be started again (a retry); a completed one's is taken for good.
    const done = await client.startUpload((await makeFile(stack.dir, 'done.mp4', 1_000)).path);
    await client.result(done.workflowId);
    await expect(client.startBatch({ sources: ['/x.mp4'], workflowId: done.workflowId })).rejects.toThrow(
      /already belongs to a workflow of type uploadWorkflow \(not batchUploadWorkflow\)/,
    );

    const nobody = new UploadClient(stack.temporal, { taskQueue: `${stack.taskQueue}-no-worker`, callTimeoutMs: 2_000 });
    await expect(nobody.listAssets()).rejects.toThrow(UnavailableError);
  });
});
