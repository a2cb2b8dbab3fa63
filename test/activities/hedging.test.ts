import { describe, expect, it } from 'vitest';
import { ChunkTimes, HEDGE_FACTOR, HEDGE_MIN_MS, hedgeAfterMs, hedgeBudget } from '../../src/activities/hedging';
import { etagContradictsMd5 } from '../../src/activities/chunk-send';

describe('when a lane hedges a straggling chunk', () => {
  it('not before it knows a typical chunk time', () => {
    expect(new ChunkTimes(0).typicalMs()).toBeUndefined();
    expect(hedgeAfterMs(undefined)).toBeUndefined();
  });

  it('uses the time earlier lanes saw until it has its own samples, then the median of its own', () => {
    const times = new ChunkTimes(400);
    expect(times.typicalMs()).toBe(400);
    times.add(100);
    times.add(2_000); // a straggler does not move the median
    times.add(120);
    expect(times.typicalMs()).toBe(120);
  });

  it(`after ${HEDGE_FACTOR}x the typical time, never sooner than ${HEDGE_MIN_MS} ms`, () => {
    expect(hedgeAfterMs(1_000)).toBe(3_000);
    expect(hedgeAfterMs(20)).toBe(HEDGE_MIN_MS);
  });

  it('at most one chunk plus a tenth of the run', () => {
    expect(hedgeBudget(1)).toBe(1);
    expect(hedgeBudget(26)).toBe(3);
    expect(hedgeBudget(50)).toBe(6);
  });
});

describe('an ETag that contradicts the MD5', () => {
  it('is one that looks like an MD5 and differs from the bytes read', () => {
    const md5 = '0123456789abcdef0123456789abcdef';
    expect(etagContradictsMd5(md5.toUpperCase(), md5)).toBe(false);
    expect(etagContradictsMd5('fedcba9876543210fedcba9876543210', md5)).toBe(true);
    expect(etagContradictsMd5('abc-3', md5)).toBe(false); // not MD5-shaped: nothing to compare
    expect(etagContradictsMd5('fedcba9876543210fedcba9876543210', undefined)).toBe(false); // check off
  });
});
