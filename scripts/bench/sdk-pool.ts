// Child process of `npm run bench -- --many`: the obvious script a user writes with the official
// SDK, twelvelabs-js `assets.create({ method: 'direct' })` over every file, in a promise pool of
// the given width. Reads its job from the JSON file named by argv[2]; prints `BENCH_RESULT <json>` on stdout.

import fs from 'node:fs';
import path from 'node:path';
import { TwelvelabsApiClient } from 'twelvelabs-js';
import { readCpuSeconds, readMemoryStatus } from './proc-stats';

export interface SdkPoolJob {
  baseUrl: string;
  apiKey: string;
  files: string[];
  width: number;
}

export interface SdkPoolReport {
  seconds: number;
  /** Asset id of each file, in the order of `files`. */
  assetIds: string[];
  peakRssBytes: number;
  cpuSeconds: number;
}

async function main(): Promise<void> {
  const job = JSON.parse(fs.readFileSync(process.argv[2] ?? '', 'utf8')) as SdkPoolJob;
  const sdk = new TwelvelabsApiClient({ apiKey: job.apiKey, baseUrl: job.baseUrl });
  const assetIds: string[] = new Array(job.files.length);
  const startedAt = performance.now();
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < job.files.length; i = next++) {
      const file = job.files[i]!;
      const asset = await sdk.assets.create({ method: 'direct', file: fs.createReadStream(file), filename: path.basename(file) });
      assetIds[i] = asset.id ?? '';
    }
  };
  await Promise.all(Array.from({ length: job.width }, lane));
  const report: SdkPoolReport = { seconds: (performance.now() - startedAt) / 1000, assetIds, peakRssBytes: readMemoryStatus('self').peakRssBytes, cpuSeconds: readCpuSeconds('self') };
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(report)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
