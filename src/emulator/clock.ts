// The emulator clock: real time plus an offset that tests can advance, so the 1 h URL and 24 h
// session limits can be crossed in milliseconds (contract 9.27). Every expiry and the asset-ready
// delay read this clock; nothing schedules timers on it, state is re-evaluated on access (2.6).

export class EmulatorClock {
  /** How far the clock was advanced (kept across a restart from the data dir). */
  offsetMs = 0;

  nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves the clock forward; time never runs backwards, because expiries are one-way. */
  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`clock can only move forward, got ${ms} ms`);
    this.offsetMs += ms;
    return this.nowMs();
  }
}

/** Wire timestamps are whole seconds with `Z` (contract 1.3, 9.19): `2026-01-15T09:00:00Z`. */
export function toWireTimestamp(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The compact form S3 uses in `X-Amz-Date`: `20260115T090000Z`. */
export function toAmzDate(epochMs: number): string {
  return toWireTimestamp(epochMs).replace(/[-:]/g, '');
}

/** Parses `X-Amz-Date`; undefined when malformed. */
export function parseAmzDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  return Number.isNaN(ms) ? undefined : ms;
}
