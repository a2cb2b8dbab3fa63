// What an upload costs Temporal: history events and workflow tasks over every run of a workflow,
// following continue-as-new from the first run to the last.

import type { Client } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';

export interface HistoryCost {
  runs: number;
  events: number;
  /** WorkflowTaskCompleted events: round trips between the server and the workflow code. */
  workflowTasks: number;
  activitiesScheduled: number;
}

export async function historyCost(client: Client, workflowId: string, firstRunId: string): Promise<HistoryCost> {
  const cost: HistoryCost = { runs: 0, events: 0, workflowTasks: 0, activitiesScheduled: 0 };
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events: NonNullable<History['events']> = history.events ?? [];
    cost.runs++;
    cost.events += events.length;
    runId = undefined;
    for (const event of events) {
      if (event.workflowTaskCompletedEventAttributes) cost.workflowTasks++;
      if (event.activityTaskScheduledEventAttributes) cost.activitiesScheduled++;
      const next: string | null | undefined = event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
      if (next) runId = next;
    }
  }
  return cost;
}
