// Ingest benchmark of the emulator's chunk store: uploads a 1 GiB file over raw HTTP with the
// limit uploader of `npm run bench` (scripts/bench/limit-uploader.ts: M1, M5 in batches of 50,
// streamed chunk PUTs with Content-Length at concurrency 8, M4 in batches of 50) to an in-process
// emulator with the contract's default chunk size, checks the assembled SHA-256, and prints the
// ingest rate.
//
//   npx tsx scripts/bench-emulator-ingest.ts [--size-mib 1024] [--concurrency 8] [--file <path>]
//
// The source file is made once (patterned pseudo-random bytes, so MD5 and SHA-256 do real work)
// and reused by later runs; its SHA-256 is cached beside it.

import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startEmulator } from '../src/emulator';
import { MIB } from '../src/twelvelabs/limits';
import { limitUpload } from './bench/limit-uploader';
import { ensureSourceFile } from './bench/source-file';

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
  try {
    const result = await limitUpload({ baseUrl: emulator.baseUrl, apiKey: API_KEY, filePath: source.path, concurrency });
    const object = await emulator.objectInfo(result.assetId);
    if (object?.sha256 !== source.sha256 || object.size !== sizeBytes) {
      throw new Error(`assembled object ${JSON.stringify(object)} does not match the source (${source.sha256})`);
    }
    const counters = await emulator.counters();
    const mb = sizeBytes / 1e6;
    console.log(`uploaded ${sizeBytes} bytes in ${result.totalChunks} chunks of ${result.chunkSizeBytes} bytes, concurrency ${concurrency}`);
    console.log(`chunk PUTs:  ${result.putsSeconds.toFixed(2)} s  ${(mb / result.putsSeconds).toFixed(0)} MB/s  (${(sizeBytes / MIB / result.putsSeconds).toFixed(0)} MiB/s)`);
    console.log(`end to end:  ${result.totalSeconds.toFixed(2)} s  ${(mb / result.totalSeconds).toFixed(0)} MB/s  (M1 + M5 + PUTs + M4 incl. SHA-256 assembly)`);
    console.log(`SHA-256 verified: ${object.sha256}; bytes_received ${counters.bytes_received}, PUTs ${JSON.stringify(counters.puts_by_status)}`);
  } finally {
    await emulator.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
