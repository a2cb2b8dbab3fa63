// The Temporal Web UI, used as a person uses it: a real browser on the dev server's UI finds the
// upload, presses the buttons a person presses, and the upload reacts. Screenshots of every step
// go to test-artifacts/ui/.

import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadClient } from '../../src/client';
import type { LaneHeartbeat } from '../../src/activities/chunk-upload';
import type { UploadResult } from '../../src/domain/types';
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

  /**
   * The Current Details panel (User Metadata tab) as the person sees it: the Web UI renders the
   * Markdown in a frame of its own. Refreshed with "R" (the panel's own key, which sends the
   * metadata query again) until it says `expected`.
   */
  async function currentDetails(expected: RegExp): Promise<string> {
    const { page } = browser;
    await page.locator('#user-metadata-tab').click();
    await page.getByRole('heading', { name: 'Current Details' }).waitFor();
    const rendered = page.frameLocator('iframe[title="output"] >> nth=-1').locator('body');
    let text = '';
    await waitFor(async () => {
      text = await rendered.innerText({ timeout: 5_000 }).catch(() => '');
      if (expected.test(text)) return true;
      await page.keyboard.press('r');
      await page.waitForTimeout(300);
      return false;
    }, `Current Details to match ${expected}`, 30_000).catch((err: Error) => {
      throw new Error(`${err.message}; the panel says: ${text}`);
    });
    return text;
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

  it("shows a running upload's bytes, percentage, chunks and lanes in Current Details, with no event for it", async () => {
    const { page } = browser;
    // 1 MiB/s per PUT: each 4 MiB chunk takes seconds, so the upload is surely running when looked at.
    await stack.emulator.setFaults({ put_throttle_bps: 1024 * 1024 });
    const file = await makeFile(stack.dir, 'progress.mp4', 16 * CHUNK);
    const uploads = new UploadClient(stack.temporal, { taskQueue: stack.taskQueue, webUiUrl: stack.server.uiUrl! });
    const workflowId = `ui-progress-${Date.now()}`;
    await uploads.startUpload(file.path, { workflowId, directMaxBytes: 1, multipart: { concurrency: 4 } });
    const parent = stack.temporal.workflow.getHandle(workflowId);
    const childId = await waitFor(async () => (await uploads.progress(workflowId)).upload?.multipartWorkflowId, 'the multipart child');
    const child = stack.temporal.workflow.getHandle(childId);

    // Every lane (4 of 16 chunks each) has stored a chunk, as its heartbeat says; a pause makes
    // them return with what they stored, so the workflow itself knows of at least 4 chunks; then
    // the upload goes on.
    await waitFor(async () => {
      const lanes = await laneHeartbeats(child);
      return lanes.length === 4 && lanes.every((hb) => hb.finished.length > 0);
    }, 'every lane to store a chunk');
    await uploads.pause(workflowId);
    await waitFor(async () => {
      const p = await child.query(progressQuery);
      return p.phase === 'paused' && p.lanesInFlight === 0 && p.uploadedChunks >= 4;
    }, 'the lanes to return what they stored');
    // From now on a chunk takes minutes: the upload is surely still running while the page is read.
    await stack.emulator.setFaults({ put_throttle_bps: 16 * 1024 });
    await uploads.resume(workflowId);
    await waitFor(async () => ((await child.query(progressQuery)).lanesInFlight ?? 0) > 0, 'lanes running again');
    const eventsBefore = (await child.describe()).historyLength;

    await page.goto(`${stack.server.uiUrl}/namespaces/default/workflows/${encodeURIComponent(childId)}`);
    await page.getByRole('heading', { name: childId }).waitFor();
    // The History tab, shown first: each lane's row in the timeline says which chunks it carries.
    await page.getByText(/chunks \d+–\d+ of 16/).first().waitFor();
    await browser.screenshot('progress-0-child-timeline');
    const running = await currentDetails(/uploading[\s\S]*\d+\.\d%[\s\S]*of 64\.0 MiB[\s\S]*chunks: \d+ of 16 stored[\s\S]*lanes: \d+ running of 4/);
    const percent = Number(/(\d+\.\d)%/.exec(running)![1]);
    expect(percent).toBeGreaterThanOrEqual(25); // at least the 4 chunks the lanes returned
    expect(percent).toBeLessThan(100);
    expect(running).toMatch(/(1[6-9]|[2-5]\d|6[0-3])\.\d MiB of 64\.0 MiB/);
    await browser.screenshot('progress-1-child-current-details');

    // The upload's own page says where it is and links to the child, whose page shows the chunks.
    await page.goto(`${stack.server.uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
    await page.getByRole('heading', { name: workflowId }).waitFor();
    await currentDetails(/progress\.mp4 — uploading[\s\S]*route: multipart, 64\.0 MiB/);
    await browser.screenshot('progress-2-upload-current-details');
    const href = await page.frameLocator('iframe[title="output"] >> nth=-1').getByRole('link', { name: childId }).getAttribute('href');
    await page.goto(new URL(href!, stack.server.uiUrl).href);
    await page.getByRole('heading', { name: childId }).waitFor();

    // Full speed again: a pause stops the slow PUTs (a lane's cancel aborts the one in flight),
    // and the upload resumes on fresh ones.
    await stack.emulator.setFaults({});
    await uploads.pause(workflowId);
    await waitFor(async () => (await child.query(progressQuery)).lanesInFlight === 0, 'the slow lanes to stop');
    await uploads.resume(workflowId);
    const result = (await uploads.result(workflowId)) as UploadResult;
    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: 16 * CHUNK, sha256: file.sha256 });
    await page.reload();
    await currentDetails(/completed[\s\S]*100\.0%[\s\S]*64\.0 MiB of 64\.0 MiB[\s\S]*chunks: 16 of 16 stored, 16 confirmed/);
    await browser.screenshot('progress-3-child-completed');

    // The details changed with every lane and report, yet the history holds nothing for them:
    // only the orchestration's own events (no property or memo change, no extra signal; markers
    // only from patched()).
    const events = await historyEventTypes(child);
    expect(events.length).toBeGreaterThan(eventsBefore);
    const kinds = new Set(events);
    for (const kind of kinds) expect(ORCHESTRATION_EVENTS).toContain(kind);
    expect(events.filter((e) => e === 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED')).toHaveLength(4); // pause, resume, twice
    // TlPhase, once per change of phase: creating-session, uploading, (paused, uploading) twice,
    // confirming, completed; never per refresh of the details. The only other upsert is the
    // TemporalChangeVersion that a patched() marker records.
    const upserted = (await child.fetchHistory()).events!.flatMap((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}));
    expect(upserted.filter((key) => key === 'TlPhase').length).toBeLessThanOrEqual(8);
    expect(new Set(upserted)).toEqual(new Set(upserted.includes('TemporalChangeVersion') ? ['TlPhase', 'TemporalChangeVersion'] : ['TlPhase']));
    expect((await parent.describe()).status.name).toBe('COMPLETED');
  });
});

/** Every kind of event a multipart upload's orchestration makes; a details refresh adds none. */
const ORCHESTRATION_EVENTS = [
  'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
  'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
  'EVENT_TYPE_WORKFLOW_TASK_STARTED',
  'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
  'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED',
  'EVENT_TYPE_ACTIVITY_TASK_STARTED',
  'EVENT_TYPE_ACTIVITY_TASK_COMPLETED',
  'EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED',
  'EVENT_TYPE_ACTIVITY_TASK_CANCELED',
  'EVENT_TYPE_ACTIVITY_TASK_FAILED',
  'EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT',
  'EVENT_TYPE_TIMER_STARTED',
  'EVENT_TYPE_TIMER_FIRED',
  'EVENT_TYPE_TIMER_CANCELED',
  'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
  'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES',
  // patched() markers: a pause makes the run read its lanes before cancelling them ('read-lanes-before-cancel').
  'EVENT_TYPE_MARKER_RECORDED',
  'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
];

async function historyEventTypes(handle: WorkflowHandle): Promise<string[]> {
  const { temporal } = await import('@temporalio/proto');
  const history = await handle.fetchHistory();
  return (history.events ?? []).map((e) => temporal.api.enums.v1.EventType[e.eventType ?? 0]!);
}

/** The running lanes' last heartbeats (JSON payloads: this stack has no codec). */
async function laneHeartbeats(handle: WorkflowHandle): Promise<LaneHeartbeat[]> {
  const { raw } = await handle.describe();
  return (raw.pendingActivities ?? [])
    .filter((a) => a.activityType?.name === 'uploadChunk' && a.heartbeatDetails?.payloads?.[0]?.data)
    .map((a) => JSON.parse(Buffer.from(a.heartbeatDetails!.payloads![0]!.data!).toString('utf8')) as LaneHeartbeat);
}
