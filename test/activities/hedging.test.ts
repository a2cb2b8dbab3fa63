import { describe, expect, it } from 'vitest';
import { ChunkTimes, chunkTimesOf, HEDGE_FACTOR, HEDGE_MIN_MS, hedgeAfterMs, hedgeBudget } from '../../src/activities/hedging';
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
    expect(hedgeAfterMs(1_000)).toBe(HEDGE_FACTOR * 1_000);
    expect(hedgeAfterMs(20)).toBe(HEDGE_MIN_MS);
  });

  it("shares one upload's chunk times among its lanes in this process, so a first-wave lane can hedge early", () => {
    const first = chunkTimesOf('upload-shared', 0);
    first.add(300);
    first.add(320);
    const sibling = chunkTimesOf('upload-shared', 0);
    expect(sibling.typicalMs()).toBeUndefined(); // two samples are not yet enough
    sibling.add(310);
    expect(first.typicalMs()).toBe(310);
    expect(chunkTimesOf('upload-shared', 0).typicalMs()).toBe(310);
    expect(chunkTimesOf('upload-other', 0).typicalMs()).toBeUndefined(); // another upload's times are its own
  });

  it('forgets the least recently used upload past 64', () => {
    chunkTimesOf('upload-kept', 0).add(1);
    for (let i = 0; i < 63; i++) chunkTimesOf(`upload-filler-${i}`, 0);
    chunkTimesOf('upload-kept', 0); // used again: now the most recent
    chunkTimesOf('upload-one-more', 0);
    const kept = chunkTimesOf('upload-kept', 0);
    kept.add(1);
    kept.add(1);
    expect(kept.typicalMs()).toBe(1); // its earlier sample survived
    expect(chunkTimesOf('upload-filler-0', 7).typicalMs()).toBe(7); // forgotten: a fresh one with the new seed
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
