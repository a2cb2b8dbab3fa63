// Client behaviour against a scriptable loopback server: transport edge cases the emulator is not
// asked to produce. The emulator-backed tests live in emulator-integration.test.ts.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { Response } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ChunkPutError,
  InvalidRequestError,
  InvalidResponseError,
  putChunk,
  TwelveLabsApiError,
  TwelveLabsClient,
  createTwelveLabsAgent,
} from '../../src/twelvelabs';
import { sendJson, startLoopbackServer, type LoopbackServer } from './loopback-server';

const API_KEY = 'tlk_LOOPBACK_SECRET_0123456789';
const SESSION = {
  upload_id: 'u1',
  asset_id: 'a1',
  upload_urls: [],
  upload_headers: { 'Content-Type': 'application/octet-stream' },
  chunk_size: 1024,
  total_chunks: 3,
  expires_at: '2026-01-16T09:00:00Z',
};

let server: LoopbackServer;
let dir: string;
const agent = createTwelveLabsAgent();
let client: TwelveLabsClient;

beforeAll(async () => {
  server = await startLoopbackServer();
  dir = await mkdtemp(join(tmpdir(), 'tl-client-'));
  client = new TwelveLabsClient({ baseUrl: `${server.origin}/v1.3/`, apiKey: API_KEY, dispatcher: agent, requestTimeoutMs: 5_000 });
});
afterEach(() => {
  server.requests.length = 0;
});
afterAll(async () => {
  await agent.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function rejection<T extends Error>(p: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(type);
  return err as T;
}

function allVisible(e: Error): string {
  return [String(e), e.stack, JSON.stringify(e), inspect(e, { depth: 10, showHidden: true })].join('\n');
}

describe('API requests', () => {
  it('sends the key, a user agent, and a JSON body with Content-Length', async () => {
    server.handle((_q, res) => sendJson(res, 201, SESSION));
    const s = await client.createMultipartUpload({ filename: 'a.mp4', type: 'video', totalSizeBytes: 3000 });
    expect(s.uploadId).toBe('u1');
    const [req] = server.requests;
    expect(req!.method).toBe('POST');
    expect(req!.url).toBe('/v1.3/assets/multipart-uploads');
    expect(req!.headers['x-api-key']).toBe(API_KEY);
    expect(req!.headers['user-agent']).toMatch(/^twelvelabs-temporal-uploads\//);
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['content-length']).toBe(String(req!.body.length));
    expect(req!.headers['transfer-encoding']).toBeUndefined();
    expect(JSON.parse(req!.body.toString())).toEqual({ filename: 'a.mp4', type: 'video', total_size: 3000 });
  });

  it('URL-encodes ids in paths', async () => {
    server.handle((_q, res) => sendJson(res, 200, { _id: 'a/b c', status: 'ready' }));
    await client.getAsset('a/b c?x');
    expect(server.requests[0]!.url).toBe('/v1.3/assets/a%2Fb%20c%3Fx');
  });

  it('never leaks the API key even when the server echoes it back', async () => {
    server.handle((_q, res) =>
      sendJson(res, 401, { code: 'api_key_invalid', message: `The API key ${API_KEY} is invalid`, docs_url: `https://docs/?key=${API_KEY}` }),
    );
    const e = await rejection(client.getAsset('x'), TwelveLabsApiError);
    expect(e).toMatchObject({ status: 401, code: 'api_key_invalid', retryable: false, kind: 'http' });
    expect(allVisible(e)).not.toContain(API_KEY);
    expect(inspect(client)).not.toContain(API_KEY);
    expect(JSON.stringify(client)).not.toContain(API_KEY);
  });

  it('handles an HTML gateway page on 502 and marks a failed M1 as ambiguous', async () => {
    server.handle((_q, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
    });
    const e = await rejection(client.createMultipartUpload({ filename: 'a.mp4', type: 'video', totalSizeBytes: 1 }), TwelveLabsApiError);
    expect(e).toMatchObject({ status: 502, code: undefined, retryable: true, ambiguous: true, idempotent: false, safeToRetry: false, nonJsonBodyContentType: 'text/html' });
    expect(e.message).toContain('non-JSON body');
    // An idempotent call failing the same way is safe to repeat.
    const e2 = await rejection(client.getAsset('x'), TwelveLabsApiError);
    expect(e2.safeToRetry).toBe(true);
  });

  it('reads Retry-After on 429 and keeps 429 retryable and unambiguous', async () => {
    server.handle((_q, res) => sendJson(res, 429, { code: 'too_many_requests', message: 'slow down' }, { 'retry-after': '7' }));
    const e = await rejection(client.createMultipartUpload({ filename: 'a.mp4', type: 'video', totalSizeBytes: 1 }), TwelveLabsApiError);
    expect(e).toMatchObject({ status: 429, retryAfterMs: 7000, retryable: true, ambiguous: false, safeToRetry: true });
  });

  it('falls back to X-Ratelimit-Reset when there is no Retry-After', async () => {
    const reset = Math.floor(Date.now() / 1000) + 30;
    server.handle((_q, res) => sendJson(res, 429, { code: 'too_many_requests' }, { 'x-ratelimit-reset': String(reset) }));
    const e = await rejection(client.listAssets(), TwelveLabsApiError);
    expect(e.retryAfterMs).toBeGreaterThan(25_000);
    expect(e.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('rejects a 2xx body that is not JSON, or lacks required fields, as InvalidResponse', async () => {
    server.handle((_q, res) => {
      res.writeHead(201, { 'content-type': 'text/plain' });
      res.end('created');
    });
    const e = await rejection(client.createMultipartUpload({ filename: 'a.mp4', type: 'video', totalSizeBytes: 1 }), InvalidResponseError);
    expect(e).toMatchObject({ operation: 'createMultipartUpload', status: 201, detail: 'body is not JSON' });

    server.handle((_q, res) => sendJson(res, 201, { ...SESSION, asset_id: undefined }));
    const e2 = await rejection(client.createMultipartUpload({ filename: 'a.mp4', type: 'video', totalSizeBytes: 1 }), InvalidResponseError);
    expect(e2.message).toBe('TwelveLabs createMultipartUpload returned an invalid response (HTTP 201): response.asset_id must be a non-empty string');
  });

  it('marks a connection dropped after the request was sent as ambiguous (M1 must not be retried blindly)', async () => {
    server.handle((req) => req.socket.destroy());
    const e = await rejection(client.createMultipartUpload({ filename: 'a.mp4', type: 'video', totalSizeBytes: 1 }), TwelveLabsApiError);
    expect(e).toMatchObject({ kind: 'network', ambiguous: true, retryable: true, safeToRetry: false });
    expect(e.cause).toBeInstanceOf(Error);
    expect(allVisible(e)).not.toContain(API_KEY);
  });

  it('marks a refused connection as certainly not sent, so even M1 may be retried', async () => {
    const probe = createNetServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const dead = new TwelveLabsClient({ baseUrl: `http://127.0.0.1:${port}/v1.3`, apiKey: API_KEY, dispatcher: agent });
    const e = await rejection(dead.createMultipartUpload({ filename: 'a.mp4', type: 'video', totalSizeBytes: 1 }), TwelveLabsApiError);
    expect(e).toMatchObject({ kind: 'network', ambiguous: false, retryable: true, safeToRetry: true });
  });

  it('times out with kind "timeout" and aborts with kind "aborted"', async () => {
    server.handle(() => {
      /* never answers */
    });
    const e = await rejection(client.getAsset('x', { timeoutMs: 150 }), TwelveLabsApiError);
    expect(e).toMatchObject({ kind: 'timeout', retryable: true });

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const e2 = await rejection(client.getAsset('x', { signal: controller.signal }), TwelveLabsApiError);
    expect(e2).toMatchObject({ kind: 'aborted', retryable: false });

    const e3 = await rejection(client.getAsset('x', { signal: AbortSignal.abort() }), TwelveLabsApiError);
    expect(e3).toMatchObject({ kind: 'aborted', ambiguous: false });
  });

  it('refuses invalid arguments before sending anything', async () => {
    await rejection(client.requestPresignedUrls('u', { start: 1, count: 51 }), InvalidRequestError);
    await rejection(client.requestPresignedUrls('u', { start: 1, count: 0 }), InvalidRequestError);
    await rejection(client.requestPresignedUrls('u', { start: 0, count: 1 }), InvalidRequestError);
    await rejection(client.getMultipartUploadStatus('u', { pageLimit: 51 }), InvalidRequestError);
    await rejection(client.reportChunks('u', []), InvalidRequestError);
    await rejection(client.getAsset(''), InvalidRequestError);
    await rejection(client.createMultipartUpload({ filename: '', type: 'video', totalSizeBytes: 1 }), InvalidRequestError);
    await rejection(client.createAsset({ method: 'direct', filePath: join(dir, 'missing.mp4') }), InvalidRequestError);
    expect(server.requests).toHaveLength(0);
  });
});

describe('page iterators', () => {
  it('stop on an empty page even when total_page says there are more', async () => {
    server.handle((req, res) => {
      const page = Number(new URL(req.url!, 'http://x').searchParams.get('page'));
      sendJson(res, 200, {
        data: page <= 2 ? [{ _id: `a${page}`, status: 'ready' }] : [],
        page_info: { limit_per_page: 1, page, total_page: 99, total_results: 99 },
      });
    });
    const ids: string[] = [];
    for await (const a of client.iterateAssets({ pageLimit: 1 })) ids.push(a.id);
    expect(ids).toEqual(['a1', 'a2']);
    expect(server.requests.map((r) => r.url)).toEqual([
      '/v1.3/assets?page=1&page_limit=1',
      '/v1.3/assets?page=2&page_limit=1',
      '/v1.3/assets?page=3&page_limit=1',
    ]);
  });

  it('stop after page ≥ total_page without asking for another', async () => {
    server.handle((req, res) => {
      const page = Number(new URL(req.url!, 'http://x').searchParams.get('page'));
      sendJson(res, 200, {
        data: [{ upload_id: `u${page}`, status: 'active', total_size: 1, chunk_size: 1, total_chunks: 1 }],
        page_info: { limit_per_page: 1, page, total_page: 2, total_results: 2 },
      });
    });
    const ids: string[] = [];
    for await (const u of client.iterateIncompleteUploads({ pageLimit: 1 })) ids.push(u.uploadId);
    expect(ids).toEqual(['u1', 'u2']);
    expect(server.requests).toHaveLength(2);
  });
});

describe('direct asset upload', () => {
  it('streams the file as multipart/form-data with Content-Length, not chunked', async () => {
    const path = join(dir, 'teaser.mp4');
    const bytes = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 31) & 0xff));
    await writeFile(path, bytes);
    server.handle((_q, res) =>
      sendJson(res, 201, { _id: 'a1', method: 'direct', status: 'processing', filename: 'teaser.mp4', file_type: 'video/mp4', created_at: '2026-01-15T09:10:00Z' }),
    );
    const asset = await client.createAsset({ method: 'direct', filePath: path, enableThumbnail: true, userMetadata: { campaign: 'spring' } });
    expect(asset).toMatchObject({ id: 'a1', status: 'processing', userMetadata: {} });
    const req = server.requests[0]!;
    expect(req.headers['transfer-encoding']).toBeUndefined();
    expect(req.headers['content-length']).toBe(String(req.body.length));
    const form = await new Response(req.body, { headers: { 'content-type': req.headers['content-type']! } }).formData();
    expect(form.get('method')).toBe('direct');
    expect(form.get('enable_thumbnail')).toBe('true');
    expect(form.get('user_metadata')).toBe('{"campaign":"spring"}');
    const file = form.get('file') as unknown as { name: string; type: string; arrayBuffer(): Promise<ArrayBuffer> };
    expect(file.name).toBe('teaser.mp4');
    expect(file.type).toBe('video/mp4');
    expect(Buffer.from(await file.arrayBuffer()).equals(bytes)).toBe(true);
  });
});

describe('putChunk', () => {
  const PRESIGNED = () => `${server.origin}/tl-uploads/u1/2?X-Amz-Date=20260115T090000Z&X-Amz-SignedHeaders=content-type%3Bhost&X-Amz-Signature=feedface0123`;

  it('streams a file range with upload_headers verbatim and Content-Length, without the API key', async () => {
    const path = join(dir, 'chunks.bin');
    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 13) & 0xff));
    await writeFile(path, bytes);
    const chunk = bytes.subarray(1024, 2048);
    const md5 = createHash('md5').update(chunk);
    const md5Hex = md5.copy().digest('hex');
    server.handle((_q, res) => {
      res.writeHead(200, { etag: `"${md5Hex}"`, 'x-amz-request-id': 'R1' });
      res.end();
    });
    const result = await putChunk({
      url: PRESIGNED(),
      headers: { 'Content-Type': 'application/octet-stream', 'X-Custom-Signed': 'v' },
      body: createReadStream(path, { start: 1024, end: 2047 }),
      contentLength: 1024,
      contentMd5Base64: md5.digest('base64'),
      dispatcher: agent,
    });
    expect(result).toEqual({ etag: md5Hex, rawEtag: `"${md5Hex}"`, requestId: 'R1' });
    const req = server.requests[0]!;
    expect(req.method).toBe('PUT');
    // The query goes out byte for byte as minted (no re-encoding of %3B).
    expect(req.url).toBe(PRESIGNED().slice(server.origin.length));
    expect(req.headers['content-type']).toBe('application/octet-stream');
    expect(req.headers['x-custom-signed']).toBe('v');
    expect(req.headers['content-length']).toBe('1024');
    expect(req.headers['transfer-encoding']).toBeUndefined();
    expect(req.headers['x-api-key']).toBeUndefined();
    expect(req.body.equals(chunk)).toBe(true);
  });

  it('maps an S3 XML error body', async () => {
    server.handle((_q, res) => {
      const xml = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message><RequestId>R2</RequestId></Error>';
      res.writeHead(403, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
      res.end(xml);
    });
    const e = await rejection(
      putChunk({ url: PRESIGNED(), headers: {}, body: Buffer.alloc(64 * 1024), contentLength: 64 * 1024, dispatcher: agent }),
      ChunkPutError,
    );
    expect(e).toMatchObject({ reason: 'url-expired', status: 403, s3Code: 'AccessDenied', requestId: 'R2', retryable: true, needsFreshUrl: true });
    expect(allVisible(e)).not.toContain('feedface0123');
    expect(e.message).toContain('/tl-uploads/u1/2');
  });

  it('still reads the S3 error when the store answers before reading a large body and closes', async () => {
    const early = createHttpServer((req, res) => {
      const xml = '<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message></Error>';
      res.writeHead(403, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml), connection: 'close' });
      res.end(xml, () => req.socket.destroySoon());
    });
    await new Promise<void>((r) => early.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(early.address() as AddressInfo).port}`;
    try {
      const size = 8 * 1024 * 1024;
      const e = await rejection(
        putChunk({ url: `${origin}/b/u/1?X-Amz-Signature=feedface0123`, headers: {}, body: Readable.from([Buffer.alloc(size)]), contentLength: size, dispatcher: agent }),
        ChunkPutError,
      );
      // Either the response wins (signature-mismatch) or the write fails first (network); both
      // are retryable with a fresh URL, and neither leaks the signature.
      expect(['signature-mismatch', 'network']).toContain(e.reason);
      expect(e).toMatchObject({ retryable: true, needsFreshUrl: true });
      expect(allVisible(e)).not.toContain('feedface0123');
    } finally {
      early.closeAllConnections();
      await new Promise<void>((r) => early.close(() => r()));
    }
  });

  it('reports a reset connection as a retryable network failure without the URL query', async () => {
    server.handle((req) => req.socket.destroy());
    const e = await rejection(
      putChunk({ url: PRESIGNED(), headers: {}, body: Readable.from([Buffer.alloc(10)]), contentLength: 10, dispatcher: agent }),
      ChunkPutError,
    );
    expect(e).toMatchObject({ reason: 'network', retryable: true, needsFreshUrl: true, status: undefined });
    expect(allVisible(e)).not.toContain('feedface0123');
    expect(allVisible(e)).not.toContain('X-Amz-Date=');
  });

  it('reports a connection reset while the file body is still being written as a retryable network failure', async () => {
    // Seen in the chaos run: the store resets the socket mid-body, undici destroys the file
    // stream with that socket error ("write ECONNRESET"), and the body's own `errored` must not
    // make it look like a file that failed to read (non-retryable: the upload would fail).
    const size = 32 * 1024 * 1024;
    const file = join(dir, 'reset-mid-body.bin');
    await writeFile(file, Buffer.alloc(size, 1));
    const resetter = createNetServer((socket) => {
      socket.once('data', () => setTimeout(() => socket.resetAndDestroy(), 20));
    });
    await new Promise<void>((r) => resetter.listen(0, '127.0.0.1', () => r()));
    try {
      const { port } = resetter.address() as AddressInfo;
      for (let attempt = 0; attempt < 5; attempt++) {
        const body = createReadStream(file, { start: 0, end: size - 1 });
        const e = await rejection(
          putChunk({ url: `http://127.0.0.1:${port}/b/u/1?X-Amz-Signature=feedface0123`, headers: {}, body, contentLength: size, dispatcher: agent }),
          ChunkPutError,
        );
        expect(e, inspect(e.cause)).toMatchObject({ reason: 'network', retryable: true, needsFreshUrl: true });
        expect(allVisible(e)).not.toContain('feedface0123');
      }
    } finally {
      await new Promise<void>((r) => resetter.close(() => r()));
    }
  });

  it('fails, rather than sending a wrong chunk, when the body is shorter than Content-Length', async () => {
    server.handle((_q, res) => res.end());
    const e = await rejection(
      putChunk({ url: PRESIGNED(), headers: {}, body: Readable.from([Buffer.alloc(10)]), contentLength: 11, dispatcher: agent }),
      ChunkPutError,
    );
    expect(e).toMatchObject({ reason: 'unexpected', retryable: false });
  });

  it('reports a 2xx without an ETag as unexpected', async () => {
    server.handle((_q, res) => res.end());
    const e = await rejection(putChunk({ url: PRESIGNED(), headers: {}, body: Buffer.alloc(1), contentLength: 1, dispatcher: agent }), ChunkPutError);
    expect(e).toMatchObject({ reason: 'unexpected', status: 200 });
  });

  it('reports a caller abort as aborted', async () => {
    server.handle(() => {
      /* never answers */
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const e = await rejection(
      putChunk({ url: PRESIGNED(), headers: {}, body: Buffer.alloc(1), contentLength: 1, signal: controller.signal, dispatcher: agent }),
      ChunkPutError,
    );
    expect(e).toMatchObject({ reason: 'aborted', retryable: false });
  });

  it('reports its own deadline as a retryable network failure', async () => {
    server.handle(() => {
      /* never answers */
    });
    const e = await rejection(putChunk({ url: PRESIGNED(), headers: {}, body: Buffer.alloc(1), contentLength: 1, timeoutMs: 100, dispatcher: agent }), ChunkPutError);
    expect(e).toMatchObject({ reason: 'network', retryable: true, needsFreshUrl: true });
  });
});
