// Worker deployment versioning, the upgrade path for a workflow change that cannot be patched
// (README, "Upgrading while uploads run"): workers built with `workerDeployment` and the PINNED
// behaviour keep an upload on the build it started on, even after a new build became current,
// while new uploads start on the new build.

import { temporal } from '@temporalio/proto';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUploadWorkers } from '../../src/worker';
import { multipartUploadWorkflow, pauseSignal, progressQuery, resumeSignal } from '../../src/workflows/multipart-upload';
import { makeFile, startStack, waitFor, workflowBundle, type Stack } from '../support/harness';

const CHUNK = 16 * 1024;
const GRPC_NOT_FOUND = 5;
const GRPC_FAILED_PRECONDITION = 9;

describe('worker deployment versioning', () => {
  let stack: Stack;
  const deploymentName = `tl-uploads-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const builds: Array<{ stop(): Promise<void> }> = [];

  beforeAll(async () => {
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, initialUrls: 10, assetReadyDelayMs: 10 } });
  });
  afterAll(async () => {
    for (const build of builds) await build.stop();
    await stack?.stop();
  });

  /** Workers of one build on the stack's task queue, made the deployment's current version. */
  async function startBuild(buildId: string): Promise<void> {
    const connection = await NativeConnection.connect({ address: stack.server.address });
    const workers = await createUploadWorkers({
      connection,
      taskQueue: stack.taskQueue,
      client: stack.api,
      workflowBundle: await workflowBundle(),
      allowedRoots: [stack.dir],
      shutdownGraceTime: '1 second',
      workerDeployment: { version: { deploymentName, buildId }, useWorkerVersioning: true, defaultVersioningBehavior: 'PINNED' },
    });
    const running = Promise.all(workers.map((w) => w.run()));
    builds.push({
      async stop() {
        for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
        await running.catch(() => undefined);
        await connection.close().catch(() => undefined);
      },
    });
    // The server knows a version once its workers poll: until then it refuses to make it current.
    await waitFor(async () => {
      try {
        await stack.temporal.workflowService.setWorkerDeploymentCurrentVersion({ namespace: 'default', deploymentName, buildId, identity: 'worker-versioning.test' });
        return true;
      } catch (err) {
        if ([GRPC_NOT_FOUND, GRPC_FAILED_PRECONDITION].includes((err as { code?: number }).code ?? -1)) return false;
        throw err;
      }
    }, `build ${buildId} to become the current version`);
  }

  /** The builds that completed the workflow's tasks, from its history. */
  async function buildsThatRan(workflowId: string): Promise<string[]> {
    const history = await stack.temporal.workflow.getHandle(workflowId).fetchHistory();
    const buildIds = (history.events ?? []).flatMap((e) => (e.workflowTaskCompletedEventAttributes ? [e.workflowTaskCompletedEventAttributes.deploymentVersion?.buildId ?? 'unversioned'] : []));
    return [...new Set(buildIds)];
  }

  it('finishes an upload on the build it started on after a new build became current, and starts new uploads on the new build', async () => {
    await startBuild('v1');
    const fileA = await makeFile(stack.dir, 'started-on-v1.mp4', 40 * CHUNK);
    // Slow PUTs (about 1 s a chunk) until A is paused: a lane reports its chunks only when it
    // returns, so A must not be able to finish before the pause reaches it.
    await stack.emulator.setFaults({ put_throttle_bps: 16 * 1024 });
    const storedBefore = (await stack.emulator.counters()).puts_by_status['200'] ?? 0;
    const a = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId: `versioning-a-${Date.now()}`,
      args: [{ source: { path: fileA.path }, concurrency: 2, reportFlushMs: 200 }],
    });
    try {
      await waitFor(async () => ((await stack.emulator.counters()).puts_by_status['200'] ?? 0) >= storedBefore + 3, 'the first chunks on v1');
      await a.signal(pauseSignal);
      const paused = await waitFor(async () => {
        const p = await a.query(progressQuery);
        return p.phase === 'paused' && p.lanesInFlight === 0 && p;
      }, 'every lane of A to return');
      expect(paused.uploadedChunks).toBeLessThan(40); // A has work left for after v2 became current
    } finally {
      await stack.emulator.setFaults({});
    }

    await startBuild('v2');
    const fileB = await makeFile(stack.dir, 'started-on-v2.mp4', 12 * CHUNK);
    const b = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId: `versioning-b-${Date.now()}`,
      args: [{ source: { path: fileB.path }, reportFlushMs: 200 }],
    });
    const resultB = await b.result();
    await a.signal(resumeSignal);
    const resultA = await a.result();

    expect(await stack.emulator.objectInfo(resultA.assetId)).toEqual({ size: 40 * CHUNK, sha256: fileA.sha256 });
    expect(await stack.emulator.objectInfo(resultB.assetId)).toEqual({ size: 12 * CHUNK, sha256: fileB.sha256 });
    // Every task of A, including those after v2 became current, ran on v1; all of B's on v2.
    expect(await buildsThatRan(a.workflowId)).toEqual(['v1']);
    expect(await buildsThatRan(b.workflowId)).toEqual(['v2']);
    const versioning = (await a.describe()).raw.workflowExecutionInfo?.versioningInfo;
    expect(versioning?.behavior).toBe(temporal.api.enums.v1.VersioningBehavior.VERSIONING_BEHAVIOR_PINNED);
    expect(versioning?.deploymentVersion).toMatchObject({ deploymentName, buildId: 'v1' });
  });
});
