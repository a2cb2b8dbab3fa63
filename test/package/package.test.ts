// The package as a service gets it: built, packed with `npm pack`, installed from the tarball into
// a project of its own outside the repository (its peers, @temporalio/*, installed beside it), and
// used with plain Node: no tsx, no loader, no path into the repository. The README's library and
// embedding examples are taken from the README verbatim, typechecked under a strict consumer's
// settings and run: the compiled worker and then the embedding example's worker upload real files
// through the dev server and the emulator.

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
};

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
  let tarballFiles: string[];
  let stack: Stack;

  const nodeEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, ...extra });

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-package-'));
    scratch = path.join(tmp, 'service');
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
    // npm installs the peers (@temporalio/*) itself; @types/node for the typecheck.
    const install = await run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(tmp, packed!.filename), `@types/node@${pkg.devDependencies['@types/node']}`],
      { cwd: scratch, env: { ...process.env, npm_config_loglevel: 'error' } },
    );
    expect(install.code, install.stderr).toBe(0);

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

  it('runs the CLI from the tarball (its bin) with plain Node', async () => {
    const help = await run(path.join(scratch, 'node_modules/.bin/tl-upload'), ['--help'], { cwd: scratch, env: nodeEnv() });
    expect(help.stderr).toBe('');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: tl-upload <command>');
  });

  /** The README's library example, compiled by the typecheck above, as a caller process. */
  async function uploadWithLibraryExample(taskQueue: string, file: { path: string; sha256: string }, sizeBytes: number): Promise<void> {
    const caller = await run(process.execPath, ['out/library.mjs', file.path], {
      cwd: scratch,
      env: nodeEnv({ TEMPORAL_ADDRESS: stack.server.address, TEMPORAL_NAMESPACE: 'default', TL_TASK_QUEUE: taskQueue }),
    });
    expect(caller.stderr).toBe('');
    expect(caller.code).toBe(0);
    expect(caller.stdout).toMatch(/^started upload-/m);
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

  it("uploads a file with the package's compiled worker (prebuilt workflow bundle), started by the README's library example", async () => {
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
      await uploadWithLibraryExample(stack.taskQueue, file, sizeBytes);
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
