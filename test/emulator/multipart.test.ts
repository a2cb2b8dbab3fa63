// Contract tests for M1–M5 (contract section 3) over real loopback HTTP.

import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultChunkSizeBytes, type RunningEmulator } from '../../src/emulator';
import {
  admin,
  bytes,
  call,
  chunkOf,
  createSession,
  entry,
  mintUrls,
  OTHER_KEY,
  put,
  report,
  RESTRICTED_KEY,
  sha256,
  start,
  uploadChunk,
} from './support';

const CHUNK = 1024;
const HEX24 = /^[0-9a-f]{24}$/;
const WHOLE_SECONDS_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('multipart upload endpoints', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({ chunkSizeBytes: CHUNK });
  });
  afterAll(async () => {
    await emu.close();
  });

  describe('M1 create session', () => {
    it('answers 201 with the full wire shape, ten initial URLs and the upload headers', async () => {
      const result = await call(emu, 'POST', '/assets/multipart-uploads', {
        body: { filename: 'keynote.mp4', type: 'video', total_size: 12_345, enable_hls: true, user_metadata: { event: 'keynote', year: 2026 } },
      });
      expect(result.status).toBe(201);
      expect(result.headers['x-api-version']).toBe('1.3');
      expect(result.headers['content-type']).toMatch(/^application\/json/);
      const body = result.json;
      expect(Object.keys(body).sort()).toEqual(
        ['asset_id', 'chunk_size', 'expires_at', 'total_chunks', 'upload_headers', 'upload_id', 'upload_urls'].sort(),
      );
      expect(body.upload_id).toMatch(HEX24);
      expect(body.asset_id).toMatch(HEX24);
      expect(body.asset_id).not.toBe(body.upload_id);
      expect(body.chunk_size).toBe(CHUNK);
      expect(body.total_chunks).toBe(13);
      expect(body.upload_headers).toEqual({ 'Content-Type': 'application/octet-stream' });
      expect(body.upload_urls.map((u: { chunk_index: number }) => u.chunk_index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(body.expires_at).toMatch(WHOLE_SECONDS_Z);
      const ttlMs = Date.parse(body.expires_at) - Date.now();
      expect(ttlMs).toBeGreaterThan(24 * 3600_000 - 5_000);
      expect(ttlMs).toBeLessThanOrEqual(24 * 3600_000);
      const first = body.upload_urls[0];
      expect(first.expires_at).toMatch(WHOLE_SECONDS_Z);
      expect(Date.parse(first.expires_at) - Date.now()).toBeGreaterThan(3600_000 - 5_000);
      const url = new URL(first.url);
      expect(url.origin).toBe(emu.origin);
      expect(url.pathname).toBe(`/tl-uploads/${body.upload_id}/1`);
      for (const name of ['X-Amz-Algorithm', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature']) {
        expect(url.searchParams.get(name)).toBeTruthy();
      }
      expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
      expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-type;host');
      expect(url.searchParams.get('partNumber')).toBe('1');
      expect(url.searchParams.get('uploadId')).toBe(body.upload_id);
    });

    it('derives the default chunk size from the 9.1 formula', async () => {
      expect(defaultChunkSizeBytes(100 * 1024 * 1024)).toBe(5 * 1024 * 1024);
      expect(defaultChunkSizeBytes(4 * 1024 ** 3)).toBe(5 * 1024 * 1024);
      // ceil(60 GiB / 10 000) = 6 442 451 bytes, rounded up to 7 MiB
      expect(defaultChunkSizeBytes(60 * 1024 ** 3)).toBe(7 * 1024 * 1024);
      const defaults = await start();
      try {
        const session = await createSession(defaults, 100 * 1024 * 1024);
        expect(session.chunk_size).toBe(5_242_880);
        expect(session.total_chunks).toBe(20);
        expect(session.upload_urls).toHaveLength(10);
      } finally {
        await defaults.close();
      }
    });

    it("hands out every URL with initialUrls 'all', and none with 0", async () => {
      const all = await start({ chunkSizeBytes: CHUNK, initialUrls: 'all' });
      const none = await start({ chunkSizeBytes: CHUNK, initialUrls: 0 });
      try {
        expect((await createSession(all, 25 * CHUNK)).upload_urls).toHaveLength(25);
        expect((await createSession(none, 25 * CHUNK)).upload_urls).toEqual([]);
      } finally {
        await Promise.all([all.close(), none.close()]);
      }
    });

    it('answers 401 api_key_invalid without a key or with a wrong one, 403 for a key without preview access', async () => {
      const body = { filename: 'a.mp4', type: 'video', total_size: 10 };
      for (const key of [null, 'tlk_wrong']) {
        const result = await call(emu, 'POST', '/assets/multipart-uploads', { body, key });
        expect(result.status).toBe(401);
        expect(result.json.code).toBe('api_key_invalid');
        expect(typeof result.json.message).toBe('string');
      }
      const restricted = await call(emu, 'POST', '/assets/multipart-uploads', { body, key: RESTRICTED_KEY });
      expect(restricted.status).toBe(403);
      expect(restricted.json.code).toBe('api_not_allowed');
      // the same key is valid for the asset endpoints
      expect((await call(emu, 'GET', '/assets', { key: RESTRICTED_KEY })).status).toBe(200);
    });

    it.each([
      ['filename missing', { type: 'video', total_size: 10 }, 'parameter_not_provided'],
      ['filename empty', { filename: '', type: 'video', total_size: 10 }, 'parameter_invalid'],
      ['filename of 256 characters', { filename: 'x'.repeat(256), type: 'video', total_size: 10 }, 'parameter_invalid'],
      ['filename not a string', { filename: 7, type: 'video', total_size: 10 }, 'parameter_invalid'],
      ['type missing', { filename: 'a.mp4', total_size: 10 }, 'parameter_not_provided'],
      ['type outside the enum', { filename: 'a.pdf', type: 'document', total_size: 10 }, 'parameter_invalid'],
      ['total_size missing', { filename: 'a.mp4', type: 'video' }, 'parameter_not_provided'],
      ['total_size zero', { filename: 'a.mp4', type: 'video', total_size: 0 }, 'parameter_invalid'],
      ['total_size fractional', { filename: 'a.mp4', type: 'video', total_size: 10.5 }, 'parameter_invalid'],
      ['total_size as a string', { filename: 'a.mp4', type: 'video', total_size: '10' }, 'parameter_invalid'],
      ['total_size above 4 GiB', { filename: 'a.mp4', type: 'video', total_size: 4 * 1024 ** 3 + 1 }, 'parameter_invalid'],
      ['enable_hls not a boolean', { filename: 'a.mp4', type: 'video', total_size: 10, enable_hls: 'yes' }, 'parameter_invalid'],
      ['user_metadata nested', { filename: 'a.mp4', type: 'video', total_size: 10, user_metadata: { a: { b: 1 } } }, 'parameter_invalid'],
      ['user_metadata an array', { filename: 'a.mp4', type: 'video', total_size: 10, user_metadata: [1] }, 'parameter_invalid'],
      ['body an array', [1, 2], 'parameter_invalid'],
    ])('answers 400 for %s', async (_name, body, code) => {
      const before = (await emu.counters()).sessions_created;
      const result = await call(emu, 'POST', '/assets/multipart-uploads', { body });
      expect(result.status).toBe(400);
      expect(result.json.code).toBe(code);
      expect((await emu.counters()).sessions_created).toBe(before);
    });

    it('accepts exactly 4 GiB and ignores unknown keys unless strict mode is on', async () => {
      const big = await createSession(emu, 4 * 1024 ** 3, { surprise: true });
      expect(big.total_chunks).toBe((4 * 1024 ** 3) / CHUNK);
      const strict = await start({ strictUnknownKeys: true });
      try {
        const result = await call(strict, 'POST', '/assets/multipart-uploads', {
          body: { filename: 'a.mp4', type: 'video', total_size: 10, surprise: true },
        });
        expect(result.status).toBe(400);
        expect(result.json.code).toBe('parameter_unknown');
      } finally {
        await strict.close();
      }
    });
  });

  describe('a complete upload of more than ten chunks', () => {
    const data = bytes(12 * CHUNK + 500, 7);
    let session: Awaited<ReturnType<typeof createSession>>;

    it('uploads, reports in two batches out of order, completes with url, and assembles the exact bytes', async () => {
      session = await createSession(emu, data.length);
      expect(session.total_chunks).toBe(13);
      const urls = new Map(session.upload_urls.map((u) => [u.chunk_index, u.url]));
      const more = await mintUrls(emu, session.upload_id, 11, 3);
      expect(more.start_index).toBe(11);
      expect(more.count).toBe(3);
      expect(more.upload_urls.map((u) => u.chunk_index)).toEqual([11, 12, 13]);
      expect(more.expires_at).toBe(session.expires_at);
      for (const u of more.upload_urls) urls.set(u.chunk_index, u.url);

      const entries = [];
      for (let index = 1; index <= 13; index++) {
        const body = chunkOf(data, CHUNK, index);
        const result = await put(urls.get(index)!, body);
        expect(result.status).toBe(200);
        expect(result.text).toBe('');
        expect(result.etag).toMatch(/^"[0-9a-f]{32}"$/);
        entries.push(entry(index, body, result.etag.replace(/"/g, '')));
      }
      expect(entries[12]!.chunk_size).toBe(500);

      const first = await report(emu, session.upload_id, [...entries.slice(0, 7)].reverse());
      expect(first.status).toBe(200);
      expect(first.json).toEqual({ asset_id: session.asset_id, processed_chunks: 7, duplicate_chunks: 0, total_completed: 7 });

      // quoted proofs are accepted too (9.9), and a repeat inside one request is a duplicate (9.24)
      const rest = entries.slice(7).map((e) => ({ ...e, proof: `"${e.proof.toUpperCase()}"` }));
      const last = await report(emu, session.upload_id, [...rest, entries[0]!, rest[0]!]);
      expect(last.status).toBe(200);
      expect(last.json).toEqual({
        url: `${emu.origin}/tl-assets/${session.asset_id}/clip.mp4`,
        asset_id: session.asset_id,
        processed_chunks: 6,
        duplicate_chunks: 2,
        total_completed: 13,
      });

      const status = await call(emu, 'GET', `/assets/multipart-uploads/${session.upload_id}?page_limit=50`);
      expect(status.json).toMatchObject({
        status: 'completed',
        chunks_completed: 13,
        chunks_failed: 0,
        chunks_pending: 0,
        total_size: data.length,
        uploaded_size: data.length,
      });
      expect(await emu.objectInfo(session.asset_id)).toEqual({ size: data.length, sha256: sha256(data) });
      const viaAdmin = await admin(emu, 'GET', `/_emulator/objects/${session.asset_id}`);
      expect(viaAdmin.json).toEqual({ size: data.length, sha256: sha256(data) });
      const download = await request(last.json.url!);
      expect(sha256(Buffer.from(await download.body.arrayBuffer()))).toBe(sha256(data));
    });

    it('replays the final report as all duplicates, url included, and refuses more URLs', async () => {
      const replay = await report(emu, session.upload_id, [entry(1, chunkOf(data, CHUNK, 1)), entry(2, chunkOf(data, CHUNK, 2))]);
      expect(replay.status).toBe(200);
      expect(replay.json).toEqual({
        url: `${emu.origin}/tl-assets/${session.asset_id}/clip.mp4`,
        asset_id: session.asset_id,
        processed_chunks: 0,
        duplicate_chunks: 2,
        total_completed: 13,
      });
      const urls = await call(emu, 'POST', `/assets/multipart-uploads/${session.upload_id}/presigned-urls`, { body: { start: 1, count: 1 } });
      expect(urls.status).toBe(400);
      expect(urls.json.code).toBe('upload_session_not_active');
    });
  });

  describe('M2 status', () => {
    it('pages uploaded_chunks while the counters cover the whole session; past the end is an empty 200', async () => {
      const data = bytes(25 * CHUNK, 3);
      const session = await createSession(emu, data.length);
      const good = await uploadChunk(emu, session, data, 2);
      const bad = await uploadChunk(emu, session, data, 3);
      expect((await report(emu, session.upload_id, [good, { ...bad, proof: '0'.repeat(32) }])).json).toMatchObject({
        processed_chunks: 1,
        duplicate_chunks: 0,
        total_completed: 1,
      });

      const page1 = await call(emu, 'GET', `/assets/multipart-uploads/${session.upload_id}?page=1&page_limit=3`);
      expect(page1.status).toBe(200);
      expect(page1.json).toMatchObject({
        upload_id: session.upload_id,
        status: 'active',
        chunks_completed: 1,
        chunks_failed: 1,
        chunks_pending: 23,
        total_size: data.length,
        uploaded_size: CHUNK,
        page_info: { limit_per_page: 3, page: 1, total_page: 9, total_results: 25 },
      });
      const [c1, c2, c3] = page1.json.uploaded_chunks;
      expect(c1).toEqual({ index: 1, status: 'pending', uploaded_at: null, updated_at: page1.json.created_at });
      expect(c2).toMatchObject({ index: 2, status: 'completed' });
      expect(c2.uploaded_at).toMatch(WHOLE_SECONDS_Z);
      expect(c2.error).toBeUndefined();
      expect(c3).toMatchObject({ index: 3, status: 'failed', uploaded_at: null, error: 'proof does not match the stored ETag for chunk 3' });

      const last = await call(emu, 'GET', `/assets/multipart-uploads/${session.upload_id}?page=9&page_limit=3`);
      expect(last.json.uploaded_chunks.map((c: { index: number }) => c.index)).toEqual([25]);
      const past = await call(emu, 'GET', `/assets/multipart-uploads/${session.upload_id}?page=10&page_limit=3`);
      expect(past.status).toBe(200);
      expect(past.json.uploaded_chunks).toEqual([]);
      expect(past.json.page_info).toEqual({ limit_per_page: 3, page: 10, total_page: 9, total_results: 25 });
      expect(past.json.chunks_completed).toBe(1);
      const byDefault = await call(emu, 'GET', `/assets/multipart-uploads/${session.upload_id}`);
      expect(byDefault.json.page_info).toEqual({ limit_per_page: 10, page: 1, total_page: 3, total_results: 25 });
    });

    it("lists only touched chunks in 'touched' mode", async () => {
      const touched = await start({ chunkSizeBytes: CHUNK, chunkListMode: 'touched' });
      try {
        const data = bytes(5 * CHUNK);
        const session = await createSession(touched, data.length);
        await report(touched, session.upload_id, [await uploadChunk(touched, session, data, 4)]);
        const status = await call(touched, 'GET', `/assets/multipart-uploads/${session.upload_id}`);
        expect(status.json.uploaded_chunks.map((c: { index: number }) => c.index)).toEqual([4]);
        expect(status.json.page_info.total_results).toBe(1);
        expect(status.json.chunks_pending).toBe(4);
      } finally {
        await touched.close();
      }
    });

    it.each(['page=0', 'page=-1', 'page=1.5', 'page=abc', 'page_limit=0', 'page_limit=51', 'page_limit=x'])(
      'answers 400 parameter_invalid for %s',
      async (query) => {
        const session = await createSession(emu, 10);
        const result = await call(emu, 'GET', `/assets/multipart-uploads/${session.upload_id}?${query}`);
        expect(result.status).toBe(400);
        expect(result.json.code).toBe('parameter_invalid');
      },
    );

    it("answers 404 resource_not_exist for an unknown id and for another account's session", async () => {
      const unknown = await call(emu, 'GET', '/assets/multipart-uploads/0123456789abcdef01234567');
      expect(unknown.status).toBe(404);
      expect(unknown.json.code).toBe('resource_not_exist');
      expect(unknown.json.message).toContain('0123456789abcdef01234567');
      const session = await createSession(emu, 10);
      const foreign = await call(emu, 'GET', `/assets/multipart-uploads/${session.upload_id}`, { key: OTHER_KEY });
      expect(foreign.status).toBe(404);
    });
  });

  describe('M3 list incomplete uploads', () => {
    it("lists only the caller's active sessions, newest first, with the required keys", async () => {
      const own = await start({ chunkSizeBytes: CHUNK });
      try {
        const a = await createSession(own, 10 * CHUNK);
        const b = await createSession(own, 20 * CHUNK);
        const c = await createSession(own, 30 * CHUNK);
        const done = await createSession(own, 5);
        await report(own, done.upload_id, [await uploadChunk(own, done, bytes(5), 1)]);
        await own.failSession(b.upload_id);
        await call(own, 'POST', '/assets/multipart-uploads', {
          key: OTHER_KEY,
          body: { filename: 'x.mp4', type: 'video', total_size: 3 },
        });

        const list = await call(own, 'GET', '/assets/multipart-uploads');
        expect(list.status).toBe(200);
        expect(list.json.page_info).toEqual({ limit_per_page: 10, page: 1, total_page: 1, total_results: 2 });
        expect(list.json.data).toEqual([
          {
            upload_id: c.upload_id,
            status: 'active',
            total_size: 30 * CHUNK,
            chunk_size: CHUNK,
            total_chunks: 30,
            created_at: expect.stringMatching(WHOLE_SECONDS_Z),
            expires_at: c.expires_at,
          },
          expect.objectContaining({ upload_id: a.upload_id, total_chunks: 10 }),
        ]);
        const paged = await call(own, 'GET', '/assets/multipart-uploads?page=2&page_limit=1');
        expect(paged.json.data.map((s: { upload_id: string }) => s.upload_id)).toEqual([a.upload_id]);
        const past = await call(own, 'GET', '/assets/multipart-uploads?page=3&page_limit=1');
        expect(past.status).toBe(200);
        expect(past.json.data).toEqual([]);

        await own.advanceClock(24 * 3600_000);
        const afterExpiry = await call(own, 'GET', '/assets/multipart-uploads');
        expect(afterExpiry.json).toEqual({ data: [], page_info: { limit_per_page: 10, page: 1, total_page: 0, total_results: 0 } });
      } finally {
        await own.close();
      }
    });
  });

  describe('M4 report chunks', () => {
    it('validates the whole request before changing anything', async () => {
      const data = bytes(3 * CHUNK);
      const session = await createSession(emu, data.length);
      const good = await uploadChunk(emu, session, data, 1);
      const cases: Array<[unknown, string]> = [
        [{}, 'parameter_not_provided'],
        [{ completed_chunks: [] }, 'parameter_invalid'],
        [{ completed_chunks: 'all' }, 'parameter_invalid'],
        [{ completed_chunks: [good, { ...good, chunk_index: 4 }] }, 'parameter_invalid'],
        [{ completed_chunks: [good, { ...good, chunk_index: 0 }] }, 'parameter_invalid'],
        [{ completed_chunks: [good, { ...good, proof_type: 'md5' }] }, 'parameter_invalid'],
        [{ completed_chunks: [good, { ...good, chunk_size: CHUNK - 1 }] }, 'parameter_invalid'],
        [{ completed_chunks: [good, { chunk_index: 2, proof_type: 'etag', chunk_size: CHUNK }] }, 'parameter_not_provided'],
        [{ completed_chunks: [good, { ...good, chunk_index: '2' }] }, 'parameter_invalid'],
        [{ completed_chunks: [good, 5] }, 'parameter_invalid'],
        [{ completed_chunks: [good, good, good, good] }, 'parameter_invalid'], // more entries than total_chunks (9.23)
      ];
      for (const [body, code] of cases) {
        const result = await call(emu, 'POST', `/assets/multipart-uploads/${session.upload_id}`, { body });
        expect(result.status, JSON.stringify(body)).toBe(400);
        expect(result.json.code, JSON.stringify(body)).toBe(code);
      }
      const status = await call(emu, 'GET', `/assets/multipart-uploads/${session.upload_id}`);
      expect(status.json).toMatchObject({ chunks_completed: 0, chunks_failed: 0 });
      const unknown = await report(emu, '0123456789abcdef01234567', [good]);
      expect(unknown.status).toBe(404);
      expect(unknown.json.code).toBe('resource_not_exist');
    });

    it('marks a chunk failed on a wrong proof; a re-upload and re-report completes it', async () => {
      const data = bytes(2 * CHUNK + 10, 11);
      const session = await createSession(emu, data.length);
      const one = await uploadChunk(emu, session, data, 1);
      const two = await uploadChunk(emu, session, data, 2);
      const three = await uploadChunk(emu, session, data, 3);
      const wrong = await report(emu, session.upload_id, [one, { ...two, proof: 'deadbeef'.repeat(4) }]);
      expect(wrong.json).toEqual({ asset_id: session.asset_id, processed_chunks: 1, duplicate_chunks: 0, total_completed: 1 });
      const status = await call(emu, 'GET', `/assets/multipart-uploads/${session.upload_id}`);
      expect(status.json).toMatchObject({ chunks_completed: 1, chunks_failed: 1, chunks_pending: 1 });
      expect(status.json.uploaded_chunks[1]).toMatchObject({ index: 2, status: 'failed', error: expect.stringContaining('ETag') });

      const again = await uploadChunk(emu, session, data, 2);
      const done = await report(emu, session.upload_id, [again, three]);
      expect(done.json).toMatchObject({ processed_chunks: 2, duplicate_chunks: 0, total_completed: 3, url: expect.any(String) });
      const final = await call(emu, 'GET', `/assets/multipart-uploads/${session.upload_id}`);
      expect(final.json).toMatchObject({ status: 'completed', chunks_completed: 3, chunks_failed: 0, chunks_pending: 0 });
      expect(await emu.objectInfo(session.asset_id)).toEqual({ size: data.length, sha256: sha256(data) });
    });

    it('fails a chunk that was never uploaded, and one reported with a stale ETag after a re-upload', async () => {
      const data = bytes(2 * CHUNK, 5);
      const session = await createSession(emu, data.length);
      const missing = await report(emu, session.upload_id, [entry(1, chunkOf(data, CHUNK, 1))]);
      expect(missing.json).toMatchObject({ processed_chunks: 0, duplicate_chunks: 0, total_completed: 0 });

      const first = await uploadChunk(emu, session, data, 2);
      // last writer wins (4.4): different bytes for the same index replace the first PUT
      const { upload_urls } = await mintUrls(emu, session.upload_id, 2, 1);
      const other = bytes(CHUNK, 99);
      expect((await put(upload_urls[0]!.url, other)).status).toBe(200);
      const stale = await report(emu, session.upload_id, [first]);
      expect(stale.json.processed_chunks).toBe(0);
      const status = await call(emu, 'GET', `/assets/multipart-uploads/${session.upload_id}`);
      expect(status.json.uploaded_chunks.map((c: { status: string }) => c.status)).toEqual(['failed', 'failed']);
      expect(status.json.uploaded_chunks[0].error).toMatch(/no successful upload/);
      const latest = await report(emu, session.upload_id, [entry(2, other)]);
      expect(latest.json).toMatchObject({ processed_chunks: 1, total_completed: 1 });
    });

    it('fails a chunk whose stored length differs from its expected length', async () => {
      const data = bytes(2 * CHUNK);
      const session = await createSession(emu, data.length);
      const { upload_urls } = await mintUrls(emu, session.upload_id, 1, 1);
      const short = bytes(CHUNK - 1);
      const result = await put(upload_urls[0]!.url, short);
      expect(result.status).toBe(200); // the store accepts any size (4.4)
      const reported = await report(emu, session.upload_id, [{ ...entry(1, short, result.etag.replace(/"/g, '')), chunk_size: CHUNK }]);
      expect(reported.json.processed_chunks).toBe(0);
      const status = await call(emu, 'GET', `/assets/multipart-uploads/${session.upload_id}`);
      expect(status.json.uploaded_chunks[0].error).toMatch(/stored with 1023 bytes, expected 1024/);
    });
  });

  describe('M5 presigned URLs', () => {
    it.each([
      [{ count: 1 }, 'parameter_not_provided'],
      [{ start: 1 }, 'parameter_not_provided'],
      [{ start: 0, count: 1 }, 'parameter_invalid'],
      [{ start: 1, count: 0 }, 'parameter_invalid'],
      [{ start: 1, count: 51 }, 'parameter_invalid'],
      [{ start: 60, count: 2 }, 'parameter_invalid'], // past total_chunks: strict, no clamping
      [{ start: 1.5, count: 2 }, 'parameter_invalid'],
    ])('answers 400 for %j', async (body, code) => {
      const session = await createSession(emu, 60 * CHUNK);
      const result = await call(emu, 'POST', `/assets/multipart-uploads/${session.upload_id}/presigned-urls`, { body });
      expect(result.status).toBe(400);
      expect(result.json.code).toBe(code);
    });

    it('mints at most 50 fresh, distinct URLs, each expiring an hour after generation', async () => {
      const session = await createSession(emu, 60 * CHUNK);
      const result = await mintUrls(emu, session.upload_id, 11, 50);
      expect(result.upload_urls).toHaveLength(50);
      expect(result.upload_urls[0]!.chunk_index).toBe(11);
      expect(result.upload_urls[49]!.chunk_index).toBe(60);
      expect(result.generated_at).toMatch(WHOLE_SECONDS_Z);
      expect(Date.parse(result.upload_urls[0]!.expires_at) - Date.parse(result.generated_at)).toBe(3600_000);
      const again = await mintUrls(emu, session.upload_id, 11, 1);
      expect(again.upload_urls[0]!.url).not.toBe(result.upload_urls[0]!.url);
      const unknown = await call(emu, 'POST', '/assets/multipart-uploads/0123456789abcdef01234567/presigned-urls', {
        body: { start: 1, count: 1 },
      });
      expect(unknown.status).toBe(404);
    });

    it("never lets a URL outlive its session (9.26)", async () => {
      const shortLived = await start({ chunkSizeBytes: CHUNK, sessionTtlSeconds: 1800 });
      try {
        const session = await createSession(shortLived, 3 * CHUNK);
        expect(session.upload_urls[0]!.expires_at).toBe(session.expires_at);
        const url = new URL(session.upload_urls[0]!.url);
        expect(Number(url.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(1800);
        expect(Number(url.searchParams.get('X-Amz-Expires'))).toBeGreaterThan(1790);
      } finally {
        await shortLived.close();
      }
    });
  });

  describe('expired and failed sessions', () => {
    it('after 24 hours: M2 says expired, M4 and M5 answer 400, PUTs 403, the asset fails', async () => {
      const clocked = await start({ chunkSizeBytes: CHUNK });
      try {
        const data = bytes(3 * CHUNK);
        const session = await createSession(clocked, data.length);
        const one = await uploadChunk(clocked, session, data, 1);
        await clocked.advanceClock(24 * 3600_000 + 1000);

        const status = await call(clocked, 'GET', `/assets/multipart-uploads/${session.upload_id}`);
        expect(status.status).toBe(200);
        expect(status.json.status).toBe('expired');
        const reported = await report(clocked, session.upload_id, [one]);
        expect(reported.status).toBe(400);
        expect(reported.json.code).toBe('upload_session_expired');
        const urls = await call(clocked, 'POST', `/assets/multipart-uploads/${session.upload_id}/presigned-urls`, { body: { start: 1, count: 1 } });
        expect(urls.status).toBe(400);
        expect(urls.json.code).toBe('upload_session_expired');
        const late = await put(session.upload_urls[1]!.url, chunkOf(data, CHUNK, 2));
        expect(late.status).toBe(403);
        expect(late.text).toContain('<Message>Request has expired</Message>');
        const asset = await call(clocked, 'GET', `/assets/${session.asset_id}`);
        expect(asset.json).toMatchObject({ status: 'failed', error: { message: expect.stringMatching(/expired/) } });
      } finally {
        await clocked.close();
      }
    });

    it('a failed session refuses reports and URL requests, and its unused URLs get 404 NoSuchUpload', async () => {
      const data = bytes(3 * CHUNK);
      const session = await createSession(emu, data.length);
      const one = await uploadChunk(emu, session, data, 1);
      const failed = await admin(emu, 'POST', `/_emulator/sessions/${session.upload_id}/fail`, { reason: 'test says so' });
      expect(failed.status).toBe(200);
      expect(failed.json).toMatchObject({ status: 'failed', failure_reason: 'test says so' });

      expect((await call(emu, 'GET', `/assets/multipart-uploads/${session.upload_id}`)).json.status).toBe('failed');
      const reported = await report(emu, session.upload_id, [one]);
      expect(reported.status).toBe(400);
      expect(reported.json.code).toBe('upload_session_failed');
      const urls = await call(emu, 'POST', `/assets/multipart-uploads/${session.upload_id}/presigned-urls`, { body: { start: 1, count: 1 } });
      expect(urls.json.code).toBe('upload_session_failed');
      const late = await put(session.upload_urls[1]!.url, chunkOf(data, CHUNK, 2));
      expect(late.status).toBe(404);
      expect(late.text).toContain('<Code>NoSuchUpload</Code>');
      expect((await call(emu, 'GET', `/assets/${session.asset_id}`)).json).toMatchObject({ status: 'failed', error: { message: 'test says so' } });
      await expect(emu.failSession(session.upload_id)).rejects.toThrow(/not active/);
    });
  });

  it('counts every request by endpoint id, whatever its outcome', async () => {
    const before = (await emu.counters()).requests_by_endpoint;
    await call(emu, 'GET', '/assets/multipart-uploads');
    await call(emu, 'GET', '/assets/multipart-uploads/0123456789abcdef01234567', { key: null });
    await call(emu, 'POST', '/assets/multipart-uploads/0123456789abcdef01234567/presigned-urls', { body: {} });
    const after = (await emu.counters()).requests_by_endpoint;
    expect((after.M3 ?? 0) - (before.M3 ?? 0)).toBe(1);
    expect((after.M2 ?? 0) - (before.M2 ?? 0)).toBe(1);
    expect((after.M5 ?? 0) - (before.M5 ?? 0)).toBe(1);
    expect(after.M1).toBe(before.M1);
  });
});
