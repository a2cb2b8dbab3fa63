// Exactly one session and one asset per upload, whatever answer is lost, and never another
// upload's asset; a file that changes while a direct upload sends it fails SourceChanged and
// leaves nothing behind. Real dev server, real worker, the emulator (whose own ledger of what it
// created is the judge) behind a real loopback proxy, real files.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadClient, UploadFailedError } from '../../src/client';
import { CREATE_TOKEN_KEY } from '../../src/domain/create-token';
import type { UploadResult } from '../../src/domain/types';
import { startApiProxy, type ApiProxy } from '../support/api-proxy';
import { makeFile, startStack, type InProcessWorker, type Stack } from '../support/harness';

const CHUNK = 16 * 1024;
const MIB = 1024 * 1024;

describe('exactly one session and one asset per upload', () => {
  let stack: Stack;
  let client: UploadClient;
  let proxy: ApiProxy;
  let worker: InProcessWorker;

  beforeAll(async () => {
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, assetReadyDelayMs: 10 } });
    // The only worker talks to TwelveLabs through a proxy that can hold a request body.
    proxy = await startApiProxy({ target: stack.emulator.baseUrl });
    worker = await stack.startWorker({ twelveLabsBaseUrl: proxy.baseUrl });
    client = new UploadClient(stack.temporal, { taskQueue: stack.taskQueue });
  });
  afterAll(async () => {
    await stack?.stop();
    await proxy?.close();
  });

  async function upload(file: string, options: Parameters<UploadClient['startUpload']>[1] = {}) {
    const run = await client.startUpload(file, { readyPollIntervalMs: 100, reconcileDelayMs: 0, ...options });
    return { run, outcome: client.result(run.workflowId) as Promise<UploadResult> };
  }

  /** What the emulator itself created under this name: the judge, not the upload's own result. */
  async function createdNamed(fileName: string) {
    return (await stack.emulator.created()).filter((c) => c.filename === fileName);
  }

  it('after a lost create-session answer, adopts that session: one session, one asset, the token gone', async () => {
    const file = await makeFile(stack.dir, 'lost-m1.mp4', 40 * CHUNK + 5);
    const before = await stack.emulator.counters();
    await stack.emulator.loseNextReplies('M1');
    const { outcome } = await upload(file.path, { directMaxBytes: 20 * CHUNK, userMetadata: { campaign: 'spring' } });
    const result = await outcome;

    const after = await stack.emulator.counters();
    expect((after.faults_injected.lost_reply_m1 ?? 0) - (before.faults_injected.lost_reply_m1 ?? 0)).toBe(1);
    expect(after.sessions_created - before.sessions_created).toBe(1);
    const created = await createdNamed('lost-m1.mp4');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ asset_id: result.assetId, method: 'multipart' });
    expect(created[0]!.deleted_at).toBeUndefined();
    expect(result.multipart?.counters.sessionsCreated).toBe(1);
    expect(result.assetsCreated).toBe(1);
    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: 40 * CHUNK + 5, sha256: file.sha256 });
    // The user's metadata stays; the token that found the session is removed.
    expect((await stack.api.getAsset(result.assetId)).userMetadata).toEqual({ campaign: 'spring' });
  });

  it('after a lost direct-create answer, adopts its own asset and creates no second one', async () => {
    const file = await makeFile(stack.dir, 'lost-a1.mp4', 64 * 1024);
    await stack.emulator.loseNextReplies('A1');
    const { outcome } = await upload(file.path);
    const result = await outcome;

    expect(result.reconciled).toBe(true);
    expect(result.assetsCreated).toBe(1);
    const created = await createdNamed('lost-a1.mp4');
    expect(created.map((c) => c.asset_id)).toEqual([result.assetId]);
    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: 64 * 1024, sha256: file.sha256 });
    expect((await stack.api.getAsset(result.assetId)).userMetadata[CREATE_TOKEN_KEY]).toBeUndefined();
  });

  it("never adopts another upload's asset of the same name and size after a create that failed before it was applied", async () => {
    fs.mkdirSync(path.join(stack.dir, 'first'));
    fs.mkdirSync(path.join(stack.dir, 'second'));
    const first = await makeFile(path.join(stack.dir, 'first'), 'same-name.mp4', 64 * 1024);
    const second = path.join(stack.dir, 'second', 'same-name.mp4');
    fs.copyFileSync(first.path, second);
    const firstResult = await (await upload(first.path)).outcome;

    // The second upload's first create is refused with a 5xx before the emulator acts on it:
    // its outcome is unknown to the workflow, which must look for its own asset and find none.
    await stack.emulator.fireNext('api_5xx');
    const secondResult = await (await upload(second)).outcome;

    expect(secondResult.assetId).not.toBe(firstResult.assetId);
    expect(secondResult.reconciled).toBe(false);
    const created = await createdNamed('same-name.mp4');
    expect(created.map((c) => c.asset_id).sort()).toEqual([firstResult.assetId, secondResult.assetId].sort());
    expect(await stack.emulator.objectInfo(secondResult.assetId)).toEqual({ size: 64 * 1024, sha256: first.sha256 });
  });

  for (const edit of ['edited in place', 'appended to'] as const) {
    it(`fails SourceChanged when the file is ${edit} while the direct upload sends it, and deletes the asset those bytes made`, async () => {
      const name = `changing-${edit.replace(/ /g, '-')}.mp4`;
      const file = await makeFile(stack.dir, name, 8 * MIB);
      // The POST passes its first MiB, then waits: the file changes while the upload is in flight.
      const held = proxy.holdRequestBody('POST', '/assets', MIB);
      const { outcome } = await upload(file.path);
      const failure = outcome.catch((e: unknown) => e);
      await held.reached;
      if (edit === 'edited in place') {
        const handle = fs.openSync(file.path, 'r+');
        fs.writeSync(handle, Buffer.alloc(4096, 0x5a), 0, 4096, 8 * MIB - 4096);
        fs.closeSync(handle);
      } else {
        fs.appendFileSync(file.path, Buffer.alloc(4096, 0x5a));
      }
      held.release();
      const err = (await failure) as UploadFailedError;

      expect(err).toBeInstanceOf(UploadFailedError);
      expect(err.type).toBe('SourceChanged');
      expect(err.message).toMatch(/changed while it was uploaded .* the asset \w+ made from those bytes was deleted/);
      // The emulator did receive the upload and make an asset; nothing of it is left.
      const created = await createdNamed(name);
      expect(created).toHaveLength(1);
      expect(created[0]!.deleted_at).toBeDefined();
      expect((await stack.api.listAssets({ filename: name })).items).toEqual([]);
    });
  }

  it('after a worker is killed while the direct-create answer is on its way, the retry adopts that asset', async () => {
    // One worker process, talking through the proxy; the in-process worker steps aside.
    await worker.stop();
    const doomed = await stack.spawnWorker({ TWELVELABS_BASE_URL: proxy.baseUrl });
    const file = await makeFile(stack.dir, 'killed-mid-create.mp4', 256 * 1024);
    const held = proxy.holdResponse('POST', '/assets');
    const { outcome } = await upload(file.path);
    await held.answered; // TwelveLabs has made the asset; the worker has not heard
    await doomed.kill('SIGKILL');
    held.release();
    worker = await stack.startWorker({ twelveLabsBaseUrl: proxy.baseUrl });
    const result = await outcome; // the activity's retry runs here after its heartbeat timeout

    expect(result.reconciled).toBe(true);
    const created = await createdNamed('killed-mid-create.mp4');
    expect(created.map((c) => c.asset_id)).toEqual([result.assetId]);
    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: 256 * 1024, sha256: file.sha256 });
  });
});
