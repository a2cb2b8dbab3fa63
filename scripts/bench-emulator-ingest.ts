// Ingest benchmark of the emulator's chunk store: uploads a 1 GiB file over raw HTTP (M1, M5 in
// batches of 50, streamed chunk PUTs with Content-Length at concurrency 8, M4 in batches of 50)
// to an in-process emulator with the contract's default chunk size, checks the assembled
// SHA-256, and prints the ingest rate.
//
//   npx tsx scripts/bench-emulator-ingest.ts [--size-mib 1024] [--concurrency 8] [--file <path>]
//
// The source file is made once (patterned pseudo-random bytes, so MD5 and SHA-256 do real work)
// and reused by later runs; its SHA-256 is cached beside it.

import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { startEmulator } from '../src/emulator';
import { MAX_CHUNKS_PER_REPORT, MAX_URLS_PER_REQUEST, MIB } from '../src/twelvelabs/limits';
import type {
  WireCompletedChunk,
  WireCreateSessionResponse,
  WirePresignedUrlsResponse,
  WireReportChunksResponse,
} from '../src/twelvelabs/wire';

const API_KEY = 'tlk_bench_ingest';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'size-mib': { type: 'string', default: '1024' },
      concurrency: { type: 'string', default: '8' },
      file: { type: 'string', default: path.join(os.tmpdir(), 'tl-bench-ingest.bin') },
    },
  });
  const sizeBytes = Number(values['size-mib']) * MIB;
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(sizeBytes) || sizeBytes <= 0 || !Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error('--size-mib and --concurrency must be positive integers');
  }
  const source = await ensureSourceFile(values.file!, sizeBytes);

  const emulator = await startEmulator({ apiKeys: [API_KEY], assetReadyDelayMs: 0 });
  const dispatcher = new Agent({ connections: concurrency + 2, keepAliveTimeout: 30_000 });
  try {
    const api = async <T>(method: 'GET' | 'POST', apiPath: string, body?: unknown): Promise<T> => {
      const response = await request(`${emulator.baseUrl}${apiPath}`, {
        method,
        dispatcher,
        headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.body.text();
      if (response.statusCode >= 300) throw new Error(`${method} ${apiPath}: ${response.statusCode} ${text}`);
      return JSON.parse(text) as T;
    };

    const startedAt = performance.now();
    const session = await api<WireCreateSessionResponse>('POST', '/assets/multipart-uploads', {
      filename: path.basename(source.path),
      type: 'video',
      total_size: sizeBytes,
    });
    const { upload_id: uploadId, chunk_size: chunkSize, total_chunks: totalChunks } = session;
    const urls = new Map(session.upload_urls.map((u) => [u.chunk_index, u.url]));
    for (let start = urls.size + 1; start <= totalChunks; start += MAX_URLS_PER_REQUEST) {
      const count = Math.min(MAX_URLS_PER_REQUEST, totalChunks - start + 1);
      const minted = await api<WirePresignedUrlsResponse>('POST', `/assets/multipart-uploads/${uploadId}/presigned-urls`, { start, count });
      for (const u of minted.upload_urls) urls.set(u.chunk_index, u.url);
    }

    const pending: WireCompletedChunk[] = [];
    let completion: WireReportChunksResponse | undefined;
    const flush = async (all: boolean) => {
      while (pending.length >= MAX_CHUNKS_PER_REPORT || (all && pending.length > 0)) {
        const batch = pending.splice(0, MAX_CHUNKS_PER_REPORT);
        const result = await api<WireReportChunksResponse>('POST', `/assets/multipart-uploads/${uploadId}`, { completed_chunks: batch });
        if (result.url) completion = result;
      }
    };

    let next = 1;
    const putsStartedAt = performance.now();
    const worker = async () => {
      while (next <= totalChunks) {
        const index = next++;
        const offset = (index - 1) * chunkSize;
        const length = Math.min(chunkSize, sizeBytes - offset);
        const response = await request(urls.get(index)!, {
          method: 'PUT',
          dispatcher,
          headers: { ...session.upload_headers, 'content-length': String(length) },
          body: fs.createReadStream(source.path, { start: offset, end: offset + length - 1, highWaterMark: MIB }),
        });
        const text = await response.body.text();
        if (response.statusCode !== 200) throw new Error(`PUT chunk ${index}: ${response.statusCode} ${text}`);
        pending.push({ chunk_index: index, proof: String(response.headers.etag).replace(/"/g, ''), proof_type: 'etag', chunk_size: length });
        await flush(false);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const putsSeconds = (performance.now() - putsStartedAt) / 1000;
    await flush(true);
    const totalSeconds = (performance.now() - startedAt) / 1000;

    if (!completion) throw new Error('the last report did not complete the upload');
    const object = await emulator.objectInfo(completion.asset_id);
    if (object?.sha256 !== source.sha256 || object.size !== sizeBytes) {
      throw new Error(`assembled object ${JSON.stringify(object)} does not match the source (${source.sha256})`);
    }
    const counters = await emulator.counters();
    const mb = sizeBytes / 1e6;
    console.log(`uploaded ${sizeBytes} bytes in ${totalChunks} chunks of ${chunkSize} bytes, concurrency ${concurrency}`);
    console.log(`chunk PUTs:  ${putsSeconds.toFixed(2)} s  ${(mb / putsSeconds).toFixed(0)} MB/s  (${(sizeBytes / MIB / putsSeconds).toFixed(0)} MiB/s)`);
    console.log(`end to end:  ${totalSeconds.toFixed(2)} s  ${(mb / totalSeconds).toFixed(0)} MB/s  (M1 + M5 + PUTs + M4 incl. SHA-256 assembly)`);
    console.log(`SHA-256 verified: ${object.sha256}; bytes_received ${counters.bytes_received}, PUTs ${JSON.stringify(counters.puts_by_status)}`);
  } finally {
    await dispatcher.close();
    await emulator.close();
  }
}

/** Makes (or reuses) the source file; its SHA-256 is cached in `<file>.sha256` with its size. */
async function ensureSourceFile(filePath: string, sizeBytes: number): Promise<{ path: string; sha256: string }> {
  const cachePath = `${filePath}.sha256`;
  if (fs.existsSync(filePath) && fs.statSync(filePath).size === sizeBytes && fs.existsSync(cachePath)) {
    const [cachedSize, cachedSha] = fs.readFileSync(cachePath, 'utf8').trim().split(' ');
    if (Number(cachedSize) === sizeBytes && cachedSha) return { path: filePath, sha256: cachedSha };
  }
  console.log(`writing a ${sizeBytes}-byte source file at ${filePath} ...`);
  const hash = createHash('sha256');
  const out = fs.createWriteStream(filePath);
  const block = randomBytes(MIB);
  for (let written = 0; written < sizeBytes; written += block.length) {
    // stamp each block so no two chunks are alike
    block.writeUInt32LE(written >>> 0, 0);
    block.writeUInt32LE(Math.floor(written / 2 ** 32), 4);
    const piece = block.subarray(0, Math.min(block.length, sizeBytes - written));
    hash.update(piece);
    if (!out.write(Buffer.from(piece))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const sha256 = hash.digest('hex');
  fs.writeFileSync(cachePath, `${sizeBytes} ${sha256}\n`);
  return { path: filePath, sha256 };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
