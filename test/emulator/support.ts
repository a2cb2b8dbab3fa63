// Helpers for the emulator's contract tests: real HTTP over loopback with undici, no mocks.

import { createHash } from 'node:crypto';
import { request } from 'undici';
import type {
  WireCompletedChunk,
  WireCreateSessionResponse,
  WirePresignedUrlsResponse,
  WireReportChunksResponse,
} from '../../src/twelvelabs/wire';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator';

export const KEY = 'tlk_emulator_contract_test';
export const OTHER_KEY = 'tlk_emulator_other_account';
export const RESTRICTED_KEY = 'tlk_emulator_no_preview';

export function start(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ apiKeys: [KEY, OTHER_KEY], restrictedApiKeys: [RESTRICTED_KEY], assetReadyDelayMs: 0, ...options });
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

export interface CallOptions {
  body?: unknown;
  /** API key to send; null sends none. Default KEY. */
  key?: string | null;
  headers?: Record<string, string>;
}

/** A JSON API call below the base URL, e.g. `call(emu, 'GET', '/assets?page=2')`. */
export async function call(emu: RunningEmulator, method: string, path: string, options: CallOptions = {}): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? KEY : options.key;
  if (key !== null) headers['x-api-key'] = key;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  const response = await request(`${emu.baseUrl}${path}`, { method: method as 'GET', headers, body });
  return toResult(response.statusCode, response.headers, await response.body.text());
}

/** An admin call at the origin, e.g. `admin(emu, 'GET', '/_emulator/counters')`. */
export async function admin(emu: RunningEmulator, method: string, path: string, body?: unknown): Promise<HttpResult> {
  const response = await request(`${emu.origin}${path}`, {
    method: method as 'GET',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return toResult(response.statusCode, response.headers, await response.body.text());
}

function toResult(status: number, headers: HttpResult['headers'], text: string): HttpResult {
  let json: unknown;
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status, headers, text, json };
}

/** A chunk PUT with the default upload header and an explicit Content-Length. */
export async function put(url: string, data: Buffer, headers: Record<string, string> = {}): Promise<HttpResult & { etag: string }> {
  const response = await request(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(data.length), ...headers },
    body: data,
  });
  const text = await response.body.text();
  const etag = String(response.headers.etag ?? '');
  return { ...toResult(response.statusCode, response.headers, text), etag };
}

export async function createSession(
  emu: RunningEmulator,
  totalSize: number,
  extra: Record<string, unknown> = {},
): Promise<WireCreateSessionResponse> {
  const result = await call(emu, 'POST', '/assets/multipart-uploads', {
    body: { filename: 'clip.mp4', type: 'video', total_size: totalSize, ...extra },
  });
  if (result.status !== 201) throw new Error(`M1 failed: ${result.status} ${result.text}`);
  return result.json as WireCreateSessionResponse;
}

export async function mintUrls(emu: RunningEmulator, uploadId: string, start: number, count: number): Promise<WirePresignedUrlsResponse> {
  const result = await call(emu, 'POST', `/assets/multipart-uploads/${uploadId}/presigned-urls`, { body: { start, count } });
  if (result.status !== 200) throw new Error(`M5 failed: ${result.status} ${result.text}`);
  return result.json as WirePresignedUrlsResponse;
}

export async function report(emu: RunningEmulator, uploadId: string, chunks: WireCompletedChunk[]): Promise<HttpResult & { json: WireReportChunksResponse }> {
  return call(emu, 'POST', `/assets/multipart-uploads/${uploadId}`, { body: { completed_chunks: chunks } });
}

/** Bytes of chunk `index` (1-based) of `data` under the session's geometry. */
export function chunkOf(data: Buffer, chunkSize: number, index: number): Buffer {
  return data.subarray((index - 1) * chunkSize, index * chunkSize);
}

export function entry(index: number, data: Buffer, etag?: string): WireCompletedChunk {
  return { chunk_index: index, proof: etag ?? md5(data), proof_type: 'etag', chunk_size: data.length };
}

/** Uploads chunk `index` on a freshly minted URL and returns its report entry. */
export async function uploadChunk(emu: RunningEmulator, session: WireCreateSessionResponse, data: Buffer, index: number): Promise<WireCompletedChunk> {
  const { upload_urls } = await mintUrls(emu, session.upload_id, index, 1);
  const body = chunkOf(data, session.chunk_size, index);
  const result = await put(upload_urls[0]!.url, body);
  if (result.status !== 200) throw new Error(`PUT of chunk ${index} failed: ${result.status} ${result.text}`);
  return entry(index, body, result.etag.replace(/"/g, ''));
}

/** Deterministic, incompressible-enough test bytes. */
export function bytes(sizeBytes: number, seed = 1): Buffer {
  const out = Buffer.alloc(sizeBytes);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < sizeBytes; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

export function md5(data: Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
