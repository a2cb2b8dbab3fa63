// A WAN between the client and the chunk store: a round-trip latency on every chunk PUT and a
// bandwidth cap on every connection, applied to whoever uploads (our worker, the official SDK,
// the bench's limit uploader) alike. A slow tail on top is the `put_slow` fault knob.
//
// Bandwidth is paced on the read side: the emulator holds back what it reads from a socket, so
// TCP backpressure slows the sender, as a narrow link would. Each connection has its own budget,
// so 8 parallel connections get 8 times the bandwidth of one (a per-flow bottleneck, which is
// what a single TCP connection over a long path meets).

export interface WanProfile {
  /**
   * Added once per chunk PUT, before its answer: the client hears back one round trip after its
   * last byte, so the next PUT on that connection waits for it. 0 = none. Default 0.
   */
  putLatencyMs: number;
  /** Bytes per second each connection may send in PUT bodies; 0 = unlimited. Default 0. */
  connectionBytesPerSecond: number;
}

export const NO_WAN: Readonly<WanProfile> = { putLatencyMs: 0, connectionBytesPerSecond: 0 };

/** What `npm run bench -- --wan` and `npm run emulator -- --wan` mean: 60 ms per PUT, 20 MB/s per connection. */
export const TYPICAL_WAN: Readonly<WanProfile> = { putLatencyMs: 60, connectionBytesPerSecond: 20_000_000 };

/** Longest latency accepted: beyond a minute a PUT is a stall, which the faults model. */
const MAX_LATENCY_MS = 60_000;

/**
 * How far behind the clock a connection's budget may start: late timers are caught up within
 * this, and an idle connection banks no more than this much credit (a burst of 10 ms of data).
 */
export const MAX_BURST_MS = 10;

/** A WAN profile the emulator cannot use; the message names the field. */
export class InvalidWanProfile extends Error {
  override readonly name = 'InvalidWanProfile';
}

export function resolveWanProfile(partial: Partial<WanProfile> = {}): WanProfile {
  const profile = { ...NO_WAN, ...partial };
  const { putLatencyMs, connectionBytesPerSecond } = profile;
  if (!Number.isInteger(putLatencyMs) || putLatencyMs < 0 || putLatencyMs > MAX_LATENCY_MS) {
    throw new InvalidWanProfile(`wan.putLatencyMs: expected an integer in 0..${MAX_LATENCY_MS}, got ${String(putLatencyMs)}`);
  }
  if (!Number.isSafeInteger(connectionBytesPerSecond) || connectionBytesPerSecond < 0) {
    throw new InvalidWanProfile(`wan.connectionBytesPerSecond: expected an integer ≥ 0 (0 = unlimited), got ${String(connectionBytesPerSecond)}`);
  }
  return profile;
}

/**
 * The pacing arithmetic: a connection busy sending until `busyUntilMs` is handed `bytes` more at
 * `nowMs`; returns when it will have sent them. Time a connection sat idle is not banked beyond
 * MAX_BURST_MS, so a fresh PUT gets the link's rate, not a burst.
 */
export function busyUntilAfter(busyUntilMs: number, nowMs: number, bytes: number, bytesPerSecond: number): number {
  const startMs = Math.max(busyUntilMs, nowMs - MAX_BURST_MS);
  return startMs + (bytes * 1000) / bytesPerSecond;
}

/** Largest slice released at once: 1/20 s of data, so the body's idle detection keeps seeing progress. */
export function pacingSliceBytes(bytesPerSecond: number): number {
  return Math.max(1, Math.floor(bytesPerSecond / 20));
}

/** Waits shorter than this are not worth a timer: the burst allowance absorbs them. */
export const MIN_HOLD_MS = 1;
