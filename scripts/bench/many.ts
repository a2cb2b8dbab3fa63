// `npm run bench -- --many`: a directory of many small files, uploaded side by side in one run by
// the official SDK's direct create in a promise pool and by our batchUploadWorkflow at the same
// width, on one emulator (its own process) and one Temporal dev server. Runs are paired and
// alternated; medians are reported. Prints files/s (and the ratio), history events and workflow
// tasks per file, the largest run's history, the worker's peak RSS and the Temporal server's CPU
// per 1,000 files; checks that every asset holds its file's bytes; writes the table into
// docs/BENCHMARKS.md (between the `bench-many` markers) unless --no-docs.
//
//   npm run bench -- --many                                   200 files of 2 MiB, width 8, 3 pairs
//   npm run bench -- --many --files 10000 --size-kib 100 --repeats 1
//   npm run bench -- --many --files 40 --size-kib 64 --repeats 1 --no-docs   (development)

import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { UploadClient } from '../../src/client';
import { historiesAcrossRuns } from '../../src/dev/history-runs';
import { DevServer } from '../../src/dev/dev-server';
import type { BatchUploadResult } from '../../src/domain/types';
import { killChildrenOnSignal, trackChild } from './children';
import { spawnEmulator, type EmulatorProcess } from './emulator-process';
import { addRunCost, emptyHistoryCost, type HistoryCost } from './history';
import { readCpuSeconds, readMemoryStatus } from './proc-stats';
import type { SdkPoolJob, SdkPoolReport } from './sdk-pool';
import { spawnWorker } from './worker-process';

const REPO_ROOT = path.resolve(__dirname, '../..');
const WORK_DIR = path.join(REPO_ROOT, '.data/bench');
const DOC_PATH = path.join(REPO_ROOT, 'docs/BENCHMARKS.md');
const API_KEY = 'tlk_bench_0123456789abcdef';

export const MANY_GOALS = {
  /** 200 files of 2 MiB at width 8: ours over the SDK's pool, in files/s. */
  oursOverSdkPool: 0.8,
  /** History events per file, the batch's share included. */
  eventsPerFile: 10,
  /** No run's history beyond this (10,000 files). */
  eventsPerRun: 10_000,
  /** The worker's peak resident memory (10,000 files). */
  workerPeakRssBytes: 300e6,
};

interface OursReport {
  seconds: number;
  cost: HistoryCost;
  largestRunEvents: number;
  workerPeakRssBytes: number;
  temporalCpuSeconds: number;
  workerCpuSeconds: number;
  verified: number;
}

interface SourceDir {
  dir: string;
  files: string[];
  sha256: string[];
}

export async function benchMany(argv: string[]): Promise<void> {
  killChildrenOnSignal();
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--many'),
    options: {
      files: { type: 'string', default: '200' },
      'size-kib': { type: 'string', default: '2048' },
      width: { type: 'string', default: '8' },
      repeats: { type: 'string', default: '3' },
      'no-docs': { type: 'boolean', default: false },
      'no-sdk': { type: 'boolean', default: false },
    },
  });
  const count = positive('files', values.files);
  const sizeBytes = positive('size-kib', values['size-kib']) * 1024;
  const width = positive('width', values.width);
  const repeats = positive('repeats', values.repeats);
  fs.mkdirSync(WORK_DIR, { recursive: true });
  const source = ensureSourceDir(path.join(WORK_DIR, `many-${count}x${sizeBytes / 1024}KiB`), count, sizeBytes);
  // Per process: two benches at once must not share (or remove) each other's emulator data.
  const emulatorDir = path.join(WORK_DIR, `emulator-many-${process.pid}`);
  fs.rmSync(emulatorDir, { recursive: true, force: true });
  const emulator = await spawnEmulator({ apiKey: API_KEY, dataDir: emulatorDir, args: ['--asset-ready-delay-ms', '0'] });
  const server = await DevServer.start({ ui: false });
  trackChild(() => server.pid);
  const connection = await Connection.connect({ address: server.address });
  const temporal = new Client({ connection });
  log(`${count} files of ${sizeBytes / 1024} KiB, width ${width}, ${repeats} pair(s); emulator ${emulator.baseUrl}, Temporal ${server.address}`);
  const sdkRuns: SdkPoolReport[] = [];
  const oursRuns: OursReport[] = [];
  try {
    for (let r = 1; r <= repeats; r++) {
      // Alternate who goes first, so neither always meets a warmer (or fuller) emulator.
      const order = r % 2 === 1 ? ['sdk', 'ours'] : ['ours', 'sdk'];
      for (const who of order) {
        if (who === 'sdk' && values['no-sdk']) continue;
        if (who === 'sdk') {
          const report = await runSdkPool(emulator, source, width);
          await verify(emulator, source, report.assetIds);
          sdkRuns.push(report);
          log(`  sdk pool  #${r}: ${report.seconds.toFixed(2)} s, ${(count / report.seconds).toFixed(1)} files/s`);
          await deleteAll(emulator, report.assetIds);
        } else {
          const report = await runOurs(emulator, server, temporal, source, width, r);
          oursRuns.push(report);
          log(
            `  ours      #${r}: ${report.seconds.toFixed(2)} s, ${(count / report.seconds).toFixed(1)} files/s, ` +
              `${(report.cost.events / count).toFixed(2)} events/file, largest run ${report.largestRunEvents} events, ` +
              `worker peak ${(report.workerPeakRssBytes / 1e6).toFixed(0)} MB`,
          );
        }
      }
    }
  } finally {
    await connection.close().catch(() => undefined);
    await server.stop().catch(() => undefined);
    await emulator.stop().catch(() => undefined);
    fs.rmSync(emulatorDir, { recursive: true, force: true });
  }
  const table = summarise(count, sizeBytes, width, sdkRuns, oursRuns);
  console.log(`\n${table}`);
  if (!values['no-docs']) writeDocs(`${count}x${sizeBytes / 1024}KiB`, table);
}

async function runSdkPool(emulator: EmulatorProcess, source: SourceDir, width: number): Promise<SdkPoolReport> {
  const jobFile = path.join(WORK_DIR, `sdk-pool-job-${process.pid}.json`);
  fs.writeFileSync(jobFile, JSON.stringify({ baseUrl: emulator.baseUrl, apiKey: API_KEY, files: source.files, width } satisfies SdkPoolJob));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'sdk-pool.ts'), jobFile], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const untrack = trackChild(() => child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  untrack();
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (code !== 0 || !line) throw new Error(`the SDK pool failed (exit ${code}): ${stderr.trim()}`);
  return JSON.parse(line.slice('BENCH_RESULT '.length)) as SdkPoolReport;
}

async function runOurs(emulator: EmulatorProcess, server: DevServer, temporal: Client, source: SourceDir, width: number, repetition: number): Promise<OursReport> {
  const taskQueue = `bench-many-${Date.now()}`;
  const worker = await spawnWorker({
    temporalAddress: server.address,
    taskQueue,
    apiKey: API_KEY,
    twelveLabsBaseUrl: emulator.baseUrl,
    allowedRoots: [source.dir],
  });
  try {
    const client = new UploadClient(temporal, { taskQueue });
    const cpuBefore = { temporal: readCpuSeconds(server.pid!), worker: readCpuSeconds(worker.pid) };
    const startedAt = performance.now();
    // A fresh id each time, and no look-up: every repetition really uploads every file.
    const started = await client.startBatch({
      directory: source.dir,
      workflowId: `bench-many-${Date.now()}-${repetition}`,
      maxConcurrentUploads: width,
      skipUploaded: false,
      upload: { waitForReady: false },
    });
    const result = (await client.result(started.workflowId)) as BatchUploadResult;
    const seconds = (performance.now() - startedAt) / 1000;
    const cpuAfter = { temporal: readCpuSeconds(server.pid!), worker: readCpuSeconds(worker.pid) };
    const workerPeakRssBytes = readMemoryStatus(worker.pid).peakRssBytes;
    if (result.totals.completed !== source.files.length) throw new Error(`ours completed ${result.totals.completed} of ${source.files.length} files: ${JSON.stringify(result.failures.slice(0, 3))}`);
    const cost = emptyHistoryCost();
    let largestRunEvents = 0;
    for await (const history of historiesAcrossRuns(temporal, started.workflowId, result.runIds[0]!)) {
      addRunCost(cost, history.events ?? []);
      largestRunEvents = Math.max(largestRunEvents, history.events?.length ?? 0);
    }
    const assets: string[] = new Array(source.files.length);
    const byPath = new Map(source.files.map((f, i) => [f, i]));
    for await (const item of client.batchItems(started.workflowId)) assets[byPath.get(item.source)!] = item.assetId!;
    await verify(emulator, source, assets);
    await deleteAll(emulator, assets);
    return {
      seconds,
      cost,
      largestRunEvents,
      workerPeakRssBytes,
      temporalCpuSeconds: cpuAfter.temporal - cpuBefore.temporal,
      workerCpuSeconds: cpuAfter.worker - cpuBefore.worker,
      verified: assets.length,
    };
  } finally {
    await worker.kill('SIGTERM');
  }
}

/** Every file's asset holds exactly its bytes. */
async function verify(emulator: EmulatorProcess, source: SourceDir, assetIds: readonly string[]): Promise<void> {
  const wrong: string[] = [];
  await inParallel(source.files.length, async (i) => {
    const info = assetIds[i] ? await emulator.objectInfo(assetIds[i]!) : undefined;
    if (info?.sha256 !== source.sha256[i]) wrong.push(source.files[i]!);
  });
  if (wrong.length > 0) throw new Error(`${wrong.length} assets do not hold their file's bytes, e.g. ${wrong.slice(0, 3).join(', ')}`);
}

async function deleteAll(emulator: EmulatorProcess, assetIds: readonly string[]): Promise<void> {
  await inParallel(assetIds.length, async (i) => {
    if (assetIds[i]) await emulator.deleteAsset(assetIds[i]!);
  });
}

/** Checks and clean-ups of 10,000 assets: a few at once, not one after another. */
async function inParallel(count: number, each: (i: number) => Promise<void>, width = 16): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    for (let i = next++; i < count; i = next++) await each(i);
  }));
}

function summarise(count: number, sizeBytes: number, width: number, sdk: SdkPoolReport[], ours: OursReport[]): string {
  const med = (xs: number[]) => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);
  const sdkRate = med(sdk.map((r) => count / r.seconds));
  const oursRate = med(ours.map((r) => count / r.seconds));
  const o = ours[ours.findIndex((r) => count / r.seconds === oursRate)] ?? ours[0]!;
  const rows = [
    ['', 'files/s (median)', 'seconds', 'events/file', 'workflow tasks/file', 'largest run (events)', 'peak RSS', 'Temporal CPU s / 1,000 files'],
    ...(sdk.length > 0
      ? [['SDK `assets.create` pool', sdkRate.toFixed(1), med(sdk.map((r) => r.seconds)).toFixed(2), '-', '-', '-', `${(med(sdk.map((r) => r.peakRssBytes)) / 1e6).toFixed(0)} MB (script)`, '-']]
      : []),
    [
      'ours (`batchUploadWorkflow`)',
      oursRate.toFixed(1),
      med(ours.map((r) => r.seconds)).toFixed(2),
      (o.cost.events / count).toFixed(2),
      (o.cost.workflowTasks / count).toFixed(3),
      `${o.largestRunEvents} (${o.cost.runs} runs)`,
      `${(o.workerPeakRssBytes / 1e6).toFixed(0)} MB (worker)`,
      ((o.temporalCpuSeconds * 1000) / count).toFixed(2),
    ],
  ];
  const ratio = sdk.length > 0 ? `ours / SDK pool: **${(oursRate / sdkRate).toFixed(2)}x** (goal ≥ ${MANY_GOALS.oursOverSdkPool}x at 200 × 2 MiB)` : 'SDK pool not run';
  return [
    `${count} files of ${sizeBytes / 1024} KiB, ${width} at once, ${Math.max(sdk.length, ours.length)} paired run(s) (${new Date().toISOString().slice(0, 10)}, ${process.arch}):`,
    '',
    ...rows.map((r, i) => `| ${r.join(' | ')} |${i === 0 ? `\n|${r.map(() => '---').join('|')}|` : ''}`),
    '',
    `${ratio}; every asset checked against its file's SHA-256.`,
  ].join('\n');
}

/** Replaces (or appends) this size's table between its markers in docs/BENCHMARKS.md. */
function writeDocs(label: string, table: string): void {
  const doc = fs.readFileSync(DOC_PATH, 'utf8');
  const start = `<!-- bench-many ${label} start -->`;
  const end = `<!-- bench-many ${label} end -->`;
  const block = `${start}\n${table}\n${end}`;
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  const next = a >= 0 && b > a ? doc.slice(0, a) + block + doc.slice(b + end.length) : `${doc.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(DOC_PATH, next);
  log(`wrote the ${label} table into ${path.relative(REPO_ROOT, DOC_PATH)}`);
}

/** The source directory: `count` files of random bytes, made once and reused (with their SHA-256). */
function ensureSourceDir(dir: string, count: number, sizeBytes: number): SourceDir {
  const manifestPath = `${dir}.json`;
  if (fs.existsSync(manifestPath)) {
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as SourceDir;
    if (manifest.files.length === count && manifest.files.every((f) => fs.statSync(f, { throwIfNoEntry: false })?.size === sizeBytes)) return manifest;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const sha256: string[] = [];
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, `clip-${String(i).padStart(6, '0')}.mp4`);
    const bytes = randomBytes(sizeBytes);
    fs.writeFileSync(file, bytes);
    files.push(file);
    sha256.push(createHash('sha256').update(bytes).digest('hex'));
  }
  const manifest = { dir, files, sha256 };
  fs.writeFileSync(manifestPath, JSON.stringify(manifest));
  return manifest;
}

function positive(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`bench --many: --${name} must be a positive integer, got ${value}`);
    process.exit(2);
  }
  return n;
}

function log(line: string): void {
  console.log(line);
}
