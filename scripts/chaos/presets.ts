// The two chaos runs: the full one of `npm run chaos` and the short one `npm test` runs.

import path from 'node:path';
import { lostRepliesEverywhere } from '../../src/emulator';
import { MIB } from '../../src/twelvelabs/limits';
import type { ChaosOptions } from './run-chaos';

const MB = 1e6;

/**
 * The faults of the issues: 5% of chunk PUTs answer 5xx, 2% reset mid-body, 1% URLs rejected, 429
 * and 5xx on the API; and lost replies (applied, never answered) on every endpoint: 2% of each,
 * and 30% of the rare calls (creates, deletes, metadata) so that they are lost in every run too.
 */
export const CHAOS_FAULTS = {
  ...lostRepliesEverywhere(0.02),
  lost_reply_m1: 0.3,
  lost_reply_a1: 0.3,
  lost_reply_a4: 0.3,
  lost_reply_a5: 0.3,
  lost_reply_a6: 0.3,
  lost_reply_a7: 0.3,
  put_500: 0.025,
  put_503: 0.025,
  put_reset: 0.02,
  url_expired: 0.01,
  api_429: 0.05,
  retry_after_s: 1,
  api_5xx: 0.03,
} as const;

/** Ten uploads of 50 to 500 MB (four direct, six multipart), three SIGKILLs, one server restart. */
export function fullChaos(workDir: string, seed: number): ChaosOptions {
  return {
    label: 'full',
    workDir,
    sizesBytes: [50, 100, 150, 200, 250, 300, 350, 400, 450, 500].map((n) => n * MB),
    // Each PUT body is read at no more than 2 MB/s, so the run lasts long enough for crashes to
    // land in the middle of transfers on any machine.
    faults: { ...CHAOS_FAULTS, put_throttle_bps: 2 * MB },
    // The product's defaults (a killed worker's lanes are retried 10 s after their last heartbeat).
    multipart: { concurrency: 8 },
    workers: 2,
    kills: 3,
    serverRestarts: 1,
    crashProgressRange: [0.1, 0.7],
    seed,
    timeoutMs: 20 * 60_000,
  };
}

/** Four small uploads (two direct, two multipart of 512 KiB chunks), one SIGKILL, one server restart. */
export function shortChaos(workDir: string, seed: number): ChaosOptions {
  return {
    label: 'short',
    workDir: path.join(workDir),
    sizesBytes: [1.5 * MB, 3 * MB, 10 * MB, 14 * MB],
    directMaxBytes: 4 * MIB,
    chunkSizeBytes: 512 * 1024,
    faults: { ...CHAOS_FAULTS, put_throttle_bps: 512 * 1024 },
    multipart: { concurrency: 4, chunkHeartbeatTimeoutMs: 4_000, reportFlushMs: 300 },
    workers: 2,
    kills: 1,
    serverRestarts: 1,
    crashProgressRange: [0.2, 0.5],
    seed,
    timeoutMs: 4 * 60_000,
  };
}
