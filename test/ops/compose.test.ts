// docker-compose.yml and the Dockerfile, checked against what the code really reads: the worker's
// environment must be made of variables src/config.ts reads (CONFIG_ENV_VARS), must configure a
// worker that starts (the same config readers main() calls), and must point at the services and
// ports the file declares. No Docker engine runs here; Debian's docker-compose validates the file.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  allowedRootsConfig,
  CONFIG_ENV_PREFIXES,
  CONFIG_ENV_VARS,
  observabilityConfig,
  temporalConfig,
  twelveLabsConfig,
  workerTuning,
} from '../../src/config';
import { UPLOAD_SEARCH_ATTRIBUTES } from '../../src/dev/dev-server';

const REPO_ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  profiles?: string[];
  environment?: Record<string, string | number | boolean | null>;
  ports?: string[];
  volumes?: string[];
  depends_on?: string[] | Record<string, unknown>;
  network_mode?: string;
  command?: string[] | string;
}
const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service> };
const services = compose.services;

/** Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?error}` against `env`, as docker-compose does. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?:(:-|:\?)([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    if (env[name]) return env[name]!;
    if (op === ':?') throw new Error(`${name} is required: ${arg}`);
    return op === ':-' ? (arg ?? '') : '';
  });
}

function environmentOf(service: Service, env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), env)]));
}

/** Container ports published to the host, from "host_ip:host_port:container_port" entries. */
function publishedPorts(service: Service): number[] {
  return (service.ports ?? []).map((p) => Number(String(p).split(':').at(-1)));
}

const worker = services.worker!;

describe('docker-compose.yml', () => {
  it('declares PostgreSQL, the Temporal server, the Web UI and the worker, and the emulator only in its profile', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'worker', 'emulator']));
    for (const name of ['postgresql', 'temporal', 'temporal-ui', 'worker']) expect(services[name]!.profiles).toBeUndefined();
    expect(services.emulator!.profiles).toEqual(['emulator']);
    // The Web UI the browser tests drive (Temporal CLI 1.5.1's) is the one deployed.
    expect(services['temporal-ui']!.image).toBe('temporalio/ui:2.42.1');
    expect(worker.build).toBe('.');
  });

  it('sets on the worker only variables src/config.ts reads', () => {
    const unknown = Object.keys(worker.environment ?? {}).filter(
      (name) => !CONFIG_ENV_VARS.includes(name) && !CONFIG_ENV_PREFIXES.some((prefix) => name.startsWith(prefix)),
    );
    expect(unknown).toEqual([]);
    expect(Object.keys(services.emulator!.environment ?? {}).filter((n) => !CONFIG_ENV_VARS.includes(n))).toEqual([]);
  });

  it('configures a worker that starts, wired to the services and ports the file declares', () => {
    const env = environmentOf(worker, { TWELVELABS_API_KEY: 'tlk_compose_check' });
    // The readers worker.ts main() calls, on exactly this environment: none may refuse it.
    const temporal = temporalConfig(env);
    const twelvelabs = twelveLabsConfig(env);
    const tuning = workerTuning(env, temporal.taskQueue);
    const observability = observabilityConfig(env);
    const roots = allowedRootsConfig(env);

    const [temporalHost, temporalPort] = temporal.address.split(':');
    expect(services[temporalHost!]).toBeDefined();
    expect(publishedPorts(services[temporalHost!]!)).toContain(Number(temporalPort));
    expect(environmentOf(services['temporal-ui']!, {}).TEMPORAL_ADDRESS).toBe(temporal.address);
    expect(twelvelabs.baseUrl).toBe('https://api.twelvelabs.io/v1.3');
    expect(tuning.hostTaskQueue).toBeUndefined();

    // Metrics listen on every interface of the container, on a port the file publishes.
    expect(observability.metricsBindAddress).toMatch(/^0\.0\.0\.0:\d+$/);
    expect(publishedPorts(worker)).toContain(Number(observability.metricsBindAddress!.split(':')[1]));
    expect(observability).toMatchObject({ logLevel: 'INFO', logFormat: 'json' });

    // The allowed roots are where the media volume is mounted.
    const mounts = (worker.volumes ?? []).map((v) => interpolate(String(v), {}).split(':')[1]);
    for (const root of roots) expect(mounts).toContain(root);
  });

  it('needs the API key from the environment, and can point the worker at the emulator profile', () => {
    expect(() => environmentOf(worker, {})).toThrow(/TWELVELABS_API_KEY is required/);
    const env = environmentOf(worker, { TWELVELABS_API_KEY: 'k', TWELVELABS_BASE_URL: 'http://127.0.0.1:9100/v1.3' });
    const base = new URL(twelveLabsConfig(env).baseUrl);
    const emulator = services.emulator!;
    // The emulator shares the worker's network, so the worker reaches it (and its presigned URLs) on loopback.
    expect(emulator.network_mode).toBe('service:worker');
    const command = emulator.command as string[];
    expect(command.slice(0, 4)).toEqual(['node', '--import', 'tsx', 'src/emulator/main.ts']);
    expect(command[command.indexOf('--port') + 1]).toBe(base.port);
    expect(publishedPorts(worker)).toContain(Number(base.port));
  });

  it('stores Temporal in the PostgreSQL service and registers the search attributes the workflows set', () => {
    const temporal = environmentOf(services.temporal!, {});
    expect(services[temporal.POSTGRES_SEEDS!]?.image).toMatch(/^postgres:/);
    expect(temporal.POSTGRES_PWD).toBe(environmentOf(services.postgresql!, {}).POSTGRES_PASSWORD);
    const setup = [services['temporal-setup']!.command].flat().join(' ');
    for (const [name, type] of Object.entries(UPLOAD_SEARCH_ATTRIBUTES)) expect(setup).toContain(`--name ${name} --type ${type}`);
  });

  it('gives the Temporal server the dynamic config the dev server gets (eager activity dispatch)', () => {
    const temporal = environmentOf(services.temporal!, {});
    const mount = (services.temporal!.volumes ?? []).map((v) => String(v).split(':')).find(([, target]) => target!.endsWith(temporal.DYNAMIC_CONFIG_FILE_PATH!));
    expect(mount, 'the file DYNAMIC_CONFIG_FILE_PATH names is mounted').toBeDefined();
    const config = read(mount![0]!.replace(/^\.\//, ''));
    expect(config).toMatch(/^system\.enableActivityEagerExecution:\n\s+- value: true$/m);
    expect(read('src/dev/dev-server.ts')).toContain("'system.enableActivityEagerExecution=true'");
  });

  it('lists every environment variable src/config.ts reads (the list is not a stale copy)', () => {
    const source = read('src/config.ts');
    const read_ = new Set([...source.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g), ...source.matchAll(/\benv\[['"]([A-Z][A-Z0-9_]+)['"]\]/g)].map((m) => m[1]!));
    expect(read_.size).toBeGreaterThan(5);
    expect([...read_].filter((name) => !CONFIG_ENV_VARS.includes(name))).toEqual([]);
  });

  const dockerCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
  if (!dockerCompose) console.warn("!!! docker-compose is not installed: skipping `docker-compose config` (.ci/run installs Debian's docker-compose)");

  it.skipIf(!dockerCompose)('is valid for docker-compose, with and without the emulator profile, and refuses to run without the key', () => {
    const run = (args: string[], env: Record<string, string>) =>
      spawnSync('docker-compose', args, { cwd: REPO_ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
    const plain = run(['config', '--services'], { TWELVELABS_API_KEY: 'k' });
    expect(plain.stderr).toBe('');
    expect(plain.stdout.trim().split('\n').sort()).toEqual(['emulator', 'postgresql', 'temporal', 'temporal-setup', 'temporal-ui', 'worker']);
    const withEmulator = run(['--profile', 'emulator', 'config', '--quiet'], { TWELVELABS_API_KEY: 'k' });
    expect(withEmulator.stderr).toBe('');
    expect(withEmulator.status).toBe(0);
    const noKey = run(['config', '--quiet'], {});
    expect(noKey.status).not.toBe(0);
    expect(noKey.stderr).toContain('set TWELVELABS_API_KEY');
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('runs the worker from the locked production dependencies, and exposes its metrics port', () => {
    expect(dockerfile).toMatch(/^FROM node:20-/m);
    expect(dockerfile).toContain('npm install --omit=dev --no-save'); // locked versions (see scripts/ensure-setup.sh)
    // The image starts the worker exactly as `npm run worker` does: same environment, same node flags.
    const script = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.worker!.split(' ');
    const nodeAt = script.indexOf('node');
    const env = script.slice(0, nodeAt);
    expect(env.length).toBeGreaterThan(0);
    const envLine = dockerfile.split('\n').find((l) => l.startsWith('ENV MALLOC_'));
    expect(envLine?.slice(4).split(' ').sort()).toEqual([...env].sort());
    expect(dockerfile).toContain(`CMD ${JSON.stringify(script.slice(nodeAt)).replace(/","/g, '", "')}`);
    const exposed = [...dockerfile.matchAll(/^EXPOSE (\d+)/gm)].map((m) => Number(m[1]));
    const metricsPort = Number(observabilityConfig(environmentOf(worker, { TWELVELABS_API_KEY: 'k' })).metricsBindAddress!.split(':')[1]);
    expect(exposed).toContain(metricsPort);
    // tsx, which the image runs with, must be a production dependency.
    expect(Object.keys((JSON.parse(read('package.json')) as { dependencies: Record<string, string> }).dependencies)).toContain('tsx');
  });

  it('sends only what the image needs into the build context', () => {
    const ignore = read('.dockerignore').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(ignore[0]).toBe('*');
    expect(ignore.slice(1).sort()).toEqual(['!package-lock.json', '!package.json', '!src/', '!tsconfig.json']);
  });
});
