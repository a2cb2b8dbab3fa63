// Caps the rate at which a request body is read (fault knob put_throttle_bps). Holding data back
// applies TCP backpressure to the sender, so uploads really slow down, which is what cancellation
// and pause tests need.

import { Transform, type TransformCallback } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

/** Slices per second: small enough that idle detection downstream keeps seeing progress. */
const SLICES_PER_SECOND = 20;

export class ThrottleStream extends Transform {
  private readonly startedAtMs = Date.now();
  private passedBytes = 0;
  private readonly sliceBytes: number;

  constructor(private readonly bytesPerSecond: number) {
    super();
    this.sliceBytes = Math.max(1, Math.floor(bytesPerSecond / SLICES_PER_SECOND));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.release(chunk).then(() => callback(), callback);
  }

  private async release(chunk: Buffer): Promise<void> {
    for (let offset = 0; offset < chunk.length && !this.destroyed; offset += this.sliceBytes) {
      const slice = chunk.subarray(offset, offset + this.sliceBytes);
      this.passedBytes += slice.length;
      const dueAtMs = this.startedAtMs + (this.passedBytes / this.bytesPerSecond) * 1000;
      const waitMs = dueAtMs - Date.now();
      if (waitMs > 0) await sleep(waitMs);
      if (!this.destroyed) this.push(slice);
    }
  }
}
