// Fault injection: named knobs, their string form for the CLI, and the seeded dice that decide
// when a fault fires. Faults only ever touch the API and the chunk store, never /_emulator/.

import { LOST_REPLY_DEFAULTS, LOST_REPLY_KNOBS, type LostReplyKnobs } from './lost-reply';
import { mulberry32 } from './prng';

/**
 * Probabilities are 0..1; the other knobs say their unit in the name. The `lost_reply_*` knobs
 * (lost-reply.ts) apply a call and then close the connection without answering.
 */
export interface FaultKnobs extends LostReplyKnobs {
  /** Chunk PUT answers 500 InternalError (decided before the body is read). */
  put_500: number;
  /** Chunk PUT answers 503 SlowDown. */
  put_503: number;
  /** The socket is destroyed halfway through the PUT body. */
  put_reset: number;
  /**
   * A slow PUT (a latency tail), in one of two models. put_slow_at_once 0 (default): the body is
   * read at the link's pace and the answer comes put_slow_ms after the whole body arrived.
   * put_slow_at_once 1: the body is received at once (neither paced nor throttled) and the answer
   * comes put_slow_ms after the request arrived.
   */
  put_slow: number;
  put_slow_ms: number;
  put_slow_at_once: number;
  /** Cap on the read rate of EVERY PUT body, bytes per second; 0 = off. */
  put_throttle_bps: number;
  /** The PUT answers 403 "Request has expired" as if the URL had expired. */
  url_expired: number;
  /** M1, M2, M4, M5 and A1 answer 429 too_many_requests with Retry-After = retry_after_s. */
  api_429: number;
  retry_after_s: number;
  /** The same endpoints answer 500 internal_error (sometimes 502/503 with an HTML body, 9.13). */
  api_5xx: number;
  /** At report time a valid chunk is marked `failed` instead of `completed`. */
  chunk_failed: number;
  /** An uploaded asset ends `failed` (a media-content error, 5.8) instead of `ready`. */
  asset_failed: number;
  /**
   * The chunk PUT stores other bytes than it received (one byte flipped) and answers their ETag,
   * as a corrupting store would: only a client that checks the ETag against its own MD5 notices.
   */
  put_corrupt: number;
  /**
   * Every report of this chunk index marks it `failed` (0 = off), with a verification error, as
   * TwelveLabs would for a chunk it can never accept.
   */
  chunk_always_failed: number;
  /**
   * M2 keeps answering `active` (with every chunk `completed`) for this many seconds after the
   * last report completed the upload, as the API may while it assembles the object (0 = off).
   */
  assembly_active_s: number;
}

export type FaultName = keyof FaultKnobs;

/** Knobs that are probabilities, i.e. that can "fire"; the others are parameters. */
export const PROBABILITY_KNOBS = [
  'put_500',
  'put_503',
  'put_reset',
  'put_slow',
  'url_expired',
  'api_429',
  'api_5xx',
  'chunk_failed',
  'asset_failed',
  'put_corrupt',
  ...LOST_REPLY_KNOBS,
] as const satisfies readonly FaultName[];
export type ProbabilityKnob = (typeof PROBABILITY_KNOBS)[number];

export const DEFAULT_FAULTS: Readonly<FaultKnobs> = {
  put_500: 0,
  put_503: 0,
  put_reset: 0,
  put_slow: 0,
  put_slow_ms: 2000,
  put_slow_at_once: 0,
  put_throttle_bps: 0,
  url_expired: 0,
  api_429: 0,
  retry_after_s: 1,
  api_5xx: 0,
  chunk_failed: 0,
  asset_failed: 0,
  put_corrupt: 0,
  chunk_always_failed: 0,
  assembly_active_s: 0,
  ...LOST_REPLY_DEFAULTS,
};

/** A fault spec or knob object the emulator cannot use; the message names the knob. */
export class InvalidFaultSpec extends Error {
  override readonly name = 'InvalidFaultSpec';
}

const KNOB_NAMES = new Set<string>(Object.keys(DEFAULT_FAULTS));
const PROBABILITY_SET = new Set<string>(PROBABILITY_KNOBS);

/** Checks a complete knob object: known names, probabilities in 0..1, parameters ≥ 0. */
export function validateFaultKnobs(knobs: FaultKnobs): FaultKnobs {
  for (const [name, value] of Object.entries(knobs)) {
    if (!KNOB_NAMES.has(name)) {
      throw new InvalidFaultSpec(`unknown fault knob '${name}' (known: ${[...KNOB_NAMES].join(', ')})`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new InvalidFaultSpec(`fault knob '${name}' must be a number ≥ 0, got ${String(value)}`);
    }
    if (PROBABILITY_SET.has(name) && value > 1) {
      throw new InvalidFaultSpec(`fault knob '${name}' is a probability and must be in 0..1, got ${value}`);
    }
  }
  return knobs;
}

/** Checks an object from JSON (admin API) and returns it typed; unknown names are rejected. */
export function parseFaultObject(value: unknown): Partial<FaultKnobs> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidFaultSpec('faults must be a JSON object of knob: number');
  }
  const partial = value as Record<string, unknown>;
  validateFaultKnobs({ ...DEFAULT_FAULTS, ...(partial as Partial<FaultKnobs>) });
  return partial as Partial<FaultKnobs>;
}

/** Parses the CLI form `put_500=0.05,put_reset=0.02,api_429=0.1,retry_after_s=1`. */
export function parseFaultSpec(spec: string): Partial<FaultKnobs> {
  const knobs: Record<string, number> = {};
  for (const item of spec.split(',').map((s) => s.trim()).filter((s) => s.length > 0)) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new InvalidFaultSpec(`fault '${item}' is not of the form knob=value`);
    const name = item.slice(0, eq).trim();
    const text = item.slice(eq + 1).trim();
    const value = Number(text);
    if (text.length === 0 || !Number.isFinite(value)) {
      throw new InvalidFaultSpec(`fault '${name}' needs a number, got '${text}'`);
    }
    knobs[name] = value;
  }
  return parseFaultObject(knobs);
}

/** Holds the current knobs and the seeded dice; counts every fault that fires. */
export class FaultInjector {
  private knobs: FaultKnobs;
  private random: () => number;
  private fired: Partial<Record<ProbabilityKnob, number>> = {};
  /** Rolls that fire whatever the probability: "lose exactly the next reply" for tests. */
  private forced: Partial<Record<ProbabilityKnob, number>> = {};

  constructor(initial: FaultKnobs, seed: number) {
    this.knobs = { ...initial };
    this.random = mulberry32(seed);
  }

  current(): FaultKnobs {
    return { ...this.knobs };
  }

  /** Replaces every knob (missing ones fall back to their defaults). */
  replace(knobs: Partial<FaultKnobs>): FaultKnobs {
    this.knobs = validateFaultKnobs({ ...DEFAULT_FAULTS, ...knobs });
    this.forced = {};
    return this.current();
  }

  /** Changes only the knobs given. */
  merge(knobs: Partial<FaultKnobs>): FaultKnobs {
    this.knobs = validateFaultKnobs({ ...this.knobs, ...knobs });
    return this.current();
  }

  /**
   * Rolls the dice for one fault and counts it if it fires. A knob at 0 (off) or 1 (always) does
   * not consume a random number, so it leaves the seeded sequence of the other knobs unchanged.
   */
  fires(knob: ProbabilityKnob): boolean {
    const forced = this.forced[knob] ?? 0;
    if (forced > 0) this.forced[knob] = forced - 1;
    const p = this.knobs[knob];
    const hit = forced > 0 || p >= 1 || (p > 0 && this.random() < p);
    if (hit) this.fired[knob] = (this.fired[knob] ?? 0) + 1;
    return hit;
  }

  /**
   * Starts the dice again from `seed`: a bench gives every contender the same sequence of rolls
   * (the n-th chunk PUT of each meets the same tail), so their ratio does not hang on luck.
   */
  reseed(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) throw new InvalidFaultSpec(`seed must be an integer in 0..2^32-1, got ${String(seed)}`);
    this.random = mulberry32(seed);
  }

  /** The next `count` rolls of `knob` fire, without consuming random numbers. */
  fireNext(knob: ProbabilityKnob, count: number): void {
    if (!Number.isInteger(count) || count < 0) throw new InvalidFaultSpec(`count must be an integer ≥ 0, got ${String(count)}`);
    this.forced[knob] = count;
  }

  /** Whether `knob` can fire at all (a probability above 0, or forced rolls left). */
  armed(knob: ProbabilityKnob): boolean {
    return this.knobs[knob] > 0 || (this.forced[knob] ?? 0) > 0;
  }

  /** An unweighted draw in [0, 1) from the same seeded stream (e.g. to pick a 5xx flavour). */
  draw(): number {
    return this.random();
  }

  firedCounts(): Partial<Record<ProbabilityKnob, number>> {
    return { ...this.fired };
  }

  resetCounts(): void {
    this.fired = {};
  }
}
