// The upload worker: `npm run worker` runs it, configured from the environment (see config.ts);
// `createUploadWorkers` embeds the same workers in tests or in an existing service.
// Shuts down gracefully on SIGINT and SIGTERM (Temporal's runtime handles both): running chunk
// activities are cancelled, their URLs are never reused, and the uploads continue elsewhere.

import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerDeploymentOptions, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities } from './activities';
import type { ChunkDigestCheck } from './domain/chunk-digest-check';
import { allowedRootsConfig, ConfigError, observabilityConfig, temporalConfig, twelveLabsConfig, workerTuning } from './config';
import { dataConverterFromEnv, describeEncryption } from './security/data-converter';
import { uploadMetricSinks } from './observability/upload-outcome-sink';
import { AllowedRoots } from './security/file-roots';
import { uploadActivityInterceptor } from './observability/activity-interceptor';
import { installRuntime } from './observability/runtime';
import { TwelveLabsClient } from './twelvelabs/client';
import { bundleWorkflowsInChildProcess, prebuiltWorkflowBundle, WORKFLOWS_PATH } from './workflow-bundle';

// What a service that embeds the workers needs, from one subpath ('twelvelabs-temporal-uploads/worker').
export { WORKFLOWS_PATH, latin1Only, prebuiltWorkflowBundle, bundleWorkflowsInChildProcess } from './workflow-bundle';
export { createActivities, type ActivityDeps } from './activities';
export { AllowedRoots } from './security/file-roots';
export { uploadMetricSinks } from './observability/upload-outcome-sink';
export { TwelveLabsClient, type TwelveLabsClientOptions } from './twelvelabs/client';
export { dataConverterFromEnv, encryptingDataConverter } from './security/data-converter';
export { temporalConfig, twelveLabsConfig, workerTuning, allowedRootsConfig, ConfigError } from './config';

export interface UploadWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  client: TwelveLabsClient;
  /**
   * The workflow code; default: the build's prebuilt bundle for this data converter's failure
   * converter (dist/workflow-bundles), else bundle the workflows at start in this process.
   */
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
  /**
   * Worker deployment versioning (README, "Upgrading while uploads run"): with
   * `{ version: { deploymentName, buildId }, useWorkerVersioning: true, defaultVersioningBehavior: 'PINNED' }`
   * every upload stays on the build it started on, while the deployment's current version takes
   * the new ones. Default: unversioned.
   */
  workerDeployment?: WorkerDeploymentOptions;
}

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
    // Counts each upload's end once, whatever happens to the workflow task that ends it.
    sinks: uploadMetricSinks(),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities ?? 64,
    // No throttle: a lane heartbeats once per finished chunk (the ETag a retry resumes after,
    // which a throttle would hold back and lose with the process) and every 2 s inside a PUT.
    // Core still sends one heartbeat RPC at a time per activity, the latest details next.
    maxHeartbeatThrottleInterval: 0,
    shutdownGraceTime: options.shutdownGraceTime ?? '10 seconds',
    dataConverter: options.dataConverter,
    ...(options.workerDeployment ? { workerDeploymentOptions: options.workerDeployment } : {}),
  };
  const workers = [
    await Worker.create({
      ...common,
      taskQueue: options.taskQueue,
      ...workflowCode(options),
    }),
  ];
  if (options.hostTaskQueue) workers.push(await Worker.create({ ...common, taskQueue: options.hostTaskQueue }));
  return workers;
}

function workflowCode(options: UploadWorkerOptions): { workflowBundle: WorkflowBundleOption } | { workflowsPath: string } {
  if (options.workflowBundle) return { workflowBundle: options.workflowBundle };
  const prebuilt = prebuiltWorkflowBundle(options.dataConverter?.failureConverterPath);
  return 'codePath' in prebuilt ? { workflowBundle: prebuilt } : { workflowsPath: WORKFLOWS_PATH };
}

/**
 * The workflow code for `main()`: the prebuilt bundle when one fits, else bundled in a child
 * process (never in the worker itself, whose memory would keep webpack's heap).
 */
async function workflowBundleForMain(failureConverterPath: string | undefined): Promise<{ bundle: WorkflowBundleOption; source: string }> {
  const prebuilt = prebuiltWorkflowBundle(failureConverterPath);
  if ('codePath' in prebuilt) return { bundle: prebuilt, source: `prebuilt (${prebuilt.codePath})` };
  return { bundle: await bundleWorkflowsInChildProcess(failureConverterPath), source: `bundled at start: ${prebuilt.reason}` };
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
  const workflowBundle = workflowBundleForMain(dataConverter?.failureConverterPath);
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
    workflowBundle: (await workflowBundle).bundle,
    ...(tuning.workerDeployment
      ? { workerDeployment: { version: tuning.workerDeployment, useWorkerVersioning: true, defaultVersioningBehavior: 'PINNED' as const } }
      : {}),
  });
  // Before "worker ready", which is what scripts and tests wait for.
  console.log(`workflow code: ${(await workflowBundle).source}`);
  // The key and the URLs are never printed: only where we connect and what we poll.
  console.log(
    `worker ready: temporal=${temporal.address} namespace=${temporal.namespace} ` +
      `task queues=${workers.map((w) => w.options.taskQueue).join(',')} twelvelabs=${twelvelabs.baseUrl} ` +
      `allowed roots=${allowedRoots.join(':')} payload encryption=${describeEncryption()}` +
      (tuning.workerDeployment ? ` deployment=${tuning.workerDeployment.deploymentName} build=${tuning.workerDeployment.buildId}` : ''),
  );
  if (observability.metricsBindAddress) console.log(`metrics: http://${observability.metricsBindAddress}/metrics`);
  try {
    await Promise.all(workers.map((w) => w.run()));
  } finally {
    await connection.close();
  }
  console.log('worker stopped');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof ConfigError ? `configuration error: ${err.message}` : err);
    process.exit(err instanceof ConfigError ? 2 : 1);
  });
}
