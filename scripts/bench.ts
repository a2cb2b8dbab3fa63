// `npm run bench`: upload throughput of this product against the machine's limit and the official
// SDK, on one machine, one emulator (same chunk size, same storage) and one source file.
//
//   npm run bench                      1 GiB, 3 repetitions, every contender
//   npm run bench -- --large           4 GiB
//   npm run bench -- --slow-chunks 0.05   a store that answers 5 % of chunk PUTs 2 s late (--slow-chunk-ms)
//                                         after the whole body; --slow-model at-once: the body received
//                                         at once and the answer 2 s after the request
//   npm run bench -- --wan                a WAN: 60 ms per chunk PUT, 20 MB/s per connection
//                                         (--wan-latency-ms <ms>, --wan-mb-per-s <MB/s> change either; each implies --wan)
//   npm run bench -- --wan --slow-chunks 0.05   both: the tail on top of the WAN
//   npm run bench -- --size-mib 64 --repeats 1 --only limit-c8,ours-c8 --no-docs   (development)
//   npm run bench -- --many [--files N --size-kib K --width W]   many small files: batchUploadWorkflow
//                                         against the SDK's direct create in a promise pool (bench/many.ts)
//
// Contenders, run in turn and repeated (median and spread reported):
//   limit-cN  the smallest possible uploader (scripts/bench/limit-uploader.ts) at concurrency N
//   sdk-*     twelvelabs-js 1.3.4 MultipartUploadWrapper.uploadFile, defaults and matched
//   ours-cN   multipartUploadWorkflow on a worker process and the Temporal dev server; also what it
//             costs Temporal per chunk: history events, workflow tasks, activity executions (retries
//             included), timers (from the histories) and heartbeat RPCs (from the worker's metrics)
// Each moves the bytes in its own process (the emulator too), so peak memory and storage writes
// are that process's. Writes docs/bench-results.json and the tables in docs/BENCHMARKS.md, prints
// the figures last, and exits 1 when an upload is wrong or a goal does not hold.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { workerTuning } from '../src/config';
import { DevServer, freePort } from '../src/dev/dev-server';
import { defaultChunkSizeBytes } from '../src/emulator';
import { GIB, MIB } from '../src/twelvelabs/limits';
import { multipartUploadWorkflow } from '../src/workflows/multipart-upload';
import { killChildrenOnSignal, trackChild } from './bench/children';
import { spawnEmulator, type EmulatorProcess } from './bench/emulator-process';
import { historyCost, type HistoryCost } from './bench/history';
import { readCpuSeconds, readMemoryStatus, sampleResources } from './bench/proc-stats';
import type { ContenderJob, ContenderReport } from './bench/run-contender';
import { ensureSourceFile, type SourceFile } from './bench/source-file';
import { MB, spread, type Spread } from './bench/stats';
import { describeStore, parseStoreProfile, StoreFlagError, storeLabel, wanEmulatorArgs, type StoreProfile } from './bench/store-profile';
import { readWorkerHeartbeats } from './bench/worker-metrics';
import { spawnWorker } from './bench/worker-process';

const REPO_ROOT = path.resolve(__dirname, '..');
const WORK_DIR = path.join(REPO_ROOT, '.data/bench');
const RESULTS_PATH = path.join(REPO_ROOT, 'docs/bench-results.json');
const DOC_PATH = path.join(REPO_ROOT, 'docs/BENCHMARKS.md');
const API_KEY = 'tlk_bench_0123456789abcdef';
/** The SDK's uploadFile defaults (batchSize 10, maxWorkers 5); see the note in BENCHMARKS.md. */
const SDK_DEFAULT_BATCH = 10;

export const GOALS = {
  /** ours at concurrency 8 over the limit at concurrency 8 */
  oursOverLimit: 0.9,
  /** ours at concurrency 8 over the SDK at matched concurrency */
  oursOverSdk: 1.5,
  /** ours at concurrency 8 over the SDK at matched concurrency, over the WAN with a latency tail */
  oursOverSdkWithTail: 2,
  /** the worker's peak resident memory */
  workerPeakRssBytes: 200 * 1e6,
  /** ours at concurrency 8: history events per chunk */
  eventsPerChunk: 1,
  /** ours at concurrency 8: CPU seconds of the Temporal server per GiB */
  temporalCpuSecondsPerGiB: 0.5,
};

interface Contender {
  id: string;
  label: string;
  kind: 'limit' | 'sdk' | 'ours';
  /** Chunk PUTs in flight at once (for the SDK: what its batching really allows). */
  concurrency: number;
  sdkOptions?: { batchSize?: number; maxWorkers?: number };
  /** Extra environment of our worker process. */
  workerEnv?: Record<string, string>;
}

/** The worker's default chunk ETag check, and the other setting measured beside it. */
const DEFAULT_DIGEST_CHECK = workerTuning({}).chunkDigestCheck;
const OTHER_DIGEST_CHECK = DEFAULT_DIGEST_CHECK === 'always' ? 'auto' : 'always';

const CONTENDERS: Contender[] = [
  { id: 'limit-c1', label: 'limit, concurrency 1', kind: 'limit', concurrency: 1 },
  { id: 'limit-c4', label: 'limit, concurrency 4', kind: 'limit', concurrency: 4 },
  { id: 'limit-c8', label: 'limit, concurrency 8', kind: 'limit', concurrency: 8 },
  { id: 'sdk-default', label: 'twelvelabs-js uploadFile, defaults', kind: 'sdk', concurrency: SDK_DEFAULT_BATCH },
  { id: 'sdk-c8', label: 'twelvelabs-js uploadFile, batchSize 8 maxWorkers 8', kind: 'sdk', concurrency: 8, sdkOptions: { batchSize: 8, maxWorkers: 8 } },
  { id: 'ours-c1', label: 'ours, concurrency 1', kind: 'ours', concurrency: 1 },
  { id: 'ours-c4', label: 'ours, concurrency 4', kind: 'ours', concurrency: 4 },
  { id: 'ours-c8', label: 'ours, concurrency 8', kind: 'ours', concurrency: 8 },
  // The other setting of the chunk ETag check (TL_CHUNK_DIGEST_CHECK), to show what it costs.
  OTHER_DIGEST_CHECK === 'always'
    ? { id: 'ours-c8-md5', label: 'ours, concurrency 8, TL_CHUNK_DIGEST_CHECK=always', kind: 'ours', concurrency: 8, workerEnv: { TL_CHUNK_DIGEST_CHECK: 'always' } }
    : { id: 'ours-c8-auto', label: 'ours, concurrency 8, TL_CHUNK_DIGEST_CHECK=auto (no MD5 on loopback)', kind: 'ours', concurrency: 8, workerEnv: { TL_CHUNK_DIGEST_CHECK: 'auto' } },
];

interface RunRecord {
  contender: string;
  repetition: number;
  seconds: number;
  mbPerSecond: number;
  /** VmHWM of the process that moved the bytes, at the end of its run. */
  peakRssBytes: number;
  /** Highest VmRSS sampled while the upload ran. */
  peakSampledRssBytes: number;
  /** Highest RssAnon (private memory) sampled while the upload ran. */
  peakSampledAnonRssBytes: number;
  storageWriteBytes: number;
  peakTempDirGrowthBytes: number;
  bytesReceivedByStore: number;
  chunkPuts: number;
  /** CPU seconds over the run: the process that moved the bytes, the emulator, the Temporal server. */
  cpuSeconds: { mover: number; emulator: number; temporal: number };
  history?: TemporalCost & PerChunk;
  phases?: ContenderReport['phases'];
  warmupSeconds?: number;
  loadAverage: number[];
}

/** What an upload of ours cost Temporal: its histories, and the heartbeat RPCs its worker sent. */
interface TemporalCost extends HistoryCost {
  heartbeatsSent: number;
}

/** The Temporal cost of a run divided by its chunks. */
interface PerChunk {
  eventsPerChunk: number;
  workflowTasksPerChunk: number;
  activityExecutionsPerChunk: number;
  heartbeatsPerChunk: number;
  timersPerChunk: number;
}

function perChunk(cost: TemporalCost, totalChunks: number): PerChunk {
  return {
    eventsPerChunk: cost.events / totalChunks,
    workflowTasksPerChunk: cost.workflowTasks / totalChunks,
    activityExecutionsPerChunk: cost.activityExecutions / totalChunks,
    heartbeatsPerChunk: cost.heartbeatsSent / totalChunks,
    timersPerChunk: cost.timersStarted / totalChunks,
  };
}

interface Summary {
  contender: string;
  label: string;
  concurrency: number;
  mbPerSecond: Spread;
  /** Median over the limit's median at the same concurrency (or at 8 where none ran). */
  ratioToLimit: number | undefined;
  ratioBase: string | undefined;
  peakRssBytes: number;
  peakSampledRssBytes: number;
  peakSampledAnonRssBytes: number;
  storageWriteBytes: number;
  peakTempDirGrowthBytes: number;
  /** ours: medians of the per-chunk Temporal cost. */
  temporalPerChunk?: PerChunk;
  /** Median CPU seconds per GiB moved. */
  cpuSecondsPerGiB: { mover: number; emulator: number; temporal: number };
}

interface GoalCheck {
  goal: string;
  measured: string;
  holds: boolean | undefined;
}

interface BenchResults {
  /** Key of the result set: the size, and the store profile when it is not the default. */
  sizeLabel: string;
  /** A store with a latency tail (--slow-chunks) or a WAN (--wan), when one was set. */
  store?: StoreProfile;
  sizeBytes: number;
  chunkSizeBytes: number;
  totalChunks: number;
  repeats: number;
  machine: MachineDescription;
  startedAt: string;
  finishedAt: string;
  summaries: Summary[];
  goals: GoalCheck[];
  runs: RunRecord[];
}

interface MachineDescription {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  loadAverageAtStart: number[];
  loadAverageAtEnd: number[];
}

async function main(): Promise<void> {
  killChildrenOnSignal();
  const { values } = parseArgs({
    options: {
      large: { type: 'boolean', default: false },
      'size-mib': { type: 'string' },
      repeats: { type: 'string', default: '3' },
      only: { type: 'string' },
      'no-docs': { type: 'boolean', default: false },
      'cpu-prof-dir': { type: 'string' },
      'worker-env': { type: 'string', multiple: true, default: [] },
      'worker-node-args': { type: 'string' },
      // A store with a latency tail: this fraction of chunk PUTs is answered slow-chunk-ms late.
      'slow-chunks': { type: 'string' },
      'slow-chunk-ms': { type: 'string', default: '2000' },
      // The tail model: after-body (default) or at-once (see src/emulator/faults.ts, put_slow_at_once).
      'slow-model': { type: 'string' },
      // A WAN between every contender and the store (see src/emulator/wan-profile.ts).
      wan: { type: 'boolean', default: false },
      'wan-latency-ms': { type: 'string' },
      'wan-mb-per-s': { type: 'string' },
    },
  });
  const sizeBytes = values['size-mib'] !== undefined ? Number(values['size-mib']) * MIB : values.large ? 4 * GIB : GIB;
  const repeats = Number(values.repeats);
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0) fail('--size-mib must be a positive integer');
  if (!Number.isInteger(repeats) || repeats < 1) fail('--repeats must be a positive integer');
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((id) => !CONTENDERS.some((c) => c.id === id)) ?? [];
  if (unknown.length > 0) fail(`unknown contender(s) ${unknown.join(', ')}; known: ${CONTENDERS.map((c) => c.id).join(', ')}`);
  const contenders = CONTENDERS.filter((c) => !only || only.includes(c.id));
  const launchArgs = values['worker-node-args']?.split(' ').filter((a) => a !== '');
  const workerEnv = Object.fromEntries(values['worker-env'].map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const sizeLabel = sizeBytes % GIB === 0 ? `${sizeBytes / GIB}GiB` : `${sizeBytes / MIB}MiB`;
  let store: StoreProfile | undefined;
  try {
    store = parseStoreProfile(values);
  } catch (error) {
    if (error instanceof StoreFlagError) fail(error.message);
    throw error;
  }
  // Each store profile has its own block in the doc and its own key in the JSON file.
  const resultsLabel = `${sizeLabel}${storeLabel(store)}`;
  const writeDocs = !values['no-docs'] && (sizeBytes === GIB || sizeBytes === 4 * GIB) && !only;

  const machine: MachineDescription = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / GIB),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    loadAverageAtStart: loadAverage(),
    loadAverageAtEnd: [],
  };
  log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.kernel}, node ${machine.node}; load ${machine.loadAverageAtStart.join(' ')}`);

  fs.mkdirSync(WORK_DIR, { recursive: true });
  const source = await ensureSourceFile(path.join(WORK_DIR, `source-${sizeLabel}.bin`), sizeBytes, log);
  const warmup = await ensureSourceFile(path.join(WORK_DIR, 'warmup-1MiB.bin'), MIB, log);
  const emulatorDir = path.join(WORK_DIR, 'emulator');
  fs.rmSync(emulatorDir, { recursive: true, force: true });
  const tempRoot = fs.mkdtempSync(path.join(WORK_DIR, 'tmp-'));

  const startedAt = new Date().toISOString();
  const emulator = await spawnEmulator({ apiKey: API_KEY, dataDir: emulatorDir, args: ['--asset-ready-delay-ms', '0', ...wanEmulatorArgs(store)] });
  log(`emulator: ${emulator.baseUrl} (pid ${emulator.pid}), data ${emulatorDir}`);
  if (store?.slowChunks !== undefined) {
    await emulator.setFaults({ put_slow: store.slowChunks, put_slow_ms: store.slowChunkMs, put_slow_at_once: store.slowModel === 'at-once' ? 1 : 0 });
  }
  if (store) log(`store: ${describeStore(store)}`);
  const needsTemporal = contenders.some((c) => c.kind === 'ours');
  const server = needsTemporal ? await DevServer.start({ ui: false }) : undefined;
  if (server) trackChild(() => server.pid);
  const connection = server ? await Connection.connect({ address: server.address }) : undefined;
  const temporal = connection ? new Client({ connection }) : undefined;
  if (server) log(`Temporal dev server: ${server.address}`);

  const runs: RunRecord[] = [];
  // The emulator runs with its default chunk size rule (contract 9.1), the same for everyone.
  const chunkSizeBytes = defaultChunkSizeBytes(sizeBytes);
  const geometry = { chunkSizeBytes, totalChunks: Math.ceil(sizeBytes / chunkSizeBytes) };
  try {
    for (let repetition = 1; repetition <= repeats; repetition++) {
      for (const contender of contenders) {
        const tempDir = fs.mkdtempSync(path.join(tempRoot, `${contender.id}-`));
        await emulator.resetCounters();
        await emulator.reseedFaults(repetition);
        const loadBefore = loadAverage();
        const cpuBefore = { emulator: readCpuSeconds(emulator.pid), temporal: server?.pid ? readCpuSeconds(server.pid) : 0 };
        const run =
          contender.kind === 'ours'
            ? await runOurs(contender, { source, warmup, emulator, server: server!, temporal: temporal!, tempDir, cpuProfDir: values['cpu-prof-dir'], workerEnv, launchArgs, repetition })
            : await runChild(contender, { source, emulator, tempDir });
        Object.assign(cpuBefore, run.othersCpuAtStart);
        const cpuAfter = run.othersCpuAtEnd ?? { emulator: readCpuSeconds(emulator.pid), temporal: server?.pid ? readCpuSeconds(server.pid) : 0 };
        const cpuSeconds = {
          mover: run.cpuSeconds,
          emulator: cpuAfter.emulator - cpuBefore.emulator,
          temporal: cpuAfter.temporal - cpuBefore.temporal,
        };
        const object = await emulator.objectInfo(run.assetId);
        if (!object || object.size !== source.sizeBytes || object.sha256 !== source.sha256) {
          throw new Error(`${contender.id}: the assembled object ${JSON.stringify(object)} does not match the source (sha256 ${source.sha256})`);
        }
        const counters = await emulator.counters();
        const chunkPuts = Object.values(counters.puts_by_status).reduce((a, b) => a + b, 0);
        await emulator.deleteAsset(run.assetId);
        fs.rmSync(tempDir, { recursive: true, force: true });
        const record: RunRecord = {
          contender: contender.id,
          repetition,
          seconds: run.seconds,
          mbPerSecond: source.sizeBytes / MB / run.seconds,
          peakRssBytes: run.peakRssBytes,
          peakSampledRssBytes: run.peakSampledRssBytes,
          peakSampledAnonRssBytes: run.peakSampledAnonRssBytes,
          storageWriteBytes: run.storageWriteBytes,
          peakTempDirGrowthBytes: run.peakTempDirGrowthBytes,
          bytesReceivedByStore: counters.bytes_received,
          chunkPuts,
          cpuSeconds,
          ...(run.temporalCost ? { history: { ...run.temporalCost, ...perChunk(run.temporalCost, geometry.totalChunks) } } : {}),
          ...(run.phases ? { phases: run.phases } : {}),
          ...(run.warmupSeconds !== undefined ? { warmupSeconds: run.warmupSeconds } : {}),
          loadAverage: loadBefore,
        };
        runs.push(record);
        log(
          `[${repetition}/${repeats}] ${contender.id.padEnd(12)} ${record.mbPerSecond.toFixed(0).padStart(5)} MB/s ` +
            `${record.seconds.toFixed(2).padStart(7)} s  peak RSS ${mbText(record.peakRssBytes)} (sampled ${mbText(record.peakSampledRssBytes)}, private ${mbText(record.peakSampledAnonRssBytes)})  ` +
            `disk writes ${mbText(record.storageWriteBytes)}  tmp ${mbText(record.peakTempDirGrowthBytes)}` +
            (record.history
              ? `  per chunk: events ${record.history.eventsPerChunk.toFixed(2)} activities ${record.history.activityExecutionsPerChunk.toFixed(2)}` +
                ` heartbeats ${record.history.heartbeatsPerChunk.toFixed(2)} timers ${record.history.timersPerChunk.toFixed(2)}`
              : '') +
            `  PUTs ${chunkPuts} for ${geometry.totalChunks} chunks, ${mbText(record.bytesReceivedByStore - source.sizeBytes)} extra` +
            `  CPU s mover ${cpuSeconds.mover.toFixed(1)} emulator ${cpuSeconds.emulator.toFixed(1)} temporal ${cpuSeconds.temporal.toFixed(1)}` +
            `  load ${loadBefore.join(' ')}`,
        );
      }
    }
  } finally {
    await connection?.close().catch(() => undefined);
    await server?.stop();
    await emulator.stop();
    fs.rmSync(tempRoot, { recursive: true, force: true });
  }
  machine.loadAverageAtEnd = loadAverage();

  const summaries = summarize(contenders, runs);
  const goals = checkGoals(summaries, sizeBytes, store);
  const results: BenchResults = {
    sizeLabel: resultsLabel,
    ...(store ? { store } : {}),
    sizeBytes,
    ...geometry,
    repeats,
    machine,
    startedAt,
    finishedAt: new Date().toISOString(),
    summaries,
    goals,
    runs,
  };
  if (writeDocs) {
    writeResults(results);
    log(`wrote ${path.relative(REPO_ROOT, RESULTS_PATH)} and the ${resultsLabel} tables of ${path.relative(REPO_ROOT, DOC_PATH)}`);
  }
  console.log('');
  console.log(renderTables(results));
  const failed = goals.filter((g) => g.holds === false);
  if (failed.length > 0) {
    console.log(`\n${failed.length} goal(s) do not hold: ${failed.map((g) => g.goal).join('; ')}`);
    process.exitCode = 1;
  }
}

/** A contender's report (the same figures for every kind), plus what only ours has. */
interface RunOutcome extends ContenderReport {
  temporalCost?: TemporalCost;
  /** ours: the first, small upload on the fresh worker. */
  warmupSeconds?: number;
  /** CPU of the emulator and the Temporal server when the measured upload began, if not at the run's start. */
  othersCpuAtStart?: { emulator: number; temporal: number };
  /** ... and when it ended, before the bench read histories or stopped the worker (Temporal work of its own). */
  othersCpuAtEnd?: { emulator: number; temporal: number };
}

/** The limit or the SDK, in a child process of its own with a private TMPDIR. */
async function runChild(contender: Contender, ctx: { source: SourceFile; emulator: EmulatorProcess; tempDir: string }): Promise<RunOutcome> {
  const job: ContenderJob =
    contender.kind === 'limit'
      ? { kind: 'limit', baseUrl: ctx.emulator.baseUrl, apiKey: API_KEY, filePath: ctx.source.path, concurrency: contender.concurrency }
      : { kind: 'sdk', baseUrl: ctx.emulator.baseUrl, apiKey: API_KEY, filePath: ctx.source.path, ...contender.sdkOptions };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'bench/run-contender.ts'), JSON.stringify(job)], {
    cwd: REPO_ROOT,
    env: { ...process.env, TMPDIR: ctx.tempDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (code !== 0 || !line) throw new Error(`${contender.id} failed (exit ${code}): ${stderr.trim()}`);
  return JSON.parse(line.slice('BENCH_RESULT '.length)) as ContenderReport;
}

/** Our workflow on a fresh worker process (so its peak memory is this run's), timed start to result. */
async function runOurs(
  contender: Contender,
  ctx: {
    source: SourceFile;
    warmup: SourceFile;
    emulator: EmulatorProcess;
    server: DevServer;
    temporal: Client;
    tempDir: string;
    cpuProfDir: string | undefined;
    workerEnv: Record<string, string>;
    launchArgs: string[] | undefined;
    /** Seeds the fault dice for the measured upload (the repetition's number). */
    repetition: number;
  },
): Promise<RunOutcome> {
  const taskQueue = `bench-${contender.id}-${Date.now()}`;
  // The worker's Prometheus endpoint, for the heartbeat RPCs it sends (see bench/worker-metrics.ts).
  const metricsPort = await freePort();
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const worker = await spawnWorker({
    temporalAddress: ctx.server.address,
    taskQueue,
    apiKey: API_KEY,
    twelveLabsBaseUrl: ctx.emulator.baseUrl,
    allowedRoots: [path.dirname(ctx.source.path)],
    env: { TMPDIR: ctx.tempDir, TL_METRICS_BIND: `127.0.0.1:${metricsPort}`, ...contender.workerEnv, ...ctx.workerEnv },
    ...(ctx.launchArgs ? { launchArgs: ctx.launchArgs } : {}),
    nodeArgs: ctx.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.cpuProfDir}`] : [],
  });
  try {
    // A worker is a long-running service: one small upload first, so the measured one does not pay
    // for loading the workflow sandbox and the first RPCs (reported as warmupSeconds).
    const rssAtReady = readMemoryStatus(worker.pid).rssBytes;
    const warmupStartedAt = performance.now();
    const warm = await ctx.temporal.workflow.execute(multipartUploadWorkflow, {
      taskQueue,
      workflowId: `${taskQueue}-warmup`,
      args: [{ source: { path: ctx.warmup.path }, concurrency: contender.concurrency }],
    });
    const warmupSeconds = (performance.now() - warmupStartedAt) / 1000;
    await ctx.emulator.deleteAsset(warm.assetId);
    await ctx.emulator.resetCounters();
    // The warm-up rolled the dice: the measured upload meets the same rolls as the other contenders.
    await ctx.emulator.reseedFaults(ctx.repetition);

    const heartbeatsAtStart = await readWorkerHeartbeats(metricsUrl);
    const othersCpu = () => ({ emulator: readCpuSeconds(ctx.emulator.pid), temporal: readCpuSeconds(ctx.server.pid!) });
    const othersCpuAtStart = othersCpu();
    const sampler = sampleResources(worker.pid, ctx.tempDir);
    const workflowId = `${taskQueue}-upload`;
    const startedAt = performance.now();
    const handle = await ctx.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue,
      workflowId,
      args: [{ source: { path: ctx.source.path }, concurrency: contender.concurrency }],
    });
    // A stuck upload must fail the bench, not hang it: allow 1 MB/s plus ten minutes.
    const limitMs = 600_000 + ctx.source.sizeBytes / 1000;
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      handle.result(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${contender.id}: no result after ${limitMs / 1000} s; worker output:\n${worker.output().slice(-4000)}`)), limitMs);
      }),
    ]).finally(() => clearTimeout(timer));
    const seconds = (performance.now() - startedAt) / 1000;
    const sample = sampler.stop();
    const othersCpuAtEnd = othersCpu();
    const peakRssBytes = readMemoryStatus(worker.pid).peakRssBytes;
    // Every heartbeat of the upload was sent before its last activity completed, so before the result.
    const heartbeatsSent = (await readWorkerHeartbeats(metricsUrl)) - heartbeatsAtStart;
    const temporalCost = { ...(await historyCost(ctx.temporal, workflowId, handle.firstExecutionRunId)), heartbeatsSent };
    if (process.env.BENCH_VERBOSE) log(`  worker VmRSS MB: ready ${Math.round(rssAtReady / 1e6)}, then once a second from the measured upload: ${sample.rssSeriesMB.join(' ')}`);
    return { assetId: result.assetId, seconds, peakRssBytes, ...sample, temporalCost, warmupSeconds, othersCpuAtStart, othersCpuAtEnd };
  } finally {
    // SIGINT lets the worker shut down cleanly, which also writes a --cpu-prof profile.
    await worker.kill('SIGINT');
  }
}

function summarize(contenders: Contender[], runs: RunRecord[]): Summary[] {
  const medianOf = (id: string) => spread(runs.filter((r) => r.contender === id).map((r) => r.mbPerSecond)).median;
  return contenders.map((contender) => {
    const own = runs.filter((r) => r.contender === contender.id);
    const base = contender.kind === 'limit' ? undefined : [`limit-c${contender.concurrency}`, 'limit-c8'].find((id) => runs.some((r) => r.contender === id));
    const rate = spread(own.map((r) => r.mbPerSecond));
    const max = (pick: (r: RunRecord) => number) => Math.max(...own.map(pick));
    const histories = own.flatMap((r) => (r.history ? [r.history] : []));
    const perGiB = (pick: (r: RunRecord) => number) => spread(own.map((r) => (pick(r) * GIB) / r.bytesReceivedByStore)).median;
    return {
      contender: contender.id,
      label: contender.label,
      concurrency: contender.concurrency,
      mbPerSecond: rate,
      ratioToLimit: contender.kind === 'limit' ? 1 : base ? rate.median / medianOf(base) : undefined,
      ratioBase: contender.kind === 'limit' ? contender.id : base,
      peakRssBytes: max((r) => r.peakRssBytes),
      peakSampledRssBytes: max((r) => r.peakSampledRssBytes),
      // Older result files have no private figure.
      peakSampledAnonRssBytes: max((r) => r.peakSampledAnonRssBytes ?? 0),
      storageWriteBytes: max((r) => r.storageWriteBytes),
      peakTempDirGrowthBytes: max((r) => r.peakTempDirGrowthBytes),
      cpuSecondsPerGiB: {
        mover: perGiB((r) => r.cpuSeconds.mover),
        emulator: perGiB((r) => r.cpuSeconds.emulator),
        temporal: perGiB((r) => r.cpuSeconds.temporal),
      },
      ...(histories.length > 0
        ? {
            temporalPerChunk: {
              eventsPerChunk: spread(histories.map((h) => h.eventsPerChunk)).median,
              workflowTasksPerChunk: spread(histories.map((h) => h.workflowTasksPerChunk)).median,
              activityExecutionsPerChunk: spread(histories.map((h) => h.activityExecutionsPerChunk)).median,
              heartbeatsPerChunk: spread(histories.map((h) => h.heartbeatsPerChunk)).median,
              timersPerChunk: spread(histories.map((h) => h.timersPerChunk)).median,
            },
          }
        : {}),
    };
  });
}

function checkGoals(summaries: Summary[], sizeBytes: number, store: StoreProfile | undefined): GoalCheck[] {
  const find = (id: string) => summaries.find((s) => s.contender === id);
  const ours = find('ours-c8');
  const limit = find('limit-c8');
  const sdk = find('sdk-c8');
  const ratio = (a: Summary | undefined, b: Summary | undefined) => (a && b ? a.mbPerSecond.median / b.mbPerSecond.median : undefined);
  const vsLimit = ratio(ours, limit);
  const vsSdk = ratio(ours, sdk);
  // Issue 10 states the tail goal over the WAN profile.
  const sdkGoal = store?.wan && store.slowChunks !== undefined ? GOALS.oursOverSdkWithTail : GOALS.oursOverSdk;
  const events = ours?.temporalPerChunk?.eventsPerChunk;
  const temporalCpu = ours?.cpuSecondsPerGiB.temporal;
  const workers = summaries.filter((s) => s.contender.startsWith('ours-'));
  const peak = workers.length > 0 ? Math.max(...workers.map((s) => s.peakRssBytes)) : undefined;
  const written = workers.length > 0 ? Math.max(...workers.map((s) => Math.max(s.storageWriteBytes, s.peakTempDirGrowthBytes))) : undefined;
  return [
    {
      goal: `ours at concurrency 8 ≥ ${GOALS.oursOverLimit} × the limit`,
      measured: vsLimit === undefined ? 'not measured' : `${vsLimit.toFixed(2)} ×`,
      holds: vsLimit === undefined ? undefined : vsLimit >= GOALS.oursOverLimit,
    },
    {
      goal: `ours ≥ ${sdkGoal} × the official SDK at matched concurrency (8)`,
      measured: vsSdk === undefined ? 'not measured' : `${vsSdk.toFixed(2)} ×`,
      holds: vsSdk === undefined ? undefined : vsSdk >= sdkGoal,
    },
    {
      goal: `ours at concurrency 8: ≤ ${GOALS.eventsPerChunk} history event per chunk`,
      measured: events === undefined ? 'not measured' : events.toFixed(2),
      holds: events === undefined ? undefined : events <= GOALS.eventsPerChunk,
    },
    {
      goal: `ours at concurrency 8: ≤ ${GOALS.temporalCpuSecondsPerGiB} CPU s / GiB in the Temporal server`,
      measured: temporalCpu === undefined ? 'not measured' : temporalCpu.toFixed(2),
      holds: temporalCpu === undefined ? undefined : temporalCpu <= GOALS.temporalCpuSecondsPerGiB,
    },
    {
      goal: `worker peak memory < ${GOALS.workerPeakRssBytes / 1e6} MB (goal stated for 4 GiB; this run: ${sizeText(sizeBytes)})`,
      measured: peak === undefined ? 'not measured' : `${mbText(peak)} (VmHWM, whole worker life)`,
      holds: peak === undefined ? undefined : peak < GOALS.workerPeakRssBytes,
    },
    {
      goal: 'no temporary files written by the worker',
      measured: written === undefined ? 'not measured' : `${written} bytes`,
      holds: written === undefined ? undefined : written === 0,
    },
  ];
}

function renderTables(results: BenchResults): string {
  const { machine } = results;
  const lines: string[] = [];
  lines.push(
    `**${sizeText(results.sizeBytes)}** (${results.totalChunks} chunks of ${sizeText(results.chunkSizeBytes)}), ` +
      `${results.repeats} repetition(s), ${results.finishedAt.slice(0, 16).replace('T', ' ')} UTC; ` +
      (results.store ? `store: ${describeStore(results.store)} (every contender); ` : '') +
      `ours with the worker's defaults ` +
      `(TL_CHUNK_DIGEST_CHECK=${DEFAULT_DIGEST_CHECK}) unless the row says otherwise. ` +
      `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB RAM, ${machine.kernel}, Node ${machine.node}; ` +
      `load average ${machine.loadAverageAtStart.join(' ')} at the start, ${machine.loadAverageAtEnd.join(' ')} at the end.`,
  );
  lines.push('');
  lines.push(
    '| contender | MB/s median | spread (min–max) | × limit | peak RSS (VmHWM) | peak RSS during upload (private) | storage writes | temp dir peak | ' +
      'per chunk: history events, workflow tasks, activity executions, heartbeats, timers | CPU s / GiB: mover, emulator, Temporal |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of results.summaries) {
    const ratio = s.ratioToLimit === undefined ? '–' : `${s.ratioToLimit.toFixed(2)}${s.ratioBase && !s.contender.startsWith('limit') ? ` (vs ${s.ratioBase})` : ''}`;
    lines.push(
      `| ${s.label} | ${s.mbPerSecond.median.toFixed(0)} | ${s.mbPerSecond.min.toFixed(0)}–${s.mbPerSecond.max.toFixed(0)} | ${ratio} | ` +
        `${mbText(s.peakRssBytes)} | ${mbText(s.peakSampledRssBytes)} (${mbText(s.peakSampledAnonRssBytes)}) | ${mbText(s.storageWriteBytes)} | ${mbText(s.peakTempDirGrowthBytes)} | ` +
        `${temporalPerChunkText(s.temporalPerChunk)} | ` +
        `${s.cpuSecondsPerGiB.mover.toFixed(1)}, ${s.cpuSecondsPerGiB.emulator.toFixed(1)}, ${s.cpuSecondsPerGiB.temporal.toFixed(1)} |`,
    );
  }
  lines.push('');
  lines.push('| goal | measured | holds |');
  lines.push('|---|---|---|');
  for (const g of results.goals) lines.push(`| ${g.goal} | ${g.measured} | ${g.holds === undefined ? '–' : g.holds ? 'yes' : '**no**'} |`);
  return lines.join('\n');
}

/** Keeps one result set per size in the JSON file and one generated block per size in the doc. */
function writeResults(results: BenchResults): void {
  const all = fs.existsSync(RESULTS_PATH) ? (JSON.parse(fs.readFileSync(RESULTS_PATH, 'utf8')) as Record<string, BenchResults>) : {};
  all[results.sizeLabel] = results;
  fs.mkdirSync(path.dirname(RESULTS_PATH), { recursive: true });
  fs.writeFileSync(RESULTS_PATH, `${JSON.stringify(all, null, 2)}\n`);

  const begin = `<!-- bench:${results.sizeLabel}:begin (generated by npm run bench; do not edit) -->`;
  const end = `<!-- bench:${results.sizeLabel}:end -->`;
  const block = `${begin}\n${renderTables(results)}\n${end}`;
  let doc = fs.existsSync(DOC_PATH) ? fs.readFileSync(DOC_PATH, 'utf8') : '# Benchmarks\n\n## Results\n';
  const at = doc.indexOf(begin.slice(0, begin.indexOf(' (')));
  const stop = doc.indexOf(end);
  if (at >= 0 && stop > at) doc = `${doc.slice(0, at)}${block}${doc.slice(stop + end.length)}`;
  else doc = `${doc.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(DOC_PATH, doc);
}

function temporalPerChunkText(cost: PerChunk | undefined): string {
  if (!cost) return '–';
  const { eventsPerChunk, workflowTasksPerChunk, activityExecutionsPerChunk, heartbeatsPerChunk, timersPerChunk } = cost;
  return [eventsPerChunk, workflowTasksPerChunk, activityExecutionsPerChunk, heartbeatsPerChunk, timersPerChunk].map((n) => n.toFixed(2)).join(', ');
}

function loadAverage(): number[] {
  return os.loadavg().map((l) => Number(l.toFixed(2)));
}

function mbText(bytes: number): string {
  return `${(bytes / MB).toFixed(bytes > 0 && bytes < 10 * MB ? 1 : 0)} MB`;
}

function sizeText(bytes: number): string {
  if (bytes % GIB === 0) return `${bytes / GIB} GiB`;
  if (bytes % MIB === 0) return `${bytes / MIB} MiB`;
  return `${bytes} bytes`;
}

function log(line: string): void {
  console.log(line);
}

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

(process.argv.includes('--many') ? import('./bench/many').then((m) => m.benchMany(process.argv.slice(2))) : main()).catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
