// The admin namespace and the in-process handle: clock, counters, objects, sessions, hooks, close.

import fs from 'node:fs';
import net from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator';
import { admin, bytes, call, createSession, KEY, mintUrls, put, report, sha256, start, uploadChunk } from './support';

const CHUNK = 1024;

describe('admin namespace', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({ chunkSizeBytes: CHUNK });
  });
  afterAll(async () => {
    await emu.close();
  });

  it('exposes the base URL, origin and port of one loopback server', () => {
    expect(emu.origin).toBe(`http://127.0.0.1:${emu.port}`);
    expect(emu.baseUrl).toBe(`${emu.origin}/v1.3`);
    expect(emu.port).toBeGreaterThan(0);
  });

  it('reads and advances the clock by ms or seconds, forward only', async () => {
    const before = await admin(emu, 'GET', '/_emulator/clock');
    expect(before.status).toBe(200);
    const startMs = Date.parse(before.json.now);
    expect(Math.abs(startMs - Date.now())).toBeLessThan(5_000);

    const byMs = await admin(emu, 'POST', '/_emulator/clock/advance', { ms: 3_600_000 });
    expect(byMs.status).toBe(200);
    expect(Date.parse(byMs.json.now) - startMs).toBeGreaterThanOrEqual(3_600_000);
    const bySeconds = await admin(emu, 'POST', '/_emulator/clock/advance', { seconds: 60 });
    expect(Date.parse(bySeconds.json.now) - startMs).toBeGreaterThanOrEqual(3_660_000);
    const inProcess = await emu.advanceClock(1000);
    expect(Date.parse(inProcess) - startMs).toBeGreaterThanOrEqual(3_661_000);

    expect((await admin(emu, 'POST', '/_emulator/clock/advance', { ms: -5 })).status).toBe(400);
    expect((await admin(emu, 'POST', '/_emulator/clock/advance', { hours: 1 })).status).toBe(400);
    await expect(emu.advanceClock(-1)).rejects.toThrow(/forward/);
  });

  it('reports every counter and resets them', async () => {
    const data = bytes(2 * CHUNK);
    const session = await createSession(emu, data.length);
    const one = await uploadChunk(emu, session, data, 1);
    await report(emu, session.upload_id, [one, one]);
    const counters = await admin(emu, 'GET', '/_emulator/counters');
    expect(Object.keys(counters.json).sort()).toEqual(
      [
        'assets_created',
        'assets_deleted',
        'bytes_aborted',
        'bytes_received',
        'bytes_stored',
        'bytes_stored_again',
        'duplicate_chunks',
        'faults_injected',
        'presigned_url_requests',
        'presigned_urls_minted',
        'puts_aborted',
        'puts_by_status',
        'puts_reset',
        'puts_reusing_url',
        'reports',
        'requests_by_endpoint',
        'sessions_created',
      ].sort(),
    );
    expect(counters.json).toMatchObject({
      bytes_received: CHUNK,
      bytes_stored: CHUNK,
      puts_by_status: { '200': 1 },
      reports: 1,
      duplicate_chunks: 1,
      sessions_created: 1,
      presigned_url_requests: 1,
      presigned_urls_minted: 3,
    });
    expect(await emu.counters()).toEqual(counters.json);

    const reset = await admin(emu, 'POST', '/_emulator/counters/reset');
    expect(reset.json).toMatchObject({ bytes_received: 0, reports: 0, puts_by_status: {}, requests_by_endpoint: {}, faults_injected: {} });
    await call(emu, 'GET', '/assets');
    await emu.resetCounters();
    expect((await emu.counters()).requests_by_endpoint).toEqual({});
  });

  it('shows an assembled object only once there is one', async () => {
    const data = bytes(CHUNK + 7, 3);
    const session = await createSession(emu, data.length);
    expect((await admin(emu, 'GET', `/_emulator/objects/${session.asset_id}`)).status).toBe(404);
    expect(await emu.objectInfo(session.asset_id)).toBeUndefined();
    await report(emu, session.upload_id, [await uploadChunk(emu, session, data, 1), await uploadChunk(emu, session, data, 2)]);
    expect((await admin(emu, 'GET', `/_emulator/objects/${session.asset_id}`)).json).toEqual({ size: data.length, sha256: sha256(data) });
  });

  it('shows the internal view of a session, with per-chunk PUT counts', async () => {
    const data = bytes(3 * CHUNK);
    const session = await createSession(emu, data.length);
    const { upload_urls } = await mintUrls(emu, session.upload_id, 2, 1);
    await put(session.upload_urls[1]!.url, data.subarray(CHUNK, 2 * CHUNK));
    await put(upload_urls[0]!.url, data.subarray(CHUNK, 2 * CHUNK));
    const view = await admin(emu, 'GET', `/_emulator/sessions/${session.upload_id}`);
    expect(view.status).toBe(200);
    expect(view.json).toMatchObject({
      upload_id: session.upload_id,
      asset_id: session.asset_id,
      status: 'active',
      total_chunks: 3,
      chunks: [{ index: 2, status: 'pending', put_count: 2, stored_size: CHUNK, accepted_etag: null, error: null }],
    });
    expect(await emu.sessionView(session.upload_id)).toEqual(view.json);
    expect((await admin(emu, 'GET', '/_emulator/sessions/0123456789abcdef01234567')).status).toBe(404);
    expect(await emu.sessionView('0123456789abcdef01234567')).toBeUndefined();
  });

  it('answers 404 for unknown ids and endpoints, 405 for a wrong method, 409 when failing a finished session', async () => {
    expect((await admin(emu, 'POST', '/_emulator/assets/0123456789abcdef01234567/referenced', {})).status).toBe(404);
    expect((await admin(emu, 'POST', '/_emulator/sessions/0123456789abcdef01234567/fail')).status).toBe(404);
    expect((await admin(emu, 'GET', '/_emulator/nothing-here')).status).toBe(404);
    expect((await admin(emu, 'DELETE', '/_emulator/counters')).status).toBe(405);
    const session = await createSession(emu, 10);
    expect((await admin(emu, 'POST', `/_emulator/sessions/${session.upload_id}/fail`)).status).toBe(200);
    expect((await admin(emu, 'POST', `/_emulator/sessions/${session.upload_id}/fail`)).status).toBe(409);
    await expect(emu.markAssetReferenced('0123456789abcdef01234567')).rejects.toThrow(/no asset/);
  });

  it('answers 404 JSON for paths it does not serve and 405 for wrong API methods', async () => {
    const nothing = await request(`${emu.origin}/elsewhere`);
    expect(nothing.statusCode).toBe(404);
    await nothing.body.text();
    const wrongMethod = await call(emu, 'PATCH', '/assets/multipart-uploads');
    expect(wrongMethod.status).toBe(405);
    const unknownEndpoint = await call(emu, 'GET', '/indexes');
    expect(unknownEndpoint.status).toBe(404);
  });
});

describe('publicOrigin', () => {
  it('roots every URL at the public origin and signs its host', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const emu = await start({ port, publicOrigin: `http://emulator.test:${port}`, chunkSizeBytes: CHUNK });
    try {
      expect(emu.baseUrl).toBe(`http://emulator.test:${port}/v1.3`);
      // reach it over loopback, presenting the public name as Host, as a proxy or container network would
      const local = `http://127.0.0.1:${port}`;
      const created = await request(`${local}/v1.3/assets/multipart-uploads`, {
        method: 'POST',
        headers: { host: `emulator.test:${port}`, 'x-api-key': KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ filename: 'a.mp4', type: 'video', total_size: CHUNK }),
      });
      const session = (await created.body.json()) as { upload_urls: Array<{ url: string }> };
      const url = new URL(session.upload_urls[0]!.url);
      expect(url.origin).toBe(`http://emulator.test:${port}`);
      const path = `${local}${url.pathname}${url.search}`;
      const data = bytes(CHUNK);
      const headers = { 'content-type': 'application/octet-stream', 'content-length': String(CHUNK) };
      const wrongHost = await request(path, { method: 'PUT', headers, body: data });
      expect(wrongHost.statusCode).toBe(403);
      expect(await wrongHost.body.text()).toContain('SignatureDoesNotMatch');
      const rightHost = await request(path, { method: 'PUT', headers: { ...headers, host: `emulator.test:${port}` }, body: data });
      expect(rightHost.statusCode).toBe(200);
      await rightHost.body.text();
    } finally {
      await emu.close();
    }
    await expect(start({ publicOrigin: 'http://x:1/v1.3' })).rejects.toThrow(/publicOrigin/);
  });
});

describe('close()', () => {
  it('closes promptly with an idle keep-alive connection and a stalled PUT, and removes its own temp data dir', async () => {
    const emu = await start({ chunkSizeBytes: CHUNK, bodyIdleTimeoutMs: 60_000 });
    const agent = new Agent({ keepAliveTimeout: 60_000 });
    const response = await request(`${emu.baseUrl}/assets`, { headers: { 'x-api-key': 'nope' }, dispatcher: agent });
    await response.body.text();
    // a PUT that sent its headers and 10 of 1024 bytes, then went quiet
    const session = await createSession(emu, CHUNK);
    const target = new URL(session.upload_urls[0]!.url);
    const stalled = net.connect(emu.port, '127.0.0.1');
    stalled.on('error', () => undefined);
    stalled.write(
      `PUT ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${CHUNK}\r\n\r\n`,
    );
    stalled.write(bytes(10));
    await new Promise((r) => setTimeout(r, 100));
    expect(fs.existsSync(emu.dataDir)).toBe(true);

    const started = Date.now();
    await emu.close();
    // well under the idle timeout (60 s) and the keep-alive timeout (5 s) that would otherwise hold it
    expect(Date.now() - started).toBeLessThan(2500);
    expect(stalled.destroyed || stalled.readableEnded).toBe(true);
    expect(fs.existsSync(emu.dataDir)).toBe(false);
    await expect(
      new Promise((resolve, reject) => net.connect(emu.port, '127.0.0.1').once('connect', resolve).once('error', reject)),
    ).rejects.toThrow(/ECONNREFUSED/);
    await emu.close(); // idempotent
    await agent.close();
    stalled.destroy();
  });

  it('keeps a data dir it did not create', async () => {
    const dir = fs.mkdtempSync('/tmp/tl-emulator-owned-');
    const emu = await start({ dataDir: dir, chunkSizeBytes: CHUNK });
    const session = await createSession(emu, CHUNK);
    expect((await put(session.upload_urls[0]!.url, bytes(CHUNK))).status).toBe(200);
    await emu.close();
    expect(fs.existsSync(dir)).toBe(true);
    expect(fs.readdirSync(`${dir}/uploads/${session.upload_id}`)).toHaveLength(1);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
