// Bytes in flight read from the lanes' heartbeats (live-progress.ts): a lane's heartbeat lists
// the chunks it finished, which the workflow only learns of when the lane returns, and the bytes
// sent of the chunk it is sending now.

import { describe, expect, it } from 'vitest';
import { chunkBytesInFlight, transferRate } from '../../src/client/progress/live-progress';
import type { LaneHeartbeat } from '../../src/activities/chunk-upload';

const lane = (finished: number[], chunkIndex: number, bytesSent: number): LaneHeartbeat => ({
  chunkIndex,
  bytesSent,
  finished: finished.map((i) => ({ chunkIndex: i, etag: `e${i}`, sizeBytes: 100 })),
  failedPuts: 0,
  hedges: 0,
  hedgedBytes: 0,
});

describe('bytes in flight from lane heartbeats', () => {
  it("counts each lane's finished chunks and the bytes of its current chunk", () => {
    const running = [
      { activityType: 'uploadChunk', started: true, heartbeat: lane([1, 2], 3, 40) },
      { activityType: 'uploadChunk', started: true, heartbeat: lane([11], 12, 7) },
    ];
    expect(chunkBytesInFlight(running, [1, 2, 3, 4, 11, 12, 13])).toBe(100 + 100 + 40 + 100 + 7);
  });

  it('counts nothing the workflow already holds as uploaded, and nothing of a lane waiting for a retry', () => {
    const running = [
      // chunks 1 and 2 came back with an earlier lane: the workflow counts them already
      { activityType: 'uploadChunk', started: true, heartbeat: lane([1, 2], 0, 0) },
      { activityType: 'uploadChunk', started: false, heartbeat: lane([5], 6, 50) },
    ];
    expect(chunkBytesInFlight(running, [3, 5, 6])).toBe(0);
  });

  it("takes a lane's rate from every byte its attempt streamed, also between two chunks", () => {
    const times = { startedAtMs: 10_000, heartbeatAtMs: 12_000 };
    // Between chunks (the heartbeat sent as chunk 3 finished): 300 bytes in 2 s, not "no rate".
    const between = { activityType: 'uploadChunk', started: true, heartbeat: lane([1, 2, 3], 0, 0), ...times };
    expect(transferRate([between], [1, 2, 3, 4])).toBe(150);
    // Inside chunk 4: its bytes add to the finished ones over the lane's whole attempt.
    const inside = { activityType: 'uploadChunk', started: true, heartbeat: lane([1, 2, 3], 4, 60), ...times };
    expect(transferRate([inside], [1, 2, 3, 4])).toBe(180);
    // Chunks the workflow already holds are not in flight any more: they do not count twice.
    expect(transferRate([inside], [4])).toBe(30);
  });
});
