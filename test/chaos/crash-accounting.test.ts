// The chaos run's crash accounting (scripts/chaos/crash-accounting.ts): pure, from a store's PUT log.

import { describe, expect, it } from 'vitest';
import { accountCrashes, ANSWERED_BEFORE_CRASH_MS, type ChunkPuts } from '../../scripts/chaos/crash-accounting';

const SIZE = 1000;
const KILL = 100_000;
const kill = { fromMs: KILL, toMs: KILL };

function chunk(index: number, puts: ChunkPuts['puts'], repliesLost = 0): ChunkPuts {
  return { key: `u1/${index}`, sizeBytes: SIZE, repliesLost, puts };
}

describe('crash accounting', () => {
  it('charges a crash the PUT it cut and nothing else; recovery is when that chunk was sent again', () => {
    const result = accountCrashes(
      [
        chunk(1, [{ startedAtMs: KILL - 3000, endedAtMs: KILL - 2000, outcome: 'stored', bytes: SIZE }]),
        chunk(2, [
          { startedAtMs: KILL - 500, endedAtMs: KILL + 20, outcome: 'aborted', bytes: 400 },
          { startedAtMs: KILL + 10_500, endedAtMs: KILL + 11_000, outcome: 'stored', bytes: SIZE },
        ]),
      ],
      [kill],
      new Map(),
    );
    expect(result.charges).toEqual([{ chunks: 1, boundBytes: SIZE, resentBytes: 400, recoveryMs: 10_500, slowest: 'u1/2' }]);
    expect(result.unexplained).toEqual([]);
  });

  it('a chunk finished long before the crash and stored again is unexplained: the check fails', () => {
    // What a lane that lost its heartbeat (a throttled ETag) or restarted its run does.
    const result = accountCrashes(
      [
        chunk(1, [
          { startedAtMs: KILL - 3000, endedAtMs: KILL - ANSWERED_BEFORE_CRASH_MS - 1, outcome: 'stored', bytes: SIZE },
          { startedAtMs: KILL + 11_000, endedAtMs: KILL + 12_000, outcome: 'stored', bytes: SIZE },
        ]),
      ],
      [kill],
      new Map(),
    );
    expect(result.unexplained).toEqual([{ key: 'u1/1', bytes: SIZE }]);
    expect(result.charges[0]!.resentBytes).toBe(0);
  });

  it("a chunk answered within a heartbeat's round trip before the kill counts as in flight", () => {
    const result = accountCrashes(
      [
        chunk(1, [
          { startedAtMs: KILL - 3000, endedAtMs: KILL - 100, outcome: 'stored', bytes: SIZE },
          { startedAtMs: KILL + 11_000, endedAtMs: KILL + 12_000, outcome: 'stored', bytes: SIZE },
        ]),
      ],
      [kill],
      new Map(),
    );
    expect(result.unexplained).toEqual([]);
    expect(result.charges[0]).toMatchObject({ chunks: 1, resentBytes: SIZE, recoveryMs: 11_000 });
  });

  it("a hedge's loser, a cancelled lane's PUT and a lost reply are not charged to crashes", () => {
    const result = accountCrashes(
      [
        // hedge: the loser was abandoned while the winner was stored
        chunk(1, [
          { startedAtMs: 1000, endedAtMs: 3000, outcome: 'aborted', bytes: 700 },
          { startedAtMs: 2000, endedAtMs: 2900, outcome: 'stored', bytes: SIZE },
        ]),
        // cancelled lane (a steal at 5000): its PUT abandoned after the grace
        chunk(2, [
          { startedAtMs: 4000, endedAtMs: 7000, outcome: 'aborted', bytes: 300 },
          { startedAtMs: 8000, endedAtMs: 9000, outcome: 'stored', bytes: SIZE },
        ]),
        // the first store's reply was lost on purpose
        chunk(
          3,
          [
            { startedAtMs: 1000, endedAtMs: 2000, outcome: 'stored', bytes: SIZE },
            { startedAtMs: 3000, endedAtMs: 4000, outcome: 'stored', bytes: SIZE },
          ],
          1,
        ),
      ],
      [kill],
      new Map([['u1/2', [5000]]]),
    );
    expect(result.unexplained).toEqual([]);
    expect(result.hedgeBytes).toBe(700);
    expect(result.cancelBytes).toBe(300);
  });

  it('an upload that never moves again after a crash has no recovery', () => {
    const result = accountCrashes([chunk(1, [{ startedAtMs: KILL - 500, endedAtMs: KILL + 5, outcome: 'aborted', bytes: 10 }])], [kill], new Map());
    expect(result.charges[0]!.recoveryMs).toBeUndefined();
  });

  it('after a server restart, every upload with a PUT in flight must start one after the server is back', () => {
    const restart = { fromMs: KILL, toMs: KILL + 4000 };
    const result = accountCrashes(
      [
        chunk(1, [{ startedAtMs: KILL - 1000, endedAtMs: KILL + 1000, outcome: 'stored', bytes: SIZE }]),
        chunk(2, [{ startedAtMs: KILL + 9000, endedAtMs: KILL + 10_000, outcome: 'stored', bytes: SIZE }]),
      ],
      [restart],
      new Map(),
    );
    expect(result.charges[0]).toMatchObject({ resentBytes: 0, recoveryMs: 9000 });
  });

  it('a wasted PUT is charged to the crash it was in flight at, not to a later one its resend overlapped', () => {
    const later = { fromMs: KILL + 12_000, toMs: KILL + 12_000 };
    const result = accountCrashes(
      [
        chunk(1, [
          { startedAtMs: KILL - 700, endedAtMs: KILL + 1_500, outcome: 'aborted', bytes: 500 },
          { startedAtMs: KILL + 11_800, endedAtMs: KILL + 14_000, outcome: 'stored', bytes: SIZE },
        ]),
      ],
      [kill, later],
      new Map(),
    );
    expect(result.charges.map((c) => c.resentBytes)).toEqual([500, 0]);
    expect(result.charges[0]!.recoveryMs).toBe(11_800);
    // the later crash found the upload moving (a PUT ran across it)
    expect(result.charges[1]!.recoveryMs).toBe(0);
  });
});
