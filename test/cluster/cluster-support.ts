// What the cluster tests share: one cluster (scripts/cluster/cluster.ts) per test file, a client
// on it, files on a host, and the emulator's own ledger of what was really created and sent.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { request } from 'undici';
import { startCluster, type Cluster, type WorkerHost } from '../../scripts/cluster/cluster';
import { UploadClient } from '../../src/client';
// (harness installs the Temporal runtime with quiet logs.)
import { makeFile } from '../support/harness';

export const MIB = 1024 * 1024;
/** Small chunks (the emulator's --chunk-size), so uploads of a few MiB have many chunks. */
export const CHUNK = MIB;

export interface ClusterFixture {
  cluster: Cluster;
  temporal: Client;
  uploads: UploadClient;
  /** Stops the cluster and removes its data. */
  stop(): Promise<void>;
}

export async function startTestCluster(options: { ui?: boolean } = {}): Promise<ClusterFixture> {
  // 0755: as root, PostgreSQL runs as `postgres`, which must reach its data directory.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-cluster-'));
  fs.chmodSync(dataDir, 0o755);
  const cluster = await startCluster({
    dataDir,
    ports: 'free',
    ui: options.ui ?? false,
    emulatorArgs: ['--chunk-size', String(CHUNK), '--asset-ready-delay-ms', '10', '--initial-urls', '10'],
    log: () => undefined,
  });
  const connection = await Connection.connect({ address: cluster.address });
  const temporal = new Client({ connection });
  const uploads = new UploadClient(temporal, { taskQueue: cluster.taskQueue, ...(cluster.ui ? { webUiUrl: cluster.ui.url } : {}) });
  return {
    cluster,
    temporal,
    uploads,
    async stop() {
      await connection.close().catch(() => undefined);
      await cluster.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A file of random bytes in the host's own directory (only that host's worker may read it). */
export function hostFile(host: WorkerHost, name: string, sizeBytes: number): Promise<{ path: string; sha256: string }> {
  return makeFile(host.root, name, sizeBytes);
}

export interface CreatedEntry {
  asset_id: string;
  upload_id?: string;
  method: string;
  filename: string;
  deleted_at?: string;
}

/** Every asset (and its session) the emulator ever created, deleted or not. */
export async function createdAssets(cluster: Cluster): Promise<CreatedEntry[]> {
  const response = await request(`${cluster.emulator.origin}/_emulator/created`);
  return ((await response.body.json()) as { assets: CreatedEntry[] }).assets;
}

/** The worker identities (pid@host) that started the activities of a workflow and its children. */
export async function activityWorkers(temporal: Client, workflowIds: string[]): Promise<Set<number>> {
  const pids = new Set<number>();
  for (const id of workflowIds) {
    const history = await temporal.workflow.getHandle(id).fetchHistory();
    for (const event of history.events ?? []) {
      const identity = event.activityTaskStartedEventAttributes?.identity;
      if (identity) pids.add(Number(identity.split('@')[0]));
    }
  }
  return pids;
}

/** Ids of an upload's multipart child, if it has one (from the upload's history). */
export async function childWorkflowIds(temporal: Client, workflowId: string): Promise<string[]> {
  const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const id = e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
    return id ? [id] : [];
  });
}
