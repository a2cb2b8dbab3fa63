// Configuration from the environment, in one place: the worker, the client library and the CLI
// all read it here. Temporal connection settings go through Temporal's own envconfig package
// (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE and
// the TOML config file); TwelveLabs settings are ours.

import { loadClientConnectConfig } from '@temporalio/envconfig';
import os from 'node:os';
import type { ChunkDigestCheck } from './domain/chunk-digest-check';

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
  /** When chunk PUTs check the store's ETag against a local MD5: TL_CHUNK_DIGEST_CHECK (always (default), auto, never). */
  chunkDigestCheck: ChunkDigestCheck;
  /**
   * Worker deployment versioning (README, "Upgrading while uploads run"): TL_WORKER_DEPLOYMENT and
   * TL_WORKER_BUILD_ID, both or neither; uploads stay PINNED to the build they started on.
   */
  workerDeployment: { deploymentName: string; buildId: string } | undefined;
}

export function workerTuning(env: NodeJS.ProcessEnv = process.env, taskQueue = DEFAULT_TASK_QUEUE): WorkerTuning {
  const raw = env.TL_MAX_CONCURRENT_ACTIVITIES;
  const maxConcurrentActivities = raw === undefined || raw === '' ? 64 : Number(raw);
  if (!Number.isInteger(maxConcurrentActivities) || maxConcurrentActivities < 1) {
    throw new ConfigError(`TL_MAX_CONCURRENT_ACTIVITIES=${raw} must be a positive integer`);
  }
  const host = env.TL_HOST_TASK_QUEUE;
  const digest = env.TL_CHUNK_DIGEST_CHECK?.trim() || 'always';
  if (digest !== 'auto' && digest !== 'always' && digest !== 'never') {
    throw new ConfigError(`TL_CHUNK_DIGEST_CHECK=${digest} must be auto, always or never`);
  }
  const deploymentName = env.TL_WORKER_DEPLOYMENT?.trim() || undefined;
  const buildId = env.TL_WORKER_BUILD_ID?.trim() || undefined;
  if ((deploymentName === undefined) !== (buildId === undefined)) {
    throw new ConfigError('TL_WORKER_DEPLOYMENT and TL_WORKER_BUILD_ID go together: set both (worker versioning) or neither');
  }
  return {
    maxConcurrentActivities,
    hostTaskQueue: host === 'off' ? undefined : host || hostTaskQueue(taskQueue),
    chunkDigestCheck: digest,
    workerDeployment: deploymentName && buildId ? { deploymentName, buildId } : undefined,
  };
}

/** The task queue of this host: where uploads of files on this host's disk can be pinned. */
export function hostTaskQueue(taskQueue: string, hostname = os.hostname()): string {
  return `${taskQueue}@${hostname}`;
}

export type LogLevelName = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
const LOG_LEVEL_NAMES: readonly LogLevelName[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

export interface ObservabilityConfig {
  /** TL_METRICS_BIND: host:port of the Prometheus endpoint (`GET /metrics`); unset: no metrics. */
  metricsBindAddress: string | undefined;
  /** TL_LOG_LEVEL: TRACE, DEBUG, INFO (default), WARN or ERROR. */
  logLevel: LogLevelName;
  /** TL_LOG_FORMAT: json (default, one object per line) or text. */
  logFormat: 'json' | 'text';
}

export function observabilityConfig(env: NodeJS.ProcessEnv = process.env): ObservabilityConfig {
  const bind = env.TL_METRICS_BIND?.trim() || undefined;
  if (bind !== undefined && !/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(bind)) {
    throw new ConfigError(`TL_METRICS_BIND=${bind} must be host:port, e.g. 0.0.0.0:9464`);
  }
  const level = (env.TL_LOG_LEVEL?.trim() || 'INFO').toUpperCase();
  if (!LOG_LEVEL_NAMES.includes(level as LogLevelName)) {
    throw new ConfigError(`TL_LOG_LEVEL=${env.TL_LOG_LEVEL} must be one of ${LOG_LEVEL_NAMES.join(', ')}`);
  }
  const format = env.TL_LOG_FORMAT?.trim() || 'json';
  if (format !== 'json' && format !== 'text') throw new ConfigError(`TL_LOG_FORMAT=${format} must be json or text`);
  return { metricsBindAddress: bind, logLevel: level as LogLevelName, logFormat: format };
}

/**
 * Every environment variable the processes configured here read: ours by name, and the
 * TEMPORAL_* ones @temporalio/envconfig reads (plus TEMPORAL_GRPC_META_<header>). Deployment
 * files are checked against this list (test/ops/compose.test.ts), so keep it complete.
 */
export const CONFIG_ENV_VARS: readonly string[] = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_API_KEY',
  'TEMPORAL_PROFILE',
  'TEMPORAL_CONFIG_FILE',
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_CERT_DATA',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_DATA',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_DATA',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
  'TEMPORAL_CODEC_ENDPOINT',
  'TEMPORAL_CODEC_AUTH',
  'TL_TASK_QUEUE',
  'TL_HOST_TASK_QUEUE',
  'TL_MAX_CONCURRENT_ACTIVITIES',
  'TL_CHUNK_DIGEST_CHECK',
  'TL_WORKER_DEPLOYMENT',
  'TL_WORKER_BUILD_ID',
  'TWELVELABS_API_KEY',
  'TWELVELABS_BASE_URL',
  'TL_METRICS_BIND',
  'TL_LOG_LEVEL',
  'TL_LOG_FORMAT',
  'TL_CODEC_KEYS',
  'TL_CODEC_KEY_ID',
  'TL_ALLOWED_ROOTS',
  'TL_CODEC_SERVER_TOKEN',
  'TL_CODEC_ALLOWED_ORIGINS',
  'TL_WEB_UI_URL',
  'TEMPORAL_UI_URL',
  'TL_SEARCH_ATTRIBUTES',
];
export const CONFIG_ENV_PREFIXES: readonly string[] = ['TEMPORAL_GRPC_META_'];

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

// ---- Security: payload encryption, file-access roots, codec server (see README "Security") ----

export const CODEC_KEY_BYTES = 32; // AES-256
const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;

export interface PayloadEncryptionConfig {
  /** New payloads are encrypted with this key; every other key only decrypts (rotation). */
  encryptKeyId: string;
  keys: ReadonlyMap<string, Buffer>;
}

/**
 * TL_CODEC_KEYS (`keyId:base64key,...`, 32-byte keys) and TL_CODEC_KEY_ID (the key to encrypt
 * with; may be omitted when there is one key). Unset TL_CODEC_KEYS: encryption is off (undefined).
 * Messages name key ids and positions, never key material.
 */
export function payloadEncryptionConfig(env: NodeJS.ProcessEnv = process.env): PayloadEncryptionConfig | undefined {
  const spec = env.TL_CODEC_KEYS?.trim();
  const chosen = env.TL_CODEC_KEY_ID?.trim();
  if (!spec) {
    if (chosen) throw new ConfigError(`TL_CODEC_KEY_ID=${chosen} is set but TL_CODEC_KEYS is empty: give the keys as keyId:base64key,...`);
    return undefined;
  }
  const keys = new Map<string, Buffer>();
  spec.split(',').forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const keyId = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    const where = `TL_CODEC_KEYS entry ${index + 1}`;
    if (colon < 0 || !KEY_ID_PATTERN.test(keyId)) {
      throw new ConfigError(`${where} must be keyId:base64key with a key id of 1-64 letters, digits, '.', '_' or '-'`);
    }
    if (keys.has(keyId)) throw new ConfigError(`${where}: key id ${keyId} appears twice`);
    const key = BASE64_PATTERN.test(encoded) ? Buffer.from(encoded, 'base64') : undefined;
    if (!key || key.length !== CODEC_KEY_BYTES) {
      throw new ConfigError(`${where} (key id ${keyId}): the key must be ${CODEC_KEY_BYTES} bytes in base64 (make one with \`openssl rand -base64 32\`)`);
    }
    keys.set(keyId, key);
  });
  if (!chosen && keys.size > 1) {
    throw new ConfigError(`TL_CODEC_KEYS holds ${keys.size} keys: set TL_CODEC_KEY_ID to the one new payloads are encrypted with`);
  }
  const encryptKeyId = chosen || [...keys.keys()][0]!;
  if (!keys.has(encryptKeyId)) {
    throw new ConfigError(`TL_CODEC_KEY_ID=${encryptKeyId} is not one of the key ids in TL_CODEC_KEYS (${[...keys.keys()].join(', ')})`);
  }
  return { encryptKeyId, keys };
}

/**
 * TL_ALLOWED_ROOTS: the directories a worker may upload files from, `:`-separated like PATH.
 * Required: a worker reads whatever path a workflow names, so an unset list refuses to start
 * rather than silently opening the whole disk; `/` allows every file the worker's user can read.
 */
export function allowedRootsConfig(env: NodeJS.ProcessEnv = process.env): string[] {
  const roots = (env.TL_ALLOWED_ROOTS ?? '').split(':').map((r) => r.trim()).filter((r) => r !== '');
  if (roots.length === 0) {
    throw new ConfigError(
      'TL_ALLOWED_ROOTS is not set: set it to the directories this worker may upload files from ' +
        '(e.g. TL_ALLOWED_ROOTS=/srv/media:/mnt/ingest), or to / to allow every file the worker can read',
    );
  }
  for (const root of roots) {
    if (!root.startsWith('/')) throw new ConfigError(`TL_ALLOWED_ROOTS entry ${root} must be an absolute path`);
  }
  return roots;
}

export interface CodecServerConfig {
  /** Callers present it as `Authorization: Bearer <token>` or as the path segment before /decode. */
  token: string;
  /** Browser origins (e.g. the Web UI's) allowed to call; requests without Origin are not browsers. */
  allowedOrigins: string[];
}

const TOKEN_PATTERN = /^[A-Za-z0-9._~-]{16,}$/;

/** TL_CODEC_SERVER_TOKEN (required, 16+ URL-safe characters) and TL_CODEC_ALLOWED_ORIGINS (comma-separated). */
export function codecServerConfig(env: NodeJS.ProcessEnv = process.env): CodecServerConfig {
  const token = env.TL_CODEC_SERVER_TOKEN ?? '';
  if (!TOKEN_PATTERN.test(token)) {
    throw new ConfigError(
      'TL_CODEC_SERVER_TOKEN must be set to at least 16 URL-safe characters (A-Z a-z 0-9 . _ ~ -), e.g. `openssl rand -hex 32`: ' +
        'the codec server decrypts only for callers that present it',
    );
  }
  const allowedOrigins = (env.TL_CODEC_ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter((o) => o !== '');
  for (const origin of allowedOrigins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.origin !== origin) {
      throw new ConfigError(`TL_CODEC_ALLOWED_ORIGINS entry ${origin} must be an origin like http://127.0.0.1:8233 (scheme, host and port; no path)`);
    }
  }
  return { token, allowedOrigins };
}

// ---- Client library and CLI ----

export interface UploadClientConfig {
  /**
   * Base URL of the Temporal Web UI for links (TEMPORAL_UI_URL, or TL_WEB_UI_URL); guessed for
   * the dev server (its UI on 8233) and Temporal Cloud. docker compose serves it on 8080: say so.
   */
  webUiUrl: string | undefined;
  /**
   * Start uploads with the TlFileName/TlFileSize/TlPhase search attributes (TL_SEARCH_ATTRIBUTES,
   * default on). Turn off on a namespace where they are not registered.
   */
  searchAttributes: boolean;
}

export function uploadClientConfig(env: NodeJS.ProcessEnv = process.env, temporal = temporalConfig(env)): UploadClientConfig {
  const flag = (env.TL_SEARCH_ATTRIBUTES ?? 'on').trim().toLowerCase();
  if (!['on', 'off', 'true', 'false', '1', '0'].includes(flag)) {
    throw new ConfigError(`TL_SEARCH_ATTRIBUTES=${env.TL_SEARCH_ATTRIBUTES} must be on or off`);
  }
  // TEMPORAL_UI_URL (the CLI's --ui-url) wins over the older TL_WEB_UI_URL.
  const uiVariable = env.TEMPORAL_UI_URL?.trim() ? 'TEMPORAL_UI_URL' : 'TL_WEB_UI_URL';
  let webUiUrl = env[uiVariable]?.trim().replace(/\/+$/, '') || undefined;
  if (webUiUrl !== undefined && !/^https?:\/\//.test(webUiUrl)) throw new ConfigError(`${uiVariable}=${webUiUrl} is not an http(s) URL`);
  if (webUiUrl === undefined) {
    const host = temporal.address.replace(/:\d+$/, '');
    if (temporal.address.endsWith('.tmprl.cloud:7233') || host.endsWith('.api.temporal.io')) webUiUrl = 'https://cloud.temporal.io';
    else if (['127.0.0.1', 'localhost', '[::1]'].includes(host) && temporal.address.endsWith(':7233')) webUiUrl = 'http://localhost:8233';
  }
  return { webUiUrl, searchAttributes: ['on', 'true', '1'].includes(flag) };
}
