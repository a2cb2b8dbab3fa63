// Vitest global setup: the compiled package (dist/) is current before any test starts, because
// tests run what users run: bin/tl-upload.js and the worker process load dist/. A no-op when
// nothing under src/ changed since the last build (scripts/build.sh keeps a stamp).

import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function buildDist(): void {
  execFileSync('bash', [path.resolve(__dirname, '../../scripts/build.sh')], { stdio: 'inherit' });
}
