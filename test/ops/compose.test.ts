// docker-compose.yml and the Dockerfile, checked against what the code really reads: the worker's
// environment must be made of variables src/config.ts reads (CONFIG_ENV_VARS), must configure a
// worker that starts (the same config readers main() calls), and must point at the services and
// ports the file declares. No Docker engine runs here; Debian's docker-compose validates the file,
// and the commands the containers run (the compiled worker, the codec server, the healthchecks)
// run here as processes, from the compiled package the image holds.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  allowedRootsConfig,
  CONFIG_ENV_PREFIXES,
  CONFIG_ENV_VARS,
  observabilityConfig,
  temporalConfig,
  twelveLabsConfig,
  uploadClientConfig,
  workerTuning,
} from '../../src/config';
import { DevServer, freePort, UPLOAD_SEARCH_ATTRIBUTES } from '../../src/dev/dev-server';
import { spawnWorker, type WorkerProcess } from '../../scripts/bench/worker-process';

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
  entrypoint?: string[] | string;
  healthcheck?: { test: string[] };
}
// merge: the file names the Temporal database settings once (x-temporal-db) and merges them in.
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
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

/** The script the temporal-setup job runs (mounted from deploy/). */
function setupScript(): string {
  const setup = services['temporal-setup']!;
  const mount = (setup.volumes ?? []).map((v) => String(v).split(':')).find(([, target]) => [setup.command].flat().includes(target!));
  expect(mount, 'the setup script the command names is mounted').toBeDefined();
  return read(mount![0]!.replace(/^\.\//, ''));
}

describe('docker-compose.yml', () => {
  it('declares PostgreSQL, the Temporal server, the Web UI and the worker, and the emulator, codec server and CLI only in their profiles', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'worker', 'emulator', 'codec-server', 'cli']));
    for (const name of ['postgresql', 'temporal-schema', 'temporal', 'temporal-setup', 'temporal-ui', 'worker']) expect(services[name]!.profiles).toBeUndefined();
    expect(services.emulator!.profiles).toEqual(['emulator']);
    expect(services['codec-server']!.profiles).toEqual(['codec']);
    expect(services.cli!.profiles).toEqual(['cli']);
    // The Web UI is a pinned release, the one `npm run cluster` builds and test/cluster drives.
    expect(services['temporal-ui']!.image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    expect(worker.build).toBe('.');
  });

  it('sets on our services (worker, emulator, codec server, CLI) only variables src/config.ts reads', () => {
    for (const name of ['worker', 'emulator', 'codec-server', 'cli']) {
      const unknown = Object.keys(services[name]!.environment ?? {}).filter(
        (variable) => !CONFIG_ENV_VARS.includes(variable) && !CONFIG_ENV_PREFIXES.some((prefix) => variable.startsWith(prefix)),
      );
      expect(unknown, name).toEqual([]);
    }
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
    // The compiled emulator the image holds (src/emulator/main.ts, built to dist/).
    expect(command.slice(0, 2)).toEqual(['node', 'dist/emulator/main.js']);
    expect(fs.existsSync(path.join(REPO_ROOT, command[1]!))).toBe(true);
    expect(command[command.indexOf('--port') + 1]).toBe(base.port);
    expect(publishedPorts(worker)).toContain(Number(base.port));
  });

  it("runs Temporal on upstream's current pattern: the server image after a schema job from admin-tools, at one release", () => {
    // temporalio/auto-setup is retired upstream.
    expect(Object.values(services).filter((service) => service.image?.includes('auto-setup'))).toEqual([]);
    const serverTag = /^temporalio\/server:(\d+\.\d+\.\d+)$/.exec(services.temporal!.image ?? '')?.[1];
    expect(serverTag).toBeDefined();
    expect(services['temporal-schema']!.image).toBe(`temporalio/admin-tools:${serverTag}`);
    expect(services['temporal-setup']!.image).toBe(`temporalio/admin-tools:${serverTag}`);
    // The schema job runs our script, which creates and migrates both databases.
    const mount = (services['temporal-schema']!.volumes ?? []).map((v) => String(v).split(':')).find(([, target]) => [services['temporal-schema']!.command].flat().includes(target!));
    expect(mount, 'the schema script the command names is mounted').toBeDefined();
    const script = read(mount![0]!.replace(/^\.\//, ''));
    for (const db of ['temporal', 'temporal_visibility']) expect(script).toContain(db);
    expect(script).toMatch(/setup-schema -v 0\.0/);
    expect(script).toMatch(/update-schema -d "\$dir"/);
    expect(spawnSync('sh', ['-n', path.join(REPO_ROOT, mount![0]!)]).status).toBe(0);
    // The server image creates no namespace: the setup job's script does, before the search attributes.
    expect(setupScript()).toMatch(/namespace create --namespace "\$namespace"/);
    expect(spawnSync('sh', ['-n', path.join(REPO_ROOT, 'deploy/temporal-setup.sh')]).status).toBe(0);
  });

  it('starts each service only when what it needs is healthy or done, and checks the health of Temporal, the worker and the codec server', () => {
    const needs = (name: string) => services[name]!.depends_on as Record<string, { condition: string }>;
    expect(needs('temporal-schema')).toEqual({ postgresql: { condition: 'service_healthy' } });
    expect(needs('temporal')).toEqual({ 'temporal-schema': { condition: 'service_completed_successfully' } });
    expect(needs('temporal-setup')).toEqual({ temporal: { condition: 'service_healthy' } });
    expect(needs('temporal-ui')).toEqual({ temporal: { condition: 'service_healthy' } });
    expect(needs('worker')).toEqual({ 'temporal-setup': { condition: 'service_completed_successfully' } });
    expect(needs('cli')).toEqual({ worker: { condition: 'service_healthy' } });
    for (const name of ['postgresql', 'temporal', 'worker', 'codec-server']) expect(services[name]!.healthcheck?.test.length, name).toBeGreaterThan(1);
    // The worker's healthcheck reads the metrics endpoint the worker's environment opens.
    const metrics = observabilityConfig(environmentOf(worker, { TWELVELABS_API_KEY: 'k' })).metricsBindAddress!;
    expect(worker.healthcheck!.test).toEqual(['CMD', 'node', 'deploy/healthcheck.cjs', 'worker', `http://127.0.0.1:${metrics.split(':')[1]}/metrics`]);
  });

  it('wires the codec server to the Web UI: the endpoint the browser calls, the origin the server allows', () => {
    const codec = services['codec-server']!;
    const command = codec.command as string[];
    expect(command.slice(0, 2)).toEqual(['node', 'dist/security/codec-server.js']);
    expect(fs.existsSync(path.join(REPO_ROOT, command[1]!))).toBe(true);
    const port = Number(command[command.indexOf('--port') + 1]);
    expect(publishedPorts(codec)).toContain(port);
    expect(codec.healthcheck!.test).toEqual(['CMD', 'node', 'deploy/healthcheck.cjs', 'codec-server', `http://127.0.0.1:${port}`]);
    // The browser calls the codec endpoint itself, from the UI's page: the host's address and the UI's origin.
    const ui = services['temporal-ui']!;
    const uiOrigin = `http://127.0.0.1:${publishedPorts(ui)[0]}`;
    expect(uiOrigin).toBe('http://127.0.0.1:8080');
    const endpoint = `http://127.0.0.1:${port}/token-0123456789abcdef`;
    expect(environmentOf(ui, { TEMPORAL_CODEC_ENDPOINT: endpoint }).TEMPORAL_CODEC_ENDPOINT).toBe(endpoint);
    expect(environmentOf(ui, {}).TEMPORAL_CODEC_ENDPOINT).toBe(''); // off unless asked for
    const env = environmentOf(codec, { TL_CODEC_KEYS: `k1:${randomBytes(32).toString('base64')}`, TL_CODEC_SERVER_TOKEN: 'token-0123456789abcdef' });
    expect(env.TL_CODEC_ALLOWED_ORIGINS!.split(',')).toContain(uiOrigin);
    // The worker and the CLI get the same keys as the codec server.
    for (const name of ['worker', 'cli']) expect(services[name]!.environment?.TL_CODEC_KEYS).toBe(codec.environment?.TL_CODEC_KEYS);
  });

  it("gives the CLI this deployment's Temporal and Web UI links (port 8080, not the dev server's 8233)", () => {
    const cli = services.cli!;
    expect(cli.entrypoint).toEqual(['node', 'bin/tl-upload.js']);
    const env = environmentOf(cli, {});
    const temporal = temporalConfig(env);
    expect(temporal.address).toBe(environmentOf(worker, { TWELVELABS_API_KEY: 'k' }).TEMPORAL_ADDRESS);
    expect(env.TL_TASK_QUEUE).toBe(environmentOf(worker, { TWELVELABS_API_KEY: 'k' }).TL_TASK_QUEUE);
    expect(uploadClientConfig(env, temporal).webUiUrl).toBe(`http://127.0.0.1:${publishedPorts(services['temporal-ui']!)[0]}`);
  });

  it('stores Temporal in the PostgreSQL service and registers the search attributes the workflows set', () => {
    const temporal = environmentOf(services.temporal!, {});
    expect(services[temporal.POSTGRES_SEEDS!]?.image).toMatch(/^postgres:/);
    expect(temporal.POSTGRES_PWD).toBe(environmentOf(services.postgresql!, {}).POSTGRES_PASSWORD);
    expect(setupScript()).toMatch(/search-attribute create --namespace "\$namespace" "\$@"/);
    // The list the setup script registers (and `npm run cluster` with it) is the workflows' own.
    const listed = read('deploy/search-attributes.txt')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'))
      .map((line) => line.trim().split(/\s+/));
    expect(Object.fromEntries(listed)).toEqual(UPLOAD_SEARCH_ATTRIBUTES);
    const mounts = (services['temporal-setup']!.volumes ?? []).map((v) => String(v).split(':')[0]);
    expect(mounts).toEqual(expect.arrayContaining(['./deploy/temporal-setup.sh', './deploy/search-attributes.txt']));
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
    expect(plain.stdout.trim().split('\n').sort()).toEqual(['cli', 'codec-server', 'emulator', 'postgresql', 'temporal', 'temporal-schema', 'temporal-setup', 'temporal-ui', 'worker']);
    const withProfiles = run(['--profile', 'emulator', '--profile', 'codec', '--profile', 'cli', 'config', '--quiet'], { TWELVELABS_API_KEY: 'k' });
    expect(withProfiles.stderr).toBe('');
    expect(withProfiles.status).toBe(0);
    const noKey = run(['config', '--quiet'], {});
    expect(noKey.status).not.toBe(0);
    expect(noKey.stderr).toContain('set TWELVELABS_API_KEY');
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const final = stages.at(-1)!;

  it('builds in stages on a current Node LTS: locked production dependencies, the build, and an image of the compiled package', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:(\d+)-bookworm-slim$/m);
    const major = Number(/^ARG NODE_IMAGE=node:(\d+)-/m.exec(dockerfile)![1]);
    expect(major % 2).toBe(0); // even majors are the LTS lines
    expect(major).toBeGreaterThanOrEqual(24);
    expect(stages.map((stage) => stage.split('\n')[0])).toEqual(['${NODE_IMAGE} AS deps', '${NODE_IMAGE} AS build', '${NODE_IMAGE}']);
    expect(stages[0]).toContain('npm install --omit=dev --no-save'); // locked versions (see scripts/ensure-setup.sh)
    expect(stages[1]).toContain('RUN bash scripts/build.sh');
    expect(final).toContain('COPY --from=deps /app/node_modules ./node_modules');
    expect(final).toContain('COPY --from=build /app/dist ./dist');
    expect(final).not.toMatch(/COPY (src|tsconfig)/); // no TypeScript in the image
    // Everything the compose file runs in the image is in it.
    for (const file of ['bin', 'deploy/healthcheck.cjs']) expect(final).toMatch(new RegExp(`^COPY ${file}`, 'm'));
  });

  it('starts the worker exactly as `npm run worker` does, with no TypeScript loader, and exposes its metrics port', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
    const script = pkg.scripts.worker!.split(' ');
    const nodeAt = script.indexOf('node');
    const env = script.slice(0, nodeAt);
    expect(env.length).toBeGreaterThan(0);
    const envLine = final.split('\n').find((l) => l.startsWith('ENV MALLOC_'));
    expect(envLine?.slice(4).split(' ').sort()).toEqual([...env].sort());
    expect(final).toContain(`CMD ${JSON.stringify(script.slice(nodeAt)).replace(/","/g, '", "')}`);
    expect(script.at(-1)).toBe('dist/worker.js');
    expect(script.join(' ')).not.toContain('tsx');
    expect(Object.keys(pkg.dependencies)).not.toContain('tsx');
    const exposed = [...dockerfile.matchAll(/^EXPOSE (\d+)/gm)].map((m) => Number(m[1]));
    const metricsPort = Number(observabilityConfig(environmentOf(worker, { TWELVELABS_API_KEY: 'k' })).metricsBindAddress!.split(':')[1]);
    expect(exposed).toContain(metricsPort);
  });

  it("installs the worker side's optional peers in the image, at the locked versions", () => {
    // The deps stage makes them production dependencies before `npm install --omit=dev`: run its step on a copy.
    const step = /RUN node -e "([\s\S]*?)" \\\n && npm install --omit=dev/.exec(stages[0]!);
    expect(step, 'the deps stage promotes the worker peers').not.toBeNull();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-image-deps-'));
    try {
      fs.copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(dir, 'package.json'));
      const ran = spawnSync(process.execPath, ['-e', step![1]!.replace(/\\\n/g, '\n')], { cwd: dir, encoding: 'utf8' });
      expect(ran.status, ran.stderr).toBe(0);
      const promoted = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
      const pkg = JSON.parse(read('package.json')) as { peerDependenciesMeta: Record<string, unknown>; devDependencies: Record<string, string> };
      const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { version: string }> };
      const workerSide = Object.keys(pkg.peerDependenciesMeta);
      expect(workerSide.sort()).toEqual(['@temporalio/activity', '@temporalio/worker', '@temporalio/workflow']);
      for (const name of workerSide) {
        expect(promoted.dependencies[name], name).toBe(lock.packages[`node_modules/${name}`]!.version);
        expect(promoted.devDependencies[name]).toBeUndefined();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sends only what the stages read into the build context', () => {
    const ignore = read('.dockerignore').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const allowed = ignore.slice(1).map((l) => l.replace(/^!/, '').replace(/\/$/, ''));
    expect(allowed.sort()).toEqual(['bin', 'deploy/healthcheck.cjs', 'package-lock.json', 'package.json', 'scripts/build.mjs', 'scripts/build.sh', 'scripts/file-lock.mjs', 'src', 'tsconfig.build.json', 'tsconfig.json']);
    // Every source of every COPY (the last word is the destination).
    for (const [, sources] of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const source of sources!.split(' ')) expect(allowed, source).toContain(source.replace(/\/$/, ''));
    }
  });
});

describe("the containers' commands, run here from the compiled package", () => {
  let server: DevServer;
  let workerProcess: WorkerProcess;
  let metricsPort: number;

  /** A command to its end without blocking this process (the fake metrics server below runs in it). */
  const run = (args: string[], env: NodeJS.ProcessEnv = { PATH: process.env.PATH }) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.on('close', (code) => resolve({ code, output }));
    });
  /** The service's healthcheck command (["CMD", "node", ...]) with its port replaced. */
  const healthcheck = (service: string, port: number) =>
    services[service]!.healthcheck!.test.slice(2).map((arg) => arg.replace(/:\d+(\/|$)/, `:${port}$1`));

  beforeAll(async () => {
    server = await DevServer.start({ ui: false });
    metricsPort = await freePort();
    // The image's CMD: the worker of `npm run worker` (dist/worker.js), its metrics where compose opens them.
    workerProcess = await spawnWorker({
      temporalAddress: server.address,
      taskQueue: `compose-health-${process.pid}`,
      apiKey: 'tlk_compose_health',
      twelveLabsBaseUrl: 'http://127.0.0.1:9/v1.3', // never called: the worker only has to poll
      allowedRoots: [REPO_ROOT],
      env: { TL_METRICS_BIND: `127.0.0.1:${metricsPort}`, TL_LOG_LEVEL: 'WARN' },
      readyTimeoutMs: 90_000,
    });
  });
  afterAll(async () => {
    await workerProcess?.kill('SIGKILL');
    await server?.stop();
  });

  it("passes the worker's healthcheck once the compiled worker polls, and fails one that has no poller or no endpoint", async () => {
    expect(workerProcess.output()).toContain('workflow code: prebuilt');
    const command = healthcheck('worker', metricsPort);
    let result = await run(command);
    for (let attempt = 0; result.code !== 0 && attempt < 50; attempt++) {
      await new Promise((r) => setTimeout(r, 200)); // the poller gauge follows the first poll
      result = await run(command);
    }
    expect(result).toEqual({ code: 0, output: '' });

    // A metrics endpoint without a running poller: unhealthy, with the reason.
    const idle = http.createServer((_req, res) => res.end('temporal_num_pollers{namespace="default",poller_type="workflow_task",task_queue="q"} 0\n'));
    await new Promise<void>((resolve) => idle.listen(0, '127.0.0.1', resolve));
    try {
      const noPoller = await run(healthcheck('worker', (idle.address() as AddressInfo).port));
      expect(noPoller.code).toBe(1);
      expect(noPoller.output).toContain('no workflow task poller');
    } finally {
      idle.close();
    }
    const nothing = await run(healthcheck('worker', await freePort()));
    expect(nothing.code).toBe(1);
    expect(nothing.output).toContain('ECONNREFUSED');
  });

  it("starts the codec server from the compose command and environment, and passes its healthcheck", async () => {
    const port = await freePort();
    const codec = services['codec-server']!;
    const args = (codec.command as string[]).slice(1).map((arg) => (arg === '8888' ? String(port) : arg === '0.0.0.0' ? '127.0.0.1' : arg));
    const env = environmentOf(codec, { TL_CODEC_KEYS: `k1:${randomBytes(32).toString('base64')}`, TL_CODEC_SERVER_TOKEN: 'token-0123456789abcdef' });
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      for (let waited = 0; !output.includes('codec server listening'); waited += 100) {
        if (child.exitCode !== null || waited > 30_000) throw new Error(`the codec server did not start: ${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await run(healthcheck('codec-server', port))).toEqual({ code: 0, output: '' });
    } finally {
      child.kill('SIGKILL');
    }
    const stopped = await run(healthcheck('codec-server', port));
    expect(stopped.code).toBe(1);
  });
});
