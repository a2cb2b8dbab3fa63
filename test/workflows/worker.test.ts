// The worker as a person runs it: host affinity for files on one machine's disk, graceful
// shutdown on SIGTERM, and a clear refusal to start without its configuration.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostTaskQueue } from '../../src/config';
import { multipartUploadWorkflow } from '../../src/workflows/multipart-upload';
import { makeFile, startStack, type Stack } from '../support/harness';

const CHUNK = 16 * 1024;

describe('upload worker', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, assetReadyDelayMs: 10 } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('pins the file-reading activities to the host queue named in the input', async () => {
    const hostQueue = hostTaskQueue(stack.taskQueue, 'media-host-1');
    await stack.startWorker({ hostTaskQueue: hostQueue });
    const file = await makeFile(stack.dir, 'pinned.mp4', 12 * CHUNK);
    const handle = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId: `pinned-${Date.now()}`,
      args: [{ source: { path: file.path }, fileTaskQueue: hostQueue, reportFlushMs: 200 }],
    });
    const result = await handle.result();
    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: 12 * CHUNK, sha256: file.sha256 });

    const history = await handle.fetchHistory();
    const queues = new Map<string, string>();
    for (const e of history.events ?? []) {
      const a = e.activityTaskScheduledEventAttributes;
      if (a) queues.set(a.activityType!.name!, a.taskQueue!.name!);
    }
    // the activities that open the file ran on the host's queue; the API calls did not need to
    expect(queues.get('createSession')).toBe(hostQueue);
    expect(queues.get('uploadChunk')).toBe(hostQueue);
    expect(queues.get('reportBatch')).toBe(stack.taskQueue);
  });

  it('shuts down gracefully on SIGTERM', async () => {
    const worker = await stack.spawnWorker();
    const exited = once(worker.child, 'exit');
    worker.child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(worker.output()).toContain('worker stopped');
  });

  it('refuses to start without the TwelveLabs API key, saying which variable is missing', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../../src/worker.ts')], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_ADDRESS: stack.server.address, TL_ALLOWED_ROOTS: stack.dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(output).toMatch(/configuration error: TWELVELABS_API_KEY is not set/);
  });
});
