// Bytes in flight read from the lanes' heartbeats (live-progress.ts): a lane's heartbeat lists
// the chunks it finished, which the workflow only learns of when the lane returns, and the bytes
// sent of the chunk it is sending now.

import { describe, expect, it } from 'vitest';
import { chunkBytesInFlight } from '../../src/client/progress/live-progress';
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
});
