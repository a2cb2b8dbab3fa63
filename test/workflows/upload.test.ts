// uploadWorkflow end to end through the client library: real dev server, real worker, the
// emulator over loopback (directly, or behind a real proxy that loses responses), real files.

import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { UploadClient, UploadFailedError } from '../../src/client';
import { ASSET_UPLOAD_CODES } from '../../src/twelvelabs/asset-upload-codes';
import { MAX_DIRECT_BYTES } from '../../src/twelvelabs/limits';
import { TL_FILE_NAME, TL_FILE_SIZE, TL_PHASE } from '../../src/workflows/search-attributes';
import type { UploadResult } from '../../src/domain/types';
import { startApiProxy, type ApiProxy } from '../support/api-proxy';
import { makeFile, startStack, waitFor, workflowBundle, type InProcessWorker, type Stack } from '../support/harness';

const CHUNK = 16 * 1024;

describe('uploadWorkflow', () => {
  let stack: Stack;
  let client: UploadClient;
  let worker: InProcessWorker;
  let proxy: ApiProxy;
  const started: string[] = [];

  beforeAll(async () => {
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, assetReadyDelayMs: 10 } });
    worker = await stack.startWorker();
    client = new UploadClient(stack.temporal, { taskQueue: stack.taskQueue });
  });
  afterAll(async () => {
    await proxy?.close();
    await stack?.stop();
  });

  async function upload(file: string, options: Parameters<UploadClient['startUpload']>[1] = {}) {
    const run = await client.startUpload(file, { readyPollIntervalMs: 100, ...options });
    started.push(run.workflowId);
    return run;
  }

  it('sends a small file as one direct upload, streamed from disk, and waits until the asset is ready', async () => {
    const file = await makeFile(stack.dir, 'small-clip.mp4', 300 * 1024 + 7);
    const before = await stack.emulator.counters();
    const run = await upload(file.path);
    const result = (await client.result(run.workflowId)) as UploadResult;

    expect(result).toMatchObject({ route: 'direct', fileName: 'small-clip.mp4', totalBytes: 300 * 1024 + 7, assetStatus: 'ready', reconciled: false });
    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: 300 * 1024 + 7, sha256: file.sha256 });
    const after = await stack.emulator.counters();
    expect((after.sessions_created ?? 0) - (before.sessions_created ?? 0)).toBe(0); // no multipart session
    expect(await client.progress(run.workflowId)).toMatchObject({ phase: 'completed', percent: 100, assetId: result.assetId });

    // What the Web UI shows: a readable summary, the current details, and the search attributes.
    const handle = stack.temporal.workflow.getHandle(run.workflowId);
    const description = await handle.describe();
    expect(await description.staticSummary()).toBe('Upload small-clip.mp4 (300 KiB) to TwelveLabs');
    expect(description.typedSearchAttributes.get(TL_PHASE)).toBe('completed');
    expect(description.typedSearchAttributes.get(TL_FILE_NAME)).toBe('small-clip.mp4');
    expect(description.typedSearchAttributes.get(TL_FILE_SIZE)).toBe(300 * 1024 + 7);
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain('**small-clip.mp4** — completed');
    expect(metadata.currentDetails).toContain('**100.0%** — 300 KiB of 300 KiB');
    expect(metadata.currentDetails).toContain('- route: direct');
    expect(metadata.currentDetails).toContain(`- asset: \`${result.assetId}\` (ready)`);
  });

  it('takes the multipart route above the direct threshold', async () => {
    const file = await makeFile(stack.dir, 'above-threshold.mp4', 40 * CHUNK);
    const run = await upload(file.path, { directMaxBytes: 20 * CHUNK });
    const result = (await client.result(run.workflowId)) as UploadResult;

    expect(result.route).toBe('multipart');
    expect(result.multipart?.totalChunks).toBe(40);
    expect(result.assetStatus).toBe('ready');
    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: 40 * CHUNK, sha256: file.sha256 });
  });

  it('routes a file one byte over the real 200 MiB default to multipart (sparse: nothing is written)', async () => {
    const file = path.join(stack.dir, 'just-over-200mib.mp4');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, MAX_DIRECT_BYTES + 1);
    const run = await upload(file, { multipart: { concurrency: 1 } });
    const state = await waitFor(async () => {
      const p = await client.progress(run.workflowId);
      return p.upload?.multipartWorkflowId && p;
    }, 'the multipart child to start');
    expect(state).toMatchObject({ route: 'multipart', totalBytes: MAX_DIRECT_BYTES + 1 });
    await client.cancel(run.workflowId);
    const err = await client.result(run.workflowId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UploadFailedError);
    expect((err as UploadFailedError).type).toBe('Cancelled');
  });

  it('refuses a file over 4 GiB with a clear reason and creates nothing (sparse file)', async () => {
    const file = path.join(stack.dir, 'huge.mov');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, 4 * 1024 ** 3 + 1);
    const before = await stack.emulator.counters();
    const run = await upload(file);
    const err = (await client.result(run.workflowId).catch((e: unknown) => e)) as UploadFailedError;

    expect(err).toBeInstanceOf(UploadFailedError);
    expect(err.type).toBe('FileTooLarge');
    expect(err.message).toMatch(/4294967297 bytes; TwelveLabs accepts at most 4294967296 bytes \(4 GiB\) per upload/);
    const after = await stack.emulator.counters();
    expect(after.sessions_created).toBe(before.sessions_created);
    expect(after.requests_by_endpoint.A1 ?? 0).toBe(before.requests_by_endpoint.A1 ?? 0);
  });

  it('refuses an image over 5 MB before sending a byte, and sends a smaller one direct even above the direct threshold', async () => {
    const big = await makeFile(stack.dir, 'too-big.jpg', 5 * 1024 * 1024 + 1);
    const before = await stack.emulator.counters();
    const refused = await upload(big.path);
    const err = (await client.result(refused.workflowId).catch((e: unknown) => e)) as UploadFailedError;
    expect(err).toBeInstanceOf(UploadFailedError);
    expect(err.type).toBe('FileTooLarge');
    expect(err.message).toMatch(/the image has 5242881 bytes; TwelveLabs accepts images of at most 5242880 bytes \(5 MB\)/);
    expect((await stack.emulator.counters()).requests_by_endpoint.A1 ?? 0).toBe(before.requests_by_endpoint.A1 ?? 0);

    // Over a (test) direct threshold an image still goes direct: a multipart session takes video and audio only.
    const small = await makeFile(stack.dir, 'poster.png', 40 * CHUNK);
    const run = await upload(small.path, { directMaxBytes: 20 * CHUNK });
    const result = (await client.result(run.workflowId)) as UploadResult;
    expect(result.route).toBe('direct');
    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: 40 * CHUNK, sha256: small.sha256 });
    expect((await stack.emulator.counters()).sessions_created ?? 0).toBe(before.sessions_created ?? 0);
  });

  it('reports an asset that TwelveLabs fails to process, with the API message and the asset id', async () => {
    const file = await makeFile(stack.dir, 'broken-media.mp4', 20_000);
    await stack.emulator.setFaults({ asset_failed: 1 });
    try {
      const run = await upload(file.path);
      const err = (await client.result(run.workflowId).catch((e: unknown) => e)) as UploadFailedError;
      expect(err).toBeInstanceOf(UploadFailedError);
      // The emulator's media errors carry a documented code: the failure is that code's own reason.
      const code = /TwelveLabs could not process asset \w+: ((?:video|audio)_\w+): /.exec(err.message)?.[1] as keyof typeof ASSET_UPLOAD_CODES;
      expect(ASSET_UPLOAD_CODES[code]).toBeDefined();
      expect(err.type).toBe(ASSET_UPLOAD_CODES[code].reason);
      expect(err.assetId).toBeDefined();
      expect((await stack.api.getAsset(err.assetId!)).status).toBe('failed');
      expect(await client.progress(run.workflowId)).toMatchObject({ executionStatus: 'FAILED', assetId: err.assetId, error: { type: err.type } });
    } finally {
      await stack.emulator.setFaults({});
    }
  });

  it('after a direct upload whose response was lost, adopts the asset it made instead of creating a second', async () => {
    // From here on the only worker talks to TwelveLabs through a proxy that loses one A1 answer.
    await worker.stop();
    proxy = await startApiProxy({ target: stack.emulator.baseUrl });
    const lossy = await stack.startWorker({ twelveLabsBaseUrl: proxy.baseUrl });
    try {
      const file = await makeFile(stack.dir, 'lost-response.mp4', 64 * 1024);
      proxy.dropResponses('POST', '/assets', 1);
      const before = await stack.emulator.counters();
      const run = await upload(file.path, { reconcileDelayMs: 0 });
      const result = (await client.result(run.workflowId)) as UploadResult;

      expect(proxy.dropped()).toBe(1);
      expect(result.reconciled).toBe(true);
      // One A1 request: the asset it made was found in the list and adopted, not created again.
      expect((await stack.emulator.counters()).requests_by_endpoint.A1 ?? 0).toBe((before.requests_by_endpoint.A1 ?? 0) + 1);
      const named = await stack.api.listAssets({ filename: 'lost-response.mp4' });
      expect(named.items.map((a) => a.id)).toEqual([result.assetId]);
      expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: 64 * 1024, sha256: file.sha256 });
    } finally {
      await lossy.stop();
    }
  });

  it('replays every recorded history deterministically, parents and multipart children, and the replayer really checks them', async () => {
    // The uploads the tests above ran (this test needs them: run the whole file, not this one alone).
    expect(started.length, 'uploads recorded by the tests above').toBeGreaterThanOrEqual(5);
    const histories: Array<{ workflowId: string; history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>> }> = [];
    const children: string[] = [];
    for (const workflowId of started) {
      const history = await stack.temporal.workflow.getHandle(workflowId).fetchHistory();
      histories.push({ workflowId, history });
      for (const e of history.events ?? []) {
        const child = e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
        if (child) children.push(child);
      }
    }
    // The multipart route ran at least twice above: its children are replayed too.
    expect(children.length).toBeGreaterThanOrEqual(2);
    for (const workflowId of children) {
      histories.push({ workflowId, history: await stack.temporal.workflow.getHandle(workflowId).fetchHistory() });
    }
    // Each history holds decisions to check: more than one completed workflow task, and a close.
    for (const { workflowId, history } of histories) {
      const events = history.events ?? [];
      expect(events.filter((e) => e.workflowTaskCompletedEventAttributes).length, workflowId).toBeGreaterThan(1);
      const last = events.at(-1);
      const closed = last?.workflowExecutionCompletedEventAttributes ?? last?.workflowExecutionFailedEventAttributes ?? last?.workflowExecutionCanceledEventAttributes;
      expect(closed, `${workflowId} is closed`).toBeDefined();
    }

    let replayed = 0;
    for await (const replay of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      expect(replay.error, `replay of ${replay.workflowId}`).toBeUndefined();
      replayed++;
    }
    expect(replayed).toBe(histories.length);

    // The same history with one command changed must fail: the replayer compares, not just runs.
    const tampered = structuredClone(histories[0]!);
    const inspect = tampered.history.events!.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'inspectFile');
    expect(inspect, 'the first upload inspected its file').toBeDefined();
    inspect!.activityTaskScheduledEventAttributes!.activityType!.name = 'uploadDirect';
    let caught = 0;
    for await (const replay of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, [tampered])) {
      expect(replay.error?.message).toMatch(/[Nn]ondeterminism/);
      caught++;
    }
    expect(caught).toBe(1);
  });

});
