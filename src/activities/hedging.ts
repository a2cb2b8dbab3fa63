// When a lane sends a straggling chunk a second time ("hedged requests", The Tail at Scale): pure
// rules, unit-tested (test/activities/hedging.test.ts). The chunk's bytes are the same either way,
// so whichever PUT finishes first gives a valid ETag; the other is aborted.

/** Never hedge a PUT younger than this: below it, a second PUT costs more than it can save. */
export const HEDGE_MIN_MS = 750;
/** Hedge a PUT that has run this many times the recent typical chunk time. */
export const HEDGE_FACTOR = 3;
/** Chunk times a lane remembers for its typical time (the median of the most recent). */
const SAMPLES_KEPT = 16;
/** Own samples a lane needs before it trusts its typical time (when it got none to start with). */
const MIN_SAMPLES = 3;

/** Recent chunk PUT times of one lane, seeded with the typical time earlier lanes saw. */
export class ChunkTimes {
  private readonly samples: number[] = [];
  constructor(private readonly seedMs: number) {}

  add(durationMs: number): void {
    this.samples.push(durationMs);
    if (this.samples.length > SAMPLES_KEPT) this.samples.shift();
  }

  /** The median of the recent samples; the seed until enough samples exist; undefined if neither. */
  typicalMs(): number | undefined {
    if (this.samples.length < MIN_SAMPLES) return this.seedMs > 0 ? this.seedMs : undefined;
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  }
}

/** How long a PUT may run before a hedge starts; undefined = no hedge (no typical time yet). */
export function hedgeAfterMs(typicalMs: number | undefined): number | undefined {
  if (typicalMs === undefined) return undefined;
  return Math.max(HEDGE_MIN_MS, Math.ceil(HEDGE_FACTOR * typicalMs));
}

/**
 * Hedges one lane may send: one, plus one per ten chunks of its run. The extra bytes hedging
 * sends are therefore at most one chunk plus a tenth of the run's bytes, per lane.
 */
export function hedgeBudget(runLength: number): number {
  return 1 + Math.floor(runLength / 10);
}
