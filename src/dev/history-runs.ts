// Every run of a workflow, following continue-as-new from the first run to the last: what the
// bench counts, and what the tests count and replay.

import type { Client } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';

export async function* historiesAcrossRuns(client: Client, workflowId: string, firstRunId: string): AsyncGenerator<History> {
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    yield history;
    runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
}
