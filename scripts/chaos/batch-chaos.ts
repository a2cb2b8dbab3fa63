// The chaos run's batch: a directory of at least 200 small files as one batchUploadWorkflow while
// the emulator loses A1 replies (the asset is made, the answer never arrives) and fails API calls,
// and a worker process dies by SIGKILL in the middle of the batch (a new one starts). Then every
// file must have exactly one live asset holding its bytes, and the batch must say every file
// completed.

import { randomBytes, createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { UploadClient } from '../../src/client';
import { DevServer } from '../../src/dev/dev-server';
import type { BatchUploadResult } from '../../src/domain/types';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { batchProgressQuery } from '../../src/workflows/batch-upload';
import { trackChild } from '../bench/children';
import { spawnWorker, type WorkerProcess } from '../bench/worker-process';
import type { ChaosCheck } from './run-chaos';

const API_KEY = 'tlk_chaos_0123456789abcdef';

export interface BatchChaosOptions {
  workDir: string;
  files: number;
  sizeBytes: number;
  /** Share of A1 replies lost after the asset was made. */
  lostA1: number;
  seed: number;
  timeoutMs: number;
  log?: (line: string) => void;
}

export interface BatchChaosReport {
  files: number;
  seconds: number;
  lostA1Replies: number;
  killedWorkerPid: number;
  killedAfterFiles: number;
  liveAssets: number;
  orphansDeleted: number;
  checks: ChaosCheck[];
}

export const batchChaosDefaults = (workDir: string, seed: number): BatchChaosOptions => ({
  workDir,
  files: 200,
  sizeBytes: 64 * 1024,
  lostA1: 0.2,
  seed,
  timeoutMs: 5 * 60_000,
});

export async function runBatchChaos(options: BatchChaosOptions): Promise<BatchChaosReport> {
  const log = options.log ?? (() => undefined);
  const runDir = fs.mkdtempSync(path.join(options.workDir, 'batch-'));
  const sourceDir = path.join(runDir, 'clips');
  fs.mkdirSync(sourceDir, { recursive: true });
  const sha256 = new Map<string, string>();
  for (let i = 0; i < options.files; i++) {
    const name = `clip-${String(i).padStart(4, '0')}.mp4`;
    const bytes = randomBytes(options.sizeBytes);
    fs.writeFileSync(path.join(sourceDir, name), bytes);
    sha256.set(name, createHash('sha256').update(bytes).digest('hex'));
  }
  let emulator: RunningEmulator | undefined;
  let server: DevServer | undefined;
  let connection: Connection | undefined;
  const workers: WorkerProcess[] = [];
  try {
    emulator = await startEmulator({
      apiKeys: [API_KEY],
      dataDir: path.join(runDir, 'emulator'),
      seed: options.seed,
      assetReadyDelayMs: 100,
      faults: { lost_reply_a1: options.lostA1, api_5xx: 0.02 },
    });
    server = await DevServer.start({ ui: false });
    const running = server;
    const untrack = trackChild(() => running.pid);
    connection = await Connection.connect({ address: server.address });
    const temporal = new Client({ connection });
    const taskQueue = `chaos-batch-${process.pid}-${Date.now()}`;
    const startWorker = () =>
      spawnWorker({ temporalAddress: running.address, taskQueue, apiKey: API_KEY, twelveLabsBaseUrl: emulator!.baseUrl, allowedRoots: [sourceDir], env: { TL_LOG_LEVEL: 'WARN' } });
    workers.push(await startWorker());
    const client = new UploadClient(temporal, { taskQueue });
    const startedAt = Date.now();
    const started = await client.startBatch({ directory: sourceDir, maxConcurrentUploads: 8, upload: { reconcileDelayMs: 500 } });
    log(`chaos batch: ${options.files} files of ${options.sizeBytes / 1024} KiB as ${started.workflowId}, ${options.lostA1 * 100}% of A1 replies lost`);

    // Kill the only worker once a third of the files are done: its runs were mid-file.
    const handle = temporal.workflow.getHandle(started.workflowId);
    const third = Math.floor(options.files / 3);
    let doneAtKill = 0;
    for (const deadline = Date.now() + options.timeoutMs; Date.now() < deadline; ) {
      const progress = await handle.query(batchProgressQuery).catch(() => undefined);
      doneAtKill = (progress?.totals.completed ?? 0) + (progress?.totals.failed ?? 0);
      if (doneAtKill >= third) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const victim = workers.shift()!;
    await victim.kill('SIGKILL');
    log(`chaos batch: SIGKILL worker ${victim.pid} after ${doneAtKill} files; a new worker takes over`);
    workers.push(await startWorker());

    const result = (await Promise.race([
      client.result(started.workflowId),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`the batch did not finish within ${options.timeoutMs} ms`)), options.timeoutMs)),
    ])) as BatchUploadResult;
    const seconds = (Date.now() - startedAt) / 1000;

    const created = await emulator.created();
    const live = new Map<string, string[]>();
    for (const a of created) if (!a.deleted_at) live.set(a.filename, [...(live.get(a.filename) ?? []), a.asset_id]);
    const wrongCount = [...sha256.keys()].filter((name) => live.get(name)?.length !== 1);
    const wrongBytes: string[] = [];
    for (const [name, digest] of sha256) {
      const ids = live.get(name);
      if (ids?.length === 1 && (await emulator.objectInfo(ids[0]!))?.sha256 !== digest) wrongBytes.push(name);
    }
    const counters = await emulator.counters();
    const lost = counters.faults_injected.lost_reply_a1 ?? 0;
    const items = [];
    for await (const item of client.batchItems(started.workflowId)) items.push(item);
    const reported = new Map(items.map((i) => [i.fileName, i.assetId]));
    const mismatched = [...sha256.keys()].filter((name) => reported.get(name) === undefined || live.get(name)?.[0] !== reported.get(name));
    untrack();
    const checks: ChaosCheck[] = [
      check('batch: every file completed', result.totals.completed === options.files && result.totals.failed === 0, `${result.totals.completed} of ${options.files} completed, ${result.totals.failed} failed`),
      check('batch: every file has exactly one live asset', wrongCount.length === 0, wrongCount.length === 0 ? `${options.files} files, ${options.files} assets` : `wrong: ${wrongCount.slice(0, 5).join(', ')}`),
      check('batch: every asset holds its file\'s bytes', wrongBytes.length === 0, wrongBytes.length === 0 ? 'all SHA-256 equal' : wrongBytes.slice(0, 5).join(', ')),
      check('batch: the batch reports each file\'s live asset', mismatched.length === 0, mismatched.length === 0 ? `${items.length} items` : mismatched.slice(0, 5).join(', ')),
      check('batch: A1 replies were lost and a worker was killed mid-batch', lost > 0 && doneAtKill > 0 && doneAtKill < options.files, `${lost} lost A1 replies; killed after ${doneAtKill} files`),
    ];
    return {
      files: options.files,
      seconds,
      lostA1Replies: lost,
      killedWorkerPid: victim.pid,
      killedAfterFiles: doneAtKill,
      liveAssets: [...live.values()].reduce((n, ids) => n + ids.length, 0),
      orphansDeleted: created.filter((a) => a.deleted_at).length,
      checks,
    };
  } finally {
    await Promise.all(workers.map((w) => w.kill('SIGKILL')));
    await connection?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    await emulator?.close().catch(() => undefined);
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}

export function batchSummaryLines(report: BatchChaosReport): string[] {
  return [
    `chaos batch: ${report.files} files in ${report.seconds.toFixed(1)} s; ${report.lostA1Replies} A1 replies lost; worker ${report.killedWorkerPid} killed after ${report.killedAfterFiles} files; ${report.liveAssets} live assets, ${report.orphansDeleted} deleted`,
    ...report.checks.map((c) => `  ${c.holds ? '✓' : '✗'} ${c.name}: ${c.detail}`),
  ];
}

function check(name: string, holds: boolean, detail: string): ChaosCheck {
  return { name, holds, detail };
}
