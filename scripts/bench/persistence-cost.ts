// What keeping state in --data-dir costs the emulator's chunk store: the same upload (limit
// uploader, 1 MiB chunks so PUTs come fast, concurrency 8) to an emulator without a data dir of
// its own and to one with, alternated in one run (ratios side by side are what count).
//
//   npx tsx scripts/bench/persistence-cost.ts [--size-mib 256] [--rounds 3]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startEmulator } from '../../src/emulator';
import { MIB } from '../../src/twelvelabs/limits';
import { limitUpload } from './limit-uploader';
import { ensureSourceFile } from './source-file';

const API_KEY = 'tlk_bench_persistence';

async function putsSeconds(filePath: string, keepState: boolean): Promise<number> {
  const dataDir = keepState ? fs.mkdtempSync(path.join(os.tmpdir(), 'tl-persistence-')) : undefined;
  const emulator = await startEmulator({ apiKeys: [API_KEY], assetReadyDelayMs: 0, chunkSizeBytes: MIB, ...(dataDir ? { dataDir } : {}) });
  try {
    return (await limitUpload({ baseUrl: emulator.baseUrl, apiKey: API_KEY, filePath, concurrency: 8 })).putsSeconds;
  } finally {
    await emulator.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'size-mib': { type: 'string', default: '256' }, rounds: { type: 'string', default: '3' } } });
  const sizeBytes = Number(values['size-mib']) * MIB;
  const source = await ensureSourceFile(path.join(os.tmpdir(), `tl-persistence-${values['size-mib']}.bin`), sizeBytes);
  const without: number[] = [];
  const withState: number[] = [];
  for (let round = 0; round < Number(values.rounds); round++) {
    without.push(await putsSeconds(source.path, false));
    withState.push(await putsSeconds(source.path, true));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`chunk PUTs of ${sizeBytes / MIB} MiB in 1 MiB chunks, concurrency 8; seconds per round`);
  console.log(`without a data dir: ${without.map((s) => s.toFixed(2)).join(', ')} (median ${median(without).toFixed(2)})`);
  console.log(`with --data-dir:    ${withState.map((s) => s.toFixed(2)).join(', ')} (median ${median(withState).toFixed(2)})`);
  console.log(`ratio (with / without, medians): ${(median(withState) / median(without)).toFixed(2)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
