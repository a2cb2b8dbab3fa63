// Child process of `npm run cluster-load`: several limit uploads (scripts/bench/limit-uploader.ts)
// at once, as one of the "hosts" of the limit side. Reads its job as JSON from argv[2] and prints
// `FLEET_RESULT <json>` with each upload's asset id and the wall-clock span of them all.

import { limitUpload } from '../bench/limit-uploader';

export interface FleetJob {
  baseUrl: string;
  apiKey: string;
  files: string[];
  /** Chunk PUTs in flight per upload. */
  concurrency: number;
}

export interface FleetReport {
  assetIds: string[];
  uploadIds: string[];
  /** CPU time (user + system) of this process over the uploads. */
  cpuSeconds: number;
  startedAtMs: number;
  endedAtMs: number;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '') as FleetJob;
  const startedAtMs = Date.now();
  const cpuBefore = process.cpuUsage();
  const results = await Promise.all(job.files.map((filePath) => limitUpload({ baseUrl: job.baseUrl, apiKey: job.apiKey, filePath, concurrency: job.concurrency })));
  const report: FleetReport = { assetIds: results.map((r) => r.assetId), uploadIds: results.map((r) => r.uploadId), cpuSeconds: cpuSecondsSince(cpuBefore), startedAtMs, endedAtMs: Date.now() };
  process.stdout.write(`FLEET_RESULT ${JSON.stringify(report)}\n`);
}

function cpuSecondsSince(before: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
