// Batches of many small files on the real stack (dev server, in-process worker, emulator over
// loopback, real files): runs of files instead of a workflow per file, continue-as-new that
// neither skips nor doubles a file, re-runs that upload only what is left, pause and concurrency
// across runs, lost create replies, and per-file failures that never stop the others.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadClient } from '../../src/client';
import type { BatchUploadResult } from '../../src/domain/types';
import { batchProgressQuery } from '../../src/workflows/batch-upload';
import { earlierUploadActivities } from '../../src/activities/earlier-uploads';
import { historyEventsAcrossRuns, makeFile, replayAllRuns, startStack, waitFor, type InProcessWorker, type Stack } from '../support/harness';

let stack: Stack;
let worker: InProcessWorker;
let client: UploadClient;

beforeAll(async () => {
  stack = await startStack({ emulator: { assetReadyDelayMs: 0 } });
  worker = await stack.startWorker();
  client = new UploadClient(stack.temporal, { taskQueue: stack.taskQueue });
});
afterAll(async () => {
  await worker?.stop();
  await stack?.stop();
});

async function makeDir(name: string, count: number, sizeBytes: number): Promise<Map<string, string>> {
  const dir = path.join(stack.dir, name);
  fs.mkdirSync(dir, { recursive: true });
  const files = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const sub = i % 3 === 0 ? 'deeper/' : '';
    fs.mkdirSync(path.join(dir, sub), { recursive: true });
    const file = await makeFile(dir, `${sub}${name}-${String(i).padStart(4, '0')}.mp4`, sizeBytes);
    files.set(path.basename(file.path), file.sha256);
  }
  return files;
}

/** Live (not deleted) assets the emulator made, by file name. */
async function assetsByName(): Promise<Map<string, string[]>> {
  const byName = new Map<string, string[]>();
  for (const a of await stack.emulator.created()) {
    if (a.deleted_at) continue;
    byName.set(a.filename, [...(byName.get(a.filename) ?? []), a.asset_id]);
  }
  return byName;
}

async function expectOneAssetEach(files: Map<string, string>): Promise<void> {
  const byName = await assetsByName();
  for (const [name, sha256] of files) {
    expect(byName.get(name), name).toHaveLength(1);
    expect((await stack.emulator.objectInfo(byName.get(name)![0]!))?.sha256, name).toBe(sha256);
  }
}

describe('a batch of small files', () => {
  it('uploads them in runs: every asset holds its bytes, at a few history events per file', async () => {
    const files = await makeDir('small', 48, 64 * 1024);
    const run = await client.startBatch({ directory: path.join(stack.dir, 'small'), recursive: true, maxConcurrentUploads: 4 });
    const result = (await client.result(run.workflowId)) as BatchUploadResult;
    expect(result.totals).toMatchObject({ files: 48, completed: 48, failed: 0, totalBytes: 48 * 64 * 1024, completedBytes: 48 * 64 * 1024 });
    expect(result.items.map((i) => i.index)).toEqual([...Array(48).keys()]);
    expect(result.items.every((i) => i.state === 'completed' && i.assetId && i.workflowId === undefined)).toBe(true);
    await expectOneAssetEach(files);
    // Everything the batch cost Temporal: its own history, and no workflow per file.
    const description = await stack.temporal.workflow.getHandle(run.workflowId).describe();
    const events = await historyEventsAcrossRuns(stack.temporal, run.workflowId, description.runId);
    // 48 files: the batch's fixed cost (start, listing, end) spread thin; 3.3 measured, 1.5 at 200.
    expect(events / 48).toBeLessThanOrEqual(5);
    const children = await stack.temporal.workflow.count(`ParentWorkflowId = '${run.workflowId}'`);
    expect(children.count).toBe(0);
  });

  it('continues as new under low thresholds, carrying queue, totals and controls, and neither skips nor doubles a file', async () => {
    const files = await makeDir('many', 90, 2 * 1024);
    const run = await client.startBatch({
      directory: path.join(stack.dir, 'many'),
      recursive: true,
      maxConcurrentUploads: 3,
      continueAsNewAfterEvents: 40,
      listPageEntries: 7,
      upload: { waitForReady: false },
    });
    const handle = stack.temporal.workflow.getHandle(run.workflowId);
    // Controls given in the first run hold in the later ones.
    await client.setConcurrency(run.workflowId, 2);
    await client.pause(run.workflowId);
    const paused = await waitFor(async () => {
      const p = await handle.query(batchProgressQuery);
      return p.paused && p.totals.running === 0 && p;
    }, 'the paused batch to stop its runs');
    expect(paused.phase).toBe('paused');
    await client.resume(run.workflowId);
    const result = (await client.result(run.workflowId)) as BatchUploadResult;
    expect(result.runIds.length).toBeGreaterThan(2);
    expect(result.totals).toMatchObject({ files: 90, completed: 90, failed: 0, cancelled: 0, waiting: 0, running: 0 });
    const items = [];
    for await (const item of client.batchItems(run.workflowId)) items.push(item);
    expect(items.map((i) => i.index).sort((a, b) => a - b)).toEqual([...Array(90).keys()]);
    expect(new Set(items.map((i) => i.fileName))).toEqual(new Set(files.keys()));
    await expectOneAssetEach(files);
    const last = await handle.query(batchProgressQuery);
    expect(last.maxConcurrentUploads).toBe(2);
    // The Web UI's current details: the batch's counts across runs (no history events for them).
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain('**90 of 90 files**');
    expect(metadata.currentDetails).toContain(`run ${result.runIds.length}`);
    expect(last.runs).toBe(result.runIds.length);
    // Every run's history stays near its bound, and every run replays on this code.
    for (const runId of result.runIds) {
      const history = await stack.temporal.workflow.getHandle(run.workflowId, runId).fetchHistory();
      expect(history.events!.length).toBeLessThan(40 + 40);
    }
    expect(await replayAllRuns(stack.temporal, run.workflowId, result.runIds[0]!)).toBe(result.runIds.length);
  });

  it('keeps every file apart: an empty file, a link out of the roots and a lost create reply fail or heal alone', async () => {
    const dir = path.join(stack.dir, 'mixed');
    fs.mkdirSync(dir);
    const good = new Map<string, string>();
    for (let i = 0; i < 6; i++) {
      const f = await makeFile(dir, `ok-${i}.mp4`, 32 * 1024);
      good.set(`ok-${i}.mp4`, f.sha256);
    }
    fs.writeFileSync(path.join(dir, 'empty.mp4'), '');
    fs.symlinkSync('/etc/hostname', path.join(dir, 'out.mp4'));
    fs.writeFileSync(path.join(dir, 'readme.txt'), 'not media');
    // The next three A1 answers are lost after the asset was made.
    const before = await stack.emulator.counters();
    await stack.emulator.loseNextReplies('A1', 3);
    const run = await client.startBatch({ directory: dir, maxConcurrentUploads: 2, upload: { reconcileDelayMs: 200 } });
    const result = (await client.result(run.workflowId)) as BatchUploadResult;
    expect(result.totals).toMatchObject({ files: 8, completed: 6, failed: 2 });
    expect(result.failures.map((f) => [f.fileName, f.error?.type]).sort()).toEqual([
      ['empty.mp4', 'SourceEmpty'],
      ['out.mp4', 'SourceOutsideRoots'],
    ]);
    // Nothing about the target outside the roots: no size.
    expect(result.failures.find((f) => f.fileName === 'out.mp4')!.sizeBytes).toBeUndefined();
    expect(result.skipped).toEqual([{ reason: 'not a media file (by its extension)', count: 1, examples: [path.join(dir, 'readme.txt')] }]);
    await expectOneAssetEach(good);
    const after = await stack.emulator.counters();
    expect((after.faults_injected.lost_reply_a1 ?? 0) - (before.faults_injected.lost_reply_a1 ?? 0)).toBe(3);
  });

  it('a re-run uploads only what failed, changed or is new, and reports the assets of the rest', async () => {
    const dir = path.join(stack.dir, 'rerun');
    fs.mkdirSync(dir);
    for (let i = 0; i < 5; i++) await makeFile(dir, `r-${i}.mp4`, 16 * 1024);
    fs.writeFileSync(path.join(dir, 'r-empty.mp4'), '');
    // Above directMaxBytes: an upload of its own (a multipart child), named after its version.
    await makeFile(dir, 'r-large.mp4', 96 * 1024);
    const options = { directory: dir, upload: { directMaxBytes: 32 * 1024 } };
    const first = await client.startBatch(options);
    const firstResult = (await client.result(first.workflowId)) as BatchUploadResult;
    expect(firstResult.totals).toMatchObject({ files: 7, completed: 6, failed: 1 });
    expect(firstResult.items.find((i) => i.fileName === 'r-large.mp4')).toMatchObject({ route: 'multipart', workflowId: expect.any(String) });
    const firstAssets = new Map(firstResult.items.map((i) => [i.fileName, i.assetId]));

    // Fix the failed file, edit one in place (the directory's own mtime does not change), add one.
    const fixed = await makeFile(dir, 'r-empty.mp4', 8 * 1024);
    const edited = path.join(dir, 'r-2.mp4');
    fs.appendFileSync(edited, 'more');
    fs.utimesSync(edited, new Date(), new Date(Date.now() + 5_000));
    await makeFile(dir, 'r-new.mp4', 4 * 1024);

    const second = await client.startBatch(options);
    expect(second).toMatchObject({ workflowId: first.workflowId, attached: false, rerun: true });
    const result = (await client.result(second.workflowId)) as BatchUploadResult;
    expect(result.totals).toMatchObject({ files: 8, completed: 8, failed: 0, alreadyUploaded: 5 });
    const byName = new Map(result.items.map((i) => [i.fileName, i]));
    for (const name of ['r-0.mp4', 'r-1.mp4', 'r-3.mp4', 'r-4.mp4', 'r-large.mp4']) {
      expect(byName.get(name)).toMatchObject({ state: 'completed', alreadyUploaded: true, assetId: firstAssets.get(name) });
    }
    for (const name of ['r-2.mp4', 'r-empty.mp4', 'r-new.mp4']) expect(byName.get(name)?.alreadyUploaded, name).toBeUndefined();
    expect(byName.get('r-2.mp4')!.assetId).not.toBe(firstAssets.get('r-2.mp4'));
    const assets = await assetsByName();
    for (const name of ['r-0.mp4', 'r-1.mp4', 'r-3.mp4', 'r-4.mp4', 'r-large.mp4', 'r-empty.mp4', 'r-new.mp4']) expect(assets.get(name), name).toHaveLength(1);
    // The edited file: the old version's asset and the new one's.
    expect(assets.get('r-2.mp4')).toHaveLength(2);
    expect((await stack.emulator.objectInfo(byName.get('r-empty.mp4')!.assetId!))?.sha256).toBe(fixed.sha256);
  });
});

describe('an earlier upload past retention', () => {
  it('is answered as none, not retried as an error, when Temporal no longer knows it', async () => {
    const { earlierUploadResult } = earlierUploadActivities(stack.temporal);
    expect(await earlierUploadResult({ workflowId: `gone-past-retention-${Date.now()}` })).toEqual({ found: 'none' });
  });
});
