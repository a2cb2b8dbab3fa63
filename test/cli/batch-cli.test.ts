// tl-upload and batches, as a separate process: one exit-code rule for a batch with a cancelled
// file in every command and output mode, and a re-run that says what it skipped and why.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadClient } from '../../src/client';
import { batchProgressQuery } from '../../src/workflows/batch-upload';
import { makeFile, startStack, waitFor, type Stack } from '../support/harness';
import { cli, startCli } from './cli-process';

const CHUNK = 32 * 1024;

describe('tl-upload with batches', () => {
  let stack: Stack;
  let client: UploadClient;

  beforeAll(async () => {
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, assetReadyDelayMs: 10 } });
    await stack.startWorker();
    client = new UploadClient(stack.temporal, { taskQueue: stack.taskQueue });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('exits 1 for a batch with a cancelled file in watch, watch --json, upload --json --wait and status', async () => {
    const dir = path.join(stack.dir, 'with-a-cancel');
    fs.mkdirSync(dir);
    await makeFile(dir, 'small.mp4', 8 * 1024);
    await makeFile(dir, 'large.mp4', 24 * CHUNK);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not media');
    // The large file goes as a multipart child at about a chunk a second: time to cancel it.
    await stack.emulator.setFaults({ put_throttle_bps: 32 * 1024 });
    const waiting = startCli(stack, ['upload', dir, '--direct-max-bytes', String(2 * CHUNK), '--json', '--wait']);
    const started = await waitFor(async () => (await client.listUploads({ running: true })).find((u) => u.kind === 'batch'), 'the batch to start');
    const batch = stack.temporal.workflow.getHandle(started.workflowId);
    const child = await waitFor(async () => (await batch.query(batchProgressQuery)).items.find((i) => i.workflowId && i.state === 'running'), 'the large file to start');
    await client.cancel(child.workflowId!);
    const upload = await waiting.done;
    await stack.emulator.setFaults({});
    expect(JSON.parse(upload.stdout)).toMatchObject({ status: 'completed', result: { totals: { completed: 1, cancelled: 1 } } });
    expect(upload.code).toBe(1);
    const watchJson = await cli(stack, 'watch', started.workflowId, '--json');
    const watch = await cli(stack, 'watch', started.workflowId);
    const statusJson = await cli(stack, 'status', started.workflowId, '--json');
    const status = await cli(stack, 'status', started.workflowId);
    expect([watchJson.code, watch.code, statusJson.code, status.code]).toEqual([1, 1, 1, 1]);
    expect(status.stdout).toContain('files: 1 completed, 0 failed, 1 cancelled');
    expect(status.stdout).toContain('skipped 1 entry: not a media file (by its extension)');
    expect(watch.stdout).toMatch(/1 of 2 files uploaded .*, 1 cancelled/);
  });

  it('says on a re-run what it skipped and why, and uploads only what is left', async () => {
    const dir = path.join(stack.dir, 'again');
    fs.mkdirSync(dir);
    for (let i = 0; i < 3; i++) await makeFile(dir, `a-${i}.mp4`, 8 * 1024);
    fs.mkdirSync(path.join(dir, 'sub'));
    const first = await cli(stack, 'upload', dir);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('3 of 3 files uploaded');
    expect(first.stdout).toContain('skipped 1 entry: a directory (add --recursive to upload what it holds)');
    await makeFile(dir, 'a-new.mp4', 8 * 1024);
    const again = await cli(stack, 'upload', dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('this batch ran before');
    expect(again.stdout).toContain('4 of 4 files uploaded');
    expect(again.stdout).toContain('skipped 3 files uploaded before and unchanged since: not uploaded again');
    expect(again.stdout.match(/\(uploaded before\)/g)).toHaveLength(3);
    const created = (await stack.emulator.created()).filter((a) => a.filename.startsWith('a-'));
    expect(created).toHaveLength(4);
  });
});
