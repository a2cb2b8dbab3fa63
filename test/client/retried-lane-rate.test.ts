// Issue 17, item 10: the rate a snapshot shows must be what the transfers send now. A lane retried
// after a failure (as around a session restart) heartbeats at once with every chunk its earlier
// attempts finished, while its time runs from this attempt's start.

import { describe, expect, it } from 'vitest';
import { transferRate, type RunningActivity } from '../../src/client/progress/live-progress';

const MIB = 1024 * 1024;

function lane(attempt: number): RunningActivity {
  return {
    activityType: 'uploadChunk',
    started: true,
    attempt,
    // Ten 5 MiB chunks finished (by an earlier attempt when attempt > 1), 1 MiB of the eleventh sent.
    heartbeat: { finished: Array.from({ length: 10 }, (_, i) => ({ chunkIndex: i + 1, etag: 'e', sizeBytes: 5 * MIB })), chunkIndex: 11, bytesSent: MIB },
    startedAtMs: 1_000,
    heartbeatAtMs: 4_000, // three seconds into this attempt
  };
}

describe('the snapshot rate of a retried lane', () => {
  it('counts only what this attempt sends, not the chunks earlier attempts finished', () => {
    const rate = transferRate([lane(2)])!;
    expect(rate).toBeCloseTo(MIB / 3, 0); // about 0.33 MiB/s, not 17 MiB/s
  });

  it('still counts a first attempt\'s finished chunks', () => {
    expect(transferRate([lane(1)])).toBeCloseTo((51 * MIB) / 3, 0);
  });
});
