// The codec server as people run it (`npm run codec-server`), over real HTTP: CORS for the Web
// UI's origin only, the token required for /encode and /decode, and payloads written with an
// old key id still readable after rotation.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payloadEncryptionConfig } from '../../src/config';
import { AesGcmPayloadCodec, METADATA_KEY_ID } from '../../src/security/payload-codec';

const REPO_ROOT = path.resolve(__dirname, '../..');
const TOKEN = randomBytes(24).toString('hex');
const UI_ORIGIN = 'http://127.0.0.1:8233';
const OLD_KEY = randomBytes(32).toString('base64');
const NEW_KEY = randomBytes(32).toString('base64');
const SERVER_ENV = {
  TL_CODEC_KEYS: `2024-q4:${OLD_KEY},2025-q1:${NEW_KEY}`,
  TL_CODEC_KEY_ID: '2025-q1',
  TL_CODEC_SERVER_TOKEN: TOKEN,
  TL_CODEC_ALLOWED_ORIGINS: `${UI_ORIGIN},http://localhost:8233`,
};

interface JsonPayload {
  metadata: Record<string, string>;
  data: string;
}

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});
const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data, 'base64'),
});

/** Runs `npm run codec-server` with `env`; resolves with its URL once it listens, or its exit. */
async function runCodecServer(env: Record<string, string>, args: string[] = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src/security/codec-server.ts'), '--port', '0', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const url = output.match(/codec server listening: (http:\/\/\S+)/)?.[1];
    if (url) return { child, url, output: () => output };
    if (child.exitCode !== null) return { child, exitCode: await exited, output: () => output };
    if (Date.now() > deadline) throw new Error(`codec server did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('codec server (npm run codec-server)', () => {
  let server: ChildProcess;
  let base: string;
  let output: () => string;

  beforeAll(async () => {
    const started = await runCodecServer(SERVER_ENV);
    if (!started.url) throw new Error(`codec server exited: ${started.output()}`);
    server = started.child;
    base = started.url;
    output = started.output;
  });
  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = once(server, 'exit');
      server.kill('SIGTERM');
      await exited;
    }
  });

  async function call(pathname: string, init: { method?: string; headers?: Record<string, string>; payloads?: Payload[] } = {}) {
    const res = await request(`${base}${pathname}`, {
      method: (init.method ?? 'POST') as 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...init.headers },
      body: init.method === 'OPTIONS' ? undefined : JSON.stringify({ payloads: (init.payloads ?? []).map(toJson) }),
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text, payloads: () => (JSON.parse(text) as { payloads: JsonPayload[] }).payloads.map(fromJson) };
  }
  const bearer = { authorization: `Bearer ${TOKEN}` };
  const plain = (value: unknown) => defaultPayloadConverter.toPayload(value)!;

  it('answers a CORS preflight from the Web UI origin with what the UI sends', async () => {
    const res = await call('/decode', {
      method: 'OPTIONS',
      headers: { origin: UI_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
    });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
    expect(String(res.headers['access-control-allow-methods'])).toContain('POST');
    expect(String(res.headers['access-control-allow-headers'])).toMatch(/content-type.*x-namespace|x-namespace.*content-type/);
  });

  it('refuses a preflight and a request from any other origin, even with the right token', async () => {
    const preflight = await call('/decode', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const [sealed] = await new AesGcmPayloadCodec(payloadEncryptionConfig(SERVER_ENV)!).encode([plain('secret')]);
    const res = await call('/decode', { headers: { ...bearer, origin: 'https://evil.example' }, payloads: [sealed!] });
    expect(res.status).toBe(403);
    expect(res.text).toMatch(/origin https:\/\/evil.example is not allowed/);
    expect(res.text).not.toContain('secret');
  });

  it('encodes and decodes for a caller with the token as a Bearer header (the Temporal CLI)', async () => {
    const encoded = await call('/encode', { headers: bearer, payloads: [plain({ url: '/tl-uploads/x?X-Amz-Signature=abc' })] });
    expect(encoded.status).toBe(200);
    const [sealed] = encoded.payloads();
    expect(Buffer.from(sealed!.metadata![METADATA_KEY_ID]!).toString()).toBe('2025-q1');
    expect(Buffer.from(sealed!.data!).includes('X-Amz-Signature')).toBe(false);
    const decoded = await call('/decode', { headers: bearer, payloads: [sealed!] });
    expect(decoded.status).toBe(200);
    expect(defaultPayloadConverter.fromPayload(decoded.payloads()[0]!)).toEqual({ url: '/tl-uploads/x?X-Amz-Signature=abc' });
  });

  it('decodes for the Web UI with the token as the path segment before /decode, with CORS headers', async () => {
    const [sealed] = await new AesGcmPayloadCodec(payloadEncryptionConfig(SERVER_ENV)!).encode([plain('for the UI')]);
    const res = await call(`/${TOKEN}/decode`, { headers: { origin: UI_ORIGIN }, payloads: [sealed!] });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
    expect(defaultPayloadConverter.fromPayload(res.payloads()[0]!)).toBe('for the UI');
  });

  it('refuses a caller without a token (401) and with a wrong token (403), revealing nothing', async () => {
    const [sealed] = await new AesGcmPayloadCodec(payloadEncryptionConfig(SERVER_ENV)!).encode([plain('do not tell')]);
    const none = await call('/decode', { payloads: [sealed!] });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    for (const wrong of [
      await call('/decode', { headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}x` }, payloads: [sealed!] }),
      await call(`/not-the-token-at-all/decode`, { headers: { origin: UI_ORIGIN }, payloads: [sealed!] }),
      await call('/encode', { headers: { authorization: 'Bearer nope' }, payloads: [plain('x')] }),
    ]) {
      expect(wrong.status).toBe(403);
      expect(wrong.text).not.toContain('do not tell');
    }
    // ...and its log says what was refused without writing the token down
    expect(output()).toMatch(/→ 403 wrong token/);
    expect(output()).not.toContain(TOKEN);
  });

  it('decodes a payload written with the old key id after rotation', async () => {
    const beforeRotation = new AesGcmPayloadCodec(payloadEncryptionConfig({ TL_CODEC_KEYS: `2024-q4:${OLD_KEY}` })!);
    const [old] = await beforeRotation.encode([plain({ path: '/media/before-rotation.mp4' })]);
    expect(Buffer.from(old!.metadata![METADATA_KEY_ID]!).toString()).toBe('2024-q4');
    const res = await call('/decode', { headers: bearer, payloads: [old!] });
    expect(res.status).toBe(200);
    expect(defaultPayloadConverter.fromPayload(res.payloads()[0]!)).toEqual({ path: '/media/before-rotation.mp4' });
  });

  it('answers 422 with the reason when it does not hold the key a payload names', async () => {
    const stranger = new AesGcmPayloadCodec(payloadEncryptionConfig({ TL_CODEC_KEYS: `2023:${randomBytes(32).toString('base64')}` })!);
    const [foreign] = await stranger.encode([plain('x')]);
    const res = await call('/decode', { headers: bearer, payloads: [foreign!] });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/key id '2023', which is not in TL_CODEC_KEYS/);
  });

  it('refuses to start without a token, with a weak token, or without keys', async () => {
    const { TL_CODEC_SERVER_TOKEN: _, ...noToken } = SERVER_ENV;
    const { TL_CODEC_KEYS: __, TL_CODEC_KEY_ID: ___, ...noKeys } = SERVER_ENV;
    for (const [env, message] of [
      [noToken, /TL_CODEC_SERVER_TOKEN must be set/],
      [{ ...SERVER_ENV, TL_CODEC_SERVER_TOKEN: 'short' }, /TL_CODEC_SERVER_TOKEN must be set to at least 16/],
      [noKeys, /TL_CODEC_KEYS is not set/],
      [{ ...SERVER_ENV, TL_CODEC_ALLOWED_ORIGINS: '*' }, /TL_CODEC_ALLOWED_ORIGINS entry \* must be an origin/],
    ] as const) {
      const run = await runCodecServer(env);
      expect(run.exitCode, run.output()).toBe(2);
      expect(run.output()).toMatch(message);
    }
  });
});
