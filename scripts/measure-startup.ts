// npm run measure-startup [-- --runs N]: what starting the product costs, the old way (TypeScript
// through tsx, the workflows bundled at every worker start) beside the new (the compiled package
// in dist/, a workflow bundle built ahead of time), measured in one run, alternating, so that the
// machine's load hits both alike. Prints a table; absolute figures are noisy, the ratio is what counts.
//   - CLI: `tl-upload --help`, wall time from spawn to exit.
//   - client import: `require()` of the package root, time and resident memory (the old root
//     re-exported the worker, so "before" loads the client and the worker modules).
//   - worker: spawn to first poll (the dev server lists the worker as a poller of its task queue),
//     and the worker process's peak resident memory (VmHWM) once it polls.

import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DevServer } from '../src/dev/dev-server';
import { killChildrenOnSignal, trackChild } from './bench/children';
import { readMemoryStatus } from './bench/proc-stats';
import { workerEntry, workerNodeArgs, workerScriptEnv } from './bench/worker-process';

const REPO_ROOT = path.resolve(__dirname, '..');
const TSX = ['--require', 'tsx/cjs'];
const MiB = 1024 * 1024;

type Way = 'before' | 'after';

/** How each part starts, the old way and the new. */
const LAUNCH = {
  cli: {
    before: [...TSX, 'src/cli/main.ts', '--help'],
    after: ['bin/tl-upload.js', '--help'],
  },
  importRoot: {
    before: [...TSX, '-e', "require('./src/index.ts'); require('./src/worker.ts'); report()"],
    after: ['-e', "require('./dist/index.js'); report()"],
  },
  worker: {
    before: [...TSX, ...workerNodeArgs(), 'src/worker.ts'],
    after: [...workerNodeArgs(), workerEntry()],
  },
} as const;

/** Defined in the child before the import, so it measures the import alone. */
const REPORT_PRELUDE =
  'const t0 = process.hrtime.bigint(); globalThis.report = () => console.log(JSON.stringify({ ms: Number(process.hrtime.bigint() - t0) / 1e6, rss: process.memoryUsage().rss }));';

function runCli(way: Way): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, LAUNCH.cli[way], { cwd: REPO_ROOT, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (run.status !== 0 || !run.stdout.includes('Usage: tl-upload')) throw new Error(`tl-upload --help (${way}) failed: ${run.stderr}`);
  return ms;
}

function importRoot(way: Way): { ms: number; rss: number } {
  const args = [...LAUNCH.importRoot[way]];
  const e = args.indexOf('-e');
  args[e + 1] = `${REPORT_PRELUDE} ${args[e + 1]}`;
  const run = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`importing the package root (${way}) failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { ms: number; rss: number };
}

async function startWorker(way: Way, temporalClient: Client, address: string): Promise<{ ms: number; peakRss: number }> {
  const taskQueue = `measure-startup-${way}-${Math.random().toString(36).slice(2, 8)}`;
  const started = performance.now();
  const child = spawn(process.execPath, LAUNCH.worker[way], {
    cwd: REPO_ROOT,
    env: {
      ...workerScriptEnv(),
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: address,
      TL_TASK_QUEUE: taskQueue,
      TL_HOST_TASK_QUEUE: 'off',
      TWELVELABS_API_KEY: 'measure-startup', // never called: the worker only starts
      TWELVELABS_BASE_URL: 'http://127.0.0.1:9/v1.3',
      TL_ALLOWED_ROOTS: REPO_ROOT,
      TL_LOG_LEVEL: 'WARN',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const untrack = trackChild(() => child.pid);
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the worker (${way}) exited: ${output}`);
      if (performance.now() - started > 120_000) throw new Error(`the worker (${way}) did not poll within 120 s: ${output}`);
      const { pollers } = await temporalClient.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: taskQueue },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      if ((pollers?.length ?? 0) > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const ms = performance.now() - started;
    return { ms, peakRss: readMemoryStatus(child.pid!).peakRssBytes };
  } finally {
    child.kill('SIGKILL');
    untrack();
  }
}

/** Every run's figures of one way: milliseconds and bytes. */
interface Figures {
  cli: number[];
  importMs: number[];
  importRss: number[];
  workerMs: number[];
  workerRss: number[];
}
const emptyFigures = (): Figures => ({ cli: [], importMs: [], importRss: [], workerMs: [], workerRss: [] });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  killChildrenOnSignal();
  const runsFlag = process.argv.indexOf('--runs');
  const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 3;
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a positive integer');
  // The "after" column runs dist/: make sure it is current.
  const build = spawnSync('bash', ['scripts/build.sh'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('scripts/build.sh failed');

  const server = await DevServer.start({ ui: false });
  const connection = await Connection.connect({ address: server.address });
  const temporalClient = new Client({ connection });
  const figures: Record<Way, Figures> = { before: emptyFigures(), after: emptyFigures() };
  try {
    for (let run = 0; run < runs; run++) {
      // Alternate which goes first, so neither always meets a warm page cache.
      const order: Way[] = run % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
      for (const way of order) {
        const f = figures[way];
        f.cli.push(runCli(way));
        const imported = importRoot(way);
        f.importMs.push(imported.ms);
        f.importRss.push(imported.rss);
        const worker = await startWorker(way, temporalClient, server.address);
        f.workerMs.push(worker.ms);
        f.workerRss.push(worker.peakRss);
        process.stderr.write(`run ${run + 1}/${runs} ${way}: ${lastRun(f)}\n`);
      }
    }
  } finally {
    await connection.close().catch(() => undefined);
    await server.stop();
  }

  const row = (name: string, unit: string, pick: (w: Way) => number[], scale: number, digits = 0) => {
    const b = median(pick('before')) / scale;
    const a = median(pick('after')) / scale;
    return `| ${name} | ${b.toFixed(digits)} ${unit} | ${a.toFixed(digits)} ${unit} | ${(b / a).toFixed(1)}x |`;
  };
  console.log(`\nmedians of ${runs} run(s) each, node ${process.version}, ${process.platform}/${process.arch}`);
  console.log('| what | before (tsx, bundle at start) | after (dist/, prebuilt bundle) | before / after |');
  console.log('|---|---|---|---|');
  console.log(row('`tl-upload --help`', 'ms', (w) => figures[w].cli, 1));
  console.log(row('import the package root: time', 'ms', (w) => figures[w].importMs, 1));
  console.log(row('import the package root: RSS', 'MiB', (w) => figures[w].importRss, MiB));
  console.log(row('worker start to first poll', 'ms', (w) => figures[w].workerMs, 1));
  console.log(row('worker peak RSS (VmHWM)', 'MiB', (w) => figures[w].workerRss, MiB));
}

function lastRun(f: Figures): string {
  return `cli ${f.cli.at(-1)!.toFixed(0)} ms, import ${f.importMs.at(-1)!.toFixed(0)} ms, worker ${f.workerMs.at(-1)!.toFixed(0)} ms ${(f.workerRss.at(-1)! / MiB).toFixed(0)} MiB`;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
