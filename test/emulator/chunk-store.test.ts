// Contract tests for the presigned chunk PUT (contract section 4): S3-like signatures, expiry,
// single use, the S3 XML errors, and streaming behaviour on bad or stalled bodies.

import net from 'node:net';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator';
import { bytes, chunkOf, createSession, entry, md5, mintUrls, put, report, start } from './support';

const CHUNK = 1024;

/** Sends raw HTTP/1.1 bytes and returns everything the server answered until it closed. */
function rawExchange(port: number, head: string, body: Buffer = Buffer.alloc(0), options: { endAfterMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => (answer += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.write(head);
    socket.write(body);
    if (options.endAfterMs !== undefined) setTimeout(() => socket.destroy(), options.endAfterMs);
  });
}

function putHead(url: string, headers: Record<string, string | number>): string {
  const parsed = new URL(url);
  const lines = [`PUT ${parsed.pathname}${parsed.search} HTTP/1.1`, `Host: ${parsed.host}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

describe('presigned chunk PUT', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({ chunkSizeBytes: CHUNK, bodyIdleTimeoutMs: 300 });
  });
  afterAll(async () => {
    await emu.close();
  });

  async function freshUrl(totalSize = 4 * CHUNK, index = 1) {
    const session = await createSession(emu, totalSize);
    const { upload_urls } = await mintUrls(emu, session.upload_id, index, 1);
    return { session, url: upload_urls[0]!.url };
  }

  it('answers 200 with an empty body and the quoted MD5 as ETag', async () => {
    const { url } = await freshUrl();
    const data = bytes(CHUNK, 2);
    const result = await put(url, data);
    expect(result.status).toBe(200);
    expect(result.text).toBe('');
    expect(result.etag).toBe(`"${md5(data)}"`);
    expect(result.headers['x-amz-request-id']).toBeTruthy();
  });

  it('refuses a second PUT on a used URL with 403 AccessDenied, unless URLs are reusable', async () => {
    const { url } = await freshUrl();
    const data = bytes(CHUNK);
    expect((await put(url, data)).status).toBe(200);
    const second = await put(url, data);
    expect(second.status).toBe(403);
    expect(second.headers['content-type']).toBe('application/xml');
    expect(second.text).toContain('<Code>AccessDenied</Code>');
    expect(second.text).toContain('<Message>Presigned URL has already been used</Message>');

    const reusable = await start({ chunkSizeBytes: CHUNK, singleUseUrls: false });
    try {
      const session = await createSession(reusable, 2 * CHUNK);
      const again = session.upload_urls[0]!.url;
      expect((await put(again, data)).status).toBe(200);
      expect((await put(again, data)).status).toBe(200);
    } finally {
      await reusable.close();
    }
  });

  it('counts PUTs that present a URL seen before', async () => {
    const { url } = await freshUrl();
    const before = (await emu.counters()).puts_reusing_url;
    await put(url, bytes(CHUNK));
    await put(url, bytes(CHUNK));
    expect((await emu.counters()).puts_reusing_url - before).toBe(1);
  });

  it('does not use up a URL on an unsuccessful PUT: a bad Content-MD5 gets 400 BadDigest, then the URL still works', async () => {
    const { url, session } = await freshUrl();
    const data = bytes(CHUNK, 4);
    const wrongDigest = Buffer.alloc(16, 1).toString('base64');
    const bad = await put(url, data, { 'content-md5': wrongDigest });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('<Code>BadDigest</Code>');
    const malformed = await put(url, data, { 'content-md5': 'not-base64-md5' });
    expect(malformed.status).toBe(400);
    expect(malformed.text).toContain('<Code>InvalidDigest</Code>');
    expect((await emu.sessionView(session.upload_id))?.chunks).toEqual([]);

    const good = await put(url, data, { 'content-md5': Buffer.from(md5(data), 'hex').toString('base64') });
    expect(good.status).toBe(200);
    expect((await emu.sessionView(session.upload_id))?.chunks[0]).toMatchObject({ index: 1, put_count: 1, stored_size: CHUNK });
  });

  it('answers 403 SignatureDoesNotMatch for any tampering with the URL', async () => {
    const { url } = await freshUrl();
    const data = bytes(CHUNK);
    const parsed = new URL(url);
    const signature = parsed.searchParams.get('X-Amz-Signature')!;
    const tamper = (mutate: (u: URL) => void) => {
      const copy = new URL(url);
      mutate(copy);
      return copy.toString();
    };
    const variants = [
      tamper((u) => u.searchParams.set('X-Amz-Signature', (signature[0] === 'a' ? 'b' : 'a') + signature.slice(1))),
      tamper((u) => u.searchParams.set('X-Amz-Expires', '999999')),
      tamper((u) => u.searchParams.set('partNumber', '2')),
      tamper((u) => (u.pathname = u.pathname.replace(/\/1$/, '/2'))),
      tamper((u) => u.searchParams.set('X-Amz-Date', '20990101T000000Z')),
    ];
    for (const variant of variants) {
      const result = await put(variant, data);
      expect(result.status, variant).toBe(403);
      expect(result.text, variant).toContain('<Code>SignatureDoesNotMatch</Code>');
    }
    const unsigned = tamper((u) => u.searchParams.delete('X-Amz-Signature'));
    const missing = await put(unsigned, data);
    expect(missing.status).toBe(403);
    expect(missing.text).toContain('<Code>AccessDenied</Code>');
    // none of that used up the real URL
    expect((await put(url, data)).status).toBe(200);
  });

  it('enforces the upload_headers: another or a missing Content-Type is SignatureDoesNotMatch', async () => {
    const { url } = await freshUrl();
    const data = bytes(CHUNK);
    const wrong = await put(url, data, { 'content-type': 'video/mp4' });
    expect(wrong.status).toBe(403);
    expect(wrong.text).toContain('<Code>SignatureDoesNotMatch</Code>');
    const response = await request(url, { method: 'PUT', headers: { 'content-length': String(data.length) }, body: data });
    expect(response.statusCode).toBe(403);
    expect(await response.body.text()).toContain('SignatureDoesNotMatch');

    const headerless = await start({ chunkSizeBytes: CHUNK, uploadHeaders: {} });
    try {
      const session = await createSession(headerless, CHUNK);
      expect(session.upload_headers).toEqual({});
      expect(new URL(session.upload_urls[0]!.url).searchParams.get('X-Amz-SignedHeaders')).toBe('host');
      const plain = await request(session.upload_urls[0]!.url, { method: 'PUT', headers: { 'content-length': String(data.length) }, body: data });
      expect(plain.statusCode).toBe(200);
      await plain.body.text();
    } finally {
      await headerless.close();
    }
  });

  it('answers 403 "Request has expired" one hour after minting, with the S3 details', async () => {
    const clocked = await start({ chunkSizeBytes: CHUNK });
    try {
      const session = await createSession(clocked, 2 * CHUNK);
      const url = session.upload_urls[0]!.url;
      await clocked.advanceClock(3600_000 + 1000);
      const result = await put(url, bytes(CHUNK));
      expect(result.status).toBe(403);
      expect(result.text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
      expect(result.text).toContain('<Code>AccessDenied</Code><Message>Request has expired</Message>');
      expect(result.text).toContain('<X-Amz-Expires>3600</X-Amz-Expires>');
      expect(result.text).toContain(`<Expires>${session.upload_urls[0]!.expires_at}</Expires>`);
      expect(result.text).toMatch(/<ServerTime>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/ServerTime>/);
      // a URL minted now works, because the session itself lives 24 hours
      const fresh = await mintUrls(clocked, session.upload_id, 1, 1);
      expect((await put(fresh.upload_urls[0]!.url, bytes(CHUNK))).status).toBe(200);
    } finally {
      await clocked.close();
    }
  });

  it('answers 411 without Content-Length and 501 for chunked transfer encoding', async () => {
    const { url } = await freshUrl();
    const noLength = await rawExchange(emu.port, putHead(url, { 'Content-Type': 'application/octet-stream', Connection: 'close' }));
    expect(noLength).toMatch(/^HTTP\/1\.1 411 /);
    expect(noLength).toContain('<Code>MissingContentLength</Code>');

    const chunked = await request(url, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: Readable.from([bytes(100), bytes(100)]),
    });
    expect(chunked.statusCode).toBe(501);
    expect(await chunked.body.text()).toContain('<Code>NotImplemented</Code>');
    // neither used the URL up
    expect((await put(url, bytes(CHUNK))).status).toBe(200);
  });

  it('answers 404 NoSuchUpload once the session is completed', async () => {
    const data = bytes(CHUNK + 1);
    const session = await createSession(emu, data.length);
    const [first, second] = session.upload_urls;
    const one = await put(first!.url, chunkOf(data, CHUNK, 1));
    const spare = await mintUrls(emu, session.upload_id, 2, 1);
    const two = await put(second!.url, chunkOf(data, CHUNK, 2));
    await report(emu, session.upload_id, [entry(1, chunkOf(data, CHUNK, 1), one.etag.replace(/"/g, '')), entry(2, chunkOf(data, CHUNK, 2), two.etag.replace(/"/g, ''))]);
    const late = await put(spare.upload_urls[0]!.url, chunkOf(data, CHUNK, 2));
    expect(late.status).toBe(404);
    expect(late.text).toContain('<Code>NoSuchUpload</Code>');
  });

  it('answers 400 RequestTimeout when the body stalls, and keeps no partial chunk', async () => {
    const { url, session } = await freshUrl();
    const started = Date.now();
    const answer = await rawExchange(
      emu.port,
      putHead(url, { 'Content-Type': 'application/octet-stream', 'Content-Length': CHUNK }),
      bytes(100),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('<Code>RequestTimeout</Code>');
    expect((await emu.sessionView(session.upload_id))?.chunks).toEqual([]);
    expect((await put(url, bytes(CHUNK))).status).toBe(200);
  });

  it('counts the bytes of a chunk stored a second time', async () => {
    const session = await createSession(emu, 2 * CHUNK);
    const before = await emu.counters();
    expect((await put(session.upload_urls[0]!.url, bytes(CHUNK, 31))).status).toBe(200);
    expect((await put(session.upload_urls[1]!.url, bytes(CHUNK, 32))).status).toBe(200);
    expect((await emu.counters()).bytes_stored_again).toBe(before.bytes_stored_again);
    const { upload_urls } = await mintUrls(emu, session.upload_id, 1, 1);
    expect((await put(upload_urls[0]!.url, bytes(CHUNK, 31))).status).toBe(200);
    expect((await emu.counters()).bytes_stored_again - before.bytes_stored_again).toBe(CHUNK);
  });

  it('never lets an aborted PUT replace a good chunk, and counts its bytes as received', async () => {
    const data = bytes(CHUNK, 21);
    const session = await createSession(emu, 2 * CHUNK);
    const good = await put(session.upload_urls[0]!.url, data);
    expect(good.status).toBe(200);
    const before = await emu.counters();
    const { upload_urls } = await mintUrls(emu, session.upload_id, 1, 1);
    await rawExchange(
      emu.port,
      putHead(upload_urls[0]!.url, { 'Content-Type': 'application/octet-stream', 'Content-Length': CHUNK }),
      bytes(300, 5),
      { endAfterMs: 100 },
    );
    await waitUntil(async () => (await emu.counters()).puts_aborted > before.puts_aborted);
    const after = await emu.counters();
    expect(after.bytes_received - before.bytes_received).toBe(300);
    expect(after.bytes_aborted - before.bytes_aborted).toBe(300);
    expect(after.bytes_stored).toBe(before.bytes_stored);
    expect((await emu.sessionView(session.upload_id))?.chunks[0]).toMatchObject({ put_count: 1, aborted_bytes: 300, stored_etag: md5(data) });
    const reported = await report(emu, session.upload_id, [entry(1, data)]);
    expect(reported.json.processed_chunks).toBe(1);
  });

  it('answers 405 for other methods on the store and 404 NoSuchKey for unknown objects', async () => {
    const { url } = await freshUrl();
    const get = await request(url);
    expect(get.statusCode).toBe(405);
    expect(await get.body.text()).toContain('MethodNotAllowed');
    const missing = await request(`${emu.origin}/tl-assets/0123456789abcdef01234567/x.mp4`);
    expect(missing.statusCode).toBe(404);
    expect(await missing.body.text()).toContain('<Code>NoSuchKey</Code>');
  });

  it('keeps keep-alive connections usable after error replies', async () => {
    const { url } = await freshUrl();
    // the same undici pool reuses its socket; an error reply must leave it in a clean state
    for (let i = 0; i < 3; i++) expect((await put(url, bytes(CHUNK), { 'content-type': 'text/plain' })).status).toBe(403);
    expect((await put(url, bytes(CHUNK))).status).toBe(200);
    const counters = await emu.counters();
    expect(counters.puts_by_status['403']).toBeGreaterThanOrEqual(3);
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}
