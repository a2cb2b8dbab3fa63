// What a multipart upload has sent, as `status` reads it: the chunks its lanes returned plus what
// the running lanes report in their heartbeats (finished chunks and the bytes of the one being
// sent). Tests wait on this, not on the workflow's uploaded-chunk count, which moves only when a
// lane returns (a lane may hold a run of many chunks): on a busy machine that can be the end.

import type { Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { chunkBytesInFlight, type RunningActivity } from '../../src/client/progress/live-progress';
import { progressQuery } from '../../src/workflows/multipart-upload';

const PENDING_ACTIVITY_STATE_STARTED = 2;

export async function multipartSentBytes(temporal: Client, workflowId: string): Promise<number> {
  const handle = temporal.workflow.getHandle(workflowId);
  const [description, progress] = await Promise.all([handle.describe(), handle.query(progressQuery)]);
  const converter = temporal.options.loadedDataConverter;
  const activities: RunningActivity[] = await Promise.all(
    (description.raw.pendingActivities ?? []).map(async (activity) => {
      const payloads = activity.heartbeatDetails?.payloads;
      const heartbeat = payloads && payloads.length > 0 ? await decodeFromPayloadsAtIndex(converter, 0, payloads).catch(() => undefined) : undefined;
      return { activityType: activity.activityType?.name ?? '', started: activity.state === PENDING_ACTIVITY_STATE_STARTED, heartbeat };
    }),
  );
  return progress.uploadedBytes + chunkBytesInFlight(activities, progress.inFlightChunks);
}
