// Transfer rate and ETA from successive byte counts: the slope of a least-squares line through
// the recent samples, so a watcher sees what the upload does now, not since it began, and one
// sample that is off (heartbeats arrive in steps, about a second apart per lane; a lane that
// returned between the query and the describe is missing from one sample) moves it little: the
// rate of one steady upload read 74, 41, 93 MiB/s when it was the slope between the window's ends.
// A pause (or anything that is not moving bytes) and a count that falls to less than half (a new
// session) end the window: time spent paused and bytes of an earlier session never enter it.

import { RecentMap } from '../recent-map';

export interface RateSample {
  atMs: number;
  bytes: number;
  /** False while paused, waiting for a worker, or in a phase that sends nothing. Default true. */
  moving?: boolean;
}

export class RateMeter {
  private samples: RateSample[] = [];

  /** @param windowMs how far back the average reaches. */
  constructor(private readonly windowMs = 10_000) {}

  add(sample: RateSample): void {
    if (sample.moving === false) {
      this.samples = []; // the next moving sample starts a fresh window
      return;
    }
    const last = this.samples[this.samples.length - 1];
    if (last && (sample.atMs < last.atMs || sample.bytes < last.bytes / 2)) this.samples = [];
    // A little lower than the last: a sample that missed bytes, not a new session; left out.
    else if (last && sample.bytes < last.bytes) return;
    this.samples.push(sample);
    while (this.samples.length > 2 && this.samples[0]!.atMs < sample.atMs - this.windowMs) this.samples.shift();
  }

  /** Bytes per second over the window; undefined until two moving samples span some time. */
  bytesPerSecond(): number | undefined {
    const n = this.samples.length;
    if (n < 2 || this.samples[n - 1]!.atMs <= this.samples[0]!.atMs) return undefined;
    // Least-squares slope, in seconds from the first sample (small numbers, exact for two points).
    const t0 = this.samples[0]!.atMs;
    const b0 = this.samples[0]!.bytes;
    let meanT = 0;
    let meanB = 0;
    for (const s of this.samples) {
      meanT += (s.atMs - t0) / n;
      meanB += (s.bytes - b0) / n;
    }
    let covariance = 0;
    let variance = 0;
    for (const s of this.samples) {
      const dt = s.atMs - t0 - meanT;
      covariance += dt * (s.bytes - b0 - meanB);
      variance += dt * dt;
    }
    return Math.max(0, (covariance / variance) * 1000);
  }
}

/** One meter per workflow, for a client asked about many uploads (bounded: see RecentMap). */
export class RateMeters {
  private readonly meters: RecentMap<string, RateMeter>;

  constructor(
    maxWorkflows = 256,
    private readonly windowMs = 10_000,
  ) {
    this.meters = new RecentMap(maxWorkflows);
  }

  /** Adds the sample to this workflow's meter and answers its windowed rate. */
  sample(workflowId: string, sample: RateSample): number | undefined {
    let meter = this.meters.get(workflowId);
    if (!meter) this.meters.set(workflowId, (meter = new RateMeter(this.windowMs)));
    meter.add(sample);
    return meter.bytesPerSecond();
  }
}

/** Seconds left at `bytesPerSecond`; undefined when unknown or not moving. */
export function etaSeconds(totalBytes: number | undefined, sentBytes: number, bytesPerSecond: number | undefined): number | undefined {
  if (totalBytes === undefined || !bytesPerSecond || bytesPerSecond <= 0) return undefined;
  return Math.max(0, (totalBytes - sentBytes) / bytesPerSecond);
}
