// Transfer rate and ETA from successive byte counts: an average over a sliding window of recent
// samples, so a watcher sees what the upload does now, not since it began. A pause (or anything
// that is not moving bytes) and a count that goes down (a new session) end the window: time spent
// paused and bytes of an earlier session never enter the average.

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
    if (last && (sample.bytes < last.bytes || sample.atMs < last.atMs)) this.samples = [];
    this.samples.push(sample);
    while (this.samples.length > 2 && this.samples[0]!.atMs < sample.atMs - this.windowMs) this.samples.shift();
  }

  /** Bytes per second over the window; undefined until two moving samples span some time. */
  bytesPerSecond(): number | undefined {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.atMs <= first.atMs) return undefined;
    return ((last.bytes - first.bytes) * 1000) / (last.atMs - first.atMs);
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
