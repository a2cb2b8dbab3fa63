// What a set of uploads cost the Temporal cluster, read from the histories of every workflow they
// ran (children and continue-as-new runs included): history events, and the Temporal Cloud
// billable actions they amount to. Heartbeats are not in histories: the caller adds the worker's
// count of heartbeat RPCs (scripts/bench/worker-metrics.ts).

import type { Client } from '@temporalio/client';
import { historiesAcrossRuns } from '../../src/dev/history-runs';

export interface TemporalActions {
  workflows: number;
  /** Runs started: each workflow, child and continue-as-new run (a billable action each). */
  runsStarted: number;
  events: number;
  /** Activity attempts, retries included (each ActivityTaskStarted carries its attempt number). */
  activityExecutions: number;
  timersStarted: number;
  signals: number;
  searchAttributeUpserts: number;
  /** patched() markers, side effects. */
  markers: number;
  /** Heartbeat RPCs the workers sent (filled in by the caller). */
  heartbeats: number;
}

export function emptyActions(): TemporalActions {
  return { workflows: 0, runsStarted: 0, events: 0, activityExecutions: 0, timersStarted: 0, signals: 0, searchAttributeUpserts: 0, markers: 0, heartbeats: 0 };
}

/** Temporal Cloud's billable actions in these figures (events such as task completions are free). */
export function billableActions(a: TemporalActions): number {
  return a.runsStarted + a.activityExecutions + a.heartbeats + a.timersStarted + a.signals + a.searchAttributeUpserts + a.markers;
}

/** Adds a workflow (from its first run) and every child it started, recursively. */
export async function addWorkflowActions(client: Client, actions: TemporalActions, workflowId: string, firstRunId: string): Promise<void> {
  actions.workflows++;
  const children: Array<[string, string]> = [];
  for await (const history of historiesAcrossRuns(client, workflowId, firstRunId)) {
    for (const event of history.events ?? []) {
      actions.events++;
      if (event.workflowExecutionStartedEventAttributes) actions.runsStarted++;
      else if (event.activityTaskStartedEventAttributes) actions.activityExecutions += Math.max(1, event.activityTaskStartedEventAttributes.attempt ?? 1);
      else if (event.timerStartedEventAttributes) actions.timersStarted++;
      else if (event.workflowExecutionSignaledEventAttributes) actions.signals++;
      else if (event.upsertWorkflowSearchAttributesEventAttributes) actions.searchAttributeUpserts++;
      else if (event.markerRecordedEventAttributes) actions.markers++;
      const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
      if (child?.workflowId && child.runId) children.push([child.workflowId, child.runId]);
    }
  }
  for (const [id, runId] of children) await addWorkflowActions(client, actions, id, runId);
}

/** The first run of a workflow that was started by id. */
export async function firstRunId(client: Client, workflowId: string): Promise<string> {
  const info = (await client.workflow.getHandle(workflowId).describe()).raw.workflowExecutionInfo;
  return info?.firstRunId || info?.execution?.runId || '';
}
