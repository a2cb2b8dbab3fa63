// The smallest possible uploader: what the machine, the loopback and the store allow. Raw HTTP
// over undici, no retries, no orchestration: M1, every presigned URL minted up front with M5 (50
// per call), file ranges streamed to the store at a fixed concurrency with an explicit
// Content-Length, then M4 reports in batches of 50. `npm run bench` runs it as "the limit"; the
// emulator ingest bench uses it too. Any failure throws: a limit that needed a retry is no limit.

import fs from 'node:fs';
import path from 'node:path';
import { Agent, request } from 'undici';
import { MAX_CHUNKS_PER_REPORT, MAX_URLS_PER_REQUEST, MIB } from '../../src/twelvelabs/limits';
import type {
  WireCompletedChunk,
  WireCreateSessionResponse,
  WirePresignedUrlsResponse,
  WireReportChunksResponse,
} from '../../src/twelvelabs/wire';

export interface LimitUploadOptions {
  /** The API base, e.g. http://127.0.0.1:9100/v1.3. */
  baseUrl: string;
  apiKey: string;
  filePath: string;
  /** Chunk PUTs in flight at once. */
  concurrency: number;
  /** Read buffer of each file range stream. Default 1 MiB. */
  readHighWaterMarkBytes?: number;
}

export interface LimitUploadResult {
  uploadId: string;
  assetId: string;
  sizeBytes: number;
  chunkSizeBytes: number;
  totalChunks: number;
  /** M1 and every M5. */
  mintSeconds: number;
  /** First PUT sent to last PUT answered. */
  putsSeconds: number;
  /** Every M4, including the completing one (the store assembles and hashes the object). */
  reportSeconds: number;
  /** M1 to the completing M4's answer. */
  totalSeconds: number;
}

export async function limitUpload(options: LimitUploadOptions): Promise<LimitUploadResult> {
  const { baseUrl, apiKey, filePath, concurrency } = options;
  const sizeBytes = fs.statSync(filePath).size;
  const highWaterMark = options.readHighWaterMarkBytes ?? MIB;
  const dispatcher = new Agent({ connections: concurrency + 2, keepAliveTimeout: 30_000 });
  const api = async <T>(method: 'POST', apiPath: string, body: unknown): Promise<T> => {
    const response = await request(`${baseUrl}${apiPath}`, {
      method,
      dispatcher,
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode >= 300) throw new Error(`${method} ${apiPath}: ${response.statusCode} ${text}`);
    return JSON.parse(text) as T;
  };

  try {
    const startedAt = performance.now();
    const session = await api<WireCreateSessionResponse>('POST', '/assets/multipart-uploads', {
      filename: path.basename(filePath),
      type: 'video',
      total_size: sizeBytes,
    });
    const { upload_id: uploadId, asset_id: assetId, chunk_size: chunkSize, total_chunks: totalChunks } = session;
    const urls = new Map(session.upload_urls.map((u) => [u.chunk_index, u.url]));
    for (let start = 1; start <= totalChunks; start += MAX_URLS_PER_REQUEST) {
      const count = Math.min(MAX_URLS_PER_REQUEST, totalChunks - start + 1);
      if (Array.from({ length: count }, (_, i) => start + i).every((index) => urls.has(index))) continue;
      const minted = await api<WirePresignedUrlsResponse>('POST', `/assets/multipart-uploads/${uploadId}/presigned-urls`, { start, count });
      for (const u of minted.upload_urls) urls.set(u.chunk_index, u.url);
    }

    const putsStartedAt = performance.now();
    const proofs: WireCompletedChunk[] = [];
    let next = 1;
    const lane = async () => {
      while (next <= totalChunks) {
        const index = next++;
        const offset = (index - 1) * chunkSize;
        const length = Math.min(chunkSize, sizeBytes - offset);
        const response = await request(urls.get(index)!, {
          method: 'PUT',
          dispatcher,
          headers: { ...session.upload_headers, 'content-length': String(length) },
          body: fs.createReadStream(filePath, { start: offset, end: offset + length - 1, highWaterMark }),
        });
        const text = await response.body.text();
        if (response.statusCode !== 200) throw new Error(`PUT chunk ${index}: ${response.statusCode} ${text}`);
        proofs.push({ chunk_index: index, proof: String(response.headers.etag).replace(/"/g, ''), proof_type: 'etag', chunk_size: length });
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, totalChunks) }, lane));
    const reportsStartedAt = performance.now();

    let completed = false;
    proofs.sort((a, b) => a.chunk_index - b.chunk_index);
    for (let i = 0; i < proofs.length; i += MAX_CHUNKS_PER_REPORT) {
      const batch = proofs.slice(i, i + MAX_CHUNKS_PER_REPORT);
      const result = await api<WireReportChunksResponse>('POST', `/assets/multipart-uploads/${uploadId}`, { completed_chunks: batch });
      if (result.url) completed = true;
    }
    if (!completed) throw new Error(`upload ${uploadId}: the last report did not complete the upload`);
    const endedAt = performance.now();
    return {
      uploadId,
      assetId,
      sizeBytes,
      chunkSizeBytes: chunkSize,
      totalChunks,
      mintSeconds: (putsStartedAt - startedAt) / 1000,
      putsSeconds: (reportsStartedAt - putsStartedAt) / 1000,
      reportSeconds: (endedAt - reportsStartedAt) / 1000,
      totalSeconds: (endedAt - startedAt) / 1000,
    };
  } finally {
    await dispatcher.close();
  }
}
