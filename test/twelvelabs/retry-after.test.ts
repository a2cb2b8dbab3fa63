import { describe, expect, it } from 'vitest';
import {
  headerValue,
  parseRateLimitResetMs,
  parseRetryAfterMs,
  retryAfterMsFromHeaders,
} from '../../src/twelvelabs/retry-after';

const NOW = Date.UTC(2026, 0, 15, 9, 0, 0);

describe('Retry-After', () => {
  it('reads integer and decimal seconds', () => {
    expect(parseRetryAfterMs('7', NOW)).toBe(7000);
    expect(parseRetryAfterMs(' 0 ', NOW)).toBe(0);
    expect(parseRetryAfterMs('1.5', NOW)).toBe(1500);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    expect(parseRetryAfterMs('Thu, 15 Jan 2026 09:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfterMs('Thu, 15 Jan 2026 08:00:00 GMT', NOW)).toBe(0);
  });

  it('ignores garbage', () => {
    expect(parseRetryAfterMs(undefined, NOW)).toBeUndefined();
    expect(parseRetryAfterMs('', NOW)).toBeUndefined();
    expect(parseRetryAfterMs('-5', NOW)).toBeUndefined();
    expect(parseRetryAfterMs('soon', NOW)).toBeUndefined();
  });
});

describe('X-Ratelimit-Reset', () => {
  it('reads UTC epoch seconds as the documented form', () => {
    expect(parseRateLimitResetMs(String(NOW / 1000 + 42), NOW)).toBe(42_000);
    expect(parseRateLimitResetMs(String(NOW / 1000 - 42), NOW)).toBe(0);
  });

  it('reads small values as seconds until reset', () => {
    expect(parseRateLimitResetMs('12', NOW)).toBe(12_000);
  });
});

describe('retryAfterMsFromHeaders', () => {
  it('prefers Retry-After, then retry-after-ms, then X-Ratelimit-Reset', () => {
    const reset = String(NOW / 1000 + 60);
    expect(retryAfterMsFromHeaders({ 'retry-after': '3', 'retry-after-ms': '100', 'x-ratelimit-reset': reset }, NOW)).toBe(3000);
    expect(retryAfterMsFromHeaders({ 'retry-after-ms': '100', 'x-ratelimit-reset': reset }, NOW)).toBe(100);
    expect(retryAfterMsFromHeaders({ 'X-Ratelimit-Reset': reset }, NOW)).toBe(60_000);
    expect(retryAfterMsFromHeaders({}, NOW)).toBeUndefined();
  });

  it('asks for a wait only on 429 and 503: a rate-limit window says nothing about when a 500 clears', () => {
    const reset = String(NOW / 1000 + 60);
    expect(retryAfterMsFromHeaders({ 'x-ratelimit-reset': reset }, NOW, 500)).toBeUndefined();
    expect(retryAfterMsFromHeaders({ 'retry-after': '3' }, NOW, 502)).toBeUndefined();
    expect(retryAfterMsFromHeaders({ 'retry-after': '3', 'x-ratelimit-reset': reset }, NOW, 503)).toBe(3000);
    expect(retryAfterMsFromHeaders({ 'x-ratelimit-reset': reset }, NOW, 503)).toBeUndefined();
    expect(retryAfterMsFromHeaders({ 'x-ratelimit-reset': reset }, NOW, 429)).toBe(60_000);
  });

  it('falls through an unparseable Retry-After', () => {
    expect(retryAfterMsFromHeaders({ 'retry-after': 'later', 'x-ratelimit-reset': '5' }, NOW)).toBe(5000);
  });

  it('looks headers up case-insensitively and takes the first of repeated values', () => {
    expect(headerValue({ 'Retry-After': ['2', '9'] }, 'retry-after')).toBe('2');
  });
});
