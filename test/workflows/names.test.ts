// Names survive the wire: an asset is called what its file is called (line breaks, backslashes),
// and a create whose answer was lost is reconciled to its own asset by its token, whatever name
// TwelveLabs stored. Real dev server, real worker, the emulator over loopback, real files.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadClient } from '../../src/client';
import { assetsCarryingToken } from '../../src/activities/own-assets';
import { withCreateToken } from '../../src/domain/create-token';
import type { UploadResult } from '../../src/domain/types';
import { makeFile, startStack, type Stack } from '../support/harness';

const CHUNK = 16 * 1024;

describe('names survive the wire', () => {
  let stack: Stack;
  let client: UploadClient;

  beforeAll(async () => {
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, assetReadyDelayMs: 10 } });
    await stack.startWorker();
    client = new UploadClient(stack.temporal, { taskQueue: stack.taskQueue });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function uploaded(file: string, options: Parameters<UploadClient['startUpload']>[1] = {}): Promise<UploadResult> {
    const run = await client.startUpload(file, { readyPollIntervalMs: 100, reconcileDelayMs: 0, ...options });
    return (await client.result(run.workflowId)) as UploadResult;
  }

  it('a file name with a line break gets one asset of exactly that name, also when the create answer is lost', async () => {
    const name = 'two\nlines.mp4';
    const file = await makeFile(stack.dir, name, 64 * 1024);
    await stack.emulator.loseNextReplies('A1');
    const result = await uploaded(file.path);

    expect(result).toMatchObject({ route: 'direct', fileName: name, reconciled: true, assetsCreated: 1 });
    const created = (await stack.emulator.created()).filter((c) => c.filename.startsWith('two'));
    expect(created.map((c) => [c.asset_id, c.filename, c.deleted_at])).toEqual([[result.assetId, name, undefined]]);
    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: 64 * 1024, sha256: file.sha256 });
  });

  it('a backslash is part of a Linux file name: back\\slash.mp4 is uploaded under that name, direct and multipart', async () => {
    fs.mkdirSync(path.join(stack.dir, 'odd'));
    const small = await makeFile(path.join(stack.dir, 'odd'), 'back\\slash.mp4', 32 * 1024);
    const direct = await uploaded(small.path);
    expect(direct.fileName).toBe('back\\slash.mp4');
    expect((await stack.api.getAsset(direct.assetId)).filename).toBe('back\\slash.mp4');

    const large = await makeFile(path.join(stack.dir, 'odd'), 'multi\\part.mp4', 8 * CHUNK);
    const multipart = await uploaded(large.path, { directMaxBytes: 4 * CHUNK });
    expect(multipart.route).toBe('multipart');
    expect((await stack.api.getAsset(multipart.assetId)).filename).toBe('multi\\part.mp4');
  });

  it('reconciliation finds its own asset by its token even when TwelveLabs stored another name', async () => {
    const file = await makeFile(stack.dir, 'stored-name.mp4', 16 * 1024);
    const since = Date.now() - 60_000;
    const token = `run:names-test-${Date.now()}`;
    // What a gateway that rewrites names would leave: our token on an asset of another name.
    const asset = await stack.api.createAsset({ method: 'direct', filePath: file.path, filename: 'stored-name.mp4', userMetadata: withCreateToken({}, token) });
    const found = await assetsCarryingToken(stack.api, { filename: 'the name we sent.mp4', token, createdSinceMs: since });
    expect(found.map((a) => a.id)).toEqual([asset.id]);
    // Another token finds nothing, whatever the name.
    expect(await assetsCarryingToken(stack.api, { filename: 'stored-name.mp4', token: 'run:someone-else', createdSinceMs: since })).toEqual([]);
  });
});
