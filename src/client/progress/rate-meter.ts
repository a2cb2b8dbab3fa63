// Transfer rate and ETA from successive byte counts: an average over a sliding window of samples,
// so a watcher shows what the upload does now, not since it began (pauses, restarts).

export interface RateSample {
  atMs: number;
  bytes: number;
}

export class RateMeter {
  private samples: RateSample[] = [];

  /** @param windowMs how far back the average reaches. */
  constructor(private readonly windowMs = 10_000) {}

  /** Adds a sample; a count that went down (a restarted session) starts the window afresh. */
  add(sample: RateSample): void {
    const last = this.samples[this.samples.length - 1];
    if (last && sample.bytes < last.bytes) this.samples = [];
    this.samples.push(sample);
    while (this.samples.length > 2 && this.samples[0]!.atMs < sample.atMs - this.windowMs) this.samples.shift();
  }

  /** Bytes per second over the window; undefined until two samples span some time. */
  bytesPerSecond(): number | undefined {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.atMs <= first.atMs) return undefined;
    return ((last.bytes - first.bytes) * 1000) / (last.atMs - first.atMs);
  }
}

/** Seconds left at `bytesPerSecond`; undefined when unknown or not moving. */
export function etaSeconds(totalBytes: number | undefined, sentBytes: number, bytesPerSecond: number | undefined): number | undefined {
  if (totalBytes === undefined || !bytesPerSecond || bytesPerSecond <= 0) return undefined;
  return Math.max(0, (totalBytes - sentBytes) / bytesPerSecond);
}
