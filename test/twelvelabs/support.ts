// Shared helpers for the TwelveLabs client tests: temp files with known bytes and hashes, and a
// complete multipart upload driven only through the public client API.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MAX_CHUNKS_PER_REPORT,
  MAX_URLS_PER_REQUEST,
  putChunk,
  type CompletedChunkReport,
  type MultipartUploadSession,
  type PresignedChunkUrl,
  type ReportChunksResult,
  type TwelveLabsClient,
} from '../../src/twelvelabs';
import type { Dispatcher } from 'undici';

export interface TempDir {
  path: string;
  remove(): Promise<void>;
}

export async function makeTempDir(prefix: string): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Deterministic, non-repeating-looking bytes (so a misplaced chunk changes the hash). */
export function patternBytes(size: number, seed = 1): Buffer {
  const buf = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[i] = x & 0xff;
  }
  return buf;
}

export async function writePatternFile(dir: string, name: string, size: number, seed = 1): Promise<{ path: string; sha256: string; size: number }> {
  const path = join(dir, name);
  const bytes = patternBytes(size, seed);
  await writeFile(path, bytes);
  return { path, sha256: sha256(bytes), size };
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Byte length of chunk `chunkIndex` (1-based) under the contract's geometry (2.2). */
export function chunkLength(chunkIndex: number, chunkSizeBytes: number, totalSizeBytes: number): number {
  return Math.min(chunkSizeBytes, totalSizeBytes - (chunkIndex - 1) * chunkSizeBytes);
}

export interface MultipartRunOptions {
  reportBatchSize?: number;
  dispatcher?: Dispatcher;
}

export interface MultipartRun {
  reports: ReportChunksResult[];
  urlsMinted: number;
  m5Calls: number;
}

/**
 * Uploads every chunk of `filePath` for `session` through the client alone: initial URLs first,
 * M5 for the rest (≤ 50 per call), each chunk streamed from its file range, reported in batches.
 */
export async function uploadAllChunks(
  client: TwelveLabsClient,
  session: MultipartUploadSession,
  filePath: string,
  totalSizeBytes: number,
  options: MultipartRunOptions = {},
): Promise<MultipartRun> {
  const batchSize = Math.min(options.reportBatchSize ?? MAX_CHUNKS_PER_REPORT, MAX_CHUNKS_PER_REPORT);
  const urls = new Map<number, PresignedChunkUrl>(session.uploadUrls.map((u) => [u.chunkIndex, u]));
  let urlsMinted = 0;
  let m5Calls = 0;
  const reports: ReportChunksResult[] = [];
  let pending: CompletedChunkReport[] = [];

  for (let chunkIndex = 1; chunkIndex <= session.totalChunks; chunkIndex++) {
    if (!urls.has(chunkIndex)) {
      const count = Math.min(MAX_URLS_PER_REQUEST, session.totalChunks - chunkIndex + 1);
      const batch = await client.requestPresignedUrls(session.uploadId, { start: chunkIndex, count });
      m5Calls++;
      urlsMinted += batch.uploadUrls.length;
      for (const u of batch.uploadUrls) urls.set(u.chunkIndex, u);
    }
    const url = urls.get(chunkIndex)!;
    const length = chunkLength(chunkIndex, session.chunkSizeBytes, totalSizeBytes);
    const start = (chunkIndex - 1) * session.chunkSizeBytes;
    const { etag } = await putChunk({
      url: url.url,
      headers: session.uploadHeaders,
      body: createReadStream(filePath, { start, end: start + length - 1 }),
      contentLength: length,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    pending.push({ chunkIndex, proof: etag, chunkSizeBytes: length });
    if (pending.length === batchSize || chunkIndex === session.totalChunks) {
      reports.push(await client.reportChunks(session.uploadId, pending));
      pending = [];
    }
  }
  return { reports, urlsMinted, m5Calls };
}
