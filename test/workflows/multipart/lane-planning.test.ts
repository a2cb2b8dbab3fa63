import { describe, expect, it } from 'vitest';
import { MAX_RUN_CHUNKS, MIN_RUN_CHUNKS, MIN_RUN_TO_STEAL, planRun, runLength, stealFrom, TARGET_LANE_MS, unstartedEstimate, urlLookahead } from '../../../src/workflows/multipart/lane-planning';
import { MAX_REFUSAL_ROUNDS, RefusalRounds, refusalBackoffMs } from '../../../src/workflows/multipart/refusals';
import { UrlPool } from '../../../src/workflows/multipart/url-pool';

describe('how long a lane runs', () => {
  it('gives the first wave its fair share while no chunk time is known', () => {
    expect(runLength({ remaining: 205, concurrency: 8, typicalChunkMs: 0 })).toBe(26);
    expect(runLength({ remaining: 1000, concurrency: 8, typicalChunkMs: 0 })).toBe(MAX_RUN_CHUNKS);
  });

  it('lasts about the target time at the observed chunk time', () => {
    expect(runLength({ remaining: 10_000, concurrency: 8, typicalChunkMs: 2_000 })).toBe(TARGET_LANE_MS / 2_000);
  });

  it('never takes more than a fair share of what remains, so the last lanes end together', () => {
    expect(runLength({ remaining: 205, concurrency: 8, typicalChunkMs: 50 })).toBe(26);
    expect(runLength({ remaining: 3, concurrency: 8, typicalChunkMs: 50 })).toBe(1);
  });

  it('is capped by one M5 call and is at least one chunk', () => {
    expect(runLength({ remaining: 10_000, concurrency: 1, typicalChunkMs: 1 })).toBe(MAX_RUN_CHUNKS);
    expect(runLength({ remaining: 10, concurrency: 1, typicalChunkMs: 60 * 60_000 })).toBe(1);
  });

  it('on a slow link (a chunk over the target time) gives a lane two chunks, so it sends back to back', () => {
    const hour = 60 * 60_000;
    // Without the URL lifetime (histories before the patch): one chunk a lane.
    expect(runLength({ remaining: 100, concurrency: 8, typicalChunkMs: 25_000 })).toBe(1);
    expect(runLength({ remaining: 100, concurrency: 8, typicalChunkMs: 25_000, urlLifetimeMs: hour })).toBe(MIN_RUN_CHUNKS);
    expect(runLength({ remaining: 100, concurrency: 8, typicalChunkMs: 15_000, urlLifetimeMs: hour })).toBe(MIN_RUN_CHUNKS);
    // Faster links are planned by time as before.
    expect(runLength({ remaining: 100, concurrency: 8, typicalChunkMs: 5_000, urlLifetimeMs: hour })).toBe(4);
    // Not past what the URLs allow: two chunks must fit in a URL's lifetime.
    expect(runLength({ remaining: 100, concurrency: 8, typicalChunkMs: 40 * 60_000, urlLifetimeMs: hour })).toBe(1);
    // Nor past the fair share: at the tail each lane keeps one chunk.
    expect(runLength({ remaining: 6, concurrency: 8, typicalChunkMs: 25_000, urlLifetimeMs: hour })).toBe(1);
  });

  it('keeps one run per lane of URLs minted ahead, at least one M5 call', () => {
    expect(urlLookahead(8, 26)).toBe(208);
    expect(urlLookahead(2, 1)).toBe(MAX_RUN_CHUNKS);
  });
});

describe('which chunks a lane gets', () => {
  it('the next waiting chunks in order that hold a URL; one without a URL does not stall the run', () => {
    const has = (i: number) => i !== 3;
    expect(planRun([1, 2, 3, 4, 5, 6], has, 4)).toEqual([1, 2, 4, 5]);
    expect(planRun([1, 2], has, 4)).toEqual([1, 2]);
    expect(planRun([3], has, 4)).toEqual([]);
  });
});

describe('which lane to re-plan when slots are idle at the end', () => {
  it('the one with the longest run, the oldest of equals', () => {
    expect(stealFrom([5, 9, 9, 2])).toBe(1);
  });

  it('weighs what a lane has likely not started: its peers\' finished chunks over the other slots, one in flight', () => {
    // 13 chunks at 4 lanes: 4, 3, 3, 3. When the three return (9 chunks), the first has its last in flight.
    expect(unstartedEstimate({ runLength: 4, finishedByOthersSinceStart: 9, otherSlots: 3 })).toBe(0);
    // A long run whose peers finished little is still worth splitting.
    expect(unstartedEstimate({ runLength: 50, finishedByOthersSinceStart: 30, otherSlots: 3 })).toBe(39);
    expect(unstartedEstimate({ runLength: 2, finishedByOthersSinceStart: 0, otherSlots: 0 })).toBe(1);
  });

  it('none when every run is short', () => {
    expect(stealFrom([MIN_RUN_TO_STEAL - 1, 1])).toBeUndefined();
    expect(stealFrom([])).toBeUndefined();
  });
});

describe('the URL pool', () => {
  const url = (chunkIndex: number) => ({ chunkIndex, url: `u${chunkIndex}`, urlExpiresAtMs: 1 });

  it('hands each URL out once', () => {
    const pool = new UrlPool();
    pool.hold([url(1), url(2)]);
    expect(pool.take(1)?.url).toBe('u1');
    expect(pool.take(1)).toBeUndefined();
    expect(pool.has(2)).toBe(true);
  });

  it('drops a batch together, leaving later batches', () => {
    const pool = new UrlPool();
    const first = pool.hold([url(1), url(2)])!;
    pool.hold([url(3)]);
    pool.drop(first);
    expect(pool.missing([1, 2, 3])).toEqual([1, 2]);
    pool.clear();
    expect(pool.size).toBe(0);
    expect(pool.hold([])).toBeUndefined();
  });
});

describe('refused URLs are bounded', () => {
  const refusal = { chunkIndex: 7, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match' };

  it('backs off 1 s, 2 s, 4 s ... at most 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(refusalBackoffMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it('retries a first refusal at once, backs off from the second, and counts one wave of lanes as one round', () => {
    const rounds = new RefusalRounds();
    expect(rounds.refused(refusal)).toEqual({ kind: 'retry' });
    expect(rounds.refused(refusal)).toEqual({ kind: 'backoff', delayMs: 1000 });
    expect(rounds.backingOff).toBe(true);
    expect(rounds.refused(refusal)).toEqual({ kind: 'same-round' });
    rounds.backoffOver();
    expect(rounds.refused(refusal)).toEqual({ kind: 'backoff', delayMs: 2000 });
    expect(rounds.rounds).toBe(3);
  });

  it('starts over once a chunk is stored', () => {
    const rounds = new RefusalRounds();
    rounds.refused(refusal);
    rounds.refused(refusal);
    rounds.backoffOver();
    rounds.stored();
    expect(rounds.refused(refusal)).toEqual({ kind: 'retry' });
  });

  it('gives up after MAX_REFUSAL_ROUNDS rounds with a message that quotes the store and says what to check', () => {
    const rounds = new RefusalRounds();
    let last;
    for (let i = 0; i < MAX_REFUSAL_ROUNDS; i++) {
      last = rounds.refused(refusal);
      rounds.backoffOver();
    }
    expect(last).toEqual({ kind: 'give-up' });
    const message = rounds.giveUpMessage();
    expect(message).toContain('SignatureDoesNotMatch');
    expect(message).toMatch(/clock/);
    expect(message).toMatch(/proxy/);
    expect(message).toMatch(/Host header/);
  });
});
