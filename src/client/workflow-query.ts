// Asking a workflow a query, knowing first whether anyone will answer. A query is answered by a
// worker; with none polling the workflow's queue, Temporal holds it until its deadline and then
// fails it as "Failed to query Workflow", which reads like a failed upload. So: ask who polls the
// queue first, and give the query a deadline of our own; either way the caller learns `noWorker`.

import type { QueryDefinition } from '@temporalio/client';
import type { NoWorker } from './types';
import type { ClientContext } from './context';
import { isCutShort } from './failures';
import { noWorker } from './task-queue';

/** A query's answer, or why there is none. */
export type Answer<T> = { value: T; noWorker?: undefined } | { value?: undefined; noWorker: NoWorker };

export async function queryIfServed<T>(ctx: ClientContext, workflowId: string, query: QueryDefinition<T, []>, taskQueue: string): Promise<Answer<T>> {
  const presence = await ctx.workers.presence(taskQueue);
  if (!presence.polling) return { noWorker: noWorker(presence) };
  const { temporal, queryTimeoutMs } = ctx;
  const deadlineMs = Date.now() + queryTimeoutMs;
  try {
    return { value: await temporal.withDeadline(deadlineMs, () => temporal.workflow.getHandle(workflowId).query(query)) };
  } catch (err) {
    if (Date.now() >= deadlineMs && isCutShort(err)) return { noWorker: noWorker(presence, queryTimeoutMs) };
    throw err;
  }
}
