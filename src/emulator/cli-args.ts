// Command-line flags of `npm run emulator`, parsed into EmulatorOptions with clear errors.

import { InvalidFaultSpec, parseFaultSpec } from './faults';
import type { EmulatorOptions } from './options';

export const USAGE = `Usage: npm run emulator -- --port <n> --api-key <key> [options]

Runs a local emulator of the TwelveLabs v1.3 upload API (multipart uploads, presigned chunk
store, assets) and prints its base URL, e.g. http://127.0.0.1:9100/v1.3, on a line of its own.

  --port <n>                  TCP port, 0 for any free one (default 0)
  --host <address>            interface to listen on (default 127.0.0.1)
  --public-origin <url>       origin of the URLs handed out, e.g. http://emulator:9100 (default http://<host>:<port>)
  --api-key <key>             a valid x-api-key; repeat for several (default: $TWELVELABS_API_KEY)
  --chunk-size <bytes>        fixed chunk size (default: max(5 MiB, size/10000) rounded up to a MiB)
  --initial-urls <n|all>      presigned URLs in the create-session response (default 10)
  --url-ttl <seconds>         presigned URL lifetime (default 3600)
  --session-ttl <seconds>     upload session lifetime (default 86400)
  --data-dir <dir>            where chunks and assets are stored (default: a temp dir, removed on exit)
  --faults <spec>             fault injection, e.g. put_500=0.05,put_reset=0.02,api_429=0.1,retry_after_s=1
  --seed <n>                  seed of the fault-injection PRNG (default 1)
  --asset-ready-delay-ms <n>  delay before an uploaded asset becomes ready (default 1000)
  --wan-latency-ms <n>        WAN: added to every chunk PUT before its answer, e.g. 60 (default 0)
  --wan-mb-per-s <x>          WAN: bandwidth of each connection for PUT bodies, 10^6 bytes/s, e.g. 20 (default 0 = unlimited)
  --help                      show this text

Admin endpoints (no key): GET /_emulator/counters, POST /_emulator/clock/advance {"ms": n},
PUT /_emulator/faults {...}, GET /_emulator/objects/<asset_id>, GET /_emulator/sessions/<upload_id>.`;

/** A flag the emulator cannot start with; main prints the message and exits with code 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

export type CliCommand = { help: true } | { help: false; options: EmulatorOptions };

const VALUE_FLAGS = new Set([
  'port',
  'host',
  'public-origin',
  'api-key',
  'chunk-size',
  'initial-urls',
  'url-ttl',
  'session-ttl',
  'data-dir',
  'faults',
  'seed',
  'asset-ready-delay-ms',
  'wan-latency-ms',
  'wan-mb-per-s',
]);

export function parseCliArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CliCommand {
  const values = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return { help: true };
    if (!arg.startsWith('--')) throw new CliUsageError(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!VALUE_FLAGS.has(name)) throw new CliUsageError(`unknown flag --${name}`);
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new CliUsageError(`--${name} needs a value`);
      i++;
    }
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  const single = (name: string): string | undefined => {
    const given = values.get(name);
    if (given && given.length > 1) throw new CliUsageError(`--${name} was given more than once`);
    return given?.[0];
  };

  const options: EmulatorOptions = {};
  const port = single('port');
  if (port !== undefined) options.port = integer('port', port, 0, 65_535);
  const host = single('host');
  if (host !== undefined) options.host = host;
  const publicOrigin = single('public-origin');
  if (publicOrigin !== undefined) options.publicOrigin = publicOrigin;
  const chunkSize = single('chunk-size');
  if (chunkSize !== undefined) options.chunkSizeBytes = integer('chunk-size', chunkSize, 1);
  const initialUrls = single('initial-urls');
  if (initialUrls !== undefined) options.initialUrls = initialUrls === 'all' ? 'all' : integer('initial-urls', initialUrls, 0);
  const urlTtl = single('url-ttl');
  if (urlTtl !== undefined) options.urlTtlSeconds = positiveNumber('url-ttl', urlTtl);
  const sessionTtl = single('session-ttl');
  if (sessionTtl !== undefined) options.sessionTtlSeconds = positiveNumber('session-ttl', sessionTtl);
  const dataDir = single('data-dir');
  if (dataDir !== undefined) options.dataDir = dataDir;
  const faults = single('faults');
  if (faults !== undefined) {
    try {
      options.faults = parseFaultSpec(faults);
    } catch (error) {
      if (error instanceof InvalidFaultSpec) throw new CliUsageError(`--faults: ${error.message}`);
      throw error;
    }
  }
  const seed = single('seed');
  if (seed !== undefined) options.seed = integer('seed', seed, 0, 2 ** 32 - 1);
  const readyDelay = single('asset-ready-delay-ms');
  if (readyDelay !== undefined) options.assetReadyDelayMs = integer('asset-ready-delay-ms', readyDelay, 0);
  const wanLatency = single('wan-latency-ms');
  if (wanLatency !== undefined) options.wan = { ...options.wan, putLatencyMs: integer('wan-latency-ms', wanLatency, 0, 60_000) };
  const wanRate = single('wan-mb-per-s');
  if (wanRate !== undefined) options.wan = { ...options.wan, connectionBytesPerSecond: megabytesPerSecond('wan-mb-per-s', wanRate) };
  const apiKeys = values.get('api-key') ?? (env.TWELVELABS_API_KEY ? [env.TWELVELABS_API_KEY] : []);
  if (apiKeys.length === 0 || apiKeys.some((k) => k.length === 0)) {
    throw new CliUsageError('no API key: pass --api-key <key> or set TWELVELABS_API_KEY');
  }
  options.apiKeys = apiKeys;
  return { help: false, options };
}

function integer(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new CliUsageError(`--${flag} must be an integer from ${min} to ${max}, got '${text}'`);
  }
  return Number(text);
}

function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw new CliUsageError(`--${flag} must be a positive number of seconds, got '${text}'`);
  }
  return value;
}

/** MB/s (10^6 bytes per second, as the bench reports rates) to whole bytes per second; 0 = unlimited. */
function megabytesPerSecond(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new CliUsageError(`--${flag} must be a number of MB/s ≥ 0 (0 = unlimited), got '${text}'`);
  }
  return Math.round(value * 1e6);
}
