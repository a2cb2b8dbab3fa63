// The workflow code a worker loads. `npm run build` bundles it ahead of time into
// dist/workflow-bundles/ (one bundle per failure converter, as Temporal's production sample does),
// and a worker loads the file (`workflowBundle: { codePath }`) instead of running webpack at every
// start. Where no prebuilt bundle fits (running from src/ under tsx, a failure converter of the
// caller's own, or an installed @temporalio/workflow other than the one the bundle holds), the code
// is bundled at start in a short-lived child process.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';
import { ENCRYPTED_FAILURE_CONVERTER_PATH } from './security/data-converter';

export const WORKFLOWS_PATH = path.resolve(__dirname, 'workflows');

/** Where the build writes the bundles, beside the compiled workflows. */
export const PREBUILT_BUNDLE_DIR = path.join(__dirname, 'workflow-bundles');

const MANIFEST = 'manifest.json';

/** One bundle per failure converter the package knows: the failure converter lives inside the bundle. */
const PREBUILT: ReadonlyArray<{ file: string; failureConverterPath: string | undefined }> = [
  { file: 'default.js', failureConverterPath: undefined },
  { file: 'encrypted-failures.js', failureConverterPath: ENCRYPTED_FAILURE_CONVERTER_PATH },
];

interface BundleManifest {
  /**
   * The SDK the bundles were built with: the @temporalio/workflow inside them, and the
   * @temporalio/worker whose workflow runtime they were built for. The worker that loads them
   * must run the same two versions.
   */
  sdkVersions: SdkVersions;
}

interface SdkVersions {
  workflow: string;
  worker: string;
}

/** The installed SDK packages' versions, as this module resolves them (peer dependencies). */
function installedSdkVersions(): SdkVersions {
  const version = (name: string) => (JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  return { workflow: version('@temporalio/workflow'), worker: version('@temporalio/worker') };
}

/** A prebuilt bundle that fits, or why none does (the worker logs it). */
export type PrebuiltBundle = { codePath: string } | { reason: string };

/** The prebuilt bundle for this failure converter, if the build wrote one that this SDK can run. */
export function prebuiltWorkflowBundle(failureConverterPath?: string, dir = PREBUILT_BUNDLE_DIR): PrebuiltBundle {
  const entry = PREBUILT.find((p) => p.failureConverterPath === failureConverterPath);
  if (!entry) return { reason: `no prebuilt bundle for the failure converter ${failureConverterPath}` };
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), 'utf8')) as BundleManifest;
  } catch {
    return { reason: `no prebuilt bundles in ${dir} (not built, or running from the sources)` };
  }
  // A bundle carries the workflow half of the SDK; it must match the worker half that runs it.
  const installed = installedSdkVersions();
  const built = manifest.sdkVersions ?? { workflow: 'unknown', worker: 'unknown' };
  if (built.workflow !== installed.workflow || built.worker !== installed.worker) {
    return {
      reason:
        `the prebuilt bundles were built with @temporalio/workflow ${built.workflow} and @temporalio/worker ${built.worker}, ` +
        `this worker runs ${installed.workflow} and ${installed.worker}`,
    };
  }
  const codePath = path.join(dir, entry.file);
  return fs.existsSync(codePath) ? { codePath } : { reason: `${codePath} is missing` };
}

/** Webpack's output minus its chatter (warnings and errors still show). */
const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => process.stderr.write(`${message}\n`),
  error: (message: string) => process.stderr.write(`${message}\n`),
};

async function bundleText(failureConverterPath: string | undefined): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, failureConverterPath, logger: quietLogger });
  return latin1Only(code);
}

/** Writes every prebuilt bundle and the manifest into `dir` (the build's step after tsc). */
export async function writeWorkflowBundles(dir = PREBUILT_BUNDLE_DIR): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  fs.rmSync(path.join(dir, MANIFEST), { force: true }); // half-written bundles are never used
  const written: string[] = [];
  for (const { file, failureConverterPath } of PREBUILT) {
    const target = path.join(dir, file);
    // UTF-8, as the SDK reads codePath; V8 still stores the decoded text at one byte per character.
    fs.writeFileSync(`${target}.tmp`, await bundleText(failureConverterPath), 'utf8');
    fs.renameSync(`${target}.tmp`, target);
    written.push(target);
  }
  const manifest: BundleManifest = { sdkVersions: installedSdkVersions() };
  fs.writeFileSync(path.join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return written;
}

/** argv flag of the short-lived child process that bundles the workflow code. */
const PRINT_WORKFLOW_BUNDLE = '--print-workflow-bundle';
/** argv flag of the build step that writes the prebuilt bundles. */
const WRITE_WORKFLOW_BUNDLES = '--write-workflow-bundles';

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

async function printWorkflowBundle(failureConverterPath: string | undefined): Promise<void> {
  const text = await bundleText(failureConverterPath);
  await new Promise<void>((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve())));
}

if (require.main === module && (process.argv[2] === PRINT_WORKFLOW_BUNDLE || process.argv[2] === WRITE_WORKFLOW_BUNDLES)) {
  const job =
    process.argv[2] === PRINT_WORKFLOW_BUNDLE
      ? printWorkflowBundle(process.argv[3])
      : writeWorkflowBundles(process.argv[3]).then((files) => console.error(`workflow bundles: ${files.map((f) => path.relative(process.cwd(), f)).join(', ')}`));
  job.catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
