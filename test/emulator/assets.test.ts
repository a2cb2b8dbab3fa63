// Contract tests for A1–A7 (contract section 5): direct and URL uploads, listing and filters,
// deletion with its conflict path, user metadata semantics, and the asset lifecycle on the clock.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { FormData, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator';
import { admin, bytes, call, createSession, KEY, OTHER_KEY, report, sha256, start, uploadChunk } from './support';

const HEX24 = /^[0-9a-f]{24}$/;

async function postForm(emu: RunningEmulator, form: FormData, key: string = KEY) {
  const response = await request(`${emu.baseUrl}/assets`, { method: 'POST', headers: { 'x-api-key': key }, body: form });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, json: text ? JSON.parse(text) : undefined };
}

function directForm(data: Buffer, filename = 'teaser.mp4', type = 'video/mp4', fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  form.set('method', 'direct');
  form.set('file', new Blob([data], { type }), filename);
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  return form;
}

async function postRaw(emu: RunningEmulator, contentType: string | undefined, body: string | Readable) {
  const headers: Record<string, string> = { 'x-api-key': KEY };
  if (contentType !== undefined) headers['content-type'] = contentType;
  const response = await request(`${emu.baseUrl}/assets`, { method: 'POST', headers, body });
  return { status: response.statusCode, json: (await response.body.json()) as { code: string; message: string } };
}

describe('asset endpoints', () => {
  let emu: RunningEmulator;
  let media: Server;
  let mediaOrigin: string;
  const served = bytes(300_000, 42);

  beforeAll(async () => {
    emu = await start({ assetReadyDelayMs: 1000, maxDirectBytes: 64 * 1024, maxImageBytes: 1024 });
    media = createServer((req, res) => {
      if (req.url === '/media/river.mp4') {
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': served.length });
        res.end(served);
      } else if (req.url === '/media/notes.bin') {
        res.writeHead(200, { 'content-type': 'application/x-unknown' });
        res.end('x');
      } else {
        res.writeHead(404);
        res.end('not here');
      }
    });
    await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve));
    mediaOrigin = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await emu.close();
    await new Promise((resolve) => media.close(resolve));
  });

  describe('A1 direct upload', () => {
    it('answers 201 with a processing Asset, then becomes ready on the emulator clock', async () => {
      const data = bytes(50_000, 9);
      const created = await postForm(emu, directForm(data, 'teaser.mp4', 'video/mp4', { user_metadata: '{"campaign":"spring","n":3}' }));
      expect(created.status).toBe(201);
      expect(created.headers['x-api-version']).toBe('1.3');
      expect(created.json).toEqual({
        _id: expect.stringMatching(HEX24),
        method: 'direct',
        status: 'processing',
        filename: 'teaser.mp4',
        file_type: 'video/mp4',
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        user_metadata: { campaign: 'spring', n: 3 },
      });
      const id = created.json._id;
      const processing = await call(emu, 'GET', `/assets/${id}`);
      expect(processing.json.status).toBe('processing');
      expect(processing.json.size).toBeUndefined();
      expect(processing.json.technical_metadata).toBeUndefined();

      await emu.advanceClock(1000);
      const ready = await call(emu, 'GET', `/assets/${id}`);
      expect(ready.json).toMatchObject({
        _id: id,
        status: 'ready',
        size: data.length,
        technical_metadata: { file_size_bytes: data.length, file_mime_type: 'video/mp4' },
      });
      expect(await emu.objectInfo(id)).toEqual({ size: data.length, sha256: sha256(data) });
    });

    it('streams a body sent in small pieces with chunked encoding, and keeps the filename field', async () => {
      const boundary = '----emulator-test-boundary';
      const data = bytes(60_000, 13);
      const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="method"\r\n\r\ndirect\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="raw.mov"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      );
      const tail = Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="filename"\r\n\r\nRenamed clip.mov\r\n--${boundary}--\r\n`);
      const whole = Buffer.concat([head, data, tail]);
      const pieces: Buffer[] = [];
      for (let offset = 0; offset < whole.length; offset += 777) pieces.push(whole.subarray(offset, offset + 777));
      const response = await request(`${emu.baseUrl}/assets`, {
        method: 'POST',
        headers: { 'x-api-key': KEY, 'content-type': `multipart/form-data; boundary=${boundary}` },
        body: Readable.from(pieces),
      });
      const json = (await response.body.json()) as { _id: string; filename: string; file_type: string };
      expect(response.statusCode).toBe(201);
      expect(json.filename).toBe('Renamed clip.mov');
      expect(json.file_type).toBe('video/quicktime');
      expect(await emu.objectInfo(json._id)).toEqual({ size: data.length, sha256: sha256(data) });
    });

    it('answers 400 media_filesize_too_large above the direct limit (video) and the image limit', async () => {
      const video = await postForm(emu, directForm(bytes(64 * 1024 + 1)));
      expect(video.status).toBe(400);
      expect(video.json.code).toBe('media_filesize_too_large');
      expect(video.json.message).toContain(String(64 * 1024));
      const image = await postForm(emu, directForm(bytes(2048), 'photo.png', 'image/png'));
      expect(image.status).toBe(400);
      expect(image.json.code).toBe('media_filesize_too_large');
      const smallImage = await postForm(emu, directForm(bytes(1000), 'photo.png', 'image/png'));
      expect(smallImage.status).toBe(201);
      expect(smallImage.json.file_type).toBe('image/png');
    });

    it.each([
      ['a JSON content type', 'application/json', '{}', 'content_type_invalid'],
      ['no content type', undefined, 'x', 'content_type_invalid'],
      ['a multipart type without boundary', 'multipart/form-data', 'x', 'multipart_boundary_missing'],
      ['a body without the closing boundary', 'multipart/form-data; boundary=zz', '--zz\r\nContent-Disposition: form-data; name="method"\r\n\r\ndirect', 'invalid_multipart'],
      ['a part without Content-Disposition', 'multipart/form-data; boundary=zz', '--zz\r\nX-Other: 1\r\n\r\nv\r\n--zz--\r\n', 'invalid_multipart'],
    ])('answers 400 for %s', async (_name, contentType, body, code) => {
      const result = await postRaw(emu, contentType, body);
      expect(result.status).toBe(400);
      expect(result.json.code).toBe(code);
    });

    it.each([
      ['no method', {}, 'parameter_not_provided', /method/],
      ['method multipart', { method: 'multipart' }, 'parameter_invalid', /multipart-uploads/],
      ['an unknown method', { method: 'ftp' }, 'parameter_invalid', /oneof/],
      ['direct without a file', { method: 'direct' }, 'parameter_not_provided', /file/],
      ['url without a url', { method: 'url' }, 'parameter_not_provided', /url/],
      ['enable_hls not a boolean', { method: 'url', url: 'http://127.0.0.1:1/a.mp4', enable_hls: 'maybe' }, 'parameter_invalid', /enable_hls/],
      ['user_metadata not JSON', { method: 'url', url: 'http://127.0.0.1:1/a.mp4', user_metadata: '{oops' }, 'parameter_invalid', /user_metadata/],
      ['user_metadata nested', { method: 'url', url: 'http://127.0.0.1:1/a.mp4', user_metadata: '{"a":[1]}' }, 'parameter_invalid', /user_metadata/],
      ['an empty filename', { method: 'url', url: 'http://127.0.0.1:1/a.mp4', filename: '' }, 'parameter_invalid', /filename/],
    ])('answers 400 for %s', async (_name, fields, code, message) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.set(name, value);
      const result = await postForm(emu, form);
      expect(result.status).toBe(400);
      expect(result.json.code).toBe(code);
      expect(result.json.message).toMatch(message);
    });

    it('answers 401 without a key', async () => {
      const response = await request(`${emu.baseUrl}/assets`, { method: 'POST', body: directForm(bytes(10)) });
      expect(response.statusCode).toBe(401);
      expect(((await response.body.json()) as { code: string }).code).toBe('api_key_invalid');
    });
  });

  describe('A1 URL upload', () => {
    it('downloads from a loopback server, naming the asset after the URL', async () => {
      const form = new FormData();
      form.set('method', 'url');
      form.set('url', `${mediaOrigin}/media/river.mp4`);
      form.set('enable_thumbnail', 'true');
      const created = await postForm(emu, form);
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({ method: 'url', status: 'processing', filename: 'river.mp4', file_type: 'video/mp4' });
      expect(await emu.objectInfo(created.json._id)).toEqual({ size: served.length, sha256: sha256(served) });
      const detail = await call(emu, 'GET', `/assets/${created.json._id}`);
      expect(detail.json.thumbnail).toEqual({ status: 'pending' });
    });

    it('ignores a stray file part beside method=url', async () => {
      const form = directForm(bytes(5000, 8));
      form.set('method', 'url');
      form.set('url', `${mediaOrigin}/media/river.mp4`);
      const created = await postForm(emu, form);
      expect(created.status).toBe(201);
      expect(await emu.objectInfo(created.json._id)).toEqual({ size: served.length, sha256: sha256(served) });
    });

    it.each([
      ['a non-loopback host', 'http://example.com/video.mp4'],
      ['a 404 from the server', '/media/missing.mp4'],
      ['a refused connection', 'http://127.0.0.1:1/video.mp4'],
      ['a non-http scheme', 'ftp://127.0.0.1/video.mp4'],
    ])('answers 400 media_url_not_accessible for %s', async (_name, target) => {
      const form = new FormData();
      form.set('method', 'url');
      form.set('url', target.startsWith('/') ? `${mediaOrigin}${target}` : target);
      const result = await postForm(emu, form);
      expect(result.status).toBe(400);
      expect(result.json.code).toBe('media_url_not_accessible');
    });

    it('answers 400 for an unsupported format and for a file over the URL limit', async () => {
      const unsupported = new FormData();
      unsupported.set('method', 'url');
      unsupported.set('url', `${mediaOrigin}/media/notes.bin`);
      expect((await postForm(emu, unsupported)).json.code).toBe('media_url_unsupported_format');

      const tight = await start({ maxUrlBytes: 1000 });
      try {
        const form = new FormData();
        form.set('method', 'url');
        form.set('url', `${mediaOrigin}/media/river.mp4`);
        const result = await postForm(tight, form);
        expect(result.status).toBe(400);
        expect(result.json.code).toBe('media_filesize_too_large');
      } finally {
        await tight.close();
      }
    });
  });

  describe('A2 list, A3 retrieve', () => {
    let own: RunningEmulator;
    const ids: Record<string, string> = {};
    beforeAll(async () => {
      own = await start({ chunkSizeBytes: 1024 });
      for (const [name, type] of [
        ['Alpha.mp4', 'video/mp4'],
        ['beta.mp3', 'audio/mpeg'],
        ['gamma.png', 'image/png'],
        ['alphabet.pdf', 'application/pdf'],
      ] as const) {
        ids[name] = (await postForm(own, directForm(bytes(100), name, type))).json._id;
      }
      ids.session = (await createSession(own, 5000, { filename: 'upload-in-progress.mov' })).asset_id;
      await postForm(own, directForm(bytes(100), 'foreign.mp4'), OTHER_KEY);
    });
    afterAll(async () => {
      await own.close();
    });

    it('lists the caller’s assets newest first as AssetDetail, with page_info', async () => {
      const list = await call(own, 'GET', '/assets');
      expect(list.status).toBe(200);
      expect(list.json.page_info).toEqual({ limit_per_page: 10, page: 1, total_page: 1, total_results: 5 });
      expect(list.json.data.map((a: { _id: string }) => a._id)).toEqual([ids.session, ids['alphabet.pdf'], ids['gamma.png'], ids['beta.mp3'], ids['Alpha.mp4']]);
      expect(list.json.data[0]).toMatchObject({ method: 'multipart', status: 'processing', filename: 'upload-in-progress.mov', file_type: 'video/quicktime' });
      expect(list.json.data[1]).toMatchObject({ status: 'ready', size: 100, file_type: 'application/pdf' });
    });

    it('filters by asset_ids (repeated or comma separated), asset_types and filename substring', async () => {
      const byIds = await call(own, 'GET', `/assets?asset_ids=${ids['Alpha.mp4']}&asset_ids=${ids['gamma.png']}`);
      expect(byIds.json.data.map((a: { _id: string }) => a._id)).toEqual([ids['gamma.png'], ids['Alpha.mp4']]);
      const comma = await call(own, 'GET', `/assets?asset_ids=${ids['Alpha.mp4']},${ids['gamma.png']}`);
      expect(comma.json.page_info.total_results).toBe(2);
      const types = await call(own, 'GET', '/assets?asset_types=audio&asset_types=document');
      expect(types.json.data.map((a: { filename: string }) => a.filename)).toEqual(['alphabet.pdf', 'beta.mp3']);
      const videos = await call(own, 'GET', '/assets?asset_types=video');
      expect(videos.json.data.map((a: { filename: string }) => a.filename)).toEqual(['upload-in-progress.mov', 'Alpha.mp4']);
      const named = await call(own, 'GET', '/assets?filename=ALPHA');
      expect(named.json.data.map((a: { filename: string }) => a.filename)).toEqual(['alphabet.pdf', 'Alpha.mp4']);
      const combined = await call(own, 'GET', '/assets?filename=alpha&asset_types=video');
      expect(combined.json.data.map((a: { filename: string }) => a.filename)).toEqual(['Alpha.mp4']);
    });

    it('pages exactly and returns an empty page past the end', async () => {
      const second = await call(own, 'GET', '/assets?page=2&page_limit=2');
      expect(second.json.data).toHaveLength(2);
      expect(second.json.page_info).toEqual({ limit_per_page: 2, page: 2, total_page: 3, total_results: 5 });
      const past = await call(own, 'GET', '/assets?page=4&page_limit=2');
      expect(past.status).toBe(200);
      expect(past.json.data).toEqual([]);
      for (const query of ['page=0', 'page_limit=51', 'asset_types=hologram']) {
        const bad = await call(own, 'GET', `/assets?${query}`);
        expect(bad.status, query).toBe(400);
        expect(bad.json.code, query).toBe('parameter_invalid');
      }
    });

    it('retrieves one asset, and 404s an unknown one or another account’s', async () => {
      const one = await call(own, 'GET', `/assets/${ids['beta.mp3']}`);
      expect(one.json).toMatchObject({ _id: ids['beta.mp3'], filename: 'beta.mp3', method: 'direct', file_type: 'audio/mpeg' });
      const unknown = await call(own, 'GET', '/assets/0123456789abcdef01234567');
      expect(unknown.status).toBe(404);
      expect(unknown.json.code).toBe('resource_not_exist');
      expect((await call(own, 'GET', `/assets/${ids['beta.mp3']}`, { key: OTHER_KEY })).status).toBe(404);
    });
  });

  describe('A4 delete', () => {
    it('answers 204 with an empty body, then 404', async () => {
      const id = (await postForm(emu, directForm(bytes(10)))).json._id;
      const deleted = await call(emu, 'DELETE', `/assets/${id}`);
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expect((await call(emu, 'GET', `/assets/${id}`)).status).toBe(404);
      expect((await call(emu, 'DELETE', `/assets/${id}`)).status).toBe(404);
      expect(await emu.objectInfo(id)).toBeUndefined();
    });

    it('answers 409 asset_in_use for a referenced asset unless force=true', async () => {
      const id = (await postForm(emu, directForm(bytes(10)))).json._id;
      expect((await admin(emu, 'POST', `/_emulator/assets/${id}/referenced`, { referenced: true })).json).toEqual({ asset_id: id, referenced: true });
      const conflict = await call(emu, 'DELETE', `/assets/${id}`);
      expect(conflict.status).toBe(409);
      expect(conflict.json.code).toBe('asset_in_use');
      expect((await call(emu, 'DELETE', `/assets/${id}?force=false`)).status).toBe(409);
      expect((await call(emu, 'DELETE', `/assets/${id}?force=maybe`)).status).toBe(400);
      expect((await call(emu, 'DELETE', `/assets/${id}?force=true`)).status).toBe(204);

      const other = (await postForm(emu, directForm(bytes(10)))).json._id;
      await emu.markAssetReferenced(other);
      expect((await call(emu, 'DELETE', `/assets/${other}`)).status).toBe(409);
      await emu.markAssetReferenced(other, false);
      expect((await call(emu, 'DELETE', `/assets/${other}`)).status).toBe(204);
    });

    it('fails the active session of a deleted multipart asset', async () => {
      const own = await start({ chunkSizeBytes: 1024 });
      try {
        const data = bytes(3000);
        const session = await createSession(own, data.length);
        const one = await uploadChunk(own, session, data, 1);
        expect((await call(own, 'DELETE', `/assets/${session.asset_id}`)).status).toBe(204);
        const status = await call(own, 'GET', `/assets/multipart-uploads/${session.upload_id}`);
        expect(status.json.status).toBe('failed');
        expect((await report(own, session.upload_id, [one])).json.code).toBe('upload_session_failed');
      } finally {
        await own.close();
      }
    });
  });

  describe('A5–A7 user metadata', () => {
    async function assetWith(metadata: Record<string, unknown>): Promise<string> {
      return (await postForm(emu, directForm(bytes(10), 'meta.mp4', 'video/mp4', { user_metadata: JSON.stringify(metadata) }))).json._id;
    }
    const metadataOf = async (id: string) => (await call(emu, 'GET', `/assets/${id}`)).json.user_metadata;

    it('merges with PATCH: null deletes, "" is ignored (the worked example of 5.5)', async () => {
      const id = await assetWith({ a: 1, b: 'x', c: true });
      const patched = await call(emu, 'PATCH', `/assets/${id}/user-metadata`, { body: { user_metadata: { a: 2, b: null, c: '', d: 'new' } } });
      expect(patched.status).toBe(204);
      expect(patched.text).toBe('');
      expect(await metadataOf(id)).toEqual({ a: 2, c: true, d: 'new' });
    });

    it('replaces with PUT: null and "" are not stored, absent keys go (the worked example of 5.5)', async () => {
      const id = await assetWith({ a: 1, b: 'x', c: true });
      const replaced = await call(emu, 'PUT', `/assets/${id}/user-metadata`, { body: { user_metadata: { a: 2, b: null, c: '' } } });
      expect(replaced.status).toBe(204);
      expect(replaced.text).toBe('');
      expect(await metadataOf(id)).toEqual({ a: 2 });
      expect((await call(emu, 'PUT', `/assets/${id}/user-metadata`, { body: { user_metadata: {} } })).status).toBe(204);
      expect(await metadataOf(id)).toBeUndefined();
    });

    it('clears with DELETE, leaving user_metadata out of the asset', async () => {
      const id = await assetWith({ a: 1 });
      const cleared = await call(emu, 'DELETE', `/assets/${id}/user-metadata`);
      expect(cleared.status).toBe(204);
      expect(cleared.text).toBe('');
      const asset = (await call(emu, 'GET', `/assets/${id}`)).json;
      expect('user_metadata' in asset).toBe(false);
    });

    it('rejects a missing, non-object or nested user_metadata, and unknown assets', async () => {
      const id = await assetWith({ a: 1 });
      const cases: Array<[unknown, string]> = [
        [{}, 'parameter_not_provided'],
        [{ user_metadata: 'a=1' }, 'parameter_invalid'],
        [{ user_metadata: null }, 'parameter_invalid'],
        [{ user_metadata: { a: { nested: true } } }, 'parameter_invalid'],
        [{ user_metadata: { a: [1, 2] } }, 'parameter_invalid'],
      ];
      for (const [body, code] of cases) {
        for (const method of ['PATCH', 'PUT']) {
          const result = await call(emu, method, `/assets/${id}/user-metadata`, { body });
          expect(result.status, `${method} ${JSON.stringify(body)}`).toBe(400);
          expect(result.json.code).toBe(code);
        }
      }
      expect(await metadataOf(id)).toEqual({ a: 1 });
      const unknown = await call(emu, 'PATCH', '/assets/0123456789abcdef01234567/user-metadata', { body: { user_metadata: { a: 1 } } });
      expect(unknown.status).toBe(404);
      expect((await call(emu, 'DELETE', '/assets/0123456789abcdef01234567/user-metadata')).status).toBe(404);
    });
  });

  describe('multipart asset lifecycle', () => {
    it('is processing while uploading, ready after the delay, then HLS and thumbnail go pending → processing → ready', async () => {
      const own = await start({ chunkSizeBytes: 1024, assetReadyDelayMs: 1000 });
      try {
        const data = bytes(2500, 17);
        const session = await createSession(own, data.length, { enable_hls: true, enable_thumbnail: true, user_metadata: { k: 'v' } });
        const during = await call(own, 'GET', `/assets/${session.asset_id}`);
        expect(during.json).toMatchObject({
          _id: session.asset_id,
          method: 'multipart',
          status: 'processing',
          hls: { status: 'pending' },
          thumbnail: { status: 'pending' },
          user_metadata: { k: 'v' },
        });
        const entries = [];
        for (let i = 1; i <= 3; i++) entries.push(await uploadChunk(own, session, data, i));
        await report(own, session.upload_id, entries);
        expect((await call(own, 'GET', `/assets/${session.asset_id}`)).json.status).toBe('processing');

        await own.advanceClock(1000);
        const ready = (await call(own, 'GET', `/assets/${session.asset_id}`)).json;
        expect(ready).toMatchObject({ status: 'ready', size: 2500, hls: { status: 'processing' }, thumbnail: { status: 'processing' } });
        expect(ready.technical_metadata).toEqual({ file_size_bytes: 2500, file_mime_type: 'video/mp4' });

        await own.advanceClock(1000);
        const derived = (await call(own, 'GET', `/assets/${session.asset_id}`)).json;
        expect(derived.hls).toEqual({ status: 'ready', manifest_url: `${own.origin}/tl-assets/${session.asset_id}/hls/manifest.m3u8` });
        expect(derived.thumbnail).toEqual({ status: 'ready', representative_url: `${own.origin}/tl-assets/${session.asset_id}/thumbnail.jpg` });
      } finally {
        await own.close();
      }
    });
  });
});
