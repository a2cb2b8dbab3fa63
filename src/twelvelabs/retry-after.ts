// How long the server asked us to wait (contract 1.6 and client obligation 8.12): `Retry-After`
// first (integer seconds or an HTTP date), then `retry-after-ms` (honoured by the Python SDK),
// then `X-Ratelimit-Reset` (UTC epoch seconds when the window resets). Pure functions so the
// precedence is unit-tested without a server.

/** Header lookup that works for undici's plain header objects and for `Headers`. */
export type HeaderSource = Record<string, string | string[] | undefined>;

/** Reads a header case-insensitively; a repeated header yields its first value. */
export function headerValue(headers: HeaderSource, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/**
 * Parses a `Retry-After` value into milliseconds from `nowMs`. Integer (or decimal) seconds and
 * IMF-fixdate/RFC 850/asctime HTTP dates are accepted; a date in the past yields 0. Undefined for
 * an absent or unparseable value.
 */
export function parseRetryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  // An HTTP date always names a weekday or month; this keeps Date.parse away from bare numbers.
  if (!/[A-Za-z]/.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * Parses `X-Ratelimit-Reset` (documented as UTC epoch seconds) into milliseconds from `nowMs`.
 * Some gateways send seconds-until-reset instead; a value too small to be a plausible epoch
 * (before 2001) is read that way.
 */
export function parseRateLimitResetMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (!/^\d+(\.\d+)?$/.test(v)) return undefined;
  const n = Number(v);
  if (n < 1_000_000_000) return Math.round(n * 1000);
  return Math.max(0, Math.round(n * 1000) - nowMs);
}

/**
 * The wait the server asked for, by the precedence above; undefined when it named none.
 * Only a 429 or a 503 asks for a wait: `Retry-After` means that there (RFC 9110), and
 * `X-Ratelimit-Reset` only says when the rate-limit window resets, which tells nothing about when
 * a 500 will clear. Reading it on other statuses made a transient 5xx wait for the whole window.
 */
export function retryAfterMsFromHeaders(headers: HeaderSource, nowMs: number, status = 429): number | undefined {
  if (status !== 429 && status !== 503) return undefined;
  const retryAfter = parseRetryAfterMs(headerValue(headers, 'retry-after'), nowMs);
  if (retryAfter !== undefined) return retryAfter;
  const ms = headerValue(headers, 'retry-after-ms');
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms.trim()));
  return status === 429 ? parseRateLimitResetMs(headerValue(headers, 'x-ratelimit-reset'), nowMs) : undefined;
}
