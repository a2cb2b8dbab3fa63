// Session activities: create a multipart session (after checking the source), and read its
// status with every page of chunk states.

import { Context, log } from '@temporalio/activity';
import { sessionActivityToken, withCreateToken } from '../domain/create-token';
import { timestampToEpochMs } from '../twelvelabs/timestamps';
import type { TwelveLabsClient } from '../twelvelabs/client';
import type { MediaType, SessionStatus, UserMetadata } from '../twelvelabs/wire';
import { MAX_PAGE_LIMIT, SESSION_TTL_MS } from '../twelvelabs/limits';
import { FailureType, type PresignedUrl, type SessionInfo } from '../domain/types';
import { ApplicationFailure } from '@temporalio/activity';
import type { AllowedRoots } from '../security/file-roots';
import { CREATE_SEARCH_MARGIN_MS } from './own-assets';
import { reconcileSession } from './session-reconcile';
import { inspectSource, type SourceIdentity } from './source';

/**
 * The chunk PUT headers of an adopted session. Only M1's lost answer carried the real ones; these
 * are the headers both official SDK wrappers always send (contract 9.3), and the emulator's default.
 */
export const ADOPTED_UPLOAD_HEADERS: Readonly<Record<string, string>> = { 'Content-Type': 'application/octet-stream' };

export interface CreateSessionInput {
  path: string;
  filename: string;
  mediaType: MediaType;
  enableHls?: boolean;
  enableThumbnail?: boolean;
  userMetadata?: UserMetadata;
}

export interface CreateSessionResult {
  session: SessionInfo;
  /** The initial URL set (may not cover every chunk; empty for an adopted session). */
  urls: PresignedUrl[];
  /** The session is the one an earlier attempt created (its answer was lost), not a new one. */
  reconciled?: boolean;
  /**
   * Sessions TwelveLabs created for this call: 1, plus any earlier attempt's session that could
   * not be adopted (its asset was deleted, see orphanAssetsDeleted).
   */
  sessionsCreated?: number;
  /** Assets of earlier attempts that could not be adopted and were deleted. */
  orphanAssetsDeleted?: string[];
}

export interface PollStatusInput {
  uploadId: string;
  totalChunks: number;
}

export interface PollStatusResult {
  status: SessionStatus;
  chunksCompleted: number;
  chunksFailed: number;
  uploadedSizeBytes: number;
  /** Chunks not `completed` at TwelveLabs (failed, pending, or not listed), ascending. */
  incompleteChunks: number[];
  /** Chunks the API lists as `failed`. */
  failedChunks: number[];
  /** Why TwelveLabs marked those chunks failed, where it said (absent in results before issue 17). */
  failedChunkErrors?: Array<{ chunkIndex: number; error: string }>;
}

export function sessionActivities(client: TwelveLabsClient, roots: AllowedRoots) {
  return {
    /**
     * M1, exactly once per activity: every attempt carries the same create token (run id and
     * activity id), and an attempt after the first adopts the session an earlier one created
     * before creating anything (session-reconcile.ts).
     */
    async createSession(input: CreateSessionInput): Promise<CreateSessionResult> {
      const info = Context.current().info;
      const source = await inspectSource(input.path, roots);
      // Retries of one activity execution share its run id and activity id (standalone: its id only).
      const token = sessionActivityToken(info.workflowExecution?.runId ?? 'standalone', info.activityId);
      let orphanAssetsDeleted: string[] = [];
      if (info.attempt > 1) {
        const earlier = await reconcileSession(client, {
          filename: input.filename,
          token,
          totalSizeBytes: source.sizeBytes,
          createdSinceMs: info.scheduledTimestampMs - CREATE_SEARCH_MARGIN_MS,
        });
        orphanAssetsDeleted = earlier.orphansDeleted;
        if (earlier.adopted) {
          const { assetId, session } = earlier.adopted;
          log.warn('adopted the session an earlier attempt created (its answer was lost)', { uploadId: session.uploadId, assetId });
          checkGeometry(session.uploadId, source.sizeBytes, session.chunkSizeBytes, session.totalChunks);
          return {
            session: sessionInfo(source, {
              uploadId: session.uploadId,
              assetId,
              chunkSizeBytes: session.chunkSizeBytes,
              totalChunks: session.totalChunks,
              uploadHeaders: { ...ADOPTED_UPLOAD_HEADERS },
              expiresAtMs: session.expiresAt ? timestampToEpochMs(session.expiresAt) : info.scheduledTimestampMs + SESSION_TTL_MS,
            }),
            urls: [],
            reconciled: true,
            sessionsCreated: 1 + orphanAssetsDeleted.length,
            orphanAssetsDeleted,
          };
        }
      }
      const created = await client.createMultipartUpload({
        filename: input.filename,
        type: input.mediaType,
        totalSizeBytes: source.sizeBytes,
        enableHls: input.enableHls,
        enableThumbnail: input.enableThumbnail,
        userMetadata: withCreateToken(input.userMetadata, token),
      });
      checkGeometry(created.uploadId, source.sizeBytes, created.chunkSizeBytes, created.totalChunks);
      log.info('multipart session created', { uploadId: created.uploadId, assetId: created.assetId, totalChunks: created.totalChunks });
      return {
        session: sessionInfo(source, {
          uploadId: created.uploadId,
          assetId: created.assetId,
          chunkSizeBytes: created.chunkSizeBytes,
          totalChunks: created.totalChunks,
          uploadHeaders: created.uploadHeaders,
          expiresAtMs: timestampToEpochMs(created.expiresAt),
        }),
        urls: created.uploadUrls.map((u) => ({ chunkIndex: u.chunkIndex, url: u.url, urlExpiresAtMs: timestampToEpochMs(u.expiresAt) })),
        reconciled: false,
        sessionsCreated: 1 + orphanAssetsDeleted.length,
        orphanAssetsDeleted,
      };
    },

    async pollStatus(input: PollStatusInput): Promise<PollStatusResult> {
      const completed = new Set<number>();
      const failed: number[] = [];
      const failedChunkErrors: Array<{ chunkIndex: number; error: string }> = [];
      let first: Awaited<ReturnType<TwelveLabsClient['getMultipartUploadStatus']>> | undefined;
      for (let page = 1; ; page++) {
        const status = await client.getMultipartUploadStatus(input.uploadId, { page, pageLimit: MAX_PAGE_LIMIT });
        first ??= status;
        for (const chunk of status.chunks) {
          if (chunk.status === 'completed') completed.add(chunk.chunkIndex);
          else if (chunk.status === 'failed') {
            failed.push(chunk.chunkIndex);
            if (chunk.error) failedChunkErrors.push({ chunkIndex: chunk.chunkIndex, error: chunk.error });
          }
        }
        // The counters cover the whole session; stop early once they are all accounted for.
        if (status.chunks.length === 0 || page >= status.pageInfo.totalPages || status.chunksCompleted === input.totalChunks) break;
      }
      const incomplete: number[] = [];
      if (first.chunksCompleted !== input.totalChunks) {
        for (let index = 1; index <= input.totalChunks; index++) if (!completed.has(index)) incomplete.push(index);
      }
      return {
        status: first.status,
        chunksCompleted: first.chunksCompleted,
        chunksFailed: first.chunksFailed,
        uploadedSizeBytes: first.uploadedSizeBytes ?? 0,
        incompleteChunks: incomplete,
        failedChunks: failed.sort((a, b) => a - b),
        failedChunkErrors,
      };
    },
  };
}

/** Contract 2.2: a session whose chunk count does not fit its size cannot be uploaded. */
function checkGeometry(uploadId: string, sizeBytes: number, chunkSizeBytes: number, totalChunks: number): void {
  const expectedChunks = Math.ceil(sizeBytes / chunkSizeBytes);
  if (totalChunks !== expectedChunks) {
    throw ApplicationFailure.create({
      type: FailureType.InvalidApiResponse,
      message: `session ${uploadId}: total_chunks ${totalChunks} does not match ceil(${sizeBytes} / ${chunkSizeBytes}) = ${expectedChunks}`,
      nonRetryable: true,
    });
  }
}

function sessionInfo(
  source: SourceIdentity,
  session: { uploadId: string; assetId: string; chunkSizeBytes: number; totalChunks: number; uploadHeaders: Record<string, string>; expiresAtMs: number },
): SessionInfo {
  return {
    uploadId: session.uploadId,
    assetId: session.assetId,
    chunkSize: session.chunkSizeBytes,
    totalChunks: session.totalChunks,
    totalSize: source.sizeBytes,
    uploadHeaders: session.uploadHeaders,
    expiresAtMs: session.expiresAtMs,
    sourceSizeBytes: source.sizeBytes,
    sourceMtimeMs: source.mtimeMs,
  };
}
