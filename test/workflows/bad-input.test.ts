// Bad inputs fail once, clearly, with a typed reason, and create nothing at TwelveLabs.

import fs from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartUploadWorkflow } from '../../src/workflows/multipart-upload';
import type { MultipartUploadInput } from '../../src/domain/types';
import { startStack, type InProcessWorker, type Stack } from '../support/harness';

describe('multipartUploadWorkflow with bad input', () => {
  let stack: Stack;
  let worker: InProcessWorker;

  beforeAll(async () => {
    stack = await startStack();
    worker = await stack.startWorker();
  });
  afterAll(async () => {
    await worker?.stop();
    await stack?.stop();
  });

  async function failureOf(input: MultipartUploadInput) {
    const workflowId = `bad-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const err = await stack.temporal.workflow
      .execute(multipartUploadWorkflow, { taskQueue: stack.taskQueue, workflowId, args: [input] })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    // no retry storm: the activity that found the problem ran exactly once
    const history = await stack.temporal.workflow.getHandle(workflowId).fetchHistory();
    const attempts = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt);
    expect(attempts.every((a) => a === 1)).toBe(true);
    return { type: cause.type, message: cause.message, activitiesStarted: attempts.length };
  }

  it('refuses a missing file', async () => {
    const before = (await stack.emulator.counters()).sessions_created;
    const failure = await failureOf({ source: { path: path.join(stack.dir, 'nope.mp4') } });
    expect(failure.type).toBe('SourceNotFound');
    expect(failure.message).toMatch(/does not exist on this worker's host/);
    expect((await stack.emulator.counters()).sessions_created).toBe(before);
  });

  it('refuses a directory', async () => {
    const dir = path.join(stack.dir, 'a-directory.mp4');
    fs.mkdirSync(dir);
    const failure = await failureOf({ source: { path: dir } });
    expect(failure).toMatchObject({ type: 'SourceNotAFile', activitiesStarted: 1 });
    expect(failure.message).toMatch(/not a regular file \(it is a directory\)/);
  });

  it('refuses an empty file', async () => {
    const file = path.join(stack.dir, 'empty.mp4');
    fs.writeFileSync(file, '');
    expect(await failureOf({ source: { path: file } })).toMatchObject({ type: 'SourceEmpty', activitiesStarted: 1 });
  });

  it('refuses a file over 4 GiB (sparse, so the test writes nothing)', async () => {
    const file = path.join(stack.dir, 'huge.mp4');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, 4 * 1024 ** 3 + 1);
    const before = (await stack.emulator.counters()).sessions_created;
    const failure = await failureOf({ source: { path: file } });
    expect(failure.type).toBe('FileTooLarge');
    expect(failure.message).toMatch(/4294967297 bytes; TwelveLabs accepts at most 4294967296 bytes/);
    expect((await stack.emulator.counters()).sessions_created).toBe(before);
  });

  it('refuses an image as a multipart session (the documents allow video and audio only)', async () => {
    const file = path.join(stack.dir, 'poster.png');
    fs.writeFileSync(file, 'x'.repeat(1000));
    const before = (await stack.emulator.counters()).sessions_created;
    const failure = await failureOf({ source: { path: file } });
    expect(failure).toMatchObject({ type: 'InvalidInput', activitiesStarted: 0 });
    expect(failure.message).toMatch(/a multipart upload takes video or audio only, not image/);
    expect((await stack.emulator.counters()).sessions_created).toBe(before);
  });

  it('refuses malformed workflow input before doing anything', async () => {
    const failure = await failureOf({ source: { path: '' }, concurrency: 1000 } as MultipartUploadInput);
    expect(failure.type).toBe('InvalidInput');
    expect(failure.message).toMatch(/source.path must be a non-empty string; concurrency must be an integer from 1 to 64/);
    expect(failure.activitiesStarted).toBe(0);
  });
});
