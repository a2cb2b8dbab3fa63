// The TwelveLabs API key never leaves the worker: not in workflow inputs, results, failures,
// search attributes or any other part of the history, and not in the worker's own log output.
// Checked without encryption (the history in plain text is the hardest case), over uploads that
// succeed, fail (the API refusing a wrong key included) and are cancelled.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartUploadWorkflow } from '../../src/workflows/multipart-upload';
import type { MultipartUploadInput } from '../../src/domain/types';
import { API_KEY, makeFile, startStack, waitFor, type Stack, type WorkerProcess } from '../support/harness';
import { multipartSentBytes } from '../support/lane-heartbeats';
import { historyBytes, occurrences, rawHistories } from './support';

const CHUNK = 16 * 1024;
/** A key the emulator does not accept: the API's refusal must not carry it back into the history. */
const WRONG_KEY = `tlk_wrong_${randomBytes(12).toString('hex')}`;

describe('the API key stays out of histories and logs', () => {
  let stack: Stack;
  let worker: WorkerProcess;
  let wrongKeyWorker: WorkerProcess;
  const wrongKeyQueue = () => `${stack.taskQueue}-wrong-key`;
  const runs: { workflowId: string; runId: string; path: string }[] = [];

  beforeAll(async () => {
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, initialUrls: 5, assetReadyDelayMs: 10 } });
    const verbose = { TL_LOG_LEVEL: 'DEBUG', TL_LOG_FORMAT: 'text' }; // as much log output as the worker can make
    [worker, wrongKeyWorker] = await Promise.all([
      stack.spawnWorker(verbose),
      stack.spawnWorker({ ...verbose, TL_TASK_QUEUE: wrongKeyQueue(), TWELVELABS_API_KEY: WRONG_KEY }),
    ]);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  let counter = 0;
  async function start(input: MultipartUploadInput, taskQueue = stack.taskQueue) {
    const workflowId = `key-${Date.now()}-${counter++}`;
    const handle = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue,
      workflowId,
      args: [{ reportFlushMs: 200, chunkHeartbeatTimeoutMs: 5_000, ...input }],
    });
    runs.push({ workflowId, runId: handle.firstExecutionRunId, path: input.source.path });
    return handle;
  }

  it('finishes an upload through API retries and refused URLs', async () => {
    const file = await makeFile(stack.dir, 'ok.mp4', 24 * CHUNK);
    await stack.emulator.setFaults({ api_429: 0.2, retry_after_s: 1, url_expired: 0.1 });
    try {
      const result = await (await start({ source: { path: file.path } })).result();
      expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: 24 * CHUNK, sha256: file.sha256 });
    } finally {
      await stack.emulator.setFaults({});
    }
  });

  it('fails when the API refuses the worker key, with a reason that does not repeat it', async () => {
    const file = await makeFile(stack.dir, 'refused.mp4', 4 * CHUNK);
    const err = await (await start({ source: { path: file.path } }, wrongKeyQueue())).result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('ApiAuthRejected');
    expect(cause.message).not.toContain(WRONG_KEY);
  });

  it('fails on a missing file', async () => {
    const err = await (await start({ source: { path: path.join(stack.dir, 'missing.mp4') } })).result().catch((e: unknown) => e);
    expect(((err as WorkflowFailedError).cause as ApplicationFailure).type).toBe('SourceNotFound');
  });

  it('is cancelled in the middle', async () => {
    const file = await makeFile(stack.dir, 'cancelled.mp4', 32 * CHUNK);
    await stack.emulator.setFaults({ put_throttle_bps: 32 * 1024 });
    try {
      const handle = await start({ source: { path: file.path }, concurrency: 2 });
      await waitFor(async () => (await multipartSentBytes(stack.temporal, handle.workflowId)) >= 2 * CHUNK, 'some chunks');
      await handle.cancel();
      const err = await handle.result().catch((e: unknown) => e);
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    } finally {
      await stack.emulator.setFaults({});
    }
  });

  it('no history of those uploads contains either key, in any form', async () => {
    expect(runs).toHaveLength(4);
    const raw = new Client({ connection: stack.temporal.connection }); // no codec: the bytes as stored
    for (const run of runs) {
      const bytes = historyBytes(await rawHistories(raw, run.workflowId, run.runId));
      // The search finds what is there: the file path travels in plain text in these histories.
      expect(occurrences(bytes, run.path)).toContain('text');
      expect(occurrences(bytes, API_KEY), run.workflowId).toEqual([]);
      expect(occurrences(bytes, WRONG_KEY), run.workflowId).toEqual([]);
    }
  });

  it('neither worker process writes its key to its output', () => {
    for (const [w, key, queue] of [[worker, API_KEY, stack.taskQueue], [wrongKeyWorker, WRONG_KEY, wrongKeyQueue()]] as const) {
      const output = w.output();
      expect(output).toContain(`task queues=${queue}`); // the capture works
      expect(occurrences(output, API_KEY)).toEqual([]);
      expect(occurrences(output, key)).toEqual([]);
    }
    // the refused worker did log the refusal (so the check above looked at real error output)
    expect(wrongKeyWorker.output()).toMatch(/failed with HTTP 401/);
  });
});
