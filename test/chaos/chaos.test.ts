// The short chaos run (scripts/chaos): uploads at once under injected faults while a worker
// process dies by SIGKILL and the Temporal dev server is killed and restarted. `npm run chaos`
// runs the full one.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shortChaos } from '../../scripts/chaos/presets';
import { summaryLines } from '../../scripts/chaos/report';
import { runChaos } from '../../scripts/chaos/run-chaos';

describe('chaos (short)', () => {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-chaos-'));
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  it(
    'finishes every upload intact, creates no session twice, and re-sends no more than the chunks in flight at each crash',
    async () => {
      const report = await runChaos(shortChaos(workDir, 11));
      console.log(summaryLines(report).join('\n'));

      expect(report.events.map((e) => e.kind).sort()).toEqual(['server-restart', 'worker-kill']);
      expect(report.checks.filter((c) => !c.holds)).toEqual([]);
    },
    300_000,
  );
});
