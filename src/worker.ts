// The upload worker: `npm run worker` runs it, configured from the environment (see config.ts);
// `createUploadWorkers` embeds the same workers in tests or in an existing service.
// Shuts down gracefully on SIGINT and SIGTERM (Temporal's runtime handles both): running chunk
// activities are cancelled, their URLs are never reused, and the uploads continue elsewhere.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities } from './activities';
import type { ChunkDigestCheck } from './activities/chunk-upload';
import { allowedRootsConfig, ConfigError, observabilityConfig, temporalConfig, twelveLabsConfig, workerTuning } from './config';
import { dataConverterFromEnv, describeEncryption } from './security/data-converter';
import { AllowedRoots } from './security/file-roots';
import { uploadActivityInterceptor } from './observability/activity-interceptor';
import { installRuntime } from './observability/runtime';
import { TwelveLabsClient } from './twelvelabs/client';

export interface UploadWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  client: TwelveLabsClient;
  /** A pre-built bundle (tests build it once); default: bundle src/workflows at start. */
  workflowBundle?: WorkflowBundleOption;
  maxConcurrentActivities?: number;
  /** Also run the activities on this host's queue (see MultipartUploadInput.fileTaskQueue). */
  hostTaskQueue?: string;
  /** How long running activities get to finish on shutdown before they are cancelled. */
  shutdownGraceTime?: string | number;
  /** Directories (absolute) the activities may read source files from; nothing else is opened. */
  allowedRoots: readonly string[];
  /** When chunk PUTs verify the store's ETag against a local MD5; default 'always'. */
  chunkDigestCheck?: ChunkDigestCheck;
  /**
   * Payload encryption (security/data-converter.ts); default: none. A pre-built workflowBundle
   * must then be bundled with the same failureConverterPath.
   */
  dataConverter?: DataConverter;
}

export const WORKFLOWS_PATH = path.resolve(__dirname, 'workflows');

export async function createUploadWorkers(options: UploadWorkerOptions): Promise<Worker[]> {
  const allowedRoots = await AllowedRoots.resolve(options.allowedRoots);
  // Activities read an earlier run's child workflow after a Reset: a client on the worker's own connection.
  const temporal = new Client({ connection: options.connection, namespace: options.namespace ?? 'default', ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}) });
  const activities = createActivities({ client: options.client, allowedRoots, chunkDigestCheck: options.chunkDigestCheck, temporal });
  const common = {
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    activities,
    // Log attributes (uploadId, chunkIndex) and chunk metrics for every activity.
    interceptors: { activity: [uploadActivityInterceptor] },
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities ?? 64,
    // Heartbeats carry cancellation back to a running PUT: keep them frequent so a cancel
    // stops the bytes within about a second.
    maxHeartbeatThrottleInterval: '1 second',
    shutdownGraceTime: options.shutdownGraceTime ?? '10 seconds',
    dataConverter: options.dataConverter,
  };
  const workers = [
    await Worker.create({
      ...common,
      taskQueue: options.taskQueue,
      ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    }),
  ];
  if (options.hostTaskQueue) workers.push(await Worker.create({ ...common, taskQueue: options.hostTaskQueue }));
  return workers;
}

/** argv flag of the short-lived child process that bundles the workflow code. */
const PRINT_WORKFLOW_BUNDLE = '--print-workflow-bundle';

/**
 * Bundles the workflow code in a short-lived child process (this module, same node flags) and
 * returns it. Webpack needs over 100 MB while it bundles and V8 keeps most of that heap: bundled
 * in the worker itself, it would stay in the worker's resident memory for its whole life
 * (docs/BENCHMARKS.md). The code comes back over a pipe, so nothing is written to disk.
 */
export async function bundleWorkflowsInChildProcess(failureConverterPath?: string): Promise<WorkflowBundleOption> {
  // Profilers and inspectors are meant for the worker, not for its bundler.
  const nodeArgs = process.execArgv.filter((arg) => !/^--(cpu-prof|heap-prof|inspect)/.test(arg));
  const child = spawn(process.execPath, [...nodeArgs, __filename, PRINT_WORKFLOW_BUNDLE, ...(failureConverterPath ? [failureConverterPath] : [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const code: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => code.push(data));
  child.stderr.on('data', (data: Buffer) => (stderr = (stderr + data.toString()).slice(-4000)));
  const [exitCode] = (await once(child, 'close')) as [number | null];
  if (exitCode !== 0 || code.length === 0) throw new Error(`bundling the workflow code failed (exit ${exitCode}): ${stderr.trim()}`);
  return { code: Buffer.concat(code).toString('utf8') };
}

async function printWorkflowBundle(failureConverterPath: string | undefined): Promise<void> {
  const warnings = (message: string) => process.stderr.write(`${message}\n`);
  const quiet = () => undefined;
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    failureConverterPath,
    logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: warnings, error: warnings },
  });
  await new Promise<void>((resolve, reject) => process.stdout.write(latin1Only(code), (err) => (err ? reject(err) : resolve())));
}

/**
 * `code` with every character above U+00FF written as a `\uXXXX` escape. V8 stores a string that
 * holds even one such character at two bytes per character, and the worker keeps the bundle
 * (2 MB with its source map) several times over (its own copy, the SDK's, the workflow thread's).
 * The only such characters are dashes and arrows in comments and template literals, where the
 * escape means the same (it would not in a String.raw template; the bundle has none).
 */
export function latin1Only(code: string): string {
  return code.replace(/[\u0100-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

async function main(): Promise<void> {
  const temporal = temporalConfig();
  const twelvelabs = twelveLabsConfig();
  const tuning = workerTuning(process.env, temporal.taskQueue);
  const observability = observabilityConfig();
  // Before the first connection, which would install a default Runtime without our logger or metrics.
  installRuntime({ ...observability, secrets: [twelvelabs.apiKey] });
  const allowedRoots = allowedRootsConfig();
  const dataConverter = dataConverterFromEnv();
  const workflowBundle = bundleWorkflowsInChildProcess(dataConverter?.failureConverterPath);
  workflowBundle.catch(() => undefined); // awaited below; a connect failure must not leave it unhandled
  const connection = await NativeConnection.connect(temporal.connectionOptions);
  const client = new TwelveLabsClient({ baseUrl: twelvelabs.baseUrl, apiKey: twelvelabs.apiKey });
  const workers = await createUploadWorkers({
    connection,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    client,
    maxConcurrentActivities: tuning.maxConcurrentActivities,
    hostTaskQueue: tuning.hostTaskQueue,
    chunkDigestCheck: tuning.chunkDigestCheck,
    allowedRoots,
    dataConverter,
    workflowBundle: await workflowBundle,
  });
  // The key and the URLs are never printed: only where we connect and what we poll.
  console.log(
    `worker ready: temporal=${temporal.address} namespace=${temporal.namespace} ` +
      `task queues=${workers.map((w) => w.options.taskQueue).join(',')} twelvelabs=${twelvelabs.baseUrl} ` +
      `allowed roots=${allowedRoots.join(':')} payload encryption=${describeEncryption()}`,
  );
  if (observability.metricsBindAddress) console.log(`metrics: http://${observability.metricsBindAddress}/metrics`);
  try {
    await Promise.all(workers.map((w) => w.run()));
  } finally {
    await connection.close();
  }
  console.log('worker stopped');
}

if (require.main === module && process.argv[2] === PRINT_WORKFLOW_BUNDLE) {
  printWorkflowBundle(process.argv[3]).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof ConfigError ? `configuration error: ${err.message}` : err);
    process.exit(err instanceof ConfigError ? 2 : 1);
  });
}
