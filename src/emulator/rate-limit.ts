// The X-Ratelimit-* headers of a rate-limited endpoint group (contract 1.6, 9.11). The emulator has
// no real budget: the api_429 knob decides when a request is refused. While that knob is on, the
// faultable endpoints behave as a limited group and also report their usage on successes.

/** What the headers claim per window. */
const LIMIT_PER_WINDOW = 600;
const WINDOW_MS = 60_000;

export class RateLimitWindow {
  private windowIndex = -1;
  private used = 0;

  /** Counts one admitted request at `nowMs` and returns the headers of its success response. */
  admitted(nowMs: number): Record<string, string> {
    const index = Math.floor(nowMs / WINDOW_MS);
    if (index !== this.windowIndex) {
      this.windowIndex = index;
      this.used = 0;
    }
    // Never claim an exhausted budget on a request that was let through.
    this.used = Math.min(this.used + 1, LIMIT_PER_WINDOW - 1);
    return headers(this.used, Math.ceil(((index + 1) * WINDOW_MS) / 1000));
  }

  /** Headers of a 429: nothing left until the Retry-After delay has passed. */
  refused(nowMs: number, retryAfterSeconds: number): Record<string, string> {
    return {
      'Retry-After': String(retryAfterSeconds),
      ...headers(LIMIT_PER_WINDOW, Math.ceil(nowMs / 1000) + retryAfterSeconds),
    };
  }

  message(retryAfterSeconds: number): string {
    return `You have exceeded the rate limit of ${LIMIT_PER_WINDOW} requests per ${WINDOW_MS / 1000} seconds. Try again after ${retryAfterSeconds} seconds.`;
  }
}

function headers(used: number, resetEpochSeconds: number): Record<string, string> {
  return {
    'X-Ratelimit-Limit': String(LIMIT_PER_WINDOW),
    'X-Ratelimit-Remaining': String(LIMIT_PER_WINDOW - used),
    'X-Ratelimit-Used': String(used),
    'X-Ratelimit-Reset': String(resetEpochSeconds),
  };
}
