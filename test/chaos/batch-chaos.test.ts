// The chaos run's batch (scripts/chaos/batch-chaos.ts): 200 small files while A1 replies are lost
// and the worker process dies by SIGKILL a third of the way in. Every file ends with exactly one
// asset holding its bytes, and the batch reports it.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { batchChaosDefaults, batchSummaryLines, runBatchChaos } from '../../scripts/chaos/batch-chaos';

describe('chaos: a batch of small files', () => {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-chaos-batch-'));
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  it(
    'gives every file exactly one asset through lost create replies and a worker killed mid-batch',
    async () => {
      const report = await runBatchChaos(batchChaosDefaults(workDir, 5));
      console.log(batchSummaryLines(report).join('\n'));
      expect(report.files).toBeGreaterThanOrEqual(200);
      expect(report.checks.filter((c) => !c.holds)).toEqual([]);
    },
    300_000,
  );
});
