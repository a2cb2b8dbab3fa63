// When a lane sends a straggling chunk a second time ("hedged requests", The Tail at Scale): pure
// rules, unit-tested (test/activities/hedging.test.ts). The chunk's bytes are the same either way,
// so whichever PUT finishes first gives a valid ETag; the other is aborted.

/** Never hedge a PUT younger than this: below it, a second PUT costs more than it can save. */
export const HEDGE_MIN_MS = 500;
/**
 * Hedge a PUT that has run this many times the recent typical chunk time. A hedge sent at T
 * ends about one chunk time later, so the straggler costs the lane T instead of its full delay;
 * at 2x a PUT slowed by a 2 s answer (the bench's tail) is over in a third of that.
 */
export const HEDGE_FACTOR = 2;
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

/** Uploads whose chunk times this process keeps; the oldest is forgotten past it. */
const UPLOADS_KEPT = 64;
const timesByUpload = new Map<string, ChunkTimes>();

/**
 * The chunk times of one upload, shared by all its lanes in this worker process: the lanes of a
 * first wave start together with no time from earlier lanes, and each would otherwise wait for
 * three chunks of its own before it could hedge (a fifth of a short lane's run unprotected).
 */
export function chunkTimesOf(uploadId: string, seedMs: number): ChunkTimes {
  let times = timesByUpload.get(uploadId);
  if (times) {
    timesByUpload.delete(uploadId); // re-inserted last: the map's order is the recency order
  } else {
    times = new ChunkTimes(seedMs);
    if (timesByUpload.size >= UPLOADS_KEPT) timesByUpload.delete(timesByUpload.keys().next().value!);
  }
  timesByUpload.set(uploadId, times);
  return times;
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
