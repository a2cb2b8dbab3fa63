// Configuration from the environment, in one place: the worker, the client library and the CLI
// all read it here. Temporal connection settings go through Temporal's own envconfig package
// (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE and
// the TOML config file); TwelveLabs settings are ours.

import { loadClientConnectConfig } from '@temporalio/envconfig';
import os from 'node:os';

export const DEFAULT_TASK_QUEUE = 'twelvelabs-uploads';
export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_TWELVELABS_BASE_URL = 'https://api.twelvelabs.io/v1.3';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface TemporalConfig {
  connectionOptions: ReturnType<typeof loadClientConnectConfig>['connectionOptions'];
  address: string;
  namespace: string;
  taskQueue: string;
}

/** Temporal connection, namespace and task queue (TL_TASK_QUEUE). */
export function temporalConfig(env: NodeJS.ProcessEnv = process.env): TemporalConfig {
  const loaded = loadClientConnectConfig({ overrideEnvVars: definedOnly(env) });
  const address = loaded.connectionOptions.address ?? DEFAULT_TEMPORAL_ADDRESS;
  return {
    connectionOptions: { ...loaded.connectionOptions, address },
    address,
    namespace: loaded.namespace ?? 'default',
    taskQueue: env.TL_TASK_QUEUE || DEFAULT_TASK_QUEUE,
  };
}

export interface TwelveLabsConfig {
  baseUrl: string;
  /** Only the worker needs it; never passed to workflows. */
  apiKey: string;
}

/** TWELVELABS_API_KEY (required) and TWELVELABS_BASE_URL (default: the production API). */
export function twelveLabsConfig(env: NodeJS.ProcessEnv = process.env): TwelveLabsConfig {
  const apiKey = env.TWELVELABS_API_KEY;
  if (!apiKey) throw new ConfigError('TWELVELABS_API_KEY is not set: the worker needs the TwelveLabs API key in its environment');
  const baseUrl = env.TWELVELABS_BASE_URL || DEFAULT_TWELVELABS_BASE_URL;
  try {
    const parsed = new URL(baseUrl);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new ConfigError(`TWELVELABS_BASE_URL=${baseUrl} is not an http(s) URL`);
  }
  return { baseUrl: baseUrl.replace(/\/+$/, ''), apiKey };
}

export interface WorkerTuning {
  /** Activities (mostly chunk PUTs) one worker runs at once: TL_MAX_CONCURRENT_ACTIVITIES. */
  maxConcurrentActivities: number;
  /** Also poll this host's own task queue (for files on this host's disk): TL_HOST_TASK_QUEUE. */
  hostTaskQueue: string | undefined;
}

export function workerTuning(env: NodeJS.ProcessEnv = process.env, taskQueue = DEFAULT_TASK_QUEUE): WorkerTuning {
  const raw = env.TL_MAX_CONCURRENT_ACTIVITIES;
  const maxConcurrentActivities = raw === undefined || raw === '' ? 64 : Number(raw);
  if (!Number.isInteger(maxConcurrentActivities) || maxConcurrentActivities < 1) {
    throw new ConfigError(`TL_MAX_CONCURRENT_ACTIVITIES=${raw} must be a positive integer`);
  }
  const host = env.TL_HOST_TASK_QUEUE;
  return {
    maxConcurrentActivities,
    hostTaskQueue: host === 'off' ? undefined : host || hostTaskQueue(taskQueue),
  };
}

/** The task queue of this host: where uploads of files on this host's disk can be pinned. */
export function hostTaskQueue(taskQueue: string, hostname = os.hostname()): string {
  return `${taskQueue}@${hostname}`;
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}
