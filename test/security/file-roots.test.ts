// File-access confinement: a worker uploads only files under its allowed roots, judged by where
// a path really leads (symlinks and `..` resolved), and fails anything else once, clearly and
// before TwelveLabs hears of it.

import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartUploadWorkflow } from '../../src/workflows/multipart-upload';
import type { MultipartUploadInput } from '../../src/domain/types';
import { makeFile, startStack, waitFor, type InProcessWorker, type Stack } from '../support/harness';
import { multipartSentBytes } from '../support/lane-heartbeats';

const CHUNK = 16 * 1024;

describe('uploads are confined to the worker allowed roots', () => {
  let stack: Stack;
  let worker: InProcessWorker;
  let root: string;
  let outside: string;
  let secret: { path: string; sha256: string };

  beforeAll(async () => {
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, assetReadyDelayMs: 10 } });
    root = path.join(stack.dir, 'media');
    outside = path.join(stack.dir, 'private');
    fs.mkdirSync(root);
    fs.mkdirSync(outside);
    secret = await makeFile(outside, 'secret.mp4', 3 * CHUNK);
    worker = await stack.startWorker({ allowedRoots: [root] });
  });
  afterAll(async () => {
    await worker?.stop();
    await stack?.stop();
  });

  let counter = 0;
  const start = (input: MultipartUploadInput) =>
    stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId: `roots-${Date.now()}-${counter++}`,
      args: [{ reportFlushMs: 200, chunkHeartbeatTimeoutMs: 5_000, ...input }],
    });

  /** Runs an upload that must fail; returns its typed reason and what it cost. */
  async function failureOf(sourcePath: string) {
    const sessionsBefore = (await stack.emulator.counters()).sessions_created;
    const handle = await start({ source: { path: sourcePath } });
    const err = await handle.result().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    const history = await handle.fetchHistory();
    const attempts = (history.events ?? []).flatMap((e) => (e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt] : []));
    return {
      type: cause.type,
      message: cause.message,
      nonRetryable: attempts.every((a) => a === 1),
      sessionsCreated: (await stack.emulator.counters()).sessions_created - sessionsBefore,
    };
  }

  it('uploads a file under a root, also through a symlink that stays inside', async () => {
    const file = await makeFile(root, 'inside.mp4', 3 * CHUNK);
    fs.symlinkSync(file.path, path.join(root, 'alias.mp4'));
    for (const sourcePath of [file.path, path.join(root, 'alias.mp4')]) {
      const result = await (await start({ source: { path: sourcePath } })).result();
      expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: 3 * CHUNK, sha256: file.sha256 });
    }
  });

  it('refuses a symlink under the root that leads outside it', async () => {
    const link = path.join(root, 'escape.mp4');
    fs.symlinkSync(secret.path, link);
    const failure = await failureOf(link);
    expect(failure).toMatchObject({ type: 'SourceOutsideRoots', nonRetryable: true, sessionsCreated: 0 });
    expect(failure.message).toContain(`${link} resolves to ${fs.realpathSync(secret.path)}, which is outside this worker's allowed roots (${fs.realpathSync(root)})`);
    expect(failure.message).toMatch(/add its directory to TL_ALLOWED_ROOTS on the worker/);

    // A link to nothing outside fails the same way: whether the target exists does not show.
    const dangling = path.join(root, 'dangling.mp4');
    fs.symlinkSync(path.join(outside, 'no-such-secret.mp4'), dangling);
    const danglingFailure = await failureOf(dangling);
    expect(danglingFailure).toMatchObject({ type: 'SourceOutsideRoots', nonRetryable: true, sessionsCreated: 0 });
    expect(danglingFailure.message.replace(dangling, '<link>').replace('no-such-secret.mp4', '<target>')).toBe(
      failure.message.replace(link, '<link>').replace('secret.mp4', '<target>'),
    );
  });

  it('refuses a path that climbs out with ..', async () => {
    const climbing = `${root}/../private/secret.mp4`;
    const failure = await failureOf(climbing);
    expect(failure).toMatchObject({ type: 'SourceOutsideRoots', nonRetryable: true, sessionsCreated: 0 });
  });

  it('refuses a directory symlink that leads outside, and a missing file outside without saying whether it exists', async () => {
    fs.symlinkSync(outside, path.join(root, 'private-dir'));
    expect(await failureOf(path.join(root, 'private-dir', 'secret.mp4'))).toMatchObject({ type: 'SourceOutsideRoots', sessionsCreated: 0 });
    expect(await failureOf(path.join(root, 'private-dir', 'no-such.mp4'))).toMatchObject({ type: 'SourceOutsideRoots', sessionsCreated: 0 });
    expect(await failureOf('/etc/no-such-file.mp4')).toMatchObject({ type: 'SourceOutsideRoots', sessionsCreated: 0 });
    // inside the root, a missing file is reported as missing
    expect(await failureOf(path.join(root, 'no-such.mp4'))).toMatchObject({ type: 'SourceNotFound', sessionsCreated: 0 });
  });

  it('refuses what is not a regular file: a FIFO under the root (without blocking on it), a device outside', async () => {
    const fifo = path.join(root, 'pipe.mp4');
    execFileSync('mkfifo', [fifo]);
    const failure = await failureOf(fifo);
    expect(failure).toMatchObject({ type: 'SourceNotAFile', nonRetryable: true, sessionsCreated: 0 });
    expect(failure.message).toMatch(/is not a regular file \(it is a FIFO\)/);
    // a device outside the roots is refused without being opened at all
    expect(await failureOf('/dev/zero')).toMatchObject({ type: 'SourceOutsideRoots', sessionsCreated: 0 });
  });

  it('stops an upload whose file is swapped for an escaping symlink after it began', async () => {
    const file = await makeFile(root, 'swapped.mp4', 40 * CHUNK);
    // An identical copy outside (same bytes, same mtime): only confinement can tell them apart.
    const twin = path.join(outside, 'twin.mp4');
    fs.copyFileSync(file.path, twin);
    const { mtime } = fs.statSync(file.path);
    fs.utimesSync(twin, mtime, mtime);
    await stack.emulator.setFaults({ put_throttle_bps: 64 * 1024 }); // ~250 ms per chunk
    try {
      const handle = await start({ source: { path: file.path }, concurrency: 1 });
      await waitFor(async () => (await multipartSentBytes(stack.temporal, handle.workflowId)) >= 2 * CHUNK, 'the first chunks');
      fs.rmSync(file.path);
      fs.symlinkSync(twin, file.path);
      const err = await handle.result().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect(((err as WorkflowFailedError).cause as ApplicationFailure).type).toBe('SourceOutsideRoots');
    } finally {
      await stack.emulator.setFaults({});
    }
  });

  it('stops an upload whose file is replaced by another inside the root after it began (a lane holds its handle across chunks)', async () => {
    const file = await makeFile(root, 'replaced.mp4', 40 * CHUNK);
    // Same bytes, same size, same mtime, inside the root: only the file's identity (inode) differs.
    const twin = path.join(root, 'replacement.mp4');
    fs.copyFileSync(file.path, twin);
    const { mtime } = fs.statSync(file.path);
    fs.utimesSync(twin, mtime, mtime);
    await stack.emulator.setFaults({ put_throttle_bps: 64 * 1024 }); // ~250 ms per chunk
    try {
      const handle = await start({ source: { path: file.path }, concurrency: 1 });
      await waitFor(async () => (await multipartSentBytes(stack.temporal, handle.workflowId)) >= 2 * CHUNK, 'the first chunks');
      fs.renameSync(twin, file.path);
      const err = await handle.result().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect(((err as WorkflowFailedError).cause as ApplicationFailure).type).toBe('SourceChanged');
    } finally {
      await stack.emulator.setFaults({});
    }
  });

  it('a worker process without TL_ALLOWED_ROOTS, or with a root that does not exist, refuses to start', async () => {
    await expect(stack.spawnWorker({ TL_ALLOWED_ROOTS: '' })).rejects.toThrow(
      /exited \(2\): configuration error: TL_ALLOWED_ROOTS is not set: set it to the directories this worker may upload files from/,
    );
    await expect(stack.spawnWorker({ TL_ALLOWED_ROOTS: path.join(stack.dir, 'gone') })).rejects.toThrow(
      /exited \(2\): configuration error: allowed root .*gone cannot be resolved/,
    );
  });
});
