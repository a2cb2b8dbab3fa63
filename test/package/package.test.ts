// The package as a service gets it: built, packed with `npm pack`, installed from the tarball into
// a project of its own outside the repository (its peers, @temporalio/*, installed beside it), and
// used with plain Node: no tsx, no loader, no path into the repository. The README's library and
// embedding examples are taken from the README verbatim, typechecked under a strict consumer's
// settings and run: the compiled worker and then the embedding example's worker upload real files
// through the dev server and the emulator. A second, client-only project installs the tarball alone
// (npm adds only the required peers: the worker side's are optional), as a service that starts and
// watches uploads would: its size and package count are measured, it imports with plain Node and
// runs the README's library example and the CLI.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnWorker, workerNodeArgs } from '../../scripts/bench/worker-process';
import { API_KEY, makeFile, startStack, waitFor, type Stack, type WorkerProcess } from '../support/harness';

const REPO_ROOT = path.resolve(__dirname, '../..');
const PACKAGE = 'twelvelabs-temporal-uploads';
const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  version: string;
  private?: boolean;
  license: string;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};

/** The worker side: optional peers, which a client-only install must not get. */
const WORKER_PEERS = ['@temporalio/activity', '@temporalio/worker', '@temporalio/workflow'];
/** A client-only install stays under this (the full one, with the worker toolchain, is ~270 MB). */
const CLIENT_ONLY_MAX_BYTES = 60 * 1024 * 1024;

/** Bytes of every file under a directory (apparent sizes, as `du -sb`), and the packages in it. */
function installFootprint(nodeModules: string): { bytes: number; packages: string[] } {
  let bytes = 0;
  const packages: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) bytes += fs.statSync(full).size;
    }
  };
  walk(nodeModules);
  const collect = (dir: string): void => {
    for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
      if (name.startsWith('.')) continue;
      const full = path.join(dir, name);
      if (name.startsWith('@')) collect(full);
      else if (fs.existsSync(path.join(full, 'package.json'))) {
        packages.push(path.relative(nodeModules, full));
        collect(path.join(full, 'node_modules'));
      }
    }
  };
  collect(nodeModules);
  return { bytes, packages };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A child process to its end, without blocking this process (the emulator runs in it). */
function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The first ```ts block after a README heading, exactly as the README shows it. */
function readmeExample(heading: string): string {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.indexOf(`\n${heading}\n`);
  expect(section, `README has "${heading}"`).toBeGreaterThan(0);
  const match = /```ts\n([\s\S]*?)```/.exec(readme.slice(section));
  expect(match, `a ts example under "${heading}"`).not.toBeNull();
  return match![1]!;
}

/** A consumer that turns on every strictness option that broke our sources before (issue 12). */
const STRICT_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    exactOptionalPropertyTypes: true,
    noPropertyAccessFromIndexSignature: true,
    noUncheckedIndexedAccess: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    skipLibCheck: false, // our declarations are checked too
    types: ['node'],
    rootDir: 'src',
    outDir: 'out',
  },
  include: ['src'],
};

/** A CommonJS consumer of the client's types and values (`import x = require()`). */
const COMMONJS_USE = `import type { LiveProgress, StartUploadOptions } from '${PACKAGE}';
import uploads = require('${PACKAGE}');

const options: StartUploadOptions = { filename: 'keynote.mp4', multipart: { concurrency: 4 } };
export function line(p: LiveProgress): string {
  return \`\${p.phase} \${p.percent ?? 0}% \${p.etaSeconds ?? '?'} s\`;
}
export const names = [uploads.UploadClient.name, uploads.UploadFailedError.name, options.filename];
`;

describe('the npm package, installed from its tarball', () => {
  let tmp: string | undefined;
  /** The service's project: package.json, node_modules, src/ and out/. */
  let scratch: string;
  /** A service that only starts and watches uploads: the tarball alone, no worker side. */
  let light: string;
  let tarballFiles: string[];
  let stack: Stack;

  const nodeEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, ...extra });

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-package-'));
    scratch = path.join(tmp, 'service');
    light = path.join(tmp, 'client-only');
    stack = await startStack();
    // Build (a no-op when dist/ is current) and pack it as `npm publish` would.
    const build = await run('bash', ['scripts/build.sh'], { cwd: REPO_ROOT });
    expect(build.code, build.stderr).toBe(0);
    const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: REPO_ROOT });
    expect(pack.code, pack.stderr).toBe(0);
    const [packed] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarballFiles = packed!.files.map((f) => f.path);

    fs.mkdirSync(path.join(scratch, 'src'), { recursive: true });
    fs.writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({ name: 'a-service', version: '1.0.0', private: true }));
    fs.mkdirSync(light);
    fs.writeFileSync(path.join(light, 'package.json'), JSON.stringify({ name: 'a-light-service', version: '1.0.0', private: true }));
    const npmInstall = (cwd: string, specs: string[]) =>
      run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...specs], { cwd, env: { ...process.env, npm_config_loglevel: 'error' } });
    const tarball = path.join(tmp, packed!.filename);
    const [install, lightInstall] = await Promise.all([
      // npm installs the required peers itself; a worker adds the optional ones; @types/node for the typecheck.
      npmInstall(scratch, [tarball, ...WORKER_PEERS.map((p) => `${p}@${pkg.devDependencies[p]}`), `@types/node@${pkg.devDependencies['@types/node']}`]),
      npmInstall(light, [tarball]),
    ]);
    expect(install.code, install.stderr).toBe(0);
    expect(lightInstall.code, lightInstall.stderr).toBe(0);

    fs.writeFileSync(path.join(scratch, 'tsconfig.json'), JSON.stringify(STRICT_TSCONFIG, null, 2));
    fs.writeFileSync(path.join(scratch, 'src/library.mts'), readmeExample('## The client library'));
    fs.writeFileSync(path.join(scratch, 'src/embed.mts'), readmeExample('## Embed in an existing worker'));
    fs.writeFileSync(path.join(scratch, 'src/use.cts'), COMMONJS_USE);
  });

  afterAll(async () => {
    await stack?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('ships compiled JavaScript, declarations, the workflow bundles, the CLI and the license; no tests, scripts or sources', () => {
    expect(pkg.private).toBeUndefined();
    expect(pkg.license).toBe('MIT');
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(tarballFiles).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'README.md',
        'package.json',
        'bin/tl-upload.js',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/cli/main.js',
        'dist/worker.js',
        'dist/worker.d.ts',
        'dist/security/failure-converter.cjs',
        'dist/workflow-bundles/default.js',
        'dist/workflow-bundles/encrypted-failures.js',
        'dist/workflow-bundles/manifest.json',
      ]),
    );
    const outside = tarballFiles.filter((f) => !/^(dist|bin)\//.test(f) && !['LICENSE', 'README.md', 'package.json'].includes(f));
    expect(outside).toEqual([]);
    expect(tarballFiles.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(tarballFiles.filter((f) => /(^|\/)(test|scripts|\.ci|dev)\//.test(f) || f.includes('.tsbuildinfo'))).toEqual([]);
  });

  const WORKER_MODULES = /@temporalio[\\/](worker|core-bridge)[\\/]|[\\/]webpack[\\/]/;

  it('imports the client with plain Node as an ES module, without loading the worker, its native core or webpack', async () => {
    const script = `
      import { UploadClient, UploadFailedError, FailureType } from '${PACKAGE}';
      import { createRequire } from 'node:module';
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify({ client: typeof UploadClient.connect, error: typeof UploadFailedError, failureTypes: typeof FailureType,
        clientModule: loaded.some((k) => k.endsWith('/dist/client.js')), worker: loaded.filter((k) => ${WORKER_MODULES}.test(k)) }));`;
    const imported = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: scratch, env: nodeEnv() });
    expect(imported.stderr).toBe('');
    expect(JSON.parse(imported.stdout)).toEqual({ client: 'function', error: 'function', failureTypes: 'object', clientModule: true, worker: [] });
  });

  it('requires the client with plain Node as CommonJS, and the worker side from its subpaths', async () => {
    const script = `
      const root = require('${PACKAGE}');
      const loadedByRoot = Object.keys(require.cache).filter((k) => ${WORKER_MODULES}.test(k));
      const worker = require('${PACKAGE}/worker');
      console.log(JSON.stringify({ client: typeof root.UploadClient, rootHasWorker: 'createUploadWorkers' in root, loadedByRoot,
        createUploadWorkers: typeof worker.createUploadWorkers, workflows: Object.keys(require('${PACKAGE}/workflows')).sort(),
        activities: typeof require('${PACKAGE}/activities').createActivities, emulator: typeof require('${PACKAGE}/emulator').startEmulator,
        twelvelabs: typeof require('${PACKAGE}/twelvelabs').TwelveLabsClient, prebuilt: 'codePath' in worker.prebuiltWorkflowBundle() }));`;
    const required = await run(process.execPath, ['-e', script], { cwd: scratch, env: nodeEnv() });
    expect(required.stderr).toBe('');
    expect(JSON.parse(required.stdout)).toEqual({
      client: 'function',
      rootHasWorker: false,
      loadedByRoot: [],
      createUploadWorkers: 'function',
      workflows: ['assetCallWorkflow', 'batchUploadWorkflow', 'multipartUploadWorkflow', 'sourceIdentityWorkflow', 'uploadWorkflow'],
      activities: 'function',
      emulator: 'function',
      twelvelabs: 'function',
      prebuilt: true,
    });
  });

  it("typechecks the README's examples and a CommonJS consumer under strict settings, our declarations included", async () => {
    const tsc = await run(process.execPath, [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: scratch, env: nodeEnv() });
    const output = tsc.stdout + tsc.stderr;
    const filesWithErrors = [...new Set([...output.matchAll(/^(\S+?)\(\d+,\d+\): error/gm)].map((m) => m[1]!))];
    // With skipLibCheck off every .d.ts is checked under these settings. Ours and the examples
    // must be clean; the Temporal SDK's own declarations have a few errors under
    // exactOptionalPropertyTypes (schedule-client.d.ts) and an untyped dependency (ms): theirs to
    // fix, and they are the only ones allowed.
    expect(filesWithErrors.filter((f) => !f.startsWith('node_modules/@temporalio/')), output).toEqual([]);
    // Every error line names a file (none is a configuration or resolution error).
    expect(output.split('\n').filter((l) => l.includes('error TS') && !/^\S+\(\d+,\d+\): error TS/.test(l)), output).toEqual([]);
    // Our declarations were really part of the program (not skipped, not unresolved).
    const listed = await run(process.execPath, [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--listFilesOnly'], { cwd: scratch, env: nodeEnv() });
    for (const declaration of ['dist/index.d.ts', 'dist/client.d.ts', 'dist/domain/types.d.ts', 'dist/worker.d.ts']) {
      expect(listed.stdout).toContain(path.join(scratch, 'node_modules', PACKAGE, declaration));
    }
    expect(fs.existsSync(path.join(scratch, 'out/library.mjs'))).toBe(true);
  }, 300_000); // checking every declaration (skipLibCheck off) takes tsc a while on a busy machine

  it('installs for a client-only service without the worker toolchain, in at most 60 MB', () => {
    // The worker side's peers are optional; the client's are required; the metadata a registry shows is there.
    for (const peer of WORKER_PEERS) expect(pkg.peerDependenciesMeta[peer], peer).toEqual({ optional: true });
    expect(Object.keys(pkg.peerDependencies).filter((p) => !pkg.peerDependenciesMeta[p]?.optional).sort()).toEqual(['@temporalio/client', '@temporalio/common', '@temporalio/envconfig', '@temporalio/proto']);
    const installed = JSON.parse(fs.readFileSync(path.join(light, 'node_modules', PACKAGE, 'package.json'), 'utf8')) as Record<string, any>;
    // No repository, homepage or bugs address until the project has a public one: an invented
    // address in a published package sends people nowhere.
    expect(installed).not.toHaveProperty('repository');
    expect(installed['keywords']).toEqual(expect.arrayContaining(['twelvelabs', 'temporal']));
    expect(installed['dependencies']['undici']).toMatch(/^\^\d+\.\d+\.\d+$/);

    const lightFootprint = installFootprint(path.join(light, 'node_modules'));
    const fullFootprint = installFootprint(path.join(scratch, 'node_modules'));
    const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
    console.log(
      `client-only install: ${mb(lightFootprint.bytes)} MiB, ${lightFootprint.packages.length} packages; ` +
        `with the worker side (and @types/node): ${mb(fullFootprint.bytes)} MiB, ${fullFootprint.packages.length} packages (node ${process.version})`,
    );
    expect(lightFootprint.packages).toContain(PACKAGE);
    expect(lightFootprint.packages).toContain('@temporalio/client');
    expect(lightFootprint.packages.filter((p) => [...WORKER_PEERS, '@temporalio/core-bridge', 'webpack', '@swc/core'].includes(p))).toEqual([]);
    expect(lightFootprint.bytes).toBeLessThanOrEqual(CLIENT_ONLY_MAX_BYTES);
    expect(fullFootprint.packages).toEqual(expect.arrayContaining(WORKER_PEERS));
  });

  it('imports the client-only install with plain Node, as an ES module and as CommonJS', async () => {
    const esm = `
      import { UploadClient, UploadHandle, FailureType } from '${PACKAGE}';
      console.log(JSON.stringify({ client: typeof UploadClient.connect, handle: typeof UploadHandle, failureTypes: typeof FailureType }));`;
    const imported = await run(process.execPath, ['--input-type=module', '-e', esm], { cwd: light, env: nodeEnv() });
    expect(imported.stderr).toBe('');
    expect(JSON.parse(imported.stdout)).toEqual({ client: 'function', handle: 'function', failureTypes: 'object' });
    const cjs = `
      const { UploadClient } = require('${PACKAGE}');
      const missing = ${JSON.stringify(WORKER_PEERS)}.filter((p) => { try { require.resolve(p); return false; } catch { return true; } });
      console.log(JSON.stringify({ client: typeof UploadClient, missing }));`;
    const required = await run(process.execPath, ['-e', cjs], { cwd: light, env: nodeEnv() });
    expect(required.stderr).toBe('');
    expect(JSON.parse(required.stdout)).toEqual({ client: 'function', missing: WORKER_PEERS });
    const help = await run(path.join(light, 'node_modules/.bin/tl-upload'), ['--help'], { cwd: light, env: nodeEnv() });
    expect(help.stderr).toBe('');
    expect(help.stdout).toContain('Usage: tl-upload <command>');
  });

  it('runs the CLI from the tarball (its bin) with plain Node', async () => {
    const help = await run(path.join(scratch, 'node_modules/.bin/tl-upload'), ['--help'], { cwd: scratch, env: nodeEnv() });
    expect(help.stderr).toBe('');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: tl-upload <command>');
  });

  /** The README's library example, compiled by the typecheck above, as a caller process. */
  async function uploadWithLibraryExample(taskQueue: string, file: { path: string; sha256: string }, sizeBytes: number, project = scratch): Promise<void> {
    const example = path.join(project, 'library.mjs');
    fs.copyFileSync(path.join(scratch, 'out/library.mjs'), example);
    const caller = await run(process.execPath, [example, file.path], {
      cwd: project,
      env: nodeEnv({ TEMPORAL_ADDRESS: stack.server.address, TEMPORAL_NAMESPACE: 'default', TL_TASK_QUEUE: taskQueue }),
    });
    expect(caller.stderr).toBe('');
    expect(caller.code).toBe(0);
    expect(caller.stdout).toMatch(/^started upload-/m);
    // The handle's progress listener heard the upload to its end.
    expect(caller.stdout).toMatch(/^completed 100 /m);
    const assetId = /^asset (\S+) direct ready$/m.exec(caller.stdout)?.[1];
    expect(assetId, caller.stdout).toBeDefined();
    expect(await stack.emulator.objectInfo(assetId!)).toEqual({ size: sizeBytes, sha256: file.sha256 });
  }

  const workerEnv = (taskQueue: string) =>
    nodeEnv({
      TEMPORAL_ADDRESS: stack.server.address,
      TL_TASK_QUEUE: taskQueue,
      TWELVELABS_API_KEY: API_KEY,
      TWELVELABS_BASE_URL: stack.emulator.baseUrl,
      MEDIA_ROOT: stack.dir,
    });

  it("uploads a file with the package's compiled worker (prebuilt workflow bundle), started by the README's library example in the client-only install", async () => {
    const sizeBytes = 3 * 1024 * 1024 + 11;
    const file = await makeFile(stack.dir, 'from-the-tarball.mp4', sizeBytes);
    let worker: WorkerProcess | undefined;
    try {
      // The worker exactly as `npm run worker` starts it (its node flags and allocator settings), from the installed package.
      worker = await spawnWorker({
        temporalAddress: stack.server.address,
        taskQueue: stack.taskQueue,
        apiKey: API_KEY,
        twelveLabsBaseUrl: stack.emulator.baseUrl,
        allowedRoots: [stack.dir],
        entry: path.join(scratch, 'node_modules', PACKAGE, 'dist/worker.js'),
        readyTimeoutMs: 90_000,
      });
      expect(workerNodeArgs()).not.toContain('tsx/cjs');
      expect(worker.output()).toContain(`workflow code: prebuilt (${path.join(scratch, 'node_modules', PACKAGE, 'dist/workflow-bundles/default.js')})`);
      await uploadWithLibraryExample(stack.taskQueue, file, sizeBytes, light);
    } finally {
      await worker?.kill('SIGKILL');
    }
  });

  it("uploads a file with the README's embedding example as the worker", async () => {
    const taskQueue = `${stack.taskQueue}-embedded`;
    const sizeBytes = 2 * 1024 * 1024 + 5;
    const file = await makeFile(stack.dir, 'embedded.mp4', sizeBytes);
    const embedded = spawn(process.execPath, ['out/embed.mjs'], { cwd: scratch, env: workerEnv(taskQueue), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    embedded.stdout.on('data', (d: Buffer) => (output += d.toString()));
    embedded.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      await waitFor(
        async () => {
          if (embedded.exitCode !== null) throw new Error(`the embedding example exited (${embedded.exitCode}): ${output}`);
          const { pollers } = await stack.temporal.workflowService.describeTaskQueue({
            namespace: 'default',
            taskQueue: { name: taskQueue },
            taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
          });
          return (pollers?.length ?? 0) > 0;
        },
        'the embedding example to poll its task queue',
        120_000,
      );
      await uploadWithLibraryExample(taskQueue, file, sizeBytes);
    } finally {
      embedded.kill('SIGKILL');
    }
  });
});
