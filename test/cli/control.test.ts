// tl-upload's other commands as a separate process: pause, resume and cancel a running upload,
// status and watch, list (uploads Temporal knows), incomplete (sessions at TwelveLabs), assets,
// and clear errors with their exit codes.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadClient } from '../../src/client';
import { formatBytes } from '../../src/domain/bytes';
import type { UploadResult } from '../../src/domain/types';
import type { LiveProgress } from '../../src/client/types';
import { makeFile, startStack, waitFor, type Stack } from '../support/harness';
import { cli, cliJson, startCli } from './cli-process';

const CHUNK = 32 * 1024;

describe('tl-upload control commands', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, assetReadyDelayMs: 10 } });
    await stack.startWorker();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** Starts a slow multipart upload (throttled PUTs) and returns its workflow id. */
  async function startSlowUpload(name: string, chunks: number): Promise<{ workflowId: string; file: { path: string; sha256: string } }> {
    const file = await makeFile(stack.dir, name, chunks * CHUNK);
    const { code, json } = await cliJson<{ workflowId: string }>(stack, 'upload', file.path, '--direct-max-bytes', String(CHUNK), '--concurrency', '2');
    expect(code).toBe(0);
    return { workflowId: json.workflowId, file };
  }

  const status = async (workflowId: string) => (await cliJson<LiveProgress>(stack, 'status', workflowId)).json;

  it('pauses and resumes a running upload; status shows it; the incomplete list shows its open session', async () => {
    // About 1 s a chunk: 12 s for a lane's run, so the pause reaches running lanes.
    await stack.emulator.setFaults({ put_throttle_bps: 32 * 1024 });
    const { workflowId, file } = await startSlowUpload('pause-me.mp4', 24);
    try {
      // A lane reports its chunks to the workflow only when it returns; its heartbeats show them
      // at once (status counts them in sentBytes).
      await waitFor(async () => (await status(workflowId)).sentBytes >= CHUNK, 'the first chunk', 90_000);
      const paused = await cli(stack, 'pause', workflowId);
      expect(paused.code).toBe(0);
      expect(paused.stdout).toMatch(/pause requested/);
      const held = await waitFor(async () => {
        const s = await status(workflowId);
        return s.phase === 'paused' && s.multipart!.inFlightChunks.length === 0 && s;
      }, 'the window to drain', 90_000);
      expect(held.multipart!.uploadedChunks).toBeGreaterThan(0);
      expect(held.multipart!.uploadedChunks).toBeLessThan(24); // paused with chunks left to send

      const human = await cli(stack, 'status', workflowId);
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(new RegExp(`^upload ${workflowId}: running, paused \\(multipart\\)$`, 'm'));
      expect(human.stdout).toMatch(/concurrency: 2 \(paused\)/);

      const open = await cliJson<{ uploads: Array<{ uploadId: string; totalChunks: number }> }>(stack, 'incomplete');
      expect(open.code).toBe(0);
      expect(open.json.uploads).toContainEqual(expect.objectContaining({ uploadId: held.multipart!.uploadId, totalChunks: 24 }));
      // Paused: no chunk was stored since (the same count, read again after the listing).
      expect((await status(workflowId)).multipart!.uploadedChunks).toBe(held.multipart!.uploadedChunks);

      const wider = await cliJson<{ previous: number; concurrency: number }>(stack, 'concurrency', workflowId, '4');
      expect(wider.json).toMatchObject({ previous: 2, concurrency: 4 });

      await stack.emulator.setFaults({});
      expect((await cli(stack, 'resume', workflowId)).code).toBe(0);
      const watched = await cli(stack, 'watch', workflowId, '--interval-ms', '200');
      expect(watched.code, watched.stderr).toBe(0);
      const assetId = /^asset id: (\w+)$/m.exec(watched.stdout)?.[1];
      expect(await stack.emulator.objectInfo(assetId!)).toEqual({ size: 24 * CHUNK, sha256: file.sha256 });
    } finally {
      await stack.emulator.setFaults({});
    }
  });

  it('cancels a running upload: the watcher exits non-zero, the upload ends cancelled, no PUT follows', async () => {
    await stack.emulator.setFaults({ put_throttle_bps: 32 * 1024 });
    try {
      const { workflowId } = await startSlowUpload('cancel-me.mp4', 32);
      const watcher = startCli(stack, ['watch', workflowId, '--json']);
      const running = await waitFor(async () => {
        const s = await status(workflowId);
        return (s.multipart?.uploadedChunks ?? 0) > 0 && s;
      }, 'the first chunk', 90_000);
      const cancelled = await cli(stack, 'cancel', workflowId);
      expect(cancelled.code).toBe(0);

      const watched = await watcher.done;
      expect(watched.code).toBe(1);
      const lines = watched.stdout.trim().split('\n').map((l) => JSON.parse(l) as LiveProgress);
      expect(lines.length).toBeGreaterThan(1); // one JSON object per update
      expect(lines.at(-1)).toMatchObject({ workflowId, executionStatus: 'CANCELLED', error: { type: 'Cancelled' } });

      // Every PUT that was started has ended at the emulator...
      const settled = await waitFor(async () => {
        const c = await stack.emulator.counters();
        const ended = Object.values(c.puts_by_status).reduce((a, b) => a + b, 0) + c.puts_aborted + c.puts_reset;
        return ended === (c.requests_by_endpoint.S1 ?? 0) && c;
      }, 'every PUT to end');

      const human = await cli(stack, 'watch', workflowId);
      expect(human.code).toBe(1);
      expect(human.stderr).toMatch(new RegExp(`✗ ${workflowId} was cancelled`));

      // status shows what the cancelled upload had stored, not 0 B: at least the chunks TwelveLabs
      // accepted, at most what the store holds (a PUT may land as the cancellation arrives).
      const session = (await stack.emulator.sessionView(running.multipart!.uploadId!))!;
      const inStore = session.chunks.filter((c) => c.put_count > 0).length * CHUNK;
      const after = await cliJson<LiveProgress>(stack, 'status', workflowId);
      expect(after.code).toBe(1);
      expect(after.json).toMatchObject({ executionStatus: 'CANCELLED', error: { type: 'Cancelled' } });
      expect(after.json.sentBytes).toBeGreaterThan(0);
      expect(after.json.sentBytes % CHUNK).toBe(0);
      expect(after.json.sentBytes).toBeGreaterThanOrEqual(session.chunks_completed * CHUNK);
      expect(after.json.sentBytes).toBeLessThanOrEqual(inStore);
      expect((await cli(stack, 'status', workflowId)).stdout).toContain(`${formatBytes(after.json.sentBytes)} / 1.0 MiB`);
      const again = await cli(stack, 'pause', workflowId);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/is not running \(it is cancelled\)/);
      // ...and none was sent after, while the commands above ran.
      expect((await stack.emulator.counters()).requests_by_endpoint.S1).toBe(settled.requests_by_endpoint.S1);
    } finally {
      await stack.emulator.setFaults({});
    }
  });

  it('lists uploads Temporal knows, with file name, size and phase, filtered like the Web UI', async () => {
    const file = await makeFile(stack.dir, 'listed.mp4', 5_000);
    const { json: started } = await cliJson<{ workflowId: string }>(stack, 'upload', file.path, '--wait');
    const entry = await waitFor(async () => {
      const { json } = await cliJson<Array<{ workflowId: string; phase?: string }>>(stack, 'list', '--file', 'listed.mp4');
      return json.find((e) => e.workflowId === started.workflowId && e.phase === 'completed');
    }, 'the upload in the visibility store');
    expect(entry).toMatchObject({ kind: 'upload', status: 'COMPLETED', fileName: 'listed.mp4', sizeBytes: 5_000, phase: 'completed' });
    const table = await cli(stack, 'list', '--limit', '100');
    expect(table.stdout).toMatch(/^WORKFLOW ID\s+KIND\s+STATUS\s+PHASE\s+FILE\s+SIZE\s+STARTED$/m);
    expect(table.stdout).toMatch(new RegExp(`^${started.workflowId}\\s+upload\\s+completed\\s+completed\\s+listed\\.mp4\\s+4\\.9 KiB`, 'm'));
    const running = await cliJson<Array<{ workflowId: string }>>(stack, 'list', '--running');
    expect(running.json.map((e) => e.workflowId)).not.toContain(started.workflowId);
  });

  it('finds a file by a name with quotes and backslashes, and only that name', async () => {
    const ids: Record<string, string> = {};
    for (const name of ['say "hi".mp4', '"quoted".mp4', 'say.mp4']) {
      const file = await makeFile(stack.dir, name, 3_000);
      const { code, json } = await cliJson<{ workflowId: string }>(stack, 'upload', file.path, '--wait');
      expect(code).toBe(0);
      ids[name] = json.workflowId;
    }
    // A name with a backslash, started on a queue no worker polls: listing needs only Temporal.
    const parked = new UploadClient(stack.temporal, { taskQueue: `${stack.taskQueue}-parked` });
    const odd = "it's \\ \"odd\".mp4";
    // The file exists here, so the client names the upload without asking a worker for its identity.
    const oddFile = await makeFile(stack.dir, 'odd.mp4', 1_000);
    ids[odd] = (await parked.startUpload(oddFile.path, { filename: odd })).workflowId;
    for (const [name, workflowId] of Object.entries(ids)) {
      const found = await waitFor(async () => {
        const { code, json } = await cliJson<Array<{ workflowId: string; fileName: string }>>(stack, 'list', '--file', name);
        expect(code).toBe(0);
        return json.length > 0 && json;
      }, `the upload of ${name} in the visibility store`);
      expect(found.map((e) => [e.workflowId, e.fileName])).toEqual([[workflowId, name]]);
    }
  });

  it('manages assets through the worker: list, get, metadata, delete', async () => {
    const file = await makeFile(stack.dir, 'managed.mp4', 7_000);
    const { json } = await cliJson<{ result: UploadResult }>(stack, 'upload', file.path, '--wait');
    const assetId = json.result.assetId;

    const listed = await cliJson<{ items: Array<{ id: string }> }>(stack, 'assets', 'list', '--filename', 'managed');
    expect(listed.json.items.map((a) => a.id)).toEqual([assetId]);
    const got = await cli(stack, 'assets', 'get', assetId);
    expect(got.stdout).toMatch(new RegExp(`^asset id:  ${assetId}$`, 'm'));
    expect(got.stdout).toMatch(/^status:    ready$/m);

    const set = await cliJson<{ userMetadata: Record<string, unknown> }>(stack, 'assets', 'metadata', assetId, '--set', 'team=ml', '--set', 'views=3');
    expect(set.json.userMetadata).toEqual({ team: 'ml', views: 3 });
    const unset = await cliJson<{ userMetadata: Record<string, unknown> }>(stack, 'assets', 'metadata', assetId, '--unset', 'views');
    expect(unset.json.userMetadata).toEqual({ team: 'ml' });
    expect((await cli(stack, 'assets', 'metadata', assetId)).stdout.trim()).toBe('team=ml');
    expect((await cliJson(stack, 'assets', 'metadata', assetId, '--clear')).json).toEqual({ assetId, userMetadata: {} });

    expect((await cli(stack, 'assets', 'delete', assetId)).code).toBe(0);
    const gone = await cliJson<{ error: { code: string } }>(stack, 'assets', 'get', assetId);
    expect(gone.code).toBe(3);
    expect(gone.json.error.code).toBe('not-found');
  });

  it('answers unknown ids, unknown commands and --help clearly', async () => {
    const missing = await cli(stack, 'status', 'no-such-upload');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/no upload with workflow id no-such-upload/);
    const unknown = await cli(stack, 'frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
    for (const command of ['status', 'watch', 'pause', 'resume', 'cancel', 'concurrency', 'list', 'incomplete', 'assets']) {
      const help = await cli(stack, command, '--help');
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(new RegExp(`^Usage: tl-upload ${command}`));
    }
    const overview = await cli(stack, '--help');
    expect(overview.stdout).toMatch(/Exit codes: 0 done, 1 failed or cancelled \(a batch: any of its files\), 2 bad usage/);
  });
});
