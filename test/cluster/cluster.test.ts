// The production topology (scripts/cluster/: what docker-compose.yml deploys) under its own
// failures: a Temporal server on PostgreSQL, three worker hosts with their own files and task
// queues, and the emulator. One cluster for the whole file; each test leaves it running and clean.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerHost } from '../../scripts/cluster/cluster';
import type { WorkerProcess } from '../../scripts/bench/worker-process';
import type { BatchUploadResult, UploadResult } from '../../src/domain/types';
import { POLLER_FRESH_MS } from '../../src/client/task-queue';
import { waitFor } from '../support/harness';
import { ensureChromium, openBrowser } from '../ui/browser';
import { activityWorkers, childWorkflowIds, CHUNK, createdAssets, hostFile, MIB, startTestCluster, type ClusterFixture } from './cluster-support';

const CLI_BIN = path.resolve(__dirname, '../../bin/tl-upload.js');
/** Chunk PUTs in flight per upload in the crash tests. */
const LANES = 4;
const GRPC_NOT_FOUND = 5;
const GRPC_FAILED_PRECONDITION = 9;

/** Activities that read the file: they must run on the host that has it. */
const FILE_ACTIVITIES = new Set(['inspectFile', 'identifyFile', 'uploadChunk', 'uploadDirect', 'uploadFileRun', 'listBatchPage', 'createSession']);

describe('the cluster: Temporal on PostgreSQL, three worker hosts', () => {
  let f: ClusterFixture;

  // On a machine that never built the cluster's Go binaries, the first start builds them (minutes;
  // .ci/run builds them before the tests).
  beforeAll(async () => {
    f = await startTestCluster({ ui: true });
  }, 45 * 60_000);
  afterAll(async () => {
    await f?.stop();
  });

  /** Chunk PUTs the store accepted so far. */
  async function storedPuts(): Promise<number> {
    return (await f.cluster.emulator.counters()).puts_by_status['200'] ?? 0;
  }

  /** Which worker process started each file activity of these workflows (activity type -> pids). */
  async function fileActivityWorkers(workflowIds: string[]): Promise<Set<number>> {
    const pids = new Set<number>();
    for (const id of workflowIds) {
      const history = await f.temporal.workflow.getHandle(id).fetchHistory();
      const types = new Map<string, string>();
      for (const event of history.events ?? []) {
        const scheduled = event.activityTaskScheduledEventAttributes;
        if (scheduled) types.set(String(event.eventId), scheduled.activityType?.name ?? '');
        const started = event.activityTaskStartedEventAttributes;
        if (started && FILE_ACTIVITIES.has(types.get(String(started.scheduledEventId)) ?? '')) pids.add(Number(started.identity!.split('@')[0]));
      }
    }
    return pids;
  }

  it('uploads direct, multipart and batch, byte-exact, each file read by the worker of its own host', async () => {
    const [a, b, c] = f.cluster.hosts as [WorkerHost, WorkerHost, WorkerHost];
    const direct = await hostFile(a, 'direct.mp4', 3 * MIB + 17);
    const multipart = await hostFile(b, 'multipart.mp4', 12 * CHUNK + 5);
    fs.mkdirSync(path.join(c.root, 'batch'));
    const batchFiles = await Promise.all([
      hostFile(c, 'batch/one.mp4', 1 * MIB + 3),
      hostFile(c, 'batch/two.mp4', 3 * MIB),
      hostFile(c, 'batch/three.mp4', 5 * MIB + 1),
    ]);

    const started = await Promise.all([
      f.uploads.startUpload(direct.path, { fileTaskQueue: a.hostTaskQueue }),
      f.uploads.startUpload(multipart.path, { fileTaskQueue: b.hostTaskQueue, directMaxBytes: 2 * MIB, multipart: { concurrency: 4 } }),
      f.uploads.startBatch({ directory: `${c.root}/batch`, upload: { fileTaskQueue: c.hostTaskQueue, directMaxBytes: 2 * MIB } }),
    ]);
    const [directResult, multipartResult, batchResult] = await Promise.all(started.map((s) => f.uploads.result(s.workflowId)));

    const d = directResult as UploadResult;
    expect(d.route).toBe('direct');
    expect(await f.cluster.emulator.objectInfo(d.assetId)).toEqual({ size: 3 * MIB + 17, sha256: direct.sha256 });
    const m = multipartResult as UploadResult;
    expect(m.route).toBe('multipart');
    expect(m.multipart?.totalChunks).toBe(13);
    expect(await f.cluster.emulator.objectInfo(m.assetId)).toEqual({ size: 12 * CHUNK + 5, sha256: multipart.sha256 });
    const batch = batchResult as BatchUploadResult;
    expect(batch.items).toHaveLength(3);
    for (const file of batchFiles) {
      const item = batch.items.find((i) => i.source === file.path);
      expect(item?.state, file.path).toBe('completed');
      expect((await f.cluster.emulator.objectInfo(item!.assetId!))?.sha256, file.path).toBe(file.sha256);
    }
    expect(new Set(batch.items.map((i) => i.route))).toEqual(new Set(['direct', 'multipart']));

    // Each file was read only by its own host's worker; together the uploads used all three hosts.
    const pidOf = (host: WorkerHost) => host.process!.pid;
    expect(await fileActivityWorkers([started[0]!.workflowId])).toEqual(new Set([pidOf(a)]));
    expect(await fileActivityWorkers([started[1]!.workflowId, ...(await childWorkflowIds(f.temporal, started[1]!.workflowId))])).toEqual(new Set([pidOf(b)]));
    // Small files go up in runs inside the batch (no workflow of their own); larger ones as children.
    const batchIds = batch.items.flatMap((i) => (i.workflowId ? [i.workflowId] : []));
    const batchChildren = (await Promise.all(batchIds.map((id) => childWorkflowIds(f.temporal, id)))).flat();
    expect(await fileActivityWorkers([started[2]!.workflowId, ...batchIds, ...batchChildren])).toEqual(new Set([pidOf(c)]));
    const everyone = await activityWorkers(f.temporal, [...started.map((s) => s.workflowId), ...batchIds]);
    expect([...everyone].sort()).toEqual(f.cluster.hosts.map(pidOf).sort());
  });

  /**
   * A multipart upload on host a that is surely running when `crash` hits: slow PUTs (512 KiB/s
   * each, 4 lanes), and the crash comes once a few chunks are stored. `crash` takes the part of
   * the cluster down, lets the lanes store chunks while it is down, and brings it back. Returns
   * what the store saw, and how many chunks it stored while the part was down.
   */
  async function uploadThrough(
    name: string,
    crash: () => Promise<void>,
  ): Promise<{ result: UploadResult; sentTwiceBytes: number; storedDuringOutage: number }> {
    const host = f.cluster.hosts[0]!;
    const sizeBytes = 48 * CHUNK + 11;
    const file = await hostFile(host, name, sizeBytes);
    await f.cluster.emulator.resetCounters();
    await f.cluster.emulator.setFaults({ put_throttle_bps: MIB / 2 });
    try {
      const { workflowId } = await f.uploads.startUpload(file.path, { fileTaskQueue: host.hostTaskQueue, directMaxBytes: 2 * MIB, multipart: { concurrency: LANES } });
      await waitFor(async () => (await storedPuts()) >= 4, 'the first chunks stored');
      const storedBefore = await storedPuts();
      await crash();
      const storedDuringOutage = (await storedPuts()) - storedBefore;
      const result = (await f.uploads.result(workflowId)) as UploadResult;
      const counters = await f.cluster.emulator.counters();
      expect(await f.cluster.emulator.objectInfo(result.assetId)).toEqual({ size: sizeBytes, sha256: file.sha256 });
      // One session and one asset: the emulator's own ledger of everything it created for this file.
      const created = (await createdAssets(f.cluster)).filter((e) => e.filename === name);
      expect(created).toHaveLength(1);
      expect(created[0]!.upload_id).toBeDefined();
      expect(created[0]!.deleted_at).toBeUndefined();
      expect(result.multipart?.counters.sessionRestarts).toBe(0);
      expect(counters.sessions_created).toBe(1);
      return { result, sentTwiceBytes: counters.bytes_received - sizeBytes, storedDuringOutage };
    } finally {
      await f.cluster.emulator.setFaults({});
    }
  }

  /**
   * What can be sent twice: a lane whose heartbeats do not reach the server while it is down may
   * be timed out and retried from its last recorded heartbeat, so the chunks it stored during the
   * outage, plus the chunk each lane had in flight.
   */
  const sentTwiceBound = (storedDuringOutage: number) => (storedDuringOutage + LANES) * CHUNK;

  it('completes an upload byte-exact after the Temporal server is SIGKILLed in the middle of it and started again', async () => {
    const { sentTwiceBytes, storedDuringOutage } = await uploadThrough('server-crash.mp4', async () => {
      await f.cluster.temporal.kill('SIGKILL');
      // The lanes go on storing chunks at the store while the server is gone.
      const down = await storedPuts();
      await waitFor(async () => (await storedPuts()) >= down + 8, 'chunks stored while the server is down');
      await f.cluster.temporal.start();
    });
    console.log(`server SIGKILL: ${sentTwiceBytes} bytes sent twice; ${storedDuringOutage} chunks of ${CHUNK} bytes stored while it was down, ${LANES} lanes`);
    expect(sentTwiceBytes).toBeLessThanOrEqual(sentTwiceBound(storedDuringOutage));
  });

  it('completes an upload byte-exact after PostgreSQL is stopped with -m immediate in the middle of it and started again', async () => {
    const { sentTwiceBytes, storedDuringOutage } = await uploadThrough('postgres-crash.mp4', async () => {
      f.cluster.postgres.stop('immediate');
      const down = await storedPuts();
      await waitFor(async () => (await storedPuts()) >= down + 12, 'chunks stored while PostgreSQL is down');
      f.cluster.postgres.start();
    });
    console.log(`PostgreSQL crash: ${sentTwiceBytes} bytes sent twice; ${storedDuringOutage} chunks of ${CHUNK} bytes stored while it was down, ${LANES} lanes`);
    expect(sentTwiceBytes).toBeLessThanOrEqual(sentTwiceBound(storedDuringOutage));
  });

  it('goes on with the files of the other hosts while one host is down; its own upload waits for its queue (the CLI says so) and finishes when it returns', { timeout: 400_000 }, async () => {
    const [a, b, c] = f.cluster.hosts as [WorkerHost, WorkerHost, WorkerHost];
    const sizeBytes = 16 * CHUNK + 7;
    const files = await Promise.all([a, b, c].map((host) => hostFile(host, `host-down-${host.name}.mp4`, sizeBytes)));
    await f.cluster.emulator.setFaults({ put_throttle_bps: MIB });
    let restarted = false;
    try {
      const started = await Promise.all(
        [a, b, c].map((host, i) => f.uploads.startUpload(files[i]!.path, { fileTaskQueue: host.hostTaskQueue, directMaxBytes: 2 * MIB, multipart: { concurrency: 2 } })),
      );
      // All three under way (bytes sent, counting the chunks in flight) before host b dies.
      for (const s of started) await waitFor(async () => (await f.uploads.progress(s.workflowId)).sentBytes > 0, `${s.workflowId} under way`);
      await b.kill('SIGKILL');
      await f.cluster.emulator.setFaults({});

      // The uploads of hosts a and c complete without b.
      const [resultA, resultC] = (await Promise.all([f.uploads.result(started[0]!.workflowId), f.uploads.result(started[2]!.workflowId)])) as UploadResult[];
      expect(await f.cluster.emulator.objectInfo(resultA!.assetId)).toEqual({ size: sizeBytes, sha256: files[0]!.sha256 });
      expect(await f.cluster.emulator.objectInfo(resultC!.assetId)).toEqual({ size: sizeBytes, sha256: files[2]!.sha256 });

      // b's upload is alive and waiting, and the CLI says for what: its host's queue.
      const handleB = f.temporal.workflow.getHandle(started[1]!.workflowId);
      expect((await handleB.describe()).status.name).toBe('RUNNING');
      // (Temporal lists a dead worker's last poll for a while: up to POLLER_FRESH_MS, then it counts as gone.)
      const status = await waitFor(
        async () => {
          const run = await runCli(['status', started[1]!.workflowId]);
          return run.code === 4 ? run : (await sleep(2000), undefined);
        },
        'tl-upload status to say that no worker serves host b',
        POLLER_FRESH_MS + 60_000,
      );
      expect(status.stderr).toContain(`no worker is polling task queue ${b.hostTaskQueue}, the queue of the host that has the file`);
      expect(status.stdout).toMatch(/running, uploading/);

      await b.start();
      restarted = true;
      const resultB = (await f.uploads.result(started[1]!.workflowId)) as UploadResult;
      expect(await f.cluster.emulator.objectInfo(resultB.assetId)).toEqual({ size: sizeBytes, sha256: files[1]!.sha256 });
      expect((await createdAssets(f.cluster)).filter((e) => e.filename === 'host-down-host-b.mp4')).toHaveLength(1);
    } finally {
      await f.cluster.emulator.setFaults({});
      if (!restarted) await b.start();
    }
  });

  it('shows an upload\'s page in the Web UI server, in Chromium', async () => {
    const chromium = ensureChromium();
    if (!chromium) return expect.fail('chromium is required: scripts/ensure-chromium.sh could not install it');
    const host = f.cluster.hosts[2]!;
    const file = await hostFile(host, 'web-ui.mp4', 3 * CHUNK);
    const { workflowId, webUiLink } = await f.uploads.startUpload(file.path, { fileTaskQueue: host.hostTaskQueue, directMaxBytes: MIB });
    await f.uploads.result(workflowId);
    expect(webUiLink).toBe(`${f.cluster.ui!.url}/namespaces/default/workflows/${workflowId}`);
    const browser = await openBrowser(chromium);
    try {
      const { page } = browser;
      await page.goto(`${f.cluster.ui!.url}/namespaces/default/workflows`);
      await page.getByRole('link', { name: workflowId, exact: true }).click();
      await page.getByRole('heading', { name: workflowId }).waitFor();
      await page.getByText('Completed', { exact: true }).filter({ visible: true }).first().waitFor();
      await page.getByText('uploadWorkflow').filter({ visible: true }).first().waitFor();
      await browser.screenshot('cluster-upload-page');
    } finally {
      await browser.close();
    }
  });

  it('upgrades the three workers one host at a time with worker versioning while uploads run: each upload stays on the build it started on', async () => {
    const deploymentName = 'tl-uploads-cluster';
    const version = (buildId: string) => ({ TL_WORKER_DEPLOYMENT: deploymentName, TL_WORKER_BUILD_ID: buildId });
    const setCurrent = (buildId: string) =>
      waitFor(async () => {
        try {
          await f.temporal.workflowService.setWorkerDeploymentCurrentVersion({ namespace: 'default', deploymentName, buildId, identity: 'cluster.test' });
          return true;
        } catch (err) {
          // The server knows a version once its workers poll.
          if ([GRPC_NOT_FOUND, GRPC_FAILED_PRECONDITION].includes((err as { code?: number }).code ?? -1)) return false;
          throw err;
        }
      }, `build ${buildId} to become current`);
    const hosts = f.cluster.hosts;
    const v2: WorkerProcess[] = [];
    try {
      // v1 on every host.
      for (const host of hosts) {
        await host.kill('SIGTERM');
        await host.start(version('v1'));
      }
      await setCurrent('v1');
      // Slow PUTs (512 KiB/s) until B has started, so A surely runs through the whole rollout.
      const sizeBytes = 32 * CHUNK + 3;
      await f.cluster.emulator.resetCounters();
      await f.cluster.emulator.setFaults({ put_throttle_bps: MIB / 2 });
      const filesA = await Promise.all(hosts.map((host) => hostFile(host, `rolling-a-${host.name}.mp4`, sizeBytes)));
      const startedA = await Promise.all(
        hosts.map((host, i) => f.uploads.startUpload(filesA[i]!.path, { fileTaskQueue: host.hostTaskQueue, directMaxBytes: 2 * MIB, multipart: { concurrency: 2 } })),
      );
      await waitFor(async () => (await storedPuts()) >= 6, 'chunks of the v1 uploads stored');

      // The rollout: host by host, v2 joins v1; then v2 becomes current.
      for (const host of hosts) v2.push(await host.spawnBeside(version('v2')));
      await setCurrent('v2');
      // The new current version reaches the task queues asynchronously; uploads started before it
      // has would still go to v1 (seen once in CI).
      await waitFor(async () => {
        const { workerDeploymentInfo } = await f.temporal.workflowService.describeWorkerDeployment({ namespace: 'default', deploymentName });
        const routing = workerDeploymentInfo?.routingConfig;
        const current = routing?.currentDeploymentVersion?.buildId === 'v2' || String(routing?.currentVersion ?? '').endsWith('.v2');
        return current && workerDeploymentInfo?.routingConfigUpdateState !== temporal.api.enums.v1.RoutingConfigUpdateState.ROUTING_CONFIG_UPDATE_STATE_IN_PROGRESS;
      }, 'v2 to be current on every task queue');
      for (const s of startedA) expect((await f.temporal.workflow.getHandle(s.workflowId).describe()).status.name, 'A still runs during the rollout').toBe('RUNNING');
      const filesB = await Promise.all(hosts.map((host) => hostFile(host, `rolling-b-${host.name}.mp4`, 4 * CHUNK)));
      const startedB = await Promise.all(hosts.map((host, i) => f.uploads.startUpload(filesB[i]!.path, { fileTaskQueue: host.hostTaskQueue, directMaxBytes: 2 * MIB })));
      await f.cluster.emulator.setFaults({});

      const resultsA = (await Promise.all(startedA.map((s) => f.uploads.result(s.workflowId)))) as UploadResult[];
      const resultsB = (await Promise.all(startedB.map((s) => f.uploads.result(s.workflowId)))) as UploadResult[];
      for (const [i, r] of resultsA.entries()) expect(await f.cluster.emulator.objectInfo(r.assetId)).toEqual({ size: sizeBytes, sha256: filesA[i]!.sha256 });
      for (const [i, r] of resultsB.entries()) expect(await f.cluster.emulator.objectInfo(r.assetId)).toEqual({ size: 4 * CHUNK, sha256: filesB[i]!.sha256 });
      // Every workflow task of the A uploads (and their multipart children) ran on v1, every one of B on v2.
      for (const s of startedA) expect(await buildsThatRan([s.workflowId, ...(await childWorkflowIds(f.temporal, s.workflowId))])).toEqual(['v1']);
      for (const s of startedB) expect(await buildsThatRan([s.workflowId, ...(await childWorkflowIds(f.temporal, s.workflowId))])).toEqual(['v2']);

      // v1 drained: its workers stop; v2 is what each host runs.
      for (const [i, host] of hosts.entries()) {
        await host.kill('SIGTERM');
        host.process = v2[i];
      }
      v2.length = 0;
    } finally {
      await f.cluster.emulator.setFaults({});
      for (const p of v2) await p.kill('SIGTERM');
    }
  });

  /** The builds that completed these workflows' tasks, from their histories. */
  async function buildsThatRan(workflowIds: string[]): Promise<string[]> {
    const builds = new Set<string>();
    for (const id of workflowIds) {
      const history = await f.temporal.workflow.getHandle(id).fetchHistory();
      for (const e of history.events ?? []) {
        if (e.workflowTaskCompletedEventAttributes) builds.add(e.workflowTaskCompletedEventAttributes.deploymentVersion?.buildId ?? 'unversioned');
      }
    }
    return [...builds].sort();
  }

  /** tl-upload (the compiled bin) against the cluster. */
  function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_ADDRESS: f.cluster.address, TEMPORAL_NAMESPACE: 'default', TL_TASK_QUEUE: f.cluster.taskQueue },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  }
});
