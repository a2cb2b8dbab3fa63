// Is anyone serving this task queue? Temporal's DescribeTaskQueue lists the workers that polled it
// recently. With none, a query would wait for its deadline and a result would wait forever, and
// neither says why: the client asks first, and answers "no worker is polling <queue>".

import type { Client } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import type { NoWorker, WorkerPresence } from './types';
import { RecentMap } from './recent-map';

/**
 * A worker long-polls: it asks again at least every ~70 s while it lives. Temporal keeps showing a
 * poller for minutes after its worker died, so a poll older than this does not count.
 */
export const POLLER_FRESH_MS = 2 * 60_000;

/** A batch's progress asks about each running file: one DescribeTaskQueue serves them all. */
const PRESENCE_CACHE_MS = 1_000;

export class TaskQueueWorkers {
  private readonly cache = new RecentMap<string, { atMs: number; presence: WorkerPresence }>(64);

  constructor(
    private readonly client: Client,
    private readonly namespace: string,
  ) {}

  /**
   * Whether a worker polls the queue's workflow tasks (the ones queries and progress need), or,
   * with `'activity'`, its activity tasks (a host's own queue, where the file activities run).
   */
  async presence(taskQueue: string, tasks: 'workflow' | 'activity' = 'workflow'): Promise<WorkerPresence> {
    const key = `${tasks}:${taskQueue}`;
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.atMs < PRESENCE_CACHE_MS) return cached.presence;
    const presence = await this.describe(taskQueue, tasks);
    this.cache.set(key, { atMs: Date.now(), presence });
    return presence;
  }

  private async describe(taskQueue: string, tasks: 'workflow' | 'activity'): Promise<WorkerPresence> {
    const types = temporal.api.enums.v1.TaskQueueType;
    const response = await this.client.workflowService.describeTaskQueue({
      namespace: this.namespace,
      taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: tasks === 'activity' ? types.TASK_QUEUE_TYPE_ACTIVITY : types.TASK_QUEUE_TYPE_WORKFLOW,
    });
    const polls = (response.pollers ?? []).map((p) => optionalTsToMs(p.lastAccessTime)).filter((ms): ms is number => ms !== undefined);
    return workerPresence(taskQueue, polls, Date.now());
  }
}

/** Pure: a queue is served when a poll arrived within POLLER_FRESH_MS. */
export function workerPresence(taskQueue: string, lastPollsMs: readonly number[], nowMs: number): WorkerPresence {
  const lastPollMs = lastPollsMs.length > 0 ? Math.max(...lastPollsMs) : undefined;
  return {
    taskQueue,
    polling: lastPollMs !== undefined && nowMs - lastPollMs <= POLLER_FRESH_MS,
    ...(lastPollMs !== undefined ? { lastPollAt: new Date(lastPollMs).toISOString() } : {}),
  };
}

/** What to tell a person whose upload waits for a worker; `unansweredMs`: a query went unanswered that long. */
export function noWorker(presence: WorkerPresence, unansweredMs?: number): NoWorker {
  const queue = presence.taskQueue;
  const what =
    unansweredMs !== undefined
      ? `no worker answered on task queue ${queue} within ${Math.round(unansweredMs / 1000)} s (its workers are busy or stuck)`
      : `no worker is polling task queue ${queue}${presence.lastPollAt ? ` (last poll ${presence.lastPollAt})` : ''}`;
  return {
    taskQueue: queue,
    message: `${what}; the upload is waiting, and goes on once a worker serves the queue (npm run worker, with TL_TASK_QUEUE=${queue})`,
  };
}

/** What to tell a person whose upload waits for the worker of the host that has its file (its `fileTaskQueue`). */
export function noHostWorker(presence: WorkerPresence): NoWorker {
  const queue = presence.taskQueue;
  return {
    taskQueue: queue,
    message:
      `no worker is polling task queue ${queue}, the queue of the host that has the file${presence.lastPollAt ? ` (last poll ${presence.lastPollAt})` : ''}; ` +
      `the upload is waiting, and goes on once that host's worker runs again (TL_HOST_TASK_QUEUE=${queue})`,
  };
}
