// Replays a saved workflow history (JSON, as `temporal workflow show --output json` or the chaos
// watchdog writes it) against the current workflow code, and says whether it is deterministic.
//
//   node --import tsx scripts/chaos/replay-history.ts test/chaos/evidence/multipart-nondeterminism-after-sigkill.json

import fs from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../src/worker';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node --import tsx scripts/chaos/replay-history.ts <history.json>');
    process.exit(2);
  }
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const history = historyFromJSON(JSON.parse(fs.readFileSync(file, 'utf8')));
  const quiet = () => undefined;
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet },
  });
  try {
    await Worker.runReplayHistory({ workflowBundle }, history, 'replay');
    console.log(`${file}: replays deterministically with the current workflow code`);
  } catch (error) {
    console.log(`${file}: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
