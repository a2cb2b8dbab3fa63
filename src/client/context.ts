// What every part of the client shares: the Temporal client, where the workers are, and the
// lookups all of them start with (describe an upload, or insist that it runs).

import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import { NotFoundError, UsageError } from './errors';
import type { TaskQueueWorkers } from './task-queue';
import { UPLOAD_WORKFLOW_TYPE, BATCH_WORKFLOW_TYPE } from '../domain/workflow-messages';

export interface ClientContext {
  readonly temporal: Client;
  readonly namespace: string;
  /** The queue new uploads and asset calls go to. */
  readonly taskQueue: string;
  readonly searchAttributes: boolean;
  readonly callTimeoutMs: number;
  readonly queryTimeoutMs: number;
  readonly workers: TaskQueueWorkers;
  webUiLink(workflowId: string): string | undefined;
}

export const UPLOAD_WORKFLOW_TYPES = [UPLOAD_WORKFLOW_TYPE, BATCH_WORKFLOW_TYPE] as const;

export async function describeWorkflow(ctx: ClientContext, workflowId: string): Promise<WorkflowExecutionDescription> {
  try {
    return await ctx.temporal.workflow.getHandle(workflowId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new NotFoundError(`no upload with workflow id ${workflowId} in namespace ${ctx.namespace}`);
    throw err;
  }
}

/** An upload or batch that runs now: what pause, resume, concurrency and cancel act on. */
export async function requireRunning(ctx: ClientContext, workflowId: string): Promise<WorkflowExecutionDescription> {
  const description = await describeWorkflow(ctx, workflowId);
  if (!(UPLOAD_WORKFLOW_TYPES as readonly string[]).includes(description.type)) {
    throw new UsageError(`${workflowId} is a ${description.type}, not an upload or batch`);
  }
  if (description.status.name !== 'RUNNING') throw new UsageError(`${workflowId} is not running (it is ${description.status.name.toLowerCase()})`);
  return description;
}
