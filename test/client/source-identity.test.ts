// An upload is named after the file's content version (real path, size, mtime), also when the
// client cannot see the file: then the worker that has it is asked. The client here is the real
// CLI in its own mount namespace, where the stack's directory is hidden under an empty tmpfs, so
// the file exists only on the worker's side.

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnavailableError, UploadClient } from '../../src/client';
import { cliEnv } from '../cli/cli-process';
import { uploadWorkflowId } from '../../src/client/upload-identity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { makeFile, startStack, type InProcessWorker, type Stack } from '../support/harness';

const BIN = path.resolve(__dirname, '../../bin/tl-upload.js');

/** True when this process may make a mount namespace (root, or user namespaces allowed). */
function canHideDirectories(): boolean {
  try {
    execFileSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs none /mnt'], { stdio: 'ignore' });
    return true;
  } catch {
    console.error('\n!!! unshare --mount is not allowed here: THE WORKER-ONLY FILE IDENTITY TEST IS SKIPPED (run it as root)\n');
    return false;
  }
}
const hidingWorks = canHideDirectories();

describe.skipIf(!hidingWorks)('upload identity of a file only the worker can see', () => {
  let stack: Stack;
  let worker: InProcessWorker;

  beforeAll(async () => {
    stack = await startStack({ emulator: { assetReadyDelayMs: 10 } });
    worker = await stack.startWorker();
  });
  afterAll(async () => {
    await worker?.stop();
    await stack?.stop();
  });

  /** `tl-upload upload <file> --wait --json`, run where `stack.dir` is an empty directory. */
  async function uploadWithoutSeeingTheFile(...files: string[]): Promise<{ code: number | null; json: any; stderr: string }> {
    // $1: the directory to hide, $2: a file, which must then be invisible here; then the command: node, the CLI, upload, the files.
    const script = 'mount -t tmpfs none "$1" && test ! -e "$2" && shift 2 && exec "$@" --wait --json';
    const args = ['sh', stack.dir, files[0]!, process.execPath, BIN, 'upload', ...files];
    const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, ...args], {
      env: cliEnv(stack),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      return { code, json: JSON.parse(stdout), stderr };
    } catch {
      throw new Error(`tl-upload printed no JSON (exit ${code}):\n${stdout}\n${stderr}`);
    }
  }

  it('uploads a new version of the file at the same path, and attaches when the version is the same', async () => {
    const first = await makeFile(stack.dir, 'on-the-worker.mp4', 96 * 1024);
    const v1 = await uploadWithoutSeeingTheFile(first.path);
    expect(v1.code, v1.stderr).toBe(0);
    expect(v1.json).toMatchObject({ attached: false, status: 'completed' });
    expect(await stack.emulator.objectInfo(v1.json.result.assetId)).toEqual({ size: 96 * 1024, sha256: first.sha256 });

    // The same version again: the same upload, no second asset.
    const again = await uploadWithoutSeeingTheFile(first.path);
    expect(again.json).toMatchObject({ workflowId: v1.json.workflowId, attached: true, result: { assetId: v1.json.result.assetId } });

    // A new version with the same size (only the bytes and the mtime differ): a new upload of the new bytes.
    const second = await makeFile(stack.dir, 'on-the-worker.mp4', 96 * 1024);
    expect(second.sha256).not.toBe(first.sha256);
    const later = new Date(fs.statSync(first.path).mtimeMs + 5_000);
    fs.utimesSync(second.path, later, later);
    const v2 = await uploadWithoutSeeingTheFile(second.path);
    expect(v2.code, v2.stderr).toBe(0);
    expect(v2.json.workflowId).not.toBe(v1.json.workflowId);
    expect(v2.json).toMatchObject({ attached: false, status: 'completed' });
    expect(v2.json.result.assetId).not.toBe(v1.json.result.assetId);
    expect(await stack.emulator.objectInfo(v2.json.result.assetId)).toEqual({ size: 96 * 1024, sha256: second.sha256 });
  });

  it('re-runs a batch of such files under its name: an unchanged file keeps its asset, a changed one gets a new one', async () => {
    const a = await makeFile(stack.dir, 'batch-a.mp4', 32 * 1024);
    const b = await makeFile(stack.dir, 'batch-b.mp4', 32 * 1024);
    const first = await uploadWithoutSeeingTheFile(a.path, b.path);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json).toMatchObject({ kind: 'batch', attached: false, status: 'completed' });
    const assetOf = (run: typeof first, name: string): string => run.json.result.items.find((i: { fileName: string }) => i.fileName === name).assetId;

    // The same list again is the same batch, run again: what it uploaded is reported, not sent again.
    const again = await uploadWithoutSeeingTheFile(a.path, b.path);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json).toMatchObject({ workflowId: first.json.workflowId, rerun: true, status: 'completed' });
    expect(assetOf(again, 'batch-a.mp4')).toBe(assetOf(first, 'batch-a.mp4'));
    expect(assetOf(again, 'batch-b.mp4')).toBe(assetOf(first, 'batch-b.mp4'));

    // A new version of a file (seen by the worker, not by this client) is uploaded again.
    const newB = await makeFile(stack.dir, 'batch-b.mp4', 32 * 1024);
    const later = new Date(fs.statSync(a.path).mtimeMs + 5_000);
    fs.utimesSync(newB.path, later, later);
    const changed = await uploadWithoutSeeingTheFile(a.path, newB.path);
    expect(changed.code, changed.stderr).toBe(0);
    expect(assetOf(changed, 'batch-a.mp4')).toBe(assetOf(first, 'batch-a.mp4'));
    expect(assetOf(changed, 'batch-b.mp4')).not.toBe(assetOf(first, 'batch-b.mp4'));
    expect(await stack.emulator.objectInfo(assetOf(changed, 'batch-b.mp4'))).toEqual({ size: 32 * 1024, sha256: newB.sha256 });
  });

  it('says which queue has no worker when the file is not on this host and no worker can name it', async () => {
    const client = new UploadClient(stack.temporal, { taskQueue: 'no-worker-polls-this', callTimeoutMs: 2_000 });
    const err = await client.startUpload('/nowhere-on-this-host/clip.mp4').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toMatch(/\/nowhere-on-this-host\/clip\.mp4 is not on this host, and no worker on task queue no-worker-polls-this told its size/);
    // Nothing was started under a name from the path alone (as main did).
    const pathOnlyId = uploadWorkflowId({ path: '/nowhere-on-this-host/clip.mp4' }, undefined);
    await expect(stack.temporal.workflow.getHandle(pathOnlyId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});
