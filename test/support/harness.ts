// One place for what integration tests start: the real Temporal dev server, the TwelveLabs
// emulator over loopback, upload workers (in this process or as separate processes), and real
// files with known SHA-256.

import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { DevServer, type DevServerOptions } from '../../src/dev/dev-server';
import { historiesAcrossRuns } from '../../src/dev/history-runs';
import { spawnWorker as spawnWorkerProcess, type WorkerProcess } from '../../scripts/bench/worker-process';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator';
import { installRuntime } from '../../src/observability/runtime';
import { TwelveLabsClient } from '../../src/twelvelabs/client';
import { createUploadWorkers, WORKFLOWS_PATH } from '../../src/worker';

export const API_KEY = 'tlk_test_0123456789abcdef';

// Workers log at INFO by default; tests want only warnings and errors.
installRuntime({ logLevel: 'WARN', logFormat: 'text', secrets: [API_KEY] });

const bundles = new Map<string, ReturnType<typeof bundleWorkflowCode>>();
/**
 * The workflow bundle, built once per test process (and once more for a data converter with its
 * own failure converter, which lives inside the bundle).
 */
export function workflowBundle(failureConverterPath?: string): ReturnType<typeof bundleWorkflowCode> {
  const key = failureConverterPath ?? '';
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, failureConverterPath, logger: quietLogger });
    bundles.set(key, bundle);
  }
  return bundle;
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

export interface Stack {
  server: DevServer;
  emulator: RunningEmulator;
  temporal: Client;
  taskQueue: string;
  dir: string;
  /** A TwelveLabs client on the emulator, as the worker uses it. */
  api: TwelveLabsClient;
  /**
   * Starts an in-process worker on the stack's task queue; stopped by `stop()`. It may read files
   * under `allowedRoots` (default: the stack's temp dir) and uses the stack's data converter.
   */
  startWorker(options?: { hostTaskQueue?: string; allowedRoots?: string[]; twelveLabsBaseUrl?: string }): Promise<InProcessWorker>;
  /**
   * Starts the worker as a separate process exactly as `npm run worker` does (the compiled
   * dist/worker.js, which vitest's global setup builds), configured through its environment
   * (TL_ALLOWED_ROOTS defaults to the stack's temp dir).
   */
  spawnWorker(extraEnv?: Record<string, string>): Promise<WorkerProcess>;
  stop(): Promise<void>;
}

export type { WorkerProcess };

export interface InProcessWorker {
  stop(): Promise<void>;
}


export interface StackOptions {
  emulator?: Partial<EmulatorOptions>;
  server?: DevServerOptions;
  /** Used by `temporal` and by in-process workers, e.g. `dataConverterFromEnv(env)` for encryption. */
  dataConverter?: DataConverter;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-test-'));
  const [server, emulator] = await Promise.all([
    DevServer.start({ ui: false, ...options.server }),
    startEmulator({ apiKeys: [API_KEY], dataDir: path.join(dir, 'emulator'), ...options.emulator }),
  ]);
  const connection = await Connection.connect({ address: server.address });
  const temporal = new Client({ connection, dataConverter: options.dataConverter });
  const taskQueue = `uploads-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const api = new TwelveLabsClient({ baseUrl: emulator.baseUrl, apiKey: API_KEY });
  const workers: InProcessWorker[] = [];
  const processes: WorkerProcess[] = [];

  const stack: Stack = {
    server,
    emulator,
    temporal,
    taskQueue,
    dir,
    api,
    async startWorker(workerOptions = {}) {
      const nativeConnection = await NativeConnection.connect({ address: server.address });
      const created: Worker[] = await createUploadWorkers({
        connection: nativeConnection,
        taskQueue,
        client: new TwelveLabsClient({ baseUrl: workerOptions.twelveLabsBaseUrl ?? emulator.baseUrl, apiKey: API_KEY }),
        workflowBundle: await workflowBundle(options.dataConverter?.failureConverterPath),
        hostTaskQueue: workerOptions.hostTaskQueue,
        allowedRoots: workerOptions.allowedRoots ?? [dir],
        dataConverter: options.dataConverter,
        shutdownGraceTime: '1 second',
      });
      const running = Promise.all(created.map((w) => w.run()));
      const handle: InProcessWorker = {
        async stop() {
          for (const w of created) if (w.getState() === 'RUNNING') w.shutdown();
          await running.catch(() => undefined);
          await nativeConnection.close().catch(() => undefined);
        },
      };
      workers.push(handle);
      return handle;
    },
    async spawnWorker(extraEnv = {}) {
      // Launched exactly as `npm run worker` launches it (its node flags and environment).
      const handle = await spawnWorkerProcess({
        temporalAddress: server.address,
        taskQueue,
        apiKey: API_KEY,
        twelveLabsBaseUrl: emulator.baseUrl,
        allowedRoots: [dir],
        env: extraEnv,
        readyTimeoutMs: 90_000,
        outputLimitChars: Infinity, // the secret-leak tests read all of it
      });
      processes.push(handle);
      return handle;
    },
    async stop() {
      await Promise.all(processes.map((p) => p.kill('SIGKILL')));
      await Promise.all(workers.map((w) => w.stop()));
      await connection.close().catch(() => undefined);
      await Promise.all([server.stop(), emulator.close()]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Writes a file of pseudo-random bytes (incompressible, so MD5 and SHA work is real). */
export async function makeFile(dir: string, name: string, sizeBytes: number): Promise<{ path: string; sha256: string }> {
  const filePath = path.join(dir, name);
  const hash = createHash('sha256');
  const out = fs.createWriteStream(filePath);
  const block = randomBytes(Math.min(sizeBytes, 1024 * 1024));
  let written = 0;
  while (written < sizeBytes) {
    const n = Math.min(block.length, sizeBytes - written);
    // vary every block so chunks differ from each other
    block.writeUInt32LE(written >>> 0, 0);
    const piece = block.subarray(0, n);
    hash.update(piece);
    if (!out.write(piece)) await once(out, 'drain');
    written += n;
  }
  out.end();
  await once(out, 'finish');
  return { path: filePath, sha256: hash.digest('hex') };
}

/** Polls `check` until it returns a truthy value (tests wait for states, never for time). */
export async function waitFor<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** History events of a workflow summed over all its runs (following continue-as-new). */
export async function historyEventsAcrossRuns(temporal: Client, workflowId: string, firstRunId: string): Promise<number> {
  let total = 0;
  for await (const history of historiesAcrossRuns(temporal, workflowId, firstRunId)) total += history.events?.length ?? 0;
  return total;
}

/**
 * Replays every run of a finished workflow (following continue-as-new) on the current workflow
 * code, as a fresh worker would after a crash. Returns the number of runs; throws the replayer's
 * error (a DeterminismViolationError) if one does not replay.
 */
export async function replayAllRuns(temporal: Client, workflowId: string, firstRunId: string): Promise<number> {
  const bundle = await workflowBundle();
  let runs = 0;
  for await (const history of historiesAcrossRuns(temporal, workflowId, firstRunId)) {
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, workflowId);
    runs++;
  }
  return runs;
}
