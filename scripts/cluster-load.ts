// `npm run cluster-load`: what the cluster (scripts/cluster/: Temporal on PostgreSQL, three worker
// hosts) does and pays under load, measured side by side in one run:
//   1. N multipart uploads at once (default 20 of 256 MiB), spread over the three hosts, over the
//      emulator's WAN profile, against the limit uploader (scripts/bench/limit-uploader.ts) moving
//      the same files at the same total number of connections, from three processes;
//   2. M small files (default 1,000) as one batch.
// For each: the Temporal server's CPU seconds, the bytes PostgreSQL wrote to its WAL, history
// events, and the Temporal Cloud billable actions (runs, activity executions, heartbeats, timers,
// signals, search-attribute upserts, markers), per GiB and per 1,000 files. Prints the figures and
// writes docs/cluster-load-results.json.
//
//   npm run cluster-load -- [--uploads 20] [--size-mib 256] [--concurrency 4] [--batch-files 1000] [--batch-file-kib 256]

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { UploadClient } from '../src/client';
import { freePort } from '../src/dev/dev-server';
import type { BatchUploadResult, UploadResult } from '../src/domain/types';
import { GIB, MIB } from '../src/twelvelabs/limits';
import { killChildrenOnSignal, trackChild } from './bench/children';
import { readCpuSeconds, readProcessTreeCpuSeconds } from './bench/proc-stats';
import { ensureSourceFile } from './bench/source-file';
import { TYPICAL_WAN } from '../src/emulator/wan-profile';
import { readWorkerHeartbeats } from './bench/worker-metrics';
import { startCluster, type Cluster } from './cluster/cluster';
import type { FleetJob, FleetReport } from './cluster/limit-fleet';
import { orchestrationEnds, readSessionPuts, summarizePuts } from './cluster/put-timeline';
import { addWorkflowActions, billableActions, emptyActions, firstRunId, type TemporalActions } from './cluster/temporal-actions';

const REPO_ROOT = path.resolve(__dirname, '..');
const RESULTS_PATH = path.join(REPO_ROOT, 'docs/cluster-load-results.json');

interface Cost {
  temporalCpuSeconds: number;
  /** The three worker processes together. */
  workerCpuSeconds: number;
  /** The postmaster and its backends. */
  postgresCpuSeconds: number;
  emulatorCpuSeconds: number;
  postgresWalBytes: number;
  actions: TemporalActions;
  billableActions: number;
}

async function main(): Promise<void> {
  killChildrenOnSignal();
  const { values } = parseArgs({
    options: {
      uploads: { type: 'string', default: '20' },
      'size-mib': { type: 'string', default: '256' },
      concurrency: { type: 'string', default: '4' },
      'batch-files': { type: 'string', default: '1000' },
      'batch-file-kib': { type: 'string', default: '256' },
      'data-dir': { type: 'string', default: path.join(REPO_ROOT, '.data/cluster-load') },
      // The WAN between the uploaders and the store (default: the bench's typical WAN profile).
      'wan-latency-ms': { type: 'string', default: String(TYPICAL_WAN.putLatencyMs) },
      'wan-mb-per-s': { type: 'string', default: String(TYPICAL_WAN.connectionBytesPerSecond / 1e6) },
      results: { type: 'string', default: RESULTS_PATH },
    },
  });
  const uploads = Number(values.uploads);
  const sizeBytes = Number(values['size-mib']) * MIB;
  const concurrency = Number(values.concurrency);
  const batchFiles = Number(values['batch-files']);
  const batchFileBytes = Number(values['batch-file-kib']) * 1024;
  const dataDir = path.resolve(values['data-dir']);
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });

  const wan = ['--wan-latency-ms', values['wan-latency-ms'], '--wan-mb-per-s', values['wan-mb-per-s']];
  const metricsPorts = new Map<string, number>();
  for (const host of ['host-a', 'host-b', 'host-c']) metricsPorts.set(host, await freePort());
  log(`machine: ${os.cpus()[0]?.model}, ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const cluster = await startCluster({
    dataDir,
    ports: 'free',
    ui: false,
    emulatorArgs: ['--asset-ready-delay-ms', '0', ...wan],
    workerEnv: (host) => ({ TL_METRICS_BIND: `127.0.0.1:${metricsPorts.get(host)}` }),
    log,
  });
  trackChild(() => cluster.temporal.pid);
  const connection = await Connection.connect({ address: cluster.address });
  const temporal = new Client({ connection });
  const client = new UploadClient(temporal, { taskQueue: cluster.taskQueue });
  const metricsUrls = [...metricsPorts.values()].map((port) => `http://127.0.0.1:${port}/metrics`);
  const results: Record<string, unknown> = {};
  try {
    log(`cluster up: Temporal ${cluster.versions.temporal} at ${cluster.address}, PostgreSQL 127.0.0.1:${cluster.postgres.port}; store: WAN ${wan.join(' ')}`);
    // One source file per host (uploads of the same host share it; each upload has its own id).
    const sources = await Promise.all(cluster.hosts.map((host) => ensureSourceFile(path.join(host.root, `load-${sizeBytes / MIB}MiB.mp4`), sizeBytes, log)));
    const warm = await Promise.all(cluster.hosts.map((host) => ensureSourceFile(path.join(host.root, 'warm.mp4'), MIB, () => undefined)));
    // Warm each worker (workflow sandbox, connections), as a long-running service is.
    await Promise.all(cluster.hosts.map((host, i) => client.startUpload(warm[i]!.path, { fileTaskQueue: host.hostTaskQueue, workflowId: `warm-${host.name}` }).then((s) => client.result(s.workflowId))));
    const plan = Array.from({ length: uploads }, (_, i) => ({ host: cluster.hosts[i % 3]!, source: sources[i % 3]! }));
    const totalBytes = uploads * sizeBytes;

    // ---- 1a. the limit: the same uploads from three processes, the same connections in total.
    log(`limit: ${uploads} uploads of ${sizeBytes / MIB} MiB at ${concurrency} connections each (${uploads * concurrency} in all), from 3 processes...`);
    const limitEmulatorCpuBefore = readCpuSeconds(cluster.emulator.pid);
    const fleets = await Promise.all(
      cluster.hosts.map((host) =>
        runFleet({ baseUrl: cluster.emulator.baseUrl, apiKey: cluster.apiKey, files: plan.filter((p) => p.host === host).map((p) => p.source.path), concurrency }),
      ),
    );
    const limitSeconds = (Math.max(...fleets.map((f) => f.endedAtMs)) - Math.min(...fleets.map((f) => f.startedAtMs))) / 1000;
    const limitCpu = { uploaderCpuSeconds: fleets.reduce((sum, f) => sum + f.cpuSeconds, 0), emulatorCpuSeconds: readCpuSeconds(cluster.emulator.pid) - limitEmulatorCpuBefore };
    log(`limit: CPU ${JSON.stringify(limitCpu)}`);
    const limitPuts = summarizePuts(await Promise.all(fleets.flatMap((f) => f.uploadIds).map((id) => readSessionPuts(cluster.emulator.origin, id))), concurrency);
    log(`limit: connections ${JSON.stringify(limitPuts)}`);
    for (const [i, id] of fleets.flatMap((f) => f.assetIds).entries()) await checkAndDrop(cluster, id, undefined, `limit ${i}`);
    const limitMBps = totalBytes / 1e6 / limitSeconds;
    log(`limit: ${limitMBps.toFixed(1)} MB/s (${limitSeconds.toFixed(1)} s)`);

    // ---- 1b. ours: the same uploads as workflows on the cluster.
    log(`ours: ${uploads} uploads of ${sizeBytes / MIB} MiB, multipart concurrency ${concurrency}, over the three hosts...`);
    const before = await costSnapshot(cluster, metricsUrls);
    const startedAt = Date.now();
    const started = await Promise.all(
      plan.map((p, i) =>
        client.startUpload(p.source.path, { workflowId: `load-${i}-${startedAt}`, fileTaskQueue: p.host.hostTaskQueue, directMaxBytes: Math.min(sizeBytes - 1, 200 * MIB), multipart: { concurrency } }),
      ),
    );
    const uploadResults = (await Promise.all(started.map((s) => client.result(s.workflowId)))) as UploadResult[];
    const oursSeconds = (Date.now() - startedAt) / 1000;
    const multipartCost = await costSince(cluster, temporal, metricsUrls, before, started.map((s) => s.workflowId));
    const oursSessions = await Promise.all(uploadResults.map((r) => readSessionPuts(cluster.emulator.origin, r.multipart!.uploadId)));
    const oursPuts = { ...summarizePuts(oursSessions, concurrency), ...orchestrationEnds(oursSessions, startedAt, uploadResults.map((r) => Date.parse(r.completedAt))) };
    log(`ours: connections ${JSON.stringify(oursPuts)}`);
    for (const [i, r] of uploadResults.entries()) await checkAndDrop(cluster, r.assetId, plan[i]!.source, `upload ${i}`);
    const oursMBps = totalBytes / 1e6 / oursSeconds;
    log(`ours: ${oursMBps.toFixed(1)} MB/s (${oursSeconds.toFixed(1)} s), ${(oursMBps / limitMBps).toFixed(2)} x the limit`);
    results.multipart = {
      uploads,
      sizeBytes,
      concurrencyPerUpload: concurrency,
      totalConnections: uploads * concurrency,
      store: wan.join(' '),
      limit: { seconds: limitSeconds, mbPerSecond: limitMBps, connections: limitPuts, cpu: limitCpu, cpuSecondsPerGiB: perGiBOf(limitCpu, totalBytes) },
      ours: { seconds: oursSeconds, mbPerSecond: oursMBps, ratioToLimit: oursMBps / limitMBps, connections: oursPuts },
      cost: multipartCost,
      perGiB: perUnit(multipartCost, totalBytes / GIB),
    };

    // ---- 2. many small files as one batch (on host a; the workflows run on every host).
    if (batchFiles > 0) {
      const host = cluster.hosts[0]!;
      const dir = path.join(host.root, 'batch');
      fs.mkdirSync(dir, { recursive: true });
      for (let i = 0; i < batchFiles; i++) {
        const file = path.join(dir, `clip-${String(i).padStart(5, '0')}.mp4`);
        if (!fs.existsSync(file)) fs.writeFileSync(file, Buffer.alloc(batchFileBytes, i % 251));
    }
    log(`batch: ${batchFiles} files of ${batchFileBytes / 1024} KiB as one batch (32 at once)...`);
    const batchBefore = await costSnapshot(cluster, metricsUrls);
    const batchStartedAt = Date.now();
    const batch = await client.startBatch({ directory: dir, maxConcurrentUploads: 32, upload: { fileTaskQueue: host.hostTaskQueue } });
    const batchResult = (await client.result(batch.workflowId)) as BatchUploadResult;
    const batchSeconds = (Date.now() - batchStartedAt) / 1000;
    const batchCost = await costSince(cluster, temporal, metricsUrls, batchBefore, [batch.workflowId]);
    if (batchResult.totals.completed !== batchFiles) throw new Error(`batch: ${batchResult.totals.completed} of ${batchFiles} completed: ${JSON.stringify(batchResult.totals)}`);
    log(`batch: ${batchFiles} files in ${batchSeconds.toFixed(1)} s (${((batchFiles / batchSeconds) * 60).toFixed(0)} files/min)`);
    results.batch = { files: batchFiles, fileBytes: batchFileBytes, seconds: batchSeconds, cost: batchCost, per1000Files: perUnit(batchCost, batchFiles / 1000) };
    }
  } finally {
    await connection.close().catch(() => undefined);
    await cluster.stop();
  }
  const resultsPath = path.resolve(values.results);
  const record = { at: new Date().toISOString(), machine: `${os.cpus()[0]?.model}, ${os.cpus().length} cores`, temporal: (await import('./cluster/versions')).composeVersions().temporal, ...results };
  fs.writeFileSync(resultsPath, `${JSON.stringify(record, null, 2)}\n`);
  console.log(JSON.stringify(record, null, 2));
  log(`wrote ${path.relative(REPO_ROOT, resultsPath)}`);
}

interface Snapshot {
  temporalCpu: number;
  workerCpu: number;
  postgresCpu: number;
  emulatorCpu: number;
  wal: number;
  heartbeats: number;
}

async function costSnapshot(cluster: Cluster, metricsUrls: string[]): Promise<Snapshot> {
  const heartbeats = (await Promise.all(metricsUrls.map((url) => readWorkerHeartbeats(url)))).reduce((a, b) => a + b, 0);
  const workerCpu = cluster.hosts.reduce((sum, host) => sum + readCpuSeconds(host.process!.pid), 0);
  const postgresCpu = readProcessTreeCpuSeconds(cluster.postgres.pid()!);
  return { temporalCpu: readCpuSeconds(cluster.temporal.pid!), workerCpu, postgresCpu, emulatorCpu: readCpuSeconds(cluster.emulator.pid), wal: cluster.postgres.walPosition(), heartbeats };
}

async function costSince(cluster: Cluster, temporal: Client, metricsUrls: string[], before: Snapshot, workflowIds: string[]): Promise<Cost> {
  // Read before the histories are fetched (that is work of its own for the server and database).
  const after = await costSnapshot(cluster, metricsUrls);
  const actions = emptyActions();
  for (const id of workflowIds) await addWorkflowActions(temporal, actions, id, await firstRunId(temporal, id));
  actions.heartbeats = after.heartbeats - before.heartbeats;
  return {
    temporalCpuSeconds: after.temporalCpu - before.temporalCpu,
    workerCpuSeconds: after.workerCpu - before.workerCpu,
    postgresCpuSeconds: after.postgresCpu - before.postgresCpu,
    emulatorCpuSeconds: after.emulatorCpu - before.emulatorCpu,
    postgresWalBytes: after.wal - before.wal, actions, billableActions: billableActions(actions) };
}

function perGiBOf(cpu: Record<string, number>, bytes: number): Record<string, number> {
  return Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, Number((v / (bytes / GIB)).toFixed(2))]));
}

function perUnit(cost: Cost, units: number): Record<string, number> {
  const round = (n: number) => Number((n / units).toFixed(2));
  return {
    temporalCpuSeconds: round(cost.temporalCpuSeconds),
    workerCpuSeconds: round(cost.workerCpuSeconds),
    postgresCpuSeconds: round(cost.postgresCpuSeconds),
    emulatorCpuSeconds: round(cost.emulatorCpuSeconds),
    postgresWalMB: round(cost.postgresWalBytes / 1e6),
    historyEvents: round(cost.actions.events),
    billableActions: round(cost.billableActions),
    activityExecutions: round(cost.actions.activityExecutions),
    heartbeats: round(cost.actions.heartbeats),
    timers: round(cost.actions.timersStarted),
    signals: round(cost.actions.signals),
    runsStarted: round(cost.actions.runsStarted),
    upsertsAndMarkers: round(cost.actions.searchAttributeUpserts + cost.actions.markers),
  };
}

async function checkAndDrop(cluster: Cluster, assetId: string, source: { sizeBytes: number; sha256: string } | undefined, what: string): Promise<void> {
  const info = await cluster.emulator.objectInfo(assetId);
  if (!info || (source && (info.size !== source.sizeBytes || info.sha256 !== source.sha256))) throw new Error(`${what}: the stored object ${JSON.stringify(info)} is not the source`);
  await cluster.emulator.deleteAsset(assetId);
}

function runFleet(job: FleetJob): Promise<FleetReport> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'cluster/limit-fleet.ts'), JSON.stringify(job)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(() => child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith('FLEET_RESULT '));
      if (code !== 0 || !line) reject(new Error(`limit fleet failed (exit ${code}): ${stderr}`));
      else resolve(JSON.parse(line.slice('FLEET_RESULT '.length)) as FleetReport);
    }),
  );
}

function log(line: string): void {
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
}

main().catch((error: unknown) => {
  console.error(`cluster-load failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
