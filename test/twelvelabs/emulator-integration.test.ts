// The typed client against the real emulator over loopback: the whole multipart flow, every
// typed error path, pagination, direct and URL asset uploads, metadata and deletes.

import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import {
  ChunkPutError,
  createTwelveLabsAgent,
  putChunk,
  TwelveLabsApiError,
  TwelveLabsClient,
  URL_TTL_MS,
  SESSION_TTL_MS,
  type ChunkInfo,
  type MultipartUploadSession,
} from '../../src/twelvelabs';
import { chunkLength, makeTempDir, uploadAllChunks, writePatternFile, type TempDir } from './support';

const API_KEY = 'tlk_integration_SECRET_5f2c9a';
const CHUNK = 1024;

let emu: RunningEmulator;
let dir: TempDir;
const agent = createTwelveLabsAgent();
let client: TwelveLabsClient;

beforeAll(async () => {
  dir = await makeTempDir('tl-int-');
  emu = await startEmulator({ apiKeys: [API_KEY], chunkSizeBytes: CHUNK, initialUrls: 3, assetReadyDelayMs: 1000, seed: 7 });
  client = new TwelveLabsClient({ baseUrl: emu.baseUrl, apiKey: API_KEY, dispatcher: agent });
});
afterEach(async () => {
  await emu.setFaults({});
});
afterAll(async () => {
  await emu?.close();
  await agent.close();
  await dir?.remove();
});

async function rejection<T extends Error>(p: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(type);
  return err as T;
}

async function newSession(sizeBytes: number, name = 'clip.mp4'): Promise<MultipartUploadSession> {
  return client.createMultipartUpload({ filename: name, type: 'video', totalSizeBytes: sizeBytes });
}

async function firstChunkBody(path: string, session: MultipartUploadSession, sizeBytes: number) {
  const length = chunkLength(1, session.chunkSizeBytes, sizeBytes);
  return { body: createReadStream(path, { start: 0, end: length - 1 }), contentLength: length };
}

describe('multipart upload through the client', () => {
  it('uploads a file larger than the initial URL set, reports in batches, and the store holds identical bytes', async () => {
    const file = await writePatternFile(dir.path, 'keynote.mp4', 57 * CHUNK + 321, 11);
    const session = await client.createMultipartUpload({
      filename: 'keynote.mp4',
      type: 'video',
      totalSizeBytes: file.size,
      enableHls: true,
      userMetadata: { event: 'keynote', year: 2026 },
    });
    expect(session.chunkSizeBytes).toBe(CHUNK);
    expect(session.totalChunks).toBe(58);
    expect(session.uploadUrls.map((u) => u.chunkIndex)).toEqual([1, 2, 3]);
    expect(session.uploadHeaders).toEqual({ 'Content-Type': 'application/octet-stream' });
    expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.parse(session.uploadUrls[0]!.expiresAt));

    // While active, the session is listed by M3 and its asset is visible as processing (9.17).
    const incomplete = [];
    for await (const u of client.iterateIncompleteUploads({ pageLimit: 2 })) incomplete.push(u.uploadId);
    expect(incomplete).toContain(session.uploadId);

    const run = await uploadAllChunks(client, session, file.path, file.size, { reportBatchSize: 7, dispatcher: agent });
    // 55 chunks beyond the initial 3 need two M5 calls (50 + 5).
    expect(run.m5Calls).toBe(2);
    expect(run.urlsMinted).toBe(55);
    const last = run.reports.at(-1)!;
    expect(last.totalCompleted).toBe(58);
    expect(last.url).toEqual(expect.any(String));
    expect(run.reports.slice(0, -1).every((r) => r.url === undefined)).toBe(true);
    expect(run.reports.reduce((n, r) => n + r.processedChunks, 0)).toBe(58);

    // M2 over every page (5 per page → 12 pages), ending on its own.
    const pages = [];
    for await (const page of client.iterateChunkStatuses(session.uploadId, { pageLimit: 5 })) pages.push(page);
    expect(pages).toHaveLength(12);
    const chunks: ChunkInfo[] = pages.flatMap((p) => p.chunks);
    expect(chunks.map((c) => c.chunkIndex)).toEqual(Array.from({ length: 58 }, (_, i) => i + 1));
    expect(chunks.every((c) => c.status === 'completed' && c.uploadedAt !== undefined)).toBe(true);
    const final = pages.at(-1)!;
    expect(final).toMatchObject({ status: 'completed', chunksCompleted: 58, chunksFailed: 0, chunksPending: 0, totalSizeBytes: file.size, uploadedSizeBytes: file.size });

    expect(await emu.objectInfo(session.assetId)).toEqual({ size: file.size, sha256: file.sha256 });

    // A replayed final report is idempotent: all duplicates, url again (9.6).
    const replay = await client.reportChunks(session.uploadId, [{ chunkIndex: 58, proof: 'whatever', chunkSizeBytes: chunkLength(58, CHUNK, file.size) }]);
    expect(replay).toMatchObject({ processedChunks: 0, duplicateChunks: 1, totalCompleted: 58, url: last.url });

    // The asset: processing, then ready once the emulator clock passes the delay.
    const processing = await client.getAsset(session.assetId);
    expect(processing).toMatchObject({ id: session.assetId, method: 'multipart', status: 'processing', userMetadata: { event: 'keynote', year: 2026 } });
    await emu.advanceClock(2000);
    const ready = await client.getAsset(session.assetId);
    expect(ready).toMatchObject({ status: 'ready', sizeBytes: file.size });
    expect(ready.hls?.status).toEqual(expect.any(String));

    const after = [];
    for await (const u of client.iterateIncompleteUploads()) after.push(u.uploadId);
    expect(after).not.toContain(session.uploadId);
  });

  it('paginates M3 and ends on an empty page', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await newSession(5 * CHUNK, `m3-${i}.mp4`)).uploadId);
    const page1 = await client.listIncompleteUploads({ page: 1, pageLimit: 2 });
    expect(page1.items).toHaveLength(2);
    expect(page1.pageInfo.limitPerPage).toBe(2);
    expect(page1.pageInfo.totalPages).toBe(Math.ceil(page1.pageInfo.totalResults / 2));
    const past = await client.listIncompleteUploads({ page: page1.pageInfo.totalPages + 1, pageLimit: 2 });
    expect(past.items).toEqual([]);
    const all = [];
    for await (const u of client.iterateIncompleteUploads({ pageLimit: 2 })) all.push(u.uploadId);
    expect(all).toEqual(expect.arrayContaining(ids));
    expect(new Set(all).size).toBe(all.length);
  });

  it('reports a rejected chunk, shows it failed in M2, and accepts it after a re-upload with a fresh URL', async () => {
    const file = await writePatternFile(dir.path, 'retry.mp4', 3 * CHUNK, 5);
    const session = await newSession(file.size, 'retry.mp4');
    const put = async (chunkIndex: number, url: string) => {
      const start = (chunkIndex - 1) * CHUNK;
      return putChunk({ url, headers: session.uploadHeaders, body: createReadStream(file.path, { start, end: start + CHUNK - 1 }), contentLength: CHUNK, dispatcher: agent });
    };
    const etags = [];
    for (const u of session.uploadUrls) etags.push((await put(u.chunkIndex, u.url)).etag);
    // A wrong proof is not a request error: the chunk is marked failed (9.7).
    const r = await client.reportChunks(session.uploadId, [
      { chunkIndex: 1, proof: etags[0]!, chunkSizeBytes: CHUNK },
      { chunkIndex: 2, proof: '0'.repeat(32), chunkSizeBytes: CHUNK },
    ]);
    expect(r.processedChunks + r.duplicateChunks).toBeLessThan(2);
    const status = await client.getMultipartUploadStatus(session.uploadId, { pageLimit: 50 });
    expect(status.chunksFailed).toBe(1);
    const failed = status.chunks.find((c) => c.chunkIndex === 2)!;
    expect(failed.status).toBe('failed');
    expect(failed.error).toEqual(expect.any(String));

    const fresh = await client.requestPresignedUrls(session.uploadId, { start: 2, count: 1 });
    expect(fresh.startIndex).toBe(2);
    expect(fresh.sessionExpiresAt).toBe(session.expiresAt);
    const again = await put(2, fresh.uploadUrls[0]!.url);
    const done = await client.reportChunks(session.uploadId, [
      { chunkIndex: 2, proof: again.etag, chunkSizeBytes: CHUNK },
      { chunkIndex: 3, proof: etags[2]!, chunkSizeBytes: CHUNK },
    ]);
    expect(done).toMatchObject({ processedChunks: 2, totalCompleted: 3, url: expect.any(String) });
    expect((await emu.objectInfo(session.assetId))?.sha256).toBe(file.sha256);
  });
});

describe('typed API errors from the emulator', () => {
  it('401 for a wrong key, without the key anywhere in the error', async () => {
    const wrongKey = 'tlk_WRONG_secret_key_77';
    const bad = new TwelveLabsClient({ baseUrl: emu.baseUrl, apiKey: wrongKey, dispatcher: agent });
    const e = await rejection(bad.listAssets(), TwelveLabsApiError);
    expect(e).toMatchObject({ status: 401, code: 'api_key_invalid', retryable: false, kind: 'http' });
    const visible = [e.message, e.stack, JSON.stringify(e), String(e.cause)].join('\n');
    expect(visible).not.toContain(wrongKey);
    expect(visible).not.toContain(API_KEY);
  });

  it('400 for a URL range past total_chunks, 404 for an unknown session', async () => {
    const session = await newSession(4 * CHUNK);
    const e400 = await rejection(client.requestPresignedUrls(session.uploadId, { start: 3, count: 5 }), TwelveLabsApiError);
    expect(e400).toMatchObject({ status: 400, code: 'parameter_invalid', retryable: false });
    const e404 = await rejection(client.getMultipartUploadStatus('0123456789abcdef01234567'), TwelveLabsApiError);
    expect(e404).toMatchObject({ status: 404, code: 'resource_not_exist', retryable: false });
    const e404b = await rejection(client.getAsset('0123456789abcdef01234567'), TwelveLabsApiError);
    expect(e404b.status).toBe(404);
  });

  it('400 for a report whose chunk_size does not match the geometry', async () => {
    const session = await newSession(4 * CHUNK);
    const e = await rejection(client.reportChunks(session.uploadId, [{ chunkIndex: 1, proof: 'abc', chunkSizeBytes: CHUNK - 1 }]), TwelveLabsApiError);
    expect(e).toMatchObject({ status: 400, code: 'parameter_invalid' });
  });

  it('429 with retryAfterMs; a 429 on session creation is safe to retry', async () => {
    await emu.setFaults({ api_429: 1, retry_after_s: 3 });
    await emu.resetCounters();
    const e = await rejection(newSession(CHUNK), TwelveLabsApiError);
    expect(e).toMatchObject({ status: 429, code: 'too_many_requests', retryable: true, retryAfterMs: 3000, ambiguous: false, safeToRetry: true });
    // The client never retries on its own: exactly one M1 reached the server.
    expect((await emu.counters()).requests_by_endpoint.M1).toBe(1);
  });

  it('5xx (JSON or an HTML gateway page) is retryable, and ambiguous for session creation', async () => {
    await emu.setFaults({ api_5xx: 1 });
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      const e = await rejection(newSession(CHUNK), TwelveLabsApiError);
      expect(e.status).toBeGreaterThanOrEqual(500);
      expect(e).toMatchObject({ retryable: true, ambiguous: true, idempotent: false, safeToRetry: false });
      seen.add(e.nonJsonBodyContentType === undefined ? 'json' : 'non-json');
    }
    expect([...seen].sort()).toEqual(['json', 'non-json']);
  });

  it('M2 reports expiry after 24 h and M5 then refuses', async () => {
    const session = await newSession(2 * CHUNK);
    await emu.advanceClock(SESSION_TTL_MS + 1000);
    const status = await client.getMultipartUploadStatus(session.uploadId);
    expect(status.status).toBe('expired');
    const e = await rejection(client.requestPresignedUrls(session.uploadId, { start: 1, count: 1 }), TwelveLabsApiError);
    expect(e).toMatchObject({ status: 400, code: 'upload_session_expired' });
  });
});

describe('S3 errors of the presigned PUT', () => {
  const SIZE = 4 * CHUNK;
  let file: { path: string; sha256: string; size: number };
  beforeAll(async () => {
    file = await writePatternFile(dir.path, 's3.mp4', SIZE, 3);
  });

  it('a used URL gives url-used; the query never shows in the error', async () => {
    const session = await newSession(SIZE);
    const url = session.uploadUrls[0]!.url;
    await putChunk({ url, headers: session.uploadHeaders, ...(await firstChunkBody(file.path, session, SIZE)), dispatcher: agent });
    const e = await rejection(putChunk({ url, headers: session.uploadHeaders, ...(await firstChunkBody(file.path, session, SIZE)), dispatcher: agent }), ChunkPutError);
    expect(e).toMatchObject({ reason: 'url-used', status: 403, s3Code: 'AccessDenied', retryable: true, needsFreshUrl: true });
    const query = url.slice(url.indexOf('?'));
    expect([e.message, e.stack, JSON.stringify(e)].join('\n')).not.toContain(query);
    expect(e.message).toContain(new URL(url).pathname);
  });

  it('an expired URL gives url-expired', async () => {
    const session = await newSession(SIZE);
    await emu.advanceClock(URL_TTL_MS + 1000);
    const e = await rejection(
      putChunk({ url: session.uploadUrls[0]!.url, headers: session.uploadHeaders, ...(await firstChunkBody(file.path, session, SIZE)), dispatcher: agent }),
      ChunkPutError,
    );
    expect(e).toMatchObject({ reason: 'url-expired', status: 403, s3Code: 'AccessDenied', retryable: true, needsFreshUrl: true });
  });

  it('a tampered signature or a different signed header gives signature-mismatch', async () => {
    const session = await newSession(SIZE);
    const url = session.uploadUrls[0]!.url;
    const tampered = url.replace(/(X-Amz-Signature=)([0-9a-f])/, (_, p: string, c: string) => `${p}${c === '0' ? '1' : '0'}`);
    expect(tampered).not.toBe(url);
    const e = await rejection(putChunk({ url: tampered, headers: session.uploadHeaders, ...(await firstChunkBody(file.path, session, SIZE)), dispatcher: agent }), ChunkPutError);
    expect(e).toMatchObject({ reason: 'signature-mismatch', status: 403, s3Code: 'SignatureDoesNotMatch' });
    const e2 = await rejection(putChunk({ url, headers: { 'Content-Type': 'video/mp4' }, ...(await firstChunkBody(file.path, session, SIZE)), dispatcher: agent }), ChunkPutError);
    expect(e2.reason).toBe('signature-mismatch');
  });

  it('a wrong Content-MD5 gives bad-digest, and the URL stays usable', async () => {
    const session = await newSession(SIZE);
    const url = session.uploadUrls[0]!.url;
    const e = await rejection(
      putChunk({ url, headers: session.uploadHeaders, ...(await firstChunkBody(file.path, session, SIZE)), contentMd5Base64: Buffer.alloc(16).toString('base64'), dispatcher: agent }),
      ChunkPutError,
    );
    expect(e).toMatchObject({ reason: 'bad-digest', status: 400, s3Code: 'BadDigest', retryable: true });
    const ok = await putChunk({ url, headers: session.uploadHeaders, ...(await firstChunkBody(file.path, session, SIZE)), dispatcher: agent });
    expect(ok.etag).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a failed session gives no-such-upload', async () => {
    const session = await newSession(SIZE);
    await emu.failSession(session.uploadId);
    const e = await rejection(
      putChunk({ url: session.uploadUrls[0]!.url, headers: session.uploadHeaders, ...(await firstChunkBody(file.path, session, SIZE)), dispatcher: agent }),
      ChunkPutError,
    );
    expect(e).toMatchObject({ reason: 'no-such-upload', status: 404, retryable: false });
    expect((await client.getMultipartUploadStatus(session.uploadId)).status).toBe('failed');
  });

  it('a body that stalls past the store idle timeout gives request-timeout', async () => {
    const slow = await startEmulator({ apiKeys: [API_KEY], chunkSizeBytes: CHUNK, bodyIdleTimeoutMs: 200 });
    try {
      const slowClient = new TwelveLabsClient({ baseUrl: slow.baseUrl, apiKey: API_KEY, dispatcher: agent });
      const session = await slowClient.createMultipartUpload({ filename: 'stall.mp4', type: 'video', totalSizeBytes: CHUNK });
      // Half the chunk, then silence (the stream never ends on its own).
      const body = new Readable({ read() {} });
      body.push(Buffer.alloc(CHUNK / 2));
      const e = await rejection(
        putChunk({ url: session.uploadUrls[0]!.url, headers: session.uploadHeaders, body, contentLength: CHUNK, dispatcher: agent, timeoutMs: 10_000 }),
        ChunkPutError,
      );
      body.destroy();
      expect(e).toMatchObject({ reason: 'request-timeout', status: 400, s3Code: 'RequestTimeout', retryable: true, needsFreshUrl: true });
    } finally {
      await slow.close();
    }
  });

  it('503 SlowDown gives server, a reset socket gives network', async () => {
    const session = await newSession(SIZE);
    await emu.setFaults({ put_503: 1 });
    const e = await rejection(
      putChunk({ url: session.uploadUrls[0]!.url, headers: session.uploadHeaders, ...(await firstChunkBody(file.path, session, SIZE)), dispatcher: agent }),
      ChunkPutError,
    );
    expect(e).toMatchObject({ reason: 'server', status: 503, s3Code: 'SlowDown', retryable: true, needsFreshUrl: true });
    await emu.setFaults({ put_reset: 1 });
    const e2 = await rejection(
      putChunk({ url: session.uploadUrls[1]!.url, headers: session.uploadHeaders, body: await readFile(file.path).then((b) => b.subarray(CHUNK, 2 * CHUNK)), contentLength: CHUNK, dispatcher: agent }),
      ChunkPutError,
    );
    expect(e2).toMatchObject({ reason: 'network', retryable: true, needsFreshUrl: true });
    expect(e2.message).not.toContain('X-Amz-Signature');
  });
});

describe('assets', () => {
  it('uploads a real file directly, streamed, and the stored bytes match', async () => {
    const file = await writePatternFile(dir.path, 'teaser.mp4', 300_000, 9);
    const asset = await client.createAsset({ method: 'direct', filePath: file.path, userMetadata: { campaign: 'spring' }, enableThumbnail: true });
    expect(asset).toMatchObject({ method: 'direct', status: 'processing', filename: 'teaser.mp4', fileType: 'video/mp4', userMetadata: { campaign: 'spring' } });
    expect(asset.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(await emu.objectInfo(asset.id)).toEqual({ size: file.size, sha256: file.sha256 });
    await emu.advanceClock(2000);
    const ready = await client.getAsset(asset.id);
    expect(ready).toMatchObject({ status: 'ready', sizeBytes: file.size, technicalMetadata: { fileSizeBytes: file.size, fileMimeType: 'video/mp4' } });
  });

  it('keeps a file name that needs escaping in the part header', async () => {
    const file = await writePatternFile(dir.path, 'say "cheese".mp4', 1500, 12);
    const asset = await client.createAsset({ method: 'direct', filePath: file.path });
    expect(asset.filename).toBe('say "cheese".mp4');
    expect(await emu.objectInfo(asset.id)).toEqual({ size: file.size, sha256: file.sha256 });
  });

  it('uploads from a URL served on loopback', async () => {
    const file = await writePatternFile(dir.path, 'remote.mp3', 50_000, 4);
    const bytes = await readFile(file.path);
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': bytes.length });
      res.end(bytes);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/media/remote.mp3`;
      const asset = await client.createAsset({ method: 'url', url, filename: 'podcast.mp3' });
      expect(asset).toMatchObject({ method: 'url', filename: 'podcast.mp3' });
      expect(await emu.objectInfo(asset.id)).toEqual({ size: file.size, sha256: file.sha256 });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('merges, replaces and clears user metadata with the documented null/"" rules', async () => {
    const file = await writePatternFile(dir.path, 'meta.mp4', 2048, 2);
    const asset = await client.createAsset({ method: 'direct', filePath: file.path, userMetadata: { a: 1, b: 'x', c: true } });
    await client.updateUserMetadata(asset.id, { a: 2, b: null, c: '', d: 'new' });
    expect((await client.getAsset(asset.id)).userMetadata).toEqual({ a: 2, c: true, d: 'new' });
    await client.replaceUserMetadata(asset.id, { a: 2, b: null, c: '' });
    expect((await client.getAsset(asset.id)).userMetadata).toEqual({ a: 2 });
    await client.deleteUserMetadata(asset.id);
    expect((await client.getAsset(asset.id)).userMetadata).toEqual({});
    const e = await rejection(client.updateUserMetadata('0123456789abcdef01234567', { a: 1 }), TwelveLabsApiError);
    expect(e.status).toBe(404);
  });

  it('lists with filters and iterates every page to an end', async () => {
    const a = await client.createAsset({ method: 'direct', filePath: (await writePatternFile(dir.path, 'zebra-one.mp4', 1000, 21)).path });
    const b = await client.createAsset({ method: 'direct', filePath: (await writePatternFile(dir.path, 'zebra-two.wav', 1000, 22)).path });
    const byName = await client.listAssets({ filename: 'ZEBRA' });
    expect(byName.items.map((x) => x.id).sort()).toEqual([a.id, b.id].sort());
    const byIds = await client.listAssets({ assetIds: [a.id, b.id], assetTypes: ['audio'] });
    expect(byIds.items.map((x) => x.id)).toEqual([b.id]);
    const ids = [];
    for await (const x of client.iterateAssets({ pageLimit: 2 })) ids.push(x.id);
    expect(ids).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('refuses to delete a referenced asset (409) unless forced; a second delete is 404', async () => {
    const asset = await client.createAsset({ method: 'direct', filePath: (await writePatternFile(dir.path, 'used.mp4', 1000, 8)).path });
    await emu.markAssetReferenced(asset.id);
    const e = await rejection(client.deleteAsset(asset.id), TwelveLabsApiError);
    expect(e).toMatchObject({ status: 409, code: 'asset_in_use', retryable: false });
    await client.deleteAsset(asset.id, { force: true });
    expect((await rejection(client.getAsset(asset.id), TwelveLabsApiError)).status).toBe(404);
    expect((await rejection(client.deleteAsset(asset.id), TwelveLabsApiError)).status).toBe(404);
  });
});
