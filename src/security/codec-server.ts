// The codec server: Temporal's remote codec protocol (POST …/encode and …/decode with Payloads
// as proto JSON) over the AES-GCM codec, so that people who hold the token can read encrypted
// histories in the Web UI (`--ui-codec-endpoint`) and the Temporal CLI (`--codec-endpoint`).
// It decrypts only for callers that present the token, and answers browsers only from the
// allowed origins: anyone else who can reach the port learns nothing.
//
// The token travels as `Authorization: Bearer <token>` (CLI: `--codec-auth "Bearer <token>"`) or
// as the path segment before /encode or /decode (`http://host:port/<token>`), because the Web UI
// sends no Authorization header of its own; the protocol looks only at the last segment.

import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { codecServerConfig, ConfigError, payloadEncryptionConfig, type CodecServerConfig } from '../config';
import { AesGcmPayloadCodec } from './payload-codec';

/** Payloads batches bigger than this are refused (Temporal's own payload limit is 2 MiB each). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const ALLOWED_HEADERS = 'authorization, authorization-extras, content-type, x-namespace';

export interface CodecServerOptions extends CodecServerConfig {
  codec: PayloadCodec;
  /** Default 127.0.0.1: expose it deliberately. */
  host?: string;
  /** Default 8888; 0 picks a free port. */
  port?: number;
  /** One line per refused or failed request (never the token or payload contents). */
  log?: (line: string) => void;
}

export interface RunningCodecServer {
  /** `http://host:port`, without the token. */
  url: string;
  port: number;
  close(): Promise<void>;
}

interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startCodecServer(options: CodecServerOptions): Promise<RunningCodecServer> {
  const log = options.log ?? (() => undefined);
  const tokenDigest = digest(options.token);
  const origins = new Set(options.allowedOrigins);

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof HttpError ? err.message : 'internal error';
      if (!(err instanceof HttpError)) log(`codec server: ${req.method} ${redactPath(req.url)} failed: ${(err as Error).message}`);
      else log(`codec server: ${req.method} ${redactPath(req.url)} → ${status} ${message}`);
      if (!res.headersSent) {
        if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
        res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
      }
      res.end(message);
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const origin = req.headers.origin;
    res.setHeader('Vary', 'Origin');
    // Browsers always send Origin on cross-origin calls; only the allowed ones get an answer
    // (and CORS headers). Callers without Origin (CLI, curl) are not browsers: the token decides.
    if (origin !== undefined) {
      if (!origins.has(origin)) throw new HttpError(403, `origin ${origin} is not allowed (TL_CODEC_ALLOWED_ORIGINS)`);
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    const segments = new URL(req.url ?? '/', 'http://codec').pathname.split('/').filter((s) => s !== '');
    const operation = segments.at(-1);
    if (operation !== 'encode' && operation !== 'decode') throw new HttpError(404, 'not found: POST …/encode or …/decode');

    if (req.method === 'OPTIONS') {
      // Preflights carry no credentials; the real request is checked in full.
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': ALLOWED_HEADERS,
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return;
    }
    if (req.method !== 'POST') throw new HttpError(405, 'use POST');

    const presented = bearerToken(req.headers.authorization) ?? (segments.length >= 2 ? segments.at(-2) : undefined);
    if (presented === undefined) throw new HttpError(401, 'a token is required (Authorization: Bearer <token>, or /<token>/decode)');
    if (!timingSafeEqual(digest(presented), tokenDigest)) throw new HttpError(403, 'wrong token');

    const body = await readJson(req);
    const payloads = parsePayloads(body);
    const coded = operation === 'encode' ? await options.codec.encode(payloads) : await options.codec.decode(payloads).catch((err: unknown) => {
      throw new HttpError(422, (err as Error).message);
    });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ payloads: coded.map(toJson) }));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8888, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

/** The request path for logs: the token segment, if any, is not written down. */
function redactPath(url: string | undefined): string {
  const segments = (url ?? '/').split('?')[0]!.split('/');
  return segments.map((s, i) => (i > 0 && i < segments.length - 1 && s !== '' ? '…' : s)).join('/');
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `the body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body is not JSON');
  }
}

/** `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }`: Payloads in proto JSON. */
function parsePayloads(body: unknown): Payload[] {
  const list = (body as { payloads?: unknown } | null)?.payloads;
  if (!Array.isArray(list)) throw new HttpError(400, 'the body must be {"payloads": [...]}');
  return list.map((p: JsonPayload) => ({
    metadata: Object.fromEntries(Object.entries(p?.metadata ?? {}).map(([k, v]) => [k, Buffer.from(String(v), 'base64')])),
    data: Buffer.from(p?.data ?? '', 'base64'),
  }));
}

function toJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(payload.data ?? []).toString('base64'),
  };
}

/** `npm run codec-server -- [--port 8888] [--host 127.0.0.1]`, keys and token from the environment. */
async function main(argv: string[]): Promise<void> {
  const flags = parseFlags(argv);
  const config = codecServerConfig();
  const encryption = payloadEncryptionConfig();
  if (!encryption) throw new ConfigError('TL_CODEC_KEYS is not set: the codec server needs the keys the payloads were encrypted with');
  const server = await startCodecServer({
    ...config,
    codec: new AesGcmPayloadCodec(encryption),
    host: flags.host,
    port: flags.port,
    log: (line) => console.error(line),
  });
  const origins = config.allowedOrigins;
  console.log(
    `codec server listening: ${server.url} (keys: ${[...encryption.keys.keys()].join(', ')}; encrypting with ${encryption.encryptKeyId}; ` +
      `browser origins: ${origins.length > 0 ? origins.join(', ') : 'none'})`,
  );
  console.log(`Web UI: --ui-codec-endpoint ${server.url}/<token>   CLI: --codec-endpoint ${server.url} --codec-auth "Bearer <token>"`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function parseFlags(argv: string[]): { port?: number; host?: string } {
  const out: { port?: number; host?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--port' && value !== undefined) {
      out.port = Number(value);
      if (!Number.isInteger(out.port) || out.port < 0 || out.port > 65535) throw new ConfigError(`--port ${value} must be a port number`);
      i++;
    } else if (flag === '--host' && value !== undefined) {
      out.host = value;
      i++;
    } else {
      throw new ConfigError(`unknown argument ${flag}; usage: codec-server [--port 8888] [--host 127.0.0.1]`);
    }
  }
  return out;
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof ConfigError ? `configuration error: ${err.message}` : err);
    process.exit(err instanceof ConfigError ? 2 : 1);
  });
}
