// What an upload costs Temporal, read from its history: events, workflow tasks, activity
// executions and timers over every run of a workflow, following continue-as-new from the first
// run to the last. (Heartbeats are not in a history: see worker-metrics.ts.)

import type { Client } from '@temporalio/client';
import { historiesAcrossRuns } from '../../src/dev/history-runs';

export interface HistoryCost {
  runs: number;
  events: number;
  /** WorkflowTaskCompleted events: round trips between the server and the workflow code. */
  workflowTasks: number;
  activitiesScheduled: number;
  /**
   * Attempts of activities, retries included: each ActivityTaskStarted event carries the attempt
   * that started (the server writes it once, for the last attempt), so the attempts add up.
   */
  activityExecutions: number;
  /** TimerStarted events: every workflow timer, fired or cancelled. */
  timersStarted: number;
}

/** The fields of a history event this reads, as the client decodes them and as JSON keeps them. */
export interface HistoryEventLike {
  workflowTaskCompletedEventAttributes?: unknown;
  activityTaskScheduledEventAttributes?: unknown;
  activityTaskStartedEventAttributes?: { attempt?: number | null } | null;
  timerStartedEventAttributes?: unknown;
}

export function emptyHistoryCost(): HistoryCost {
  return { runs: 0, events: 0, workflowTasks: 0, activitiesScheduled: 0, activityExecutions: 0, timersStarted: 0 };
}

/** Adds one run's events to `cost`. */
export function addRunCost(cost: HistoryCost, events: readonly HistoryEventLike[]): HistoryCost {
  cost.runs++;
  cost.events += events.length;
  for (const event of events) {
    if (event.workflowTaskCompletedEventAttributes) cost.workflowTasks++;
    if (event.activityTaskScheduledEventAttributes) cost.activitiesScheduled++;
    if (event.activityTaskStartedEventAttributes) cost.activityExecutions += Math.max(1, event.activityTaskStartedEventAttributes.attempt ?? 1);
    if (event.timerStartedEventAttributes) cost.timersStarted++;
  }
  return cost;
}

export async function historyCost(client: Client, workflowId: string, firstRunId: string): Promise<HistoryCost> {
  const cost = emptyHistoryCost();
  for await (const history of historiesAcrossRuns(client, workflowId, firstRunId)) addRunCost(cost, history.events ?? []);
  return cost;
}
