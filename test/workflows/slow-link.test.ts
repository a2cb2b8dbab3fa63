// A multipart upload over a slow link, at the product's defaults: real Temporal dev server, a real
// worker, the emulator's WAN profile (60 ms per PUT, 0.2 MB/s per connection) over loopback.
// Seen from the sender, a healthy PUT on such a link goes quiet for seconds at a time (the socket
// buffers drain at the link's rate); the lane must not take that for a stall and send the chunk
// again (src/activities/stall-window.ts).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartUploadWorkflow } from '../../src/workflows/multipart-upload';
import { MIB } from '../../src/twelvelabs/limits';
import { makeFile, startStack, type Stack } from '../support/harness';

// 5 MiB, the API's chunk size: more than the loopback socket buffers hold (~4.7 MB), so the PUT goes quiet.
const CHUNK = 5 * MIB;

describe('a multipart upload over a slow link', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, assetReadyDelayMs: 10, wan: { putLatencyMs: 60, connectionBytesPerSecond: 200_000 } } });
    await stack.startWorker();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('sends each chunk once: a PUT that goes quiet while the socket buffers drain is not a stall', async () => {
    const file = await makeFile(stack.dir, 'slow-link.mp4', 2 * CHUNK);
    const before = await stack.emulator.counters();
    const handle = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId: `slow-link-${Date.now()}`,
      args: [{ source: { path: file.path }, concurrency: 2 }],
    });
    const result = await handle.result();
    const after = await stack.emulator.counters();
    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: 2 * CHUNK, sha256: file.sha256 });
    expect(result.counters.retries).toBe(0);
    expect((after.requests_by_endpoint.S1 ?? 0) - (before.requests_by_endpoint.S1 ?? 0)).toBe(2);
    expect(after.bytes_received - before.bytes_received).toBe(2 * CHUNK);
  }, 120_000);

  it('keeps the lane alive through a quiet spell longer than its heartbeat timeout', async () => {
    // A 5 s heartbeat timeout, shorter than the ~7 s the socket buffers keep this PUT quiet: a lane
    // that heartbeats only while bytes move would be timed out by the server and sent again.
    const file = await makeFile(stack.dir, 'slow-link-beats.mp4', CHUNK);
    const before = await stack.emulator.counters();
    const handle = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId: `slow-link-beats-${Date.now()}`,
      args: [{ source: { path: file.path }, concurrency: 1, chunkHeartbeatTimeoutMs: 5_000 }],
    });
    const result = await handle.result();
    const after = await stack.emulator.counters();
    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: CHUNK, sha256: file.sha256 });
    expect(result.counters.retries).toBe(0);
    expect((after.requests_by_endpoint.S1 ?? 0) - (before.requests_by_endpoint.S1 ?? 0)).toBe(1);
  }, 120_000);
});
