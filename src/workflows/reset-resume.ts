// Retry from the Web UI: what a run that Reset started does about the multipart session an
// earlier run of the same upload left behind. Reset starts a new run of uploadWorkflow (new run
// id, same first-execution run id); without this, it would create a second session and asset
// while the first session might still be usable. Here the new run looks at the earlier child:
// - it finished: its asset is this upload's, nothing is sent again;
// - its session is active and holds this very version of the file: the new child carries it on
//   (the chunks TwelveLabs accepted are not sent again);
// - its session cannot be used (the file was fixed after SourceChanged, or it expired): that
//   session's asset is deleted and a new session starts over.

import { log, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { PreviousSession } from '../activities/previous-session';
import { zeroCounters, type CarriedState } from '../domain/types';
import { apiRetry } from './activity-options';

type Activities = ReturnType<typeof createActivities>;

/**
 * The multipart child's workflow id: the same in every run of one upload (Reset keeps the first
 * execution's run id), new for an upload started again under its id after a failure.
 */
export function multipartChildId(): string {
  const { workflowId, firstExecutionRunId } = workflowInfo();
  return `${workflowId}/multipart-${firstExecutionRunId.slice(0, 8)}`;
}

/**
 * What the earlier child of this upload left; `found: 'none'` in a first run (its child id is
 * new), which costs one short activity. It is asked in every run rather than only when the run
 * id shows a reset: the replayer gives a run the first run's id, so a decision taken on the run
 * id would replay differently. `patched` keeps histories recorded before this replaying as they were.
 */
export async function earlierChildSession(childWorkflowId: string, path: string, fileTaskQueue: string | undefined): Promise<PreviousSession | undefined> {
  if (!patched('carry-on-after-reset')) return undefined;
  const files = proxyActivities<Activities>({ taskQueue: fileTaskQueue, startToCloseTimeout: '2 minutes', retry: apiRetry(10) });
  const earlier = await files.previousSession({ childWorkflowId, path });
  if (earlier.found === 'unusable') {
    log.warn('the earlier run left a session that cannot be used; starting over', {
      uploadId: earlier.uploadId,
      assetId: earlier.assetId,
      reason: earlier.reason,
      assetDeleted: earlier.assetDeleted,
    });
  } else if (earlier.found !== 'none') {
    log.info('carrying on what the earlier run left', { found: earlier.found });
  }
  return earlier;
}

/** The ledger a new child starts from to carry on an earlier session (as after continue-as-new). */
export function carriedFromEarlier(earlier: Extract<PreviousSession, { found: 'resumable' }>, concurrency: number, startedAt: string): CarriedState {
  return {
    session: earlier.session,
    reported: earlier.reported,
    // Chunks uploaded but never reported are sent again: their ETags died with the earlier run.
    unreported: [],
    // The session this upload created in its earlier run is the one it finishes on.
    counters: zeroCounters(1),
    startedAt,
    paused: false,
    concurrency,
    runs: 1,
  };
}
