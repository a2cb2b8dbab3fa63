// `tl-upload upload` as a separate process against the dev server, a worker and the emulator:
// each route, a batch, attaching instead of duplicating, refusals. Every upload that succeeds is
// checked byte for byte (the emulator's SHA-256 of the stored object).

import fs from 'node:fs';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchUploadResult, UploadResult } from '../../src/domain/types';
import { makeFile, startStack, type Stack } from '../support/harness';
import { cli, cliJson, WEB_UI } from './cli-process';

const CHUNK = 16 * 1024;

describe('tl-upload upload', () => {
  let stack: Stack;
  let media: http.Server;
  let mediaOrigin: string;

  beforeAll(async () => {
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, assetReadyDelayMs: 10 } });
    await stack.startWorker();
    // A real HTTP server with a real file, for the URL route (TwelveLabs fetches it itself).
    const served = await makeFile(stack.dir, 'served-clip.mp4', 200 * 1024 + 3);
    media = http.createServer((req, res) => {
      if (req.url !== '/media/served-clip.mp4') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(fs.statSync(served.path).size) });
      fs.createReadStream(served.path).pipe(res);
    });
    media.listen(0, '127.0.0.1');
    await once(media, 'listening');
    mediaOrigin = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    media?.close();
    await stack?.stop();
  });

  async function expectStored(assetId: string, file: { sha256: string }, sizeBytes: number) {
    expect(await stack.emulator.objectInfo(assetId)).toEqual({ size: sizeBytes, sha256: file.sha256 });
  }

  it('uploads a small file directly and prints the result as JSON with --wait --json', async () => {
    const file = await makeFile(stack.dir, 'direct.mp4', 150 * 1024);
    const { code, json } = await cliJson<{ workflowId: string; attached: boolean; status: string; webUiLink: string; result: UploadResult }>(
      stack, 'upload', file.path, '--wait', '--metadata', 'team=ml', '--metadata', 'take=3',
    );

    expect(code).toBe(0);
    expect(json).toMatchObject({ kind: 'upload', attached: false, status: 'completed', result: { route: 'direct', fileName: 'direct.mp4', totalBytes: 150 * 1024, assetStatus: 'ready' } });
    expect(json.webUiLink).toBe(`${WEB_UI}/namespaces/default/workflows/${encodeURIComponent(json.workflowId)}`);
    await expectStored(json.result.assetId, file, 150 * 1024);
    expect((await stack.api.getAsset(json.result.assetId)).userMetadata).toEqual({ team: 'ml', take: 3 });
  });

  it('uploads from a URL: TwelveLabs fetches the file from a real HTTP server', async () => {
    const { code, json } = await cliJson<{ status: string; result: UploadResult }>(stack, 'upload', `${mediaOrigin}/media/served-clip.mp4`, '--wait');

    expect(code).toBe(0);
    expect(json.result).toMatchObject({ route: 'url', fileName: 'served-clip.mp4', assetStatus: 'ready' });
    const served = fs.readFileSync(path.join(stack.dir, 'served-clip.mp4'));
    const sha256 = (await import('node:crypto')).createHash('sha256').update(served).digest('hex');
    await expectStored(json.result.assetId, { sha256 }, served.length);
  });

  it('uploads a larger file as multipart with a live progress bar, ending with the asset id and the Web UI link', async () => {
    const file = await makeFile(stack.dir, 'multipart.mp4', 96 * CHUNK + 5);
    await stack.emulator.setFaults({ put_throttle_bps: 512 * 1024 }); // long enough to draw a few lines
    try {
      const run = await cli(stack, 'upload', file.path, '--direct-max-bytes', String(32 * CHUNK), '--concurrency', '4', '--progress');
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^started upload upload-multipart\.mp4-[0-9a-f]{16} \(multipart\.mp4\)$/m);
      // the bar, on stderr (stdout keeps the results): [####....]  percent  sent / total ... phase  name
      expect(run.stderr).toMatch(/\[[#.]{28}\]\s+\d+\.\d%\s+[\d.]+ (B|KiB|MiB) \/ 1\.5 MiB .*multipart\.mp4/);
      expect(run.stderr).toMatch(/\[#{28}\]\s+100\.0%/);
      const assetId = /^asset id: (\w+)$/m.exec(run.stdout)?.[1];
      expect(assetId).toBeDefined();
      expect(run.stdout).toMatch(/^✓ uploaded multipart\.mp4 \(1\.5 MiB\): multipart upload, 97 chunks; asset ready$/m);
      expect(run.stdout).toMatch(new RegExp(`^workflow: ${WEB_UI.replace(/[.]/g, '\\.')}/namespaces/default/workflows/upload-multipart\\.mp4-`, 'm'));
      await expectStored(assetId!, file, 96 * CHUNK + 5);
    } finally {
      await stack.emulator.setFaults({});
    }
  });

  it('attaches to the running upload of the same file instead of starting a second, and to its result afterwards', async () => {
    const file = await makeFile(stack.dir, 'twice.mp4', 64 * CHUNK);
    await stack.emulator.setFaults({ put_throttle_bps: 256 * 1024 });
    const before = await stack.emulator.counters();
    try {
      const args = ['upload', file.path, '--direct-max-bytes', String(16 * CHUNK), '--concurrency', '2'];
      const first = await cliJson<{ workflowId: string; attached: boolean }>(stack, ...args);
      const second = await cliJson<{ workflowId: string; attached: boolean }>(stack, ...args);
      expect(first.json.attached).toBe(false);
      expect(second.json).toEqual({ ...first.json, attached: true });
      await stack.emulator.setFaults({});
      const third = await cliJson<{ workflowId: string; attached: boolean; result: UploadResult }>(stack, ...args, '--wait');
      expect(third.json).toMatchObject({ workflowId: first.json.workflowId, attached: true, status: 'completed' });
      await expectStored(third.json.result.assetId, file, 64 * CHUNK);
      // One upload, one multipart session, one asset with that name.
      expect((await stack.emulator.counters()).sessions_created - before.sessions_created).toBe(1);
      expect((await stack.api.listAssets({ filename: 'twice.mp4' })).items).toHaveLength(1);
    } finally {
      await stack.emulator.setFaults({});
    }
  });

  it('uploads every media file of a directory; one unreadable file fails alone, with its reason', async () => {
    const dir = path.join(stack.dir, 'shoot');
    fs.mkdirSync(dir);
    const a = await makeFile(dir, 'a-roll.mp4', 40 * CHUNK);
    const b = await makeFile(dir, 'b-roll.mov', 20 * 1024);
    fs.symlinkSync(path.join(stack.dir, 'no-such-file.mp4'), path.join(dir, 'broken.mp4')); // points nowhere
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not media');
    const { code, json } = await cliJson<{ kind: string; status: string; result: BatchUploadResult }>(
      stack, 'upload', dir, '--wait', '--concurrency', '2', '--direct-max-bytes', String(32 * CHUNK),
    );

    expect(code).toBe(1); // a file failed
    expect(json.kind).toBe('batch');
    const byName = Object.fromEntries(json.result.items.map((item) => [item.fileName, item]));
    expect(Object.keys(byName).sort()).toEqual(['a-roll.mp4', 'b-roll.mov', 'broken.mp4']);
    expect(byName['a-roll.mp4']).toMatchObject({ state: 'completed', route: 'multipart' });
    expect(byName['b-roll.mov']).toMatchObject({ state: 'completed', route: 'direct' });
    expect(byName['broken.mp4']).toMatchObject({ state: 'failed', error: { type: 'SourceNotFound' } });
    expect(byName['broken.mp4']!.error!.message).toMatch(/does not exist/);
    expect(json.result.totals).toMatchObject({ files: 3, completed: 2, failed: 1 });
    await expectStored(byName['a-roll.mp4']!.assetId!, a, 40 * CHUNK);
    await expectStored(byName['b-roll.mov']!.assetId!, b, 20 * 1024);
  });

  it('refuses a file over 4 GiB with a clear typed reason and a non-zero exit (sparse file)', async () => {
    const file = path.join(stack.dir, 'too-big.mp4');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, 4 * 1024 ** 3 + 1);
    const human = await cli(stack, 'upload', file);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/failed: FileTooLarge: .*too-big\.mp4: the file has 4294967297 bytes; TwelveLabs accepts at most 4294967296 bytes \(4 GiB\)/);

    const { code, json } = await cliJson(stack, 'upload', file, '--wait', '--id', 'too-big-again');
    expect(code).toBe(1);
    expect(json).toMatchObject({ workflowId: 'too-big-again', status: 'failed', error: { type: 'FileTooLarge' } });
  });

  it('rejects bad usage with exit code 2 before contacting anything', async () => {
    const zero = await cli(stack, 'upload', 'x.mp4', '--concurrency', '0');
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/--concurrency must be an integer from 1 to 64, got 0/);
    const none = await cli(stack, 'upload');
    expect(none.code).toBe(2);
    expect((await cli(stack, 'upload', '--help')).stdout).toMatch(/^Usage: tl-upload upload <file\|dir\|url>\.\.\./);
  });
});
