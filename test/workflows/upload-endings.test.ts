// Issue 17, items 3, 5 and 7: how an upload that does not complete ends. A cancelled or failed
// multipart upload cleans up the asset it reserved (unless asked to keep it) and says so; one
// cancelled after TwelveLabs had every chunk reports its asset, to its batch too; an API outage
// shows in the progress as the retrying call's attempt and last error, and ends typed after the
// stated bound. Real dev server, real worker, the emulator over loopback, real files.

import { ASSET_UPLOAD_FAILURE_TYPES } from '../../src/twelvelabs/asset-upload-codes';
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UploadClient, UploadFailedError } from '../../src/client';
import type { UploadProgress, UploadResult, UploadState } from '../../src/domain/types';
import { batchProgressQuery } from '../../src/workflows/batch-upload';
import { uploadProgressQuery } from '../../src/workflows/upload';
import { makeFile, startStack, waitFor, type InProcessWorker, type Stack } from '../support/harness';

const CHUNK = 16 * 1024;

describe('how an upload that does not complete ends', () => {
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

  /** A multipart upload held slow by the store, and its child once it uploads. */
  async function slowUpload(name: string, multipart: Record<string, unknown> = {}) {
    await stack.emulator.setFaults({ put_throttle_bps: 16 * 1024 });
    const file = await makeFile(stack.dir, `${name}-${counter++}.mp4`, 40 * CHUNK);
    const run = await client.startUpload(file.path, { directMaxBytes: CHUNK, multipart: { concurrency: 2, ...multipart } });
    const parent = stack.temporal.workflow.getHandle(run.workflowId);
    const childId = await waitFor(async () => (await parent.query(uploadProgressQuery)).multipartWorkflowId, 'the multipart child');
    const child = stack.temporal.workflow.getHandle(childId);
    const uploading = await waitFor(async () => {
      const p = await child.query<UploadProgress>('progress');
      return p.phase === 'uploading' && p.assetId !== undefined && p;
    }, 'the child uploading');
    return { workflowId: run.workflowId, parent, child, assetId: uploading.assetId!, uploadId: uploading.uploadId! };
  }

  it('deletes the asset a cancelled multipart upload reserved, and status says so', async () => {
    const { workflowId, assetId } = await slowUpload('cancelled');
    await client.cancel(workflowId);
    await client.result(workflowId).catch(() => undefined);
    await stack.emulator.setFaults({});
    await expect(stack.api.getAsset(assetId)).rejects.toMatchObject({ status: 404 });
    const progress = await client.progress(workflowId);
    expect(progress.executionStatus).toBe('CANCELLED');
    expect(progress.assetLeft).toEqual({ assetId, action: 'deleted' });
    expect(progress.assetId).toBeUndefined();
  });

  it('keeps it when the caller asks (keepAssetOnFailure), and status says so', async () => {
    const { workflowId, assetId, uploadId } = await slowUpload('kept', { keepAssetOnFailure: true });
    await client.cancel(workflowId);
    await client.result(workflowId).catch(() => undefined);
    await stack.emulator.setFaults({});
    expect((await stack.api.getAsset(assetId)).id).toBe(assetId);
    expect((await stack.api.getMultipartUploadStatus(uploadId)).status).toBe('active');
    const progress = await client.progress(workflowId);
    expect(progress.assetLeft).toMatchObject({ assetId, action: 'kept', reason: expect.stringContaining('keepAssetOnFailure') });
    expect(progress.assetId).toBe(assetId);
  });

  it('reports the asset of an upload cancelled while TwelveLabs assembles it, and its batch item gets CancelledAfterAssetCreated', async () => {
    const file = await makeFile(stack.dir, `assembling-${counter++}.mp4`, 6 * CHUNK);
    await stack.emulator.setFaults({ assembly_active_s: 3600 });
    const run = await client.startBatch({ sources: [file.path], upload: { directMaxBytes: CHUNK } });
    const batch = stack.temporal.workflow.getHandle(run.workflowId);
    const itemId = await waitFor(async () => (await batch.query(batchProgressQuery)).items[0]?.workflowId, 'the file to start');
    const item = stack.temporal.workflow.getHandle(itemId);
    const childId = await waitFor(async () => (await item.query(uploadProgressQuery).catch(() => undefined))?.multipartWorkflowId, 'the multipart child');
    const confirming = await waitFor(async () => {
      const p = await stack.temporal.workflow.getHandle(childId).query<UploadProgress>('progress');
      return p.phase === 'confirming' && p;
    }, 'every chunk accepted, TwelveLabs assembling');

    await client.cancel(run.workflowId);
    const err = await client.result(run.workflowId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UploadFailedError);
    await stack.emulator.setFaults({});

    expect(await stack.emulator.objectInfo(confirming.assetId!)).toEqual({ size: 6 * CHUNK, sha256: file.sha256 });
    const state: UploadState = await item.query(uploadProgressQuery);
    expect(state).toMatchObject({ phase: 'cancelled', assetId: confirming.assetId, assetLeft: { action: 'kept' } });
    const progress = await batch.query(batchProgressQuery);
    expect(progress.items[0]).toMatchObject({
      state: 'cancelled',
      assetId: confirming.assetId,
      error: { type: 'CancelledAfterAssetCreated' },
    });
  });

  it('counts the chunks a lane stored before it failed for good (the file was deleted) in the bytes stored', async () => {
    await stack.emulator.setFaults({ put_throttle_bps: 32 * 1024 });
    const file = await makeFile(stack.dir, `deleted-${counter++}.mp4`, 40 * CHUNK);
    const run = await client.startUpload(file.path, { directMaxBytes: CHUNK, multipart: { concurrency: 1, keepAssetOnFailure: true } });
    const parent = stack.temporal.workflow.getHandle(run.workflowId);
    const childId = await waitFor(async () => (await parent.query(uploadProgressQuery)).multipartWorkflowId, 'the multipart child');
    const child = stack.temporal.workflow.getHandle(childId);
    // The lane's own heartbeat lists what it stored; the workflow learns of it only when the lane returns.
    const storedByLane = await waitFor(async () => {
      const lane = (await child.describe()).raw.pendingActivities?.find((a) => a.activityType?.name === 'uploadChunk');
      return lane?.heartbeatDetails && (await client.progress(run.workflowId)).sentBytes >= 3 * CHUNK;
    }, 'three chunks stored by the running lane');
    expect(storedByLane).toBe(true);
    const ledgerBefore = await child.query<UploadProgress>('progress');
    fs.unlinkSync(file.path);
    const err = (await client.result(run.workflowId).catch((e: unknown) => e)) as UploadFailedError;
    expect(err).toBeInstanceOf(UploadFailedError);
    const progress = await client.progress(run.workflowId);
    expect(progress.executionStatus).toBe('FAILED');
    // At least the chunks the lane had stored when the file went, though it never returned.
    expect(progress.sentBytes).toBeGreaterThanOrEqual(3 * CHUNK);
    expect(progress.sentBytes).toBeGreaterThan(ledgerBefore.uploadedBytes);
  });

  it('a Reset of a direct upload that failed after its asset existed makes no second asset', async () => {
    const file = await makeFile(stack.dir, `reset-direct-${counter++}.mp4`, 5 * CHUNK);
    const fileName = file.path.split('/').pop()!;
    await stack.emulator.fireNext('asset_failed', 1); // TwelveLabs cannot process the first asset
    const run = await client.startUpload(file.path, { readyPollIntervalMs: 100 });
    const err = (await client.result(run.workflowId).catch((e: unknown) => e)) as UploadFailedError;
    // The emulator's processing failure carries one of the documented codes, each its own reason.
    expect(['AssetFailed', ...Object.values(ASSET_UPLOAD_FAILURE_TYPES)]).toContain(err.type);
    const [failedAsset] = (await stack.api.listAssets({ filename: fileName })).items;
    expect(failedAsset?.status).toBe('failed');

    // Reset to the first workflow task, as the Web UI's Reset does: the run starts over from its input.
    const handle = stack.temporal.workflow.getHandle(run.workflowId);
    const history = await handle.fetchHistory();
    const firstTask = history.events!.find((e) => e.workflowTaskCompletedEventAttributes)!;
    const { runId: failedRunId } = await handle.describe();
    await stack.temporal.workflowService.resetWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId: run.workflowId, runId: failedRunId },
      workflowTaskFinishEventId: firstTask.eventId,
      reason: 'the cause was fixed',
      requestId: `reset-${Date.now()}`,
    });
    await waitFor(async () => (await handle.describe()).runId !== failedRunId, 'the reset run');
    const result = (await client.result(run.workflowId)) as UploadResult;

    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: 5 * CHUNK, sha256: file.sha256 });
    // One asset of this file is left: the reset run found the failed one by its token and replaced it.
    expect((await stack.api.listAssets({ filename: fileName })).items.map((a) => a.id)).toEqual([result.assetId]);
    expect((await stack.api.getAsset(result.assetId)).userMetadata?.['tl_upload_token']).toBeUndefined();
  });

  it('shows the retrying call with its attempt and last error during an API outage, then fails ApiUnavailable after apiOutageMs, keeping the session', async () => {
    const { workflowId, assetId, uploadId } = await slowUpload('outage', { apiOutageMs: 15_000, reportBatchSize: 1 });
    await stack.emulator.setFaults({ put_throttle_bps: 16 * 1024, api_5xx: 1 });
    const retrying = await waitFor(async () => {
      const p = await client.progress(workflowId);
      return p.retrying && p.retrying.attempt >= 3 && p.retrying;
    }, 'a call on its third attempt');
    expect(retrying.activityType).toMatch(/^(reportBatch|refreshUrls|pollStatus)$/);
    expect(retrying.lastError).toMatch(/5\d\d|internal|unavailable/i);

    const err = (await client.result(workflowId).catch((e: unknown) => e)) as UploadFailedError;
    expect(err).toBeInstanceOf(UploadFailedError);
    expect(err.type).toBe('ApiUnavailable');
    expect(err.message).toMatch(/did not answer .* for 15 s/);
    expect(err.message).toContain('Reset this upload');
    await stack.emulator.setFaults({});
    // Kept for the Reset the message suggests.
    expect((await stack.api.getMultipartUploadStatus(uploadId)).status).toBe('active');
    expect((await stack.api.getAsset(assetId)).id).toBe(assetId);
  });
});
