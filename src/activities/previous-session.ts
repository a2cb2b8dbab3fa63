// What an earlier run of the same upload left behind, for a run that Reset (or a workflow retry)
// started: the multipart session of its child, if it can still be used. Carrying that session on
// sends only the chunks TwelveLabs has not accepted, and makes no second session or asset; a
// session that cannot be used (the file changed, the session expired) is cleaned up instead.
//
// The child's session is read from the child's own history (the createSession result, or the
// ledger its last run was continued with), and checked against TwelveLabs and the file.

import { log } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { History } from '@temporalio/common/lib/proto-utils';
import type { AllowedRoots } from '../security/file-roots';
import { TwelveLabsApiError } from '../twelvelabs/errors';
import type { TwelveLabsClient } from '../twelvelabs/client';
import { MAX_PAGE_LIMIT } from '../twelvelabs/limits';
import { zeroCounters, type ChunkRange, type MultipartUploadInput, type MultipartUploadResult, type SessionInfo } from '../domain/types';
import { inspectSource } from './source';
import { toRanges } from '../domain/chunk-ranges';

export interface PreviousSessionInput {
  /** The multipart child's workflow id, the same in every run of one upload. */
  childWorkflowId: string;
  /** The file on this host, to check that it is still the version the session holds. */
  path: string;
}

export type PreviousSession =
  /** No earlier child, or it ended before it had a session: start a new one. */
  | { found: 'none' }
  /** The earlier child finished: its asset is this upload's. */
  | { found: 'completed'; result: MultipartUploadResult }
  /** An active session of this very file version: carry it on. */
  | { found: 'resumable'; session: SessionInfo; reported: ChunkRange[] }
  /** A session that cannot be used any more; its asset was deleted when `assetDeleted`. */
  | { found: 'unusable'; uploadId: string; assetId: string; reason: string; assetDeleted: boolean };

/** A session carried on must still live for a while: uploading the rest takes time. */
const MIN_SESSION_LEFT_MS = 30 * 60_000;

export function previousSessionActivities(temporal: Client, client: TwelveLabsClient, roots: AllowedRoots) {
  return {
    async previousSession(input: PreviousSessionInput): Promise<PreviousSession> {
      const handle = temporal.workflow.getHandle(input.childWorkflowId);
      let description;
      try {
        description = await handle.describe();
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return { found: 'none' };
        throw err;
      }
      const status = description.status.name;
      // A reset of a running upload cancels its child; the new child may start only once it has stopped.
      if (status === 'RUNNING') throw new Error(`the earlier multipart workflow ${input.childWorkflowId} is still stopping`);
      const history = await temporal.workflow.getHandle(input.childWorkflowId, description.runId).fetchHistory();
      const converter = temporal.options.loadedDataConverter;
      const decode = async <T>(payloads: { payloads?: unknown[] | null } | null | undefined): Promise<T | undefined> =>
        payloads?.payloads && payloads.payloads.length > 0 ? ((await decodeFromPayloadsAtIndex(converter, 0, payloads.payloads as never)) as T) : undefined;

      if (status === 'COMPLETED') {
        const result = await decode<MultipartUploadResult>(history.events?.at(-1)?.workflowExecutionCompletedEventAttributes?.result);
        if (result) return { found: 'completed', result };
      }
      const session = await sessionOf(history, decode);
      if (!session) return { found: 'none' };
      return await checkSession(session, input.path);
    },
  };

  /** Whether the session can be carried on; if not, its asset is deleted (it is ours, and useless). */
  async function checkSession(session: SessionInfo, path: string): Promise<PreviousSession> {
    const state = await sessionState(session.uploadId);
    if (state.status === 'completed') {
      // The session finished at TwelveLabs although its workflow did not see it: the asset is whole.
      return {
        found: 'completed',
        result: {
          assetId: session.assetId,
          uploadId: session.uploadId,
          totalBytes: session.totalSize,
          totalChunks: session.totalChunks,
          counters: zeroCounters(),
          startedAt: new Date().toISOString(),
          completedAt: new Date().toISOString(),
          runs: 1,
        },
      };
    }
    // A file that cannot be read now fails this lookup (typed, as the upload would): the session
    // is kept for a later Reset rather than deleted on what may be a passing problem.
    const source = await inspectSource(path, roots);
    const reason =
      state.status !== 'active'
        ? `the session is ${state.status}`
        : source.sizeBytes !== session.sourceSizeBytes || source.mtimeMs !== session.sourceMtimeMs
          ? `${path} is not the version the session was created for (it holds ${session.sourceSizeBytes} bytes of mtime ${session.sourceMtimeMs})`
          : session.expiresAtMs - Date.now() < MIN_SESSION_LEFT_MS
            ? 'the session expires too soon to finish on it'
            : undefined;
    if (reason === undefined) return { found: 'resumable', session, reported: state.completedRanges };
    const assetDeleted = await client.deleteAsset(session.assetId).then(
      () => true,
      (err: unknown) => (err instanceof TwelveLabsApiError && err.status === 404 ? true : (log.warn('could not delete the unusable asset', { assetId: session.assetId, error: String(err) }), false)),
    );
    log.info('the earlier session cannot be carried on', { uploadId: session.uploadId, assetId: session.assetId, reason, assetDeleted });
    return { found: 'unusable', uploadId: session.uploadId, assetId: session.assetId, reason, assetDeleted };
  }

  /** M2 over every page: the session's status and the chunks TwelveLabs accepted. */
  async function sessionState(uploadId: string): Promise<{ status: string; completedRanges: ChunkRange[] }> {
    const completed: number[] = [];
    let status = 'not found';
    try {
      for (let page = 1; ; page++) {
        const answer = await client.getMultipartUploadStatus(uploadId, { page, pageLimit: MAX_PAGE_LIMIT });
        status = answer.status;
        for (const chunk of answer.chunks) if (chunk.status === 'completed') completed.push(chunk.chunkIndex);
        if (answer.chunks.length === 0 || page >= answer.pageInfo.totalPages) break;
      }
    } catch (err) {
      if (!(err instanceof TwelveLabsApiError && err.status === 404)) throw err;
    }
    return { status, completedRanges: toRanges(completed) };
  }
}

/** The last session the child's latest run worked on: its newest createSession, else the one it was continued with. */
async function sessionOf(history: History, decode: <T>(p: { payloads?: unknown[] | null } | null | undefined) => Promise<T | undefined>): Promise<SessionInfo | undefined> {
  const events = history.events ?? [];
  const createSessionIds = new Set(
    events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'createSession').map((e) => String(e.eventId)),
  );
  for (let i = events.length - 1; i >= 0; i--) {
    const completed = events[i]!.activityTaskCompletedEventAttributes;
    if (completed && createSessionIds.has(String(completed.scheduledEventId))) {
      return (await decode<{ session: SessionInfo }>(completed.result))?.session;
    }
  }
  const input = await decode<MultipartUploadInput>(events[0]?.workflowExecutionStartedEventAttributes?.input);
  return input?.carried?.session;
}
