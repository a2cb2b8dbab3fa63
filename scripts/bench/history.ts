// What an upload costs Temporal: history events and workflow tasks over every run of a workflow,
// following continue-as-new from the first run to the last.

import type { Client } from '@temporalio/client';
import { historiesAcrossRuns } from '../../src/dev/history-runs';

export interface HistoryCost {
  runs: number;
  events: number;
  /** WorkflowTaskCompleted events: round trips between the server and the workflow code. */
  workflowTasks: number;
  activitiesScheduled: number;
}

export async function historyCost(client: Client, workflowId: string, firstRunId: string): Promise<HistoryCost> {
  const cost: HistoryCost = { runs: 0, events: 0, workflowTasks: 0, activitiesScheduled: 0 };
  for await (const history of historiesAcrossRuns(client, workflowId, firstRunId)) {
    const events = history.events ?? [];
    cost.runs++;
    cost.events += events.length;
    for (const event of events) {
      if (event.workflowTaskCompletedEventAttributes) cost.workflowTasks++;
      if (event.activityTaskScheduledEventAttributes) cost.activitiesScheduled++;
    }
  }
  return cost;
}
