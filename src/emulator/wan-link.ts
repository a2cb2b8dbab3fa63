// The WAN profile at work on live connections: one pacer per socket, a stream stage that holds
// PUT body bytes back to the socket's pace, and the per-PUT latency. See wan-profile.ts.

import type { Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { busyUntilAfter, MIN_HOLD_MS, pacingSliceBytes, type WanProfile } from './wan-profile';

/** One connection's bandwidth budget: a clock of when it has sent everything handed to it. */
export class ConnectionPacer {
  private busyUntilMs = Number.NEGATIVE_INFINITY;

  constructor(
    readonly bytesPerSecond: number,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** Books `bytes` on this connection; returns how long to hold them back, in ms (≤ 0: none). */
  reserve(bytes: number): number {
    const nowMs = this.nowMs();
    this.busyUntilMs = busyUntilAfter(this.busyUntilMs, nowMs, bytes, this.bytesPerSecond);
    return this.busyUntilMs - nowMs;
  }
}

/** Passes a PUT body on at its connection's pace; waiting here is what backpressures the sender. */
export class PacedStream extends Transform {
  private readonly sliceBytes: number;

  constructor(private readonly pacer: ConnectionPacer) {
    super();
    this.sliceBytes = pacingSliceBytes(pacer.bytesPerSecond);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.release(chunk).then(() => callback(), callback);
  }

  private async release(chunk: Buffer): Promise<void> {
    for (let offset = 0; offset < chunk.length && !this.destroyed; offset += this.sliceBytes) {
      const slice = chunk.subarray(offset, offset + this.sliceBytes);
      const holdMs = this.pacer.reserve(slice.length);
      if (holdMs >= MIN_HOLD_MS) await sleep(holdMs);
      if (!this.destroyed) this.push(slice);
    }
  }
}

/** The emulator's WAN: pacers keyed by socket (gone with it), and the latency of each PUT. */
export class WanLink {
  private readonly pacers = new WeakMap<Socket, ConnectionPacer>();

  constructor(readonly profile: WanProfile) {}

  /** The stage that paces a PUT body read from `socket`, or undefined when bandwidth is unlimited. */
  pacedStage(socket: Socket): PacedStream | undefined {
    const pacer = this.pacerFor(socket);
    return pacer ? new PacedStream(pacer) : undefined;
  }

  /** The budget of `socket`'s connection, the same for every request it carries. */
  pacerFor(socket: Socket): ConnectionPacer | undefined {
    const rate = this.profile.connectionBytesPerSecond;
    if (rate === 0) return undefined;
    let pacer = this.pacers.get(socket);
    if (!pacer) {
      pacer = new ConnectionPacer(rate);
      this.pacers.set(socket, pacer);
    }
    return pacer;
  }

  /** Waits out the round trip before a PUT is answered. */
  async beforeAnswer(): Promise<void> {
    if (this.profile.putLatencyMs > 0) await sleep(this.profile.putLatencyMs);
  }
}
