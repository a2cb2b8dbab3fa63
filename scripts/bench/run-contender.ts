// Child process of `npm run bench` for the contenders that are plain programs: "limit" (the
// smallest possible uploader) and "sdk" (twelvelabs-js 1.3.4 uploadFile). Each runs in its own
// process so its peak memory and storage writes are its own. Reads its job as JSON from argv[2]
// and prints one line `BENCH_RESULT <json>` on stdout.

import os from 'node:os';
import { MultipartUploadWrapper } from 'twelvelabs-js';
import { limitUpload } from './limit-uploader';
import { readMemoryStatus, sampleResources } from './proc-stats';

export type ContenderJob =
  | { kind: 'limit'; baseUrl: string; apiKey: string; filePath: string; concurrency: number }
  | { kind: 'sdk'; baseUrl: string; apiKey: string; filePath: string; batchSize?: number; maxWorkers?: number };

export interface ContenderReport {
  assetId: string;
  seconds: number;
  /** VmHWM of this process at the end: its lifetime peak. */
  peakRssBytes: number;
  /** Highest VmRSS sampled during the upload. */
  peakSampledRssBytes: number;
  peakSampledAnonRssBytes: number;
  storageWriteBytes: number;
  peakTempDirGrowthBytes: number;
  cpuSeconds: number;
  /** Phases of the limit uploader. */
  phases?: { mintSeconds: number; putsSeconds: number; reportSeconds: number };
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '') as ContenderJob;
  const sampler = sampleResources('self', os.tmpdir());
  const startedAt = performance.now();
  let assetId: string;
  let phases: ContenderReport['phases'];
  if (job.kind === 'limit') {
    const result = await limitUpload({ baseUrl: job.baseUrl, apiKey: job.apiKey, filePath: job.filePath, concurrency: job.concurrency });
    assetId = result.assetId;
    phases = { mintSeconds: result.mintSeconds, putsSeconds: result.putsSeconds, reportSeconds: result.reportSeconds };
  } else {
    const uploads = new MultipartUploadWrapper({ apiKey: job.apiKey, baseUrl: job.baseUrl });
    // The wrapper narrates every step with console.log; stdout carries our result line.
    console.log = () => undefined;
    console.warn = (...args: unknown[]) => process.stderr.write(`${args.map(String).join(' ')}\n`);
    const options = {
      ...(job.batchSize !== undefined ? { batchSize: job.batchSize } : {}),
      ...(job.maxWorkers !== undefined ? { maxWorkers: job.maxWorkers } : {}),
    };
    const result = await uploads.uploadFile(job.filePath, options);
    assetId = result.assetId;
  }
  const seconds = (performance.now() - startedAt) / 1000;
  const sample = sampler.stop();
  const report: ContenderReport = {
    assetId,
    seconds,
    peakRssBytes: readMemoryStatus('self').peakRssBytes,
    ...sample,
    ...(phases ? { phases } : {}),
  };
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(report)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
