import { describe, expect, it } from 'vitest';
import { STALL_WINDOW_MIN_MS, stallWindowMs } from '../../src/activities/stall-window';
import { DEFAULT_OPTIONS } from '../../src/workflows/planning';

describe('how long a chunk PUT may go quiet before it counts as stalled', () => {
  it('longer than a healthy PUT goes quiet on a 0.2 MB/s link (7.2 s measured), at the default lane heartbeat timeout', () => {
    expect(stallWindowMs(DEFAULT_OPTIONS.chunkHeartbeatTimeoutMs)).toBeGreaterThanOrEqual(2 * 7_200);
  });

  it('half the heartbeat timeout when that is longer', () => {
    expect(stallWindowMs(60_000)).toBe(30_000);
    expect(stallWindowMs(undefined)).toBe(30_000);
    expect(stallWindowMs(3_000)).toBe(STALL_WINDOW_MIN_MS);
  });
});
