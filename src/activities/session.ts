// Session activities: create a multipart session (after checking the source), and read its
// status with every page of chunk states.

import { log } from '@temporalio/activity';
import { timestampToEpochMs } from '../twelvelabs/timestamps';
import type { TwelveLabsClient } from '../twelvelabs/client';
import type { MediaType, SessionStatus, UserMetadata } from '../twelvelabs/wire';
import { MAX_PAGE_LIMIT } from '../twelvelabs/limits';
import { FailureType, type PresignedUrl, type SessionInfo } from '../domain/types';
import { ApplicationFailure } from '@temporalio/activity';
import type { AllowedRoots } from '../security/file-roots';
import { inspectSource } from './source';

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
  /** The initial URL set (may not cover every chunk). */
  urls: PresignedUrl[];
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
}

export function sessionActivities(client: TwelveLabsClient, roots: AllowedRoots) {
  return {
    async createSession(input: CreateSessionInput): Promise<CreateSessionResult> {
      const source = await inspectSource(input.path, roots);
      const created = await client.createMultipartUpload({
        filename: input.filename,
        type: input.mediaType,
        totalSizeBytes: source.sizeBytes,
        enableHls: input.enableHls,
        enableThumbnail: input.enableThumbnail,
        userMetadata: input.userMetadata,
      });
      const expectedChunks = Math.ceil(source.sizeBytes / created.chunkSizeBytes);
      if (created.totalChunks !== expectedChunks) {
        throw ApplicationFailure.create({
          type: FailureType.InvalidApiResponse,
          message: `session ${created.uploadId}: total_chunks ${created.totalChunks} does not match ceil(${source.sizeBytes} / ${created.chunkSizeBytes}) = ${expectedChunks}`,
          nonRetryable: true,
        });
      }
      log.info('multipart session created', { uploadId: created.uploadId, assetId: created.assetId, totalChunks: created.totalChunks });
      return {
        session: {
          uploadId: created.uploadId,
          assetId: created.assetId,
          chunkSize: created.chunkSizeBytes,
          totalChunks: created.totalChunks,
          totalSize: source.sizeBytes,
          uploadHeaders: created.uploadHeaders,
          expiresAtMs: timestampToEpochMs(created.expiresAt),
          sourceSizeBytes: source.sizeBytes,
          sourceMtimeMs: source.mtimeMs,
        },
        urls: created.uploadUrls.map((u) => ({ chunkIndex: u.chunkIndex, url: u.url, urlExpiresAtMs: timestampToEpochMs(u.expiresAt) })),
      };
    },

    async pollStatus(input: PollStatusInput): Promise<PollStatusResult> {
      const completed = new Set<number>();
      const failed: number[] = [];
      let first: Awaited<ReturnType<TwelveLabsClient['getMultipartUploadStatus']>> | undefined;
      for (let page = 1; ; page++) {
        const status = await client.getMultipartUploadStatus(input.uploadId, { page, pageLimit: MAX_PAGE_LIMIT });
        first ??= status;
        for (const chunk of status.chunks) {
          if (chunk.status === 'completed') completed.add(chunk.chunkIndex);
          else if (chunk.status === 'failed') failed.push(chunk.chunkIndex);
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
      };
    },
  };
}
