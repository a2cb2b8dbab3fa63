// What the running lanes of this workflow have finished, read from the server before the
// workflow cancels some (docs/RELIABILITY.md, finding 8). A lane whose worker died is waiting for
// its retry; a cancel then ends it at once, without its last heartbeat details, so the workflow
// would send its finished chunks again. The server keeps those details with the pending
// activity across attempts, and DescribeWorkflowExecution shows them.
//
// Runs on the workflow's own task queue with the worker's Temporal client: no key or URL enters
// its input or result (a heartbeat holds chunk indices, sizes and ETags only).

import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { ChunkEtag } from '../domain/types';

/** The activity type whose heartbeats carry a lane's finished chunks (chunk-upload.ts). */
const LANE_ACTIVITY_TYPE = 'uploadChunk';

export function laneProgressActivities(temporal: Client) {
  return {
    /** The finished chunks in the last heartbeat of every pending lane of the calling workflow run. */
    async readLaneProgress(): Promise<ChunkEtag[]> {
      const execution = Context.current().info.workflowExecution;
      if (!execution) return []; // not called by a workflow: there are no lanes to read
      return finishedOfPendingLanes(temporal, execution.workflowId, execution.runId);
    },
  };
}

export async function finishedOfPendingLanes(temporal: Client, workflowId: string, runId: string): Promise<ChunkEtag[]> {
  const description = await temporal.workflow.getHandle(workflowId, runId).describe();
  const converter = temporal.options.loadedDataConverter;
  const finished: ChunkEtag[] = [];
  for (const pending of description.raw.pendingActivities ?? []) {
    if (pending.activityType?.name !== LANE_ACTIVITY_TYPE) continue;
    const payloads = pending.heartbeatDetails?.payloads;
    if (!payloads || payloads.length === 0) continue;
    const beat = await decodeFromPayloadsAtIndex<unknown>(converter, 0, payloads as never);
    finished.push(...chunkEtagsOf(beat));
  }
  return finished;
}

/** The well-formed entries of a heartbeat's `finished` list; anything else is skipped. */
export function chunkEtagsOf(beat: unknown): ChunkEtag[] {
  const list = (beat as { finished?: unknown } | undefined)?.finished;
  if (!Array.isArray(list)) return [];
  return list
    .filter(
      (e): e is ChunkEtag =>
        typeof e === 'object' && e !== null &&
        Number.isInteger((e as ChunkEtag).chunkIndex) &&
        typeof (e as ChunkEtag).etag === 'string' &&
        Number.isInteger((e as ChunkEtag).sizeBytes),
    )
    .map((e) => ({ chunkIndex: e.chunkIndex, etag: e.etag, sizeBytes: e.sizeBytes }));
}
