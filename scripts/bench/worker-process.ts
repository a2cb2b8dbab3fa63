// An upload worker as a separate process (as `npm run worker` starts it: the compiled
// dist/worker.js, configured through its environment), for measuring it and for killing it.
// node itself, never a wrapper (npm, the tsx CLI) that forks a child: SIGKILL or /proc readings
// would hit the wrapper instead of the worker.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { trackChild } from './children';

const REPO_ROOT = path.resolve(__dirname, '../..');

/** `npm run worker` (package.json) in words: [VAR=value ...] node <flags> <entry>. */
function workerScript(): { words: string[]; node: number; entry: number } {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const script = pkg.scripts.worker ?? '';
  const words = script.split(/\s+/).filter((w) => w !== '');
  const node = words.indexOf('node');
  const entry = words.findIndex((w) => /(^|\/)worker\.(js|ts)$/.test(w));
  if (node < 0 || entry !== words.length - 1 || entry < node || words.slice(0, node).some((w) => !/^[A-Z_]+=/.test(w))) {
    throw new Error(`package.json "worker" is not of the form [VAR=value ...] node <flags> <dir>/worker.js: ${script}`);
  }
  return { words, node, entry };
}

/**
 * The node flags of `npm run worker` (package.json), so that what is measured and killed here is
 * the worker exactly as it is launched, e.g. ['--max-semi-space-size=2'].
 */
export function workerNodeArgs(): string[] {
  const { words, node, entry } = workerScript();
  return words.slice(node + 1, entry);
}

/** The entry module of `npm run worker`, absolute (dist/worker.js: the compiled worker). */
export function workerEntry(): string {
  const { words, entry } = workerScript();
  return path.join(REPO_ROOT, words[entry]!);
}

/** Environment assignments in front of `node` in the `worker` script (e.g. MALLOC_ARENA_MAX=2). */
export function workerScriptEnv(): Record<string, string> {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = (pkg.scripts.worker ?? '').split(/\s+/);
  const env: Record<string, string> = {};
  for (const word of words.slice(0, Math.max(0, words.indexOf('node')))) env[word.slice(0, word.indexOf('='))] = word.slice(word.indexOf('=') + 1);
  return env;
}

export interface WorkerProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  output(): string;
  /** Sends the signal and waits for the process to exit (at once if it already has). */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface WorkerProcessOptions {
  temporalAddress: string;
  taskQueue: string;
  apiKey: string;
  twelveLabsBaseUrl: string;
  /** Directories the worker may read source files from (TL_ALLOWED_ROOTS). */
  allowedRoots: string[];
  /** More environment (e.g. TMPDIR, TL_MAX_CONCURRENT_ACTIVITIES). */
  env?: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** Replaces the flags of `npm run worker` (for experiments). */
  launchArgs?: string[];
  readyTimeoutMs?: number;
  /** The worker's entry module; default that of `npm run worker` (dist/worker.js). */
  entry?: string;
  /** Also append everything the worker prints to this file. */
  outputFile?: string;
  /** How much of the latest output `output()` keeps; default 20,000 characters (tests keep all). */
  outputLimitChars?: number;
}

export async function spawnWorker(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [...(options.launchArgs ?? workerNodeArgs()), ...(options.nodeArgs ?? []), options.entry ?? workerEntry()], {
    cwd: REPO_ROOT,
    env: {
      ...workerScriptEnv(),
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: options.temporalAddress,
      TEMPORAL_NAMESPACE: 'default',
      TL_TASK_QUEUE: options.taskQueue,
      TL_HOST_TASK_QUEUE: 'off',
      TWELVELABS_API_KEY: options.apiKey,
      TWELVELABS_BASE_URL: options.twelveLabsBaseUrl,
      TL_ALLOWED_ROOTS: options.allowedRoots.join(':'),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const file = options.outputFile ? fs.createWriteStream(options.outputFile, { flags: 'a' }) : undefined;
  const keep = (d: Buffer) => {
    file?.write(d);
    output = (output + d.toString()).slice(-(options.outputLimitChars ?? 20_000));
  };
  const untrack = trackChild(() => child.pid);
  child.once('exit', () => {
    file?.end();
    untrack();
  });
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const handle: WorkerProcess = {
    pid: child.pid!,
    child,
    output: () => output,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
    },
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  while (!output.includes('worker ready')) {
    if (child.exitCode !== null) throw new Error(`the worker process exited (${child.exitCode}): ${output}`);
    if (Date.now() > deadline) {
      await handle.kill();
      throw new Error(`the worker process was not ready after ${options.readyTimeoutMs ?? 120_000} ms: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return handle;
}
