// How long a chunk PUT may go without a byte handed to its socket before the lane abandons it as
// stalled (chunk-send.ts) and retries on a fresh URL. Pure, unit-tested.
//
// "No byte moved" is seen from the sender: bytes leave the body when the kernel takes them, not
// when the store reads them. The kernel's socket buffers hold more than a megabyte, and a blocked
// writer is woken only once about half of what it queued has drained, so on a slow link a healthy
// PUT goes quiet for buffered bytes / link rate at a time: 7.2 s at 0.2 MB/s per connection
// (measured over loopback against the emulator's WAN profile: the buffers took all of a 5 MiB
// chunk but its last 256 KiB at once, and that piece waited until 1.45 MB had drained).
// A 5 s window took every such PUT for a stall: on the cluster's link-bound load run each chunk
// was sent again and again (736 lane attempts per GiB instead of ~40), and 20 uploads reached
// 0.41x the limit uploader, which has no watchdog.

/** Shortest stall window: twice the quiet spell of a healthy PUT at 0.2 MB/s per connection. */
export const STALL_WINDOW_MIN_MS = 15_000;

/**
 * The stall window of a lane whose activity has `heartbeatTimeoutMs`: at least STALL_WINDOW_MIN_MS,
 * and half the heartbeat timeout when that is longer (a lane that beats rarely is not hurried).
 */
export function stallWindowMs(heartbeatTimeoutMs: number | undefined): number {
  return Math.max(STALL_WINDOW_MIN_MS, (heartbeatTimeoutMs ?? 60_000) / 2);
}
