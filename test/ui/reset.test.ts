// Retry from the Temporal Web UI: a failed upload is retried with the UI's Reset button, as a
// person does it. The reset run carries on the session the failed run left when it can still be
// used (no second session, no second asset, finished chunks not sent again), and starts over
// when it cannot (the file was fixed after SourceChanged), deleting the unusable session's asset.
// Real dev server and Web UI, worker, emulator over loopback, files; screenshots in test-artifacts/ui/.

import fs from 'node:fs';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadClient, UploadFailedError } from '../../src/client';
import { progressQuery } from '../../src/workflows/multipart-upload';
import { uploadProgressQuery } from '../../src/workflows/upload';
import type { UploadResult } from '../../src/domain/types';
import { makeFile, startStack, waitFor, workflowBundle, type InProcessWorker, type Stack } from '../support/harness';
import { ensureChromium, openBrowser, type Browser } from './browser';

const CHUNK = 64 * 1024;
const CHUNKS = 16;
/**
 * The carry-on upload is longer: lanes report their chunks when they return, so the first reports
 * come a few seconds in, and the child must still be running well after that to be killed mid-way.
 */
const CARRY_ON_CHUNKS = 40;
const chromiumPath = ensureChromium();

describe.skipIf(!chromiumPath)('Reset in the Temporal Web UI', () => {
  let stack: Stack;
  let worker: InProcessWorker;
  let browser: Browser;
  let client: UploadClient;

  beforeAll(async () => {
    stack = await startStack({ server: { ui: true }, emulator: { chunkSizeBytes: CHUNK, assetReadyDelayMs: 10 } });
    worker = await stack.startWorker();
    client = new UploadClient(stack.temporal, { taskQueue: stack.taskQueue });
    browser = await openBrowser(chromiumPath!);
  });
  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await stack?.stop();
  });

  /** A multipart upload whose chunk PUTs crawl (64 KiB/s each), so it is surely mid-way when it fails. */
  async function slowMultipartUpload(file: string) {
    await stack.emulator.setFaults({ put_throttle_bps: CHUNK });
    const run = await client.startUpload(file, { directMaxBytes: CHUNK, readyPollIntervalMs: 100, multipart: { concurrency: 2, reportBatchSize: 1, reportFlushMs: 100 } });
    const childId = await waitFor(async () => (await stack.temporal.workflow.getHandle(run.workflowId).query(uploadProgressQuery)).multipartWorkflowId, 'the multipart child');
    return { workflowId: run.workflowId, child: stack.temporal.workflow.getHandle(childId) };
  }

  /** The person's part: the failed upload's page, Reset, the first workflow task, a reason, Confirm. Answers the failed run's id. */
  async function resetInTheWebUi(workflowId: string, screenshotPrefix: string): Promise<string> {
    const { page } = browser;
    const failedRunId = (await stack.temporal.workflow.getHandle(workflowId).describe()).runId;
    await page.goto(`${stack.server.uiUrl}/namespaces/default/workflows`);
    await page.getByRole('link', { name: workflowId }).first().click();
    await page.getByRole('heading', { name: workflowId }).waitFor();
    await page.getByText('Failed', { exact: true }).filter({ visible: true }).first().waitFor();
    await browser.screenshot(`${screenshotPrefix}-1-failed`);
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    const dialog = page.getByRole('dialog').filter({ visible: true });
    await dialog.getByTestId('workflow-reset-event-id-select-button').click();
    await dialog.getByRole('option').first().click(); // the first WorkflowTaskCompleted: the run starts over from its input
    await dialog.getByTestId('reset-reason').fill('retry after the failure was fixed');
    await browser.screenshot(`${screenshotPrefix}-2-reset-dialog`);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await waitFor(async () => (await stack.temporal.workflow.getHandle(workflowId).describe()).runId !== failedRunId, 'the reset run');
    return failedRunId;
  }

  /** The reset run's page shows it completed. */
  async function showLatestRun(workflowId: string): Promise<void> {
    const { runId } = await stack.temporal.workflow.getHandle(workflowId).describe();
    await browser.page.goto(`${stack.server.uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/history`);
    await browser.page.getByRole('heading', { name: workflowId }).waitFor();
    await browser.page.getByText('Completed', { exact: true }).filter({ visible: true }).first().waitFor();
  }

  /** The emulator's counters once no PUT is still arriving (two looks half a second apart agree). */
  async function settledCounters() {
    let previous = await stack.emulator.counters();
    for (;;) {
      await new Promise((r) => setTimeout(r, 500));
      const now = await stack.emulator.counters();
      const busy = (c: typeof now) => [c.bytes_received, c.requests_by_endpoint.S1, JSON.stringify(c.puts_by_status)].join();
      if (busy(now) === busy(previous)) return now;
      previous = now;
    }
  }

  async function resultOfLatestRun(workflowId: string): Promise<UploadResult> {
    return (await stack.temporal.workflow.getHandle(workflowId).result()) as UploadResult;
  }

  /** The failed run and the reset run (copied events, then the new decisions) replay on today's code. */
  async function expectBothRunsReplay(workflowId: string, failedRunId: string): Promise<void> {
    const { runId } = await stack.temporal.workflow.getHandle(workflowId).describe();
    const histories = [];
    for (const run of [failedRunId, runId]) {
      histories.push({ workflowId, history: await stack.temporal.workflow.getHandle(workflowId, run).fetchHistory() });
    }
    expect(histories[1]!.history.events!.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'previousSession')).toBe(true);
    let replayed = 0;
    for await (const replay of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      expect(replay.error, `replay of ${replay.workflowId}`).toBeUndefined();
      replayed++;
    }
    expect(replayed).toBe(2);
  }

  it('carries on the session a failed run left: one session, one asset, accepted chunks not sent again', async () => {
    const file = await makeFile(stack.dir, 'carry-on.mp4', CARRY_ON_CHUNKS * CHUNK);
    const before = await stack.emulator.counters();
    const { workflowId, child } = await slowMultipartUpload(file.path);
    const first = await waitFor(async () => {
      const p = await child.query(progressQuery);
      return p.reportedChunks >= 4 && p.uploadId !== undefined && p;
    }, 'four chunks accepted');
    // The child dies with its session still active at TwelveLabs (as after an outage that
    // outlasted its retries, or a mistaken terminate); the upload fails with it.
    await child.terminate('the chunk workflow died');
    const err = await client.result(workflowId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UploadFailedError);
    await stack.emulator.setFaults({});
    // The failed run's last PUTs end; what TwelveLabs accepted by now is not sent again.
    const atReset = await settledCounters();

    const failedRunId = await resetInTheWebUi(workflowId, 'reset-carry-on');
    const result = await resultOfLatestRun(workflowId);

    expect(result.multipart?.uploadId).toBe(first.uploadId);
    expect(result.assetId).toBe(first.assetId);
    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: CARRY_ON_CHUNKS * CHUNK, sha256: file.sha256 });
    const after = await stack.emulator.counters();
    expect((after.sessions_created ?? 0) - (before.sessions_created ?? 0)).toBe(1);
    expect((await stack.api.listAssets({ filename: 'carry-on.mp4' })).items.map((a) => a.id)).toEqual([result.assetId]);
    const putsAfterReset = (after.puts_by_status['200'] ?? 0) - (atReset.puts_by_status['200'] ?? 0);
    expect(putsAfterReset).toBeLessThanOrEqual(CARRY_ON_CHUNKS - first.reportedChunks);

    await showLatestRun(workflowId);
    await browser.screenshot('reset-carry-on-3-completed');
    await expectBothRunsReplay(workflowId, failedRunId);
  });

  it('starts over when the file was fixed after SourceChanged, and deletes the unusable session\'s asset', async () => {
    const file = await makeFile(stack.dir, 'being-written.mp4', CHUNKS * CHUNK);
    const before = await stack.emulator.counters();
    const { workflowId, child } = await slowMultipartUpload(file.path);
    const first = await waitFor(async () => {
      const p = await child.query(progressQuery);
      return p.uploadedChunks >= 2 && p.assetId !== undefined && p;
    }, 'the first chunks');
    // The file was still being written: the upload fails SourceChanged.
    fs.appendFileSync(file.path, Buffer.alloc(CHUNK / 2, 7));
    const err = (await client.result(workflowId).catch((e: unknown) => e)) as UploadFailedError;
    expect(err).toBeInstanceOf(UploadFailedError);
    expect(err.type).toBe('SourceChanged');
    await stack.emulator.setFaults({});
    const complete = fs.readFileSync(file.path);
    const { createHash } = await import('node:crypto');
    const sha256 = createHash('sha256').update(complete).digest('hex');

    const failedRunId = await resetInTheWebUi(workflowId, 'reset-start-over');
    const result = await resultOfLatestRun(workflowId);

    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: complete.length, sha256 });
    expect(result.assetId).not.toBe(first.assetId);
    const after = await stack.emulator.counters();
    expect((after.sessions_created ?? 0) - (before.sessions_created ?? 0)).toBe(2);
    // The first session held the old bytes: its asset is gone, so the file has exactly one asset.
    await expect(stack.api.getAsset(first.assetId!)).rejects.toMatchObject({ status: 404 });
    expect((await stack.api.listAssets({ filename: 'being-written.mp4' })).items.map((a) => a.id)).toEqual([result.assetId]);
    await showLatestRun(workflowId);
    await browser.screenshot('reset-start-over-3-completed');
    await expectBothRunsReplay(workflowId, failedRunId);
  });
});
