// The one place that knows where the Temporal CLI (dev server + Web UI) lives.
// scripts/temporal-cli.sh (scripts/temporal-cli.mjs) finds or builds it; everything else asks here.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const script = path.resolve(__dirname, '../../scripts/temporal-cli.sh');
let cached: string | null | undefined;

/** Path of the Temporal CLI binary, or `null` when none can be built here (no Go toolchain). */
export function temporalCliPath(): string | null {
  if (cached !== undefined) return cached;
  try {
    cached = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  } catch (err) {
    if ((err as { status?: number }).status !== 3) throw err;
    cached = null;
  }
  return cached;
}

/**
 * The `server.executable` option for @temporalio/testing's `createLocal`: the built binary when
 * there is one, otherwise the download @temporalio/testing does itself (needs internet).
 */
export function devServerExecutable():
  | { type: 'existing-path'; path: string }
  | { type: 'cached-download' } {
  const binary = temporalCliPath();
  return binary ? { type: 'existing-path', path: binary } : { type: 'cached-download' };
}
