// tl-upload with no worker polling the task queue (the real dev server and emulator, no worker
// started until the end): an upload that waits is not a failed upload. status says so and exits
// 4, watch and upload keep following and say what they wait for (on stderr, never inside the JSON
// on stdout), and once a worker starts the same uploads complete, byte for byte. A Temporal
// address that refuses connections fails at once, naming the address.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnavailableError, UploadClient } from '../../src/client';
import type { UploadResult } from '../../src/domain/types';
import type { LiveProgress } from '../../src/client/types';
import { makeFile, startStack, waitFor, type InProcessWorker, type Stack } from '../support/harness';
import { cli, cliJson, refusedAddress, startCli } from './cli-process';

describe('tl-upload without a worker', () => {
  let stack: Stack;
  let worker: InProcessWorker | undefined;

  beforeAll(async () => {
    stack = await startStack({ emulator: { assetReadyDelayMs: 10 } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('says no worker polls the queue, names it, and then completes the uploads once a worker starts', async () => {
    const queue = stack.taskQueue;
    const followed = await makeFile(stack.dir, 'followed.mp4', 90_000);
    const waited = await makeFile(stack.dir, 'waited.mp4', 70_000);

    // Started with no worker: the start record, and a note on stderr that nobody will pick it up yet.
    const started = await cliJson<{ workflowId: string; attached: boolean }>(stack, 'upload', followed.path);
    expect(started.code).toBe(0);
    expect(started.stderr).toContain(`no worker is polling task queue ${queue}`);
    const workflowId = started.json.workflowId;

    // status answers at once from what Temporal knows, and exits 4 ("no worker answered"), not 1.
    const t0 = Date.now();
    const human = await cli(stack, 'status', workflowId);
    expect(human.code).toBe(4);
    expect(human.stderr).toContain(`no worker is polling task queue ${queue}; the upload is waiting`);
    expect(human.stdout).toMatch(new RegExp(`^upload ${workflowId}: running, validating$`, 'm'));
    expect(human.stderr).not.toMatch(/Failed to query/);
    const asJson = await cliJson<LiveProgress>(stack, 'status', workflowId);
    expect(asJson.code).toBe(4);
    expect(asJson.json).toMatchObject({ workflowId, executionStatus: 'RUNNING', title: 'followed.mp4', totalBytes: 90_000, noWorker: { taskQueue: queue } });
    // Both answers together took far less than the 30 s a query waits for a worker that is not there.
    expect(Date.now() - t0).toBeLessThan(20_000);

    // watch with --worker-timeout gives up with exit 4 and says the upload itself goes on.
    const gaveUp = await cli(stack, 'watch', workflowId, '--worker-timeout', '1', '--interval-ms', '200');
    expect(gaveUp.code).toBe(4);
    expect(gaveUp.stderr).toContain(`waiting: no worker is polling task queue ${queue}`);
    expect(gaveUp.stderr).toMatch(/Stopped waiting after 1 s \(--worker-timeout\); the upload itself goes on/);

    // A concurrency change is an update a worker must accept: said at once, naming the queue.
    const wider = await cli(stack, 'concurrency', workflowId, '4');
    expect(wider.code).toBe(4);
    expect(wider.stderr).toContain(`no worker is polling task queue ${queue}`);
    expect(wider.stderr).toContain('A concurrency change is applied by a worker');

    // Asset calls need a worker too: said at once, naming the queue.
    const assets = await cli(stack, 'assets', 'list');
    expect(assets.code).toBe(4);
    expect(assets.stderr).toContain(`no worker is polling task queue ${queue}`);

    // Following (the same upload, attached) and --wait --json both wait, and say so on stderr.
    const follower = startCli(stack, ['upload', followed.path]);
    const waiter = startCli(stack, ['upload', waited.path, '--wait', '--json']);
    let followerErr = '';
    let waiterErr = '';
    follower.child.stderr!.on('data', (d: Buffer) => (followerErr += d.toString()));
    waiter.child.stderr!.on('data', (d: Buffer) => (waiterErr += d.toString()));
    await waitFor(() => followerErr.includes(`waiting: no worker is polling task queue ${queue}`) && waiterErr.includes(`no worker is polling task queue ${queue}`), 'both to say what they wait for');
    expect(waiterErr).toMatch(/^waiting for upload-waited\.mp4-[0-9a-f]{16} to finish/m);
    expect(follower.output()).toMatch(new RegExp(`^attached to the existing upload ${workflowId}`, 'm'));

    // The uploads were alive all along: a worker starts, and both complete.
    worker = await stack.startWorker();
    const [followedRun, waitedRun] = await Promise.all([follower.done, waiter.done]);
    expect(followedRun.code, followedRun.stderr).toBe(0);
    expect(followedRun.stderr).toContain(`a worker answers for ${workflowId} again`);
    const assetId = /^asset id: (\w+)$/m.exec(followedRun.stdout)?.[1];
    expect(await stack.emulator.objectInfo(assetId!)).toEqual({ size: 90_000, sha256: followed.sha256 });

    expect(waitedRun.code, waitedRun.stderr).toBe(0);
    const result = JSON.parse(waitedRun.stdout) as { status: string; result: UploadResult }; // stdout is the JSON alone
    expect(result.status).toBe('completed');
    expect(await stack.emulator.objectInfo(result.result.assetId)).toEqual({ size: 70_000, sha256: waited.sha256 });
  });

  it('gives a query its own deadline: a worker that stopped a moment ago (Temporal still lists it) answers noWorker, not a hang', async () => {
    expect(worker).toBeDefined(); // started by the test above
    await worker!.stop();
    const client = new UploadClient(stack.temporal, { taskQueue: stack.taskQueue, queryTimeoutMs: 2_000 });
    const file = await makeFile(stack.dir, 'after-stop.mp4', 10_000);
    const { workflowId } = await client.startUpload(file.path);
    expect((await client.workerPresence()).polling).toBe(true); // its last poll is seconds old
    const progress = await client.progress(workflowId);
    expect(progress).toMatchObject({ executionStatus: 'RUNNING', title: 'after-stop.mp4', noWorker: { taskQueue: stack.taskQueue } });
    expect(progress.noWorker!.message).toMatch(new RegExp(`^no worker answered on task queue ${stack.taskQueue} within 2 s`));
  });

  it('fails at once on a Temporal address that refuses connections, naming the address', async () => {
    const refused = await refusedAddress();
    const t0 = Date.now();
    const err = await UploadClient.connect({ TEMPORAL_ADDRESS: refused }).catch((e: unknown) => e);
    const elapsedMs = Date.now() - t0;
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toContain(`cannot reach Temporal at ${refused}: connection refused`);
    expect(elapsedMs).toBeLessThan(5_000); // gRPC alone retries for its 10 s connect timeout

    const run = await cli(stack, 'status', 'anything', '--address', refused);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`cannot reach Temporal at ${refused}: connection refused`);
  });
});
