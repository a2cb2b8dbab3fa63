// Every knob of the emulator in one options object, with its documented default. Section numbers
// refer to the contract (/work/shared/twelvelabs-api.md); each ✱ of its section 9 is a field here.

import {
  MAX_DIRECT_BYTES,
  MAX_IMAGE_BYTES,
  MAX_MULTIPART_BYTES,
  MAX_URL_BYTES,
  MIB,
  SESSION_TTL_MS,
  URL_TTL_MS,
} from '../twelvelabs/limits';
import { DEFAULT_FAULTS, type FaultKnobs, validateFaultKnobs } from './faults';
import type { EtagMode } from './etag-mode';
import { InvalidWanProfile, resolveWanProfile, type WanProfile } from './wan-profile';

/** Which chunks M2 lists in `uploaded_chunks` (9.15). */
export type ChunkListMode = 'all' | 'touched';

export interface EmulatorOptions {
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Interface to listen on. Default '127.0.0.1'. */
  host?: string;
  /**
   * Origin (`http://host:port`) of every URL handed out (base URL, presigned and asset URLs), for
   * clients that reach the emulator under another name, e.g. another container. Default
   * `http://<host>:<port>`, with a wildcard bind named by loopback.
   */
  publicOrigin?: string;
  /** Valid `x-api-key` values; each key is its own account. Default [DEFAULT_API_KEY]. */
  apiKeys?: string[];
  /** Valid keys without multipart preview access: 403 `api_not_allowed` on M1–M5 (9.12). Default []. */
  restrictedApiKeys?: string[];
  /**
   * Fixed chunk size for every session, or a function of `total_size`. Default: the 9.1 formula,
   * max(5 MiB, ceil(total_size / 10 000)) rounded up to a whole MiB.
   */
  chunkSizeBytes?: number | ((totalSizeBytes: number) => number);
  /** URLs in the M1 response (9.2): a count (0 allowed) or 'all'. Default 10. */
  initialUrls?: number | 'all';
  /** Presigned URL lifetime (2.3). Default 3600. */
  urlTtlSeconds?: number;
  /** Session lifetime (2.1). Default 86 400. */
  sessionTtlSeconds?: number;
  /** Where chunks and asset files live. Default: a fresh temp dir, removed by close(). */
  dataDir?: string;
  /** Fault-injection knobs at start (all off by default); see faults.ts. */
  faults?: Partial<FaultKnobs>;
  /** Seed of the fault PRNG, so a failing run can be replayed. Default 1. */
  seed?: number;
  /** Emulator-clock delay from upload completion to asset `ready` (9.18). Default 1000. */
  assetReadyDelayMs?: number;
  /** A presigned URL works once (9.10); false allows S3-like reuse. Default true. */
  singleUseUrls?: boolean;
  /** What a stored chunk's ETag is (etag-mode.ts): its MD5, or an MD5-shaped value that is not (SSE-KMS). Default 'md5'. */
  etagMode?: EtagMode;
  /** `upload_headers` of M1; each is enforced on the PUT (9.3). Default Content-Type octet-stream. */
  uploadHeaders?: Record<string, string>;
  /** A PUT body that sends nothing for this long gets 400 RequestTimeout (4.3). Default 20 000. */
  bodyIdleTimeoutMs?: number;
  /** Default 'all'. */
  chunkListMode?: ChunkListMode;
  /** Unknown request keys give 400 `parameter_unknown` instead of being ignored (9.22). Default false. */
  strictUnknownKeys?: boolean;
  /** Most entries in one M4 report (9.23). Default: the session's total_chunks. */
  maxReportEntries?: number;
  /** Hosts A1 `method=url` may fetch from (5.1). Default: loopback names only. */
  allowedUrlHosts?: string[];
  /** A1 direct video/audio/document limit (6). Default MAX_DIRECT_BYTES. */
  maxDirectBytes?: number;
  /** A1 direct/url image limit (6). Default MAX_IMAGE_BYTES. */
  maxImageBytes?: number;
  /** A1 url limit (6). Default MAX_URL_BYTES. */
  maxUrlBytes?: number;
  /** Largest M1 `total_size` (3.1). Default MAX_MULTIPART_BYTES. */
  maxMultipartBytes?: number;
  /** Latency per chunk PUT and bandwidth per connection (wan-profile.ts). Default: none. */
  wan?: Partial<WanProfile>;
}

export const DEFAULT_API_KEY = 'tlk_emulator_default_key';
export const DEFAULT_INITIAL_URLS = 10;
export const DEFAULT_ASSET_READY_DELAY_MS = 1000;
export const DEFAULT_BODY_IDLE_TIMEOUT_MS = 20_000;
export const DEFAULT_UPLOAD_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'application/octet-stream',
};
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', 'localhost', '::1', '[::1]'];

/** Options after defaults are applied and values checked; what the rest of the emulator reads. */
export interface ResolvedEmulatorOptions {
  port: number;
  host: string;
  publicOrigin: string | undefined;
  apiKeys: ReadonlySet<string>;
  restrictedApiKeys: ReadonlySet<string>;
  chunkSizeFor: (totalSizeBytes: number) => number;
  initialUrls: number | 'all';
  urlTtlMs: number;
  sessionTtlMs: number;
  dataDir: string | undefined;
  faults: FaultKnobs;
  seed: number;
  assetReadyDelayMs: number;
  singleUseUrls: boolean;
  etagMode: EtagMode;
  uploadHeaders: Readonly<Record<string, string>>;
  bodyIdleTimeoutMs: number;
  chunkListMode: ChunkListMode;
  strictUnknownKeys: boolean;
  maxReportEntries: number | undefined;
  allowedUrlHosts: ReadonlySet<string>;
  maxDirectBytes: number;
  maxImageBytes: number;
  maxUrlBytes: number;
  maxMultipartBytes: number;
  wan: WanProfile;
}

/** 9.1: max(5 MiB, ceil(size / 10 000)), rounded up to a whole MiB (S3: ≥ 5 MiB parts, ≤ 10 000 parts). */
export function defaultChunkSizeBytes(totalSizeBytes: number): number {
  const atLeast = Math.max(5 * MIB, Math.ceil(totalSizeBytes / 10_000));
  return Math.ceil(atLeast / MIB) * MIB;
}

/** Thrown for an options object the emulator cannot run with; the message names the field. */
export class InvalidEmulatorOptions extends Error {
  override readonly name = 'InvalidEmulatorOptions';
}

export function resolveOptions(options: EmulatorOptions = {}): ResolvedEmulatorOptions {
  const chunkSizeFor = resolveChunkSize(options.chunkSizeBytes);
  const initialUrls = options.initialUrls ?? DEFAULT_INITIAL_URLS;
  if (initialUrls !== 'all') requireInteger('initialUrls', initialUrls, 0);
  const apiKeys = options.apiKeys ?? [DEFAULT_API_KEY];
  const restricted = options.restrictedApiKeys ?? [];
  if (apiKeys.length + restricted.length === 0) {
    throw new InvalidEmulatorOptions('apiKeys: at least one API key is needed');
  }
  for (const key of [...apiKeys, ...restricted]) {
    if (typeof key !== 'string' || key.length === 0) {
      throw new InvalidEmulatorOptions('apiKeys: every key must be a non-empty string');
    }
  }
  const resolved: ResolvedEmulatorOptions = {
    port: requireInteger('port', options.port ?? 0, 0, 65_535),
    host: options.host ?? '127.0.0.1',
    publicOrigin: options.publicOrigin === undefined ? undefined : parseOrigin(options.publicOrigin),
    // A restricted key is still a valid key: it passes auth and fails only the preview endpoints.
    apiKeys: new Set([...apiKeys, ...restricted]),
    restrictedApiKeys: new Set(restricted),
    chunkSizeFor,
    initialUrls,
    urlTtlMs: secondsToMs('urlTtlSeconds', options.urlTtlSeconds, URL_TTL_MS),
    sessionTtlMs: secondsToMs('sessionTtlSeconds', options.sessionTtlSeconds, SESSION_TTL_MS),
    dataDir: options.dataDir,
    faults: validateFaultKnobs({ ...DEFAULT_FAULTS, ...options.faults }),
    seed: requireInteger('seed', options.seed ?? 1, 0, 2 ** 32 - 1),
    assetReadyDelayMs: requireInteger('assetReadyDelayMs', options.assetReadyDelayMs ?? DEFAULT_ASSET_READY_DELAY_MS, 0),
    singleUseUrls: options.singleUseUrls ?? true,
    etagMode: options.etagMode ?? 'md5',
    uploadHeaders: { ...(options.uploadHeaders ?? DEFAULT_UPLOAD_HEADERS) },
    bodyIdleTimeoutMs: requireInteger('bodyIdleTimeoutMs', options.bodyIdleTimeoutMs ?? DEFAULT_BODY_IDLE_TIMEOUT_MS, 1),
    chunkListMode: options.chunkListMode ?? 'all',
    strictUnknownKeys: options.strictUnknownKeys ?? false,
    maxReportEntries:
      options.maxReportEntries === undefined
        ? undefined
        : requireInteger('maxReportEntries', options.maxReportEntries, 1),
    allowedUrlHosts: new Set((options.allowedUrlHosts ?? LOOPBACK_HOSTS).map((h) => h.toLowerCase())),
    maxDirectBytes: requireInteger('maxDirectBytes', options.maxDirectBytes ?? MAX_DIRECT_BYTES, 1),
    maxImageBytes: requireInteger('maxImageBytes', options.maxImageBytes ?? MAX_IMAGE_BYTES, 1),
    maxUrlBytes: requireInteger('maxUrlBytes', options.maxUrlBytes ?? MAX_URL_BYTES, 1),
    maxMultipartBytes: requireInteger('maxMultipartBytes', options.maxMultipartBytes ?? MAX_MULTIPART_BYTES, 1),
    wan: resolveWan(options.wan),
  };
  if (resolved.chunkListMode !== 'all' && resolved.chunkListMode !== 'touched') {
    throw new InvalidEmulatorOptions(`chunkListMode: expected 'all' or 'touched', got ${String(resolved.chunkListMode)}`);
  }
  return resolved;
}

/** The M4 entry limit for a session: the knob, else the session's own chunk count (9.23). */
export function reportEntryLimit(options: ResolvedEmulatorOptions, totalChunks: number): number {
  return options.maxReportEntries ?? totalChunks;
}

function resolveChunkSize(value: EmulatorOptions['chunkSizeBytes']): (totalSizeBytes: number) => number {
  if (value === undefined) return defaultChunkSizeBytes;
  if (typeof value === 'function') return value;
  const fixed = requireInteger('chunkSizeBytes', value, 1);
  return () => fixed;
}

function resolveWan(partial: Partial<WanProfile> | undefined): WanProfile {
  try {
    return resolveWanProfile(partial);
  } catch (error) {
    if (error instanceof InvalidWanProfile) throw new InvalidEmulatorOptions(error.message);
    throw error;
  }
}

function secondsToMs(name: string, seconds: number | undefined, defaultMs: number): number {
  if (seconds === undefined) return defaultMs;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new InvalidEmulatorOptions(`${name}: expected a positive number of seconds, got ${String(seconds)}`);
  }
  return Math.round(seconds * 1000);
}

function requireInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidEmulatorOptions(`${name}: expected an integer in ${min}..${max}, got ${String(value)}`);
  }
  return value;
}

function parseOrigin(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidEmulatorOptions(`publicOrigin: '${text}' is not a URL`);
  }
  if (url.protocol !== 'http:' || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new InvalidEmulatorOptions(`publicOrigin: expected http://host:port with no path, got '${text}'`);
  }
  return url.origin;
}
