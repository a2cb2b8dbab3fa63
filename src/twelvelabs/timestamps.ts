// RFC 3339 timestamps from the API (contract 1.3). The emulator sends whole seconds with `Z`, but
// the real API (and the JS SDK's parser) also allow fractional seconds and numeric offsets, so
// the client accepts all three.
//
// Chosen domain representation: an ISO 8601 string normalised to UTC with milliseconds, exactly
// what `Date.prototype.toISOString()` produces (`2026-01-15T09:00:00.000Z`). It is plain JSON
// (workflows and Temporal payloads carry it unchanged), readable in workflow history, and, because
// every value has the same fixed-width form, two timestamps compare correctly as strings.
// Use `timestampToEpochMs` when arithmetic is needed.

/** An ISO 8601 UTC timestamp in `toISOString()` form, e.g. `2026-01-15T09:00:00.000Z`. */
export type IsoTimestamp = string;

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/**
 * Parses an RFC 3339 timestamp (whole or fractional seconds, `Z` or a numeric offset) into epoch
 * milliseconds. Returns undefined for anything else, including out-of-range fields, so callers
 * decide whether a bad value is fatal. Digits past milliseconds are truncated.
 */
export function parseRfc3339Ms(value: string): number | undefined {
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const [, ys, mos, ds, hs, mis, ss, frac, zulu, sign, ohs, omis] = m;
  const year = Number(ys);
  const month = Number(mos);
  const day = Number(ds);
  const hour = Number(hs);
  const minute = Number(mis);
  // A leap second (:60) is legal RFC 3339; JavaScript time has none, so it folds into :59.
  const second = Math.min(Number(ss), 59);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || Number(ss) > 60) return undefined;
  const ms = frac ? Number((frac + '00').slice(0, 3)) : 0;
  let offsetMinutes = 0;
  if (!zulu) {
    const oh = Number(ohs);
    const om = Number(omis);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (sign === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC maps years 0..99 to 1900+; setUTCFullYear undoes that for the rare tiny year.
  const fixed = year < 100 ? new Date(utc).setUTCFullYear(year) : utc;
  return fixed - offsetMinutes * 60_000;
}

/** Normalises an RFC 3339 timestamp to `IsoTimestamp` form; undefined when it is not one. */
export function normalizeTimestamp(value: string): IsoTimestamp | undefined {
  const ms = parseRfc3339Ms(value);
  if (ms === undefined) return undefined;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Epoch milliseconds of an `IsoTimestamp` (or any RFC 3339 string); NaN if it is not one. */
export function timestampToEpochMs(value: IsoTimestamp): number {
  return parseRfc3339Ms(value) ?? Number.NaN;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
