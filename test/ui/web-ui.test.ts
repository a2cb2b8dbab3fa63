// The Temporal Web UI, used as a person uses it: a real browser on the dev server's UI finds the
// upload, presses the buttons a person presses, and the upload reacts. Screenshots of every step
// go to test-artifacts/ui/.

import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartUploadWorkflow, pauseSignal, progressQuery } from '../../src/workflows/multipart-upload';
import { makeFile, startStack, waitFor, type InProcessWorker, type Stack } from '../support/harness';
import { ensureChromium, openBrowser, type Browser } from './browser';

// Chunks bigger than loopback socket buffers, so a cancelled PUT cannot complete from bytes
// already buffered on the way to the emulator.
const CHUNK = 4 * 1024 * 1024;
const chromiumPath = ensureChromium();

describe.skipIf(!chromiumPath)('the Temporal Web UI', () => {
  let stack: Stack;
  let worker: InProcessWorker;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startStack({ server: { ui: true }, emulator: { chunkSizeBytes: CHUNK, initialUrls: 10, assetReadyDelayMs: 10 } });
    worker = await stack.startWorker();
    browser = await openBrowser(chromiumPath!);
  });
  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await stack?.stop();
  });

  /** From the workflow list to the workflow's page, by its id, as a person navigates. */
  async function openWorkflow(workflowId: string): Promise<void> {
    const { page } = browser;
    await page.goto(`${stack.server.uiUrl}/namespaces/default/workflows`);
    await page.getByRole('link', { name: workflowId }).click();
    await page.getByRole('heading', { name: workflowId }).waitFor();
  }

  it('cancels a running upload with "Request Cancellation", and no chunk PUT follows', async () => {
    const { page } = browser;
    // 64 KiB/s per PUT: each chunk takes a minute, so the upload is surely running when we cancel.
    await stack.emulator.setFaults({ put_throttle_bps: 64 * 1024 });
    const file = await makeFile(stack.dir, 'cancel-me.mp4', 3 * CHUNK);
    const workflowId = `ui-cancel-${Date.now()}`;
    const handle = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId,
      args: [{ source: { path: file.path }, concurrency: 2 }],
    });
    await waitFor(async () => (await handle.query(progressQuery)).inFlightChunks.length > 0, 'chunk PUTs in flight');

    await openWorkflow(workflowId);
    await browser.screenshot('cancel-1-running');
    await page.getByRole('button', { name: 'Request Cancellation' }).click();
    const dialog = page.getByRole('dialog').filter({ visible: true });
    await dialog.getByRole('button', { name: 'Confirm' }).waitFor();
    await browser.screenshot('cancel-2-confirm-dialog');
    await dialog.getByRole('button', { name: 'Confirm' }).click();

    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect((await handle.query(progressQuery)).phase).toBe('cancelled');

    // Once the workflow is closed, the store sees no new chunk PUT, and no chunk completes.
    // (bytes_received may still grow a little: the throttled emulator drains what the kernel
    // had already buffered before the PUTs were aborted.)
    const closed = await stack.emulator.counters();
    expect(closed.requests_by_endpoint.S1).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 3_000));
    const settled = await stack.emulator.counters();
    expect(settled.requests_by_endpoint.S1).toBe(closed.requests_by_endpoint.S1);
    expect(settled.puts_by_status['200'] ?? 0).toBe(0);
    expect(settled.bytes_stored).toBe(0);

    await page.reload();
    await page.getByText('Canceled', { exact: true }).filter({ visible: true }).first().waitFor();
    await browser.screenshot('cancel-3-canceled');
    await stack.emulator.setFaults({});
  });

  it('resumes a paused upload with "Send a Signal" → resume, and it finishes', async () => {
    const { page } = browser;
    const file = await makeFile(stack.dir, 'paused.mp4', 2 * CHUNK + 99);
    const workflowId = `ui-resume-${Date.now()}`;
    // Paused from its first workflow task, so not a chunk is sent until someone resumes it.
    const handle = await stack.temporal.workflow.signalWithStart(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId,
      args: [{ source: { path: file.path }, reportFlushMs: 200 }],
      signal: pauseSignal,
    });
    await waitFor(async () => {
      const p = await handle.query(progressQuery);
      return p.phase === 'paused' && p.uploadId !== undefined;
    }, 'the upload to be paused with its session');
    const beforeResume = await stack.emulator.counters();

    await openWorkflow(workflowId);
    await page.getByRole('button', { name: 'More Actions' }).click();
    await page.getByRole('menuitem', { name: 'Send a Signal' }).click();
    const dialog = page.getByRole('dialog').filter({ visible: true });
    await dialog.getByTestId('signal-select-button').click();
    await dialog.getByRole('option', { name: 'resume' }).click();
    await dialog.getByRole('listbox').waitFor({ state: 'hidden' });
    await browser.screenshot('resume-1-signal-dialog');
    // Nothing moved while paused: the chunks start only after the signal.
    expect((await stack.emulator.counters()).requests_by_endpoint.S1 ?? 0).toBe(beforeResume.requests_by_endpoint.S1 ?? 0);
    await dialog.getByRole('button', { name: 'Submit' }).click();

    const result = await handle.result();
    expect(result.totalChunks).toBe(3);
    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: 2 * CHUNK + 99, sha256: file.sha256 });
    expect((await handle.query(progressQuery)).phase).toBe('completed');

    await page.reload();
    await page.getByText('Completed', { exact: true }).filter({ visible: true }).first().waitFor();
    await browser.screenshot('resume-2-completed');
  });
});
