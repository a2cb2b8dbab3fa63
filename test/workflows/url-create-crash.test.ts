// Finding 9's remainder (docs/RELIABILITY.md): a worker SIGKILLed while TwelveLabs fetches the
// media of a URL create (A1 method=url) costs the lanes' kind of seconds, not API_CALL's 10
// minutes, and the retry adopts the asset the lost attempt made instead of creating a second one.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { UploadClient } from '../../src/client';
import type { UploadResult } from '../../src/domain/types';
import { startStack, type Stack } from '../support/harness';

describe('a worker killed during a URL create', () => {
  let stack: Stack | undefined;
  let media: http.Server | undefined;
  afterEach(async () => {
    media?.closeAllConnections();
    media?.close();
    await stack?.stop();
    stack = media = undefined;
  });

  it('the upload moves again within the heartbeat timeout, and keeps one asset', async () => {
    stack = await startStack({ emulator: { assetReadyDelayMs: 10 } });
    const body = Buffer.alloc(256 * 1024, 7);
    // The media host answers only once the test lets it: the create is provably at TwelveLabs.
    let requested!: () => void;
    const mediaRequested = new Promise<void>((resolve) => (requested = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    media = http.createServer((_req, res) => {
      requested();
      void released.then(() => res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': body.length }).end(body));
    });
    media.listen(0, '127.0.0.1');
    await once(media, 'listening');
    const url = `http://127.0.0.1:${(media.address() as AddressInfo).port}/media/clip.mp4`;

    const first = await stack.spawnWorker();
    const client = new UploadClient(stack.temporal, { taskQueue: stack.taskQueue });
    const run = await client.startUpload(url, { readyPollIntervalMs: 100 });
    await mediaRequested;
    await first.kill('SIGKILL');
    const killedAt = Date.now();
    await stack.spawnWorker();
    // TwelveLabs finishes the lost attempt's create: its asset carries the upload's create token.
    release();
    const result = (await client.result(run.workflowId)) as UploadResult;
    const stalledMs = Date.now() - killedAt;
    // Heartbeat timeout (10 s) plus, at most, the reconciliation's wait (10 s); API_CALL took 600 s.
    expect(stalledMs).toBeLessThan(60_000);
    const created = (await stack.emulator.created()).filter((a) => a.filename === 'clip.mp4');
    expect(created.map((a) => ({ id: a.asset_id, deleted: a.deleted_at !== undefined }))).toEqual([{ id: result.assetId, deleted: false }]);
    expect(await stack.emulator.objectInfo(result.assetId)).toMatchObject({ size: body.length });
    console.log(`moving again after the kill: the upload finished ${(stalledMs / 1000).toFixed(1)} s after it`);
  }, 120_000);
});
