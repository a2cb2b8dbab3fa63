import { describe, expect, it } from 'vitest';
import { normalizeTimestamp, parseRfc3339Ms, timestampToEpochMs } from '../../src/twelvelabs/timestamps';

describe('RFC 3339 timestamps', () => {
  it('accepts whole seconds with Z, as the emulator sends them', () => {
    expect(normalizeTimestamp('2026-01-15T09:00:00Z')).toBe('2026-01-15T09:00:00.000Z');
  });

  it('accepts fractional seconds and truncates past milliseconds', () => {
    expect(normalizeTimestamp('2026-01-15T09:00:00.5Z')).toBe('2026-01-15T09:00:00.500Z');
    expect(normalizeTimestamp('2026-01-15T09:00:00.123456789Z')).toBe('2026-01-15T09:00:00.123Z');
  });

  it('accepts numeric offsets, with or without a colon, and converts them to UTC', () => {
    expect(normalizeTimestamp('2026-01-15T10:30:00+01:30')).toBe('2026-01-15T09:00:00.000Z');
    expect(normalizeTimestamp('2026-01-15T04:00:00-0500')).toBe('2026-01-15T09:00:00.000Z');
    expect(normalizeTimestamp('2026-01-15T09:00:00.250+00:00')).toBe('2026-01-15T09:00:00.250Z');
  });

  it('accepts a lower-case t/z and a space separator', () => {
    expect(normalizeTimestamp('2026-01-15t09:00:00z')).toBe('2026-01-15T09:00:00.000Z');
    expect(normalizeTimestamp('2026-01-15 09:00:00Z')).toBe('2026-01-15T09:00:00.000Z');
  });

  it('folds a leap second into :59', () => {
    expect(normalizeTimestamp('2016-12-31T23:59:60Z')).toBe('2016-12-31T23:59:59.000Z');
  });

  it('rejects what is not RFC 3339 instead of guessing', () => {
    for (const bad of [
      '',
      '2026-01-15',
      '2026-01-15T09:00:00', // no offset
      '2026-13-01T00:00:00Z',
      '2026-02-30T00:00:00Z',
      '2026-01-15T24:00:00Z',
      '1736931600',
      'Thu, 15 Jan 2026 09:00:00 GMT',
    ]) {
      expect(normalizeTimestamp(bad), bad).toBeUndefined();
    }
  });

  it('knows leap years', () => {
    expect(normalizeTimestamp('2024-02-29T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
    expect(normalizeTimestamp('2100-02-29T00:00:00Z')).toBeUndefined();
  });

  it('gives epoch milliseconds for arithmetic', () => {
    expect(parseRfc3339Ms('1970-01-01T00:00:01.5Z')).toBe(1500);
    expect(timestampToEpochMs('2026-01-15T09:00:00.000Z')).toBe(Date.UTC(2026, 0, 15, 9));
    expect(timestampToEpochMs('nope')).toBeNaN();
  });

  it('normalised values compare correctly as strings', () => {
    const a = normalizeTimestamp('2026-01-15T10:00:00+02:00')!;
    const b = normalizeTimestamp('2026-01-15T09:00:00Z')!;
    expect(a < b).toBe(true);
  });
});
