// Lost replies: with a lost_reply_* knob at 1 the emulator applies the call and then closes the
// connection without a byte of answer. Each test proves both halves: the caller gets no response,
// and the emulator's own state shows the call took effect.

import { FormData, request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOST_REPLY_KNOB, lostRepliesEverywhere, type RunningEmulator } from '../../src/emulator';
import { admin, bytes, call, createSession, entry, KEY, md5, mintUrls, put, report, start } from './support';

const CHUNK = 1024;

/** What the caller sees: an answer, or the connection closed with none. */
async function outcome(send: () => Promise<unknown>): Promise<'answered' | 'no reply'> {
  try {
    await send();
    return 'answered';
  } catch (error) {
    expect(String((error as Error).message) + String((error as { code?: string }).code)).toMatch(/closed|UND_ERR_SOCKET|ECONNRESET/);
    return 'no reply';
  }
}

async function postDirect(emu: RunningEmulator, filename: string, data: Buffer) {
  const form = new FormData();
  form.set('method', 'direct');
  form.set('file', new Blob([data], { type: 'video/mp4' }), filename);
  const response = await request(`${emu.baseUrl}/assets`, { method: 'POST', headers: { 'x-api-key': KEY }, body: form });
  return { status: response.statusCode, json: (await response.body.json()) as { _id: string } };
}

describe('lost replies', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({ chunkSizeBytes: CHUNK, seed: 11 });
  });
  beforeEach(async () => {
    await emu.setFaults({});
    await emu.resetCounters();
  });
  afterAll(async () => {
    await emu.close();
  });

  it('has one knob for every endpoint that changes something, the chunk PUT and the session reads', () => {
    expect(Object.keys(LOST_REPLY_KNOB).sort()).toEqual(['A1', 'A4', 'A5', 'A6', 'A7', 'M1', 'M2', 'M3', 'M4', 'M5', 'S1']);
    expect(Object.keys(lostRepliesEverywhere(0.1))).toHaveLength(11);
  });

  it('M1: the session and its asset exist although the caller heard nothing', async () => {
    await emu.setFaults({ lost_reply_m1: 1 });
    expect(await outcome(() => createSession(emu, 3 * CHUNK, { filename: 'lost-m1.mp4' }))).toBe('no reply');
    await emu.setFaults({});
    const listed = await call(emu, 'GET', '/assets?filename=lost-m1.mp4');
    expect(listed.json.data).toHaveLength(1);
    expect(listed.json.data[0]).toMatchObject({ method: 'multipart', status: 'processing' });
    const counters = await emu.counters();
    expect(counters.sessions_created).toBe(1);
    expect(counters.faults_injected.lost_reply_m1).toBe(1);
    expect((await emu.created()).filter((c) => c.filename === 'lost-m1.mp4')).toHaveLength(1);
  });

  it('S1: the chunk is stored although the ETag never arrived', async () => {
    const session = await createSession(emu, 2 * CHUNK);
    const { upload_urls } = await mintUrls(emu, session.upload_id, 1, 1);
    await emu.setFaults({ lost_reply_put: 1 });
    const data = bytes(CHUNK, 5);
    expect(await outcome(() => put(upload_urls[0]!.url, data))).toBe('no reply');
    const view = await emu.sessionView(session.upload_id);
    expect(view?.chunks[0]).toMatchObject({ index: 1, put_count: 1, replies_lost: 1, stored_etag: md5(data) });
    expect((await emu.counters()).faults_injected.lost_reply_put).toBe(1);
  });

  it('M4 and M5: the report is applied and the URLs minted, with no answer to either', async () => {
    const data = bytes(CHUNK, 6);
    const session = await createSession(emu, 2 * CHUNK);
    const stored = await put(session.upload_urls[0]!.url, data);
    await emu.setFaults({ lost_reply_m4: 1, lost_reply_m5: 1 });
    expect(await outcome(() => report(emu, session.upload_id, [entry(1, data, stored.etag.replace(/"/g, ''))]))).toBe('no reply');
    const minted = (await emu.counters()).presigned_urls_minted;
    expect(await outcome(() => mintUrls(emu, session.upload_id, 2, 1))).toBe('no reply');
    await emu.setFaults({});
    expect((await emu.counters()).presigned_urls_minted).toBe(minted + 1);
    expect((await call(emu, 'GET', `/assets/multipart-uploads/${session.upload_id}`)).json.chunks_completed).toBe(1);
  });

  it('M2 and M3: reads lose their answer too', async () => {
    const session = await createSession(emu, 2 * CHUNK);
    await emu.setFaults({ lost_reply_m2: 1, lost_reply_m3: 1 });
    expect(await outcome(() => call(emu, 'GET', `/assets/multipart-uploads/${session.upload_id}`))).toBe('no reply');
    expect(await outcome(() => call(emu, 'GET', '/assets/multipart-uploads'))).toBe('no reply');
  });

  it('A1: the asset exists although the 201 never arrived', async () => {
    await emu.setFaults({ lost_reply_a1: 1 });
    expect(await outcome(() => postDirect(emu, 'lost-a1.mp4', bytes(2000, 7)))).toBe('no reply');
    await emu.setFaults({});
    const listed = await call(emu, 'GET', '/assets?filename=lost-a1.mp4');
    expect(listed.json.data).toHaveLength(1);
    expect((await emu.counters()).assets_created).toBe(1);
  });

  it('A5, A6, A7 and A4: metadata changes and the delete are applied without an answer', async () => {
    const { json: asset } = await postDirect(emu, 'lost-a4.mp4', bytes(2000, 8));
    const path = `/assets/${asset._id}/user-metadata`;
    await emu.setFaults({ lost_reply_a5: 1, lost_reply_a6: 1, lost_reply_a7: 1, lost_reply_a4: 1 });
    expect(await outcome(() => call(emu, 'PUT', path, { body: { user_metadata: { a: 1, b: 2 } } }))).toBe('no reply');
    expect(await outcome(() => call(emu, 'PATCH', path, { body: { user_metadata: { a: null } } }))).toBe('no reply');
    await emu.setFaults({ lost_reply_a4: 1 });
    expect((await call(emu, 'GET', `/assets/${asset._id}`)).json.user_metadata).toEqual({ b: 2 });
    await emu.setFaults({ lost_reply_a7: 1, lost_reply_a4: 1 });
    expect(await outcome(() => call(emu, 'DELETE', path))).toBe('no reply');
    await emu.setFaults({ lost_reply_a4: 1 });
    expect((await call(emu, 'GET', `/assets/${asset._id}`)).json.user_metadata).toBeUndefined();
    expect(await outcome(() => call(emu, 'DELETE', `/assets/${asset._id}`))).toBe('no reply');
    await emu.setFaults({});
    expect((await call(emu, 'GET', `/assets/${asset._id}`)).status).toBe(404);
    const created = (await emu.created()).find((c) => c.asset_id === asset._id);
    expect(created?.deleted_at).toBeDefined();
    expect((await emu.counters()).assets_deleted).toBe(1);
  });

  it('delivers errors: a refused call changed nothing, so its answer is never lost', async () => {
    await emu.setFaults({ lost_reply_m1: 1, lost_reply_m5: 1 });
    expect((await call(emu, 'POST', '/assets/multipart-uploads', { body: { filename: 'x.mp4', type: 'video' } })).status).toBe(400);
    expect((await call(emu, 'POST', '/assets/multipart-uploads/000000000000000000000000/presigned-urls', { body: { start: 1, count: 1 } })).status).toBe(404);
    expect((await emu.counters()).faults_injected).toEqual({});
  });

  it('loses exactly the next reply when told to, and then answers again', async () => {
    await emu.loseNextReplies('M1', 1);
    expect(await outcome(() => createSession(emu, CHUNK, { filename: 'next-1.mp4' }))).toBe('no reply');
    expect(await outcome(() => createSession(emu, CHUNK, { filename: 'next-2.mp4' }))).toBe('answered');
    const told = await admin(emu, 'POST', '/_emulator/faults/lose-next', { endpoint: 'A4', count: 2 });
    expect(told.json).toEqual({ endpoint: 'A4', count: 2 });
    const bad = await admin(emu, 'POST', '/_emulator/faults/lose-next', { endpoint: 'A2' });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/endpoint must be one of M1, M2, M3, M4, M5, S1, A1, A4, A5, A6, A7/);
    expect((await emu.counters()).faults_injected).toEqual({ lost_reply_m1: 1 });
  });

  it('never loses an admin reply', async () => {
    await emu.setFaults(lostRepliesEverywhere(1));
    expect((await admin(emu, 'GET', '/_emulator/created')).status).toBe(200);
    expect((await admin(emu, 'GET', '/_emulator/counters')).status).toBe(200);
  });
});
