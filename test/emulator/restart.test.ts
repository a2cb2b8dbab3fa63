// With a data dir, the emulator keeps what it acknowledged across a restart, as the real API
// would: sessions (with their reported chunks), assets (with metadata and bytes), the ledger of
// what it created, its counters and its clock. Real processes' worth of state, real files.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FormData, request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnEmulator } from '../../scripts/bench/emulator-process';
import type { RunningEmulator } from '../../src/emulator';
import { admin, bytes, call, createSession, KEY, report, sha256, start, uploadChunk } from './support';

const CHUNK = 1024;

describe('a restart on the same data dir', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-emulator-restart-'));
  const running: RunningEmulator[] = [];
  afterAll(async () => {
    await Promise.all(running.map((e) => e.close()));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function startOn(dir: string) {
    const emu = await start({ chunkSizeBytes: CHUNK, dataDir: dir });
    running.push(emu);
    return emu;
  }

  it('finds the sessions, chunks, assets and counts it had before, and carries on', async () => {
    const data = bytes(2 * CHUNK + 100, 9);
    const first = await startOn(dataDir);
    const session = await createSession(first, data.length, { filename: 'survives.mp4' });
    const reported = await report(first, session.upload_id, [await uploadChunk(first, session, data, 1)]);
    expect(reported.json.total_completed).toBe(1);
    const form = new FormData();
    form.set('method', 'direct');
    form.set('file', new Blob([bytes(3000, 4)], { type: 'video/mp4' }), 'direct.mp4');
    form.set('user_metadata', JSON.stringify({ campaign: 'spring' }));
    const created = await request(`${first.baseUrl}/assets`, { method: 'POST', headers: { 'x-api-key': KEY }, body: form });
    const direct = (await created.body.json()) as { _id: string };
    const clockBefore = (await first.advanceClock(60_000)) as string;
    await first.close();

    const second = await startOn(dataDir);
    const status = await call(second, 'GET', `/assets/multipart-uploads/${session.upload_id}`);
    expect(status.json).toMatchObject({ status: 'active', chunks_completed: 1 });
    expect((await call(second, 'GET', '/assets/multipart-uploads')).json.data.map((s: { upload_id: string }) => s.upload_id)).toEqual([session.upload_id]);
    expect((await call(second, 'GET', `/assets/${direct._id}`)).json).toMatchObject({ filename: 'direct.mp4', user_metadata: { campaign: 'spring' } });
    expect(await second.objectInfo(direct._id)).toEqual({ size: 3000, sha256: sha256(bytes(3000, 4)) });
    expect((await second.counters()).sessions_created).toBe(1);
    expect((await second.created()).map((c) => c.asset_id).sort()).toEqual([session.asset_id, direct._id].sort());
    expect(Date.parse((await admin(second, 'GET', '/_emulator/clock')).json.now)).toBeGreaterThanOrEqual(Date.parse(clockBefore));

    // The session goes on where it was: the rest of the chunks complete it, byte-exact.
    const rest = [await uploadChunk(second, session, data, 2), await uploadChunk(second, session, data, 3)];
    expect((await report(second, session.upload_id, rest)).json.total_completed).toBe(3);
    expect(await second.objectInfo(session.asset_id)).toEqual({ size: data.length, sha256: sha256(data) });
  });

  it('starts empty on a fresh dir, and keeps nothing when it has no data dir of its own', async () => {
    const fresh = await startOn(fs.mkdtempSync(path.join(os.tmpdir(), 'tl-emulator-fresh-')));
    expect((await call(fresh, 'GET', '/assets')).json.data).toEqual([]);
    const temporary = await start({ chunkSizeBytes: CHUNK });
    running.push(temporary);
    await createSession(temporary, CHUNK);
    expect(fs.existsSync(path.join(temporary.dataDir, 'emulator-state.json'))).toBe(false);
    await fresh.close();
    fs.rmSync(fresh.dataDir, { recursive: true, force: true });
  });

  it('keeps what it acknowledged when its process is killed with SIGKILL and started again (npm run emulator --data-dir)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-emulator-killed-'));
    try {
      const first = await spawnEmulator({ apiKey: KEY, dataDir: dir });
      const created = await request(`${first.baseUrl}/assets/multipart-uploads`, {
        method: 'POST',
        headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ filename: 'killed.mp4', type: 'video', total_size: 3 * CHUNK }),
      });
      expect(created.statusCode).toBe(201);
      const session = (await created.body.json()) as { upload_id: string; asset_id: string };
      process.kill(first.pid, 'SIGKILL'); // no clean stop: only what was saved before the 201 survives
      await waitUntilGone(first.pid);

      const second = await spawnEmulator({ apiKey: KEY, dataDir: dir });
      try {
        const status = await request(`${second.baseUrl}/assets/multipart-uploads/${session.upload_id}`, { headers: { 'x-api-key': KEY } });
        expect(status.statusCode).toBe(200);
        expect(await status.body.json()).toMatchObject({ upload_id: session.upload_id, status: 'active' });
        const asset = await request(`${second.baseUrl}/assets/${session.asset_id}`, { headers: { 'x-api-key': KEY } });
        expect(await asset.body.json()).toMatchObject({ _id: session.asset_id, filename: 'killed.mp4', status: 'processing' });
      } finally {
        await second.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function waitUntilGone(pid: number): Promise<void> {
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
