// uploadChunk: streams one chunk's byte range from the source file to its presigned URL.
// The hot path: no temp files and no whole-chunk buffers (memory is a few read buffers per
// chunk); the MD5 is computed while streaming and checked against the store's ETag.

import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs/promises';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { TwelveLabsClient } from '../twelvelabs/client';
import { putChunk } from '../twelvelabs/chunk-put';
import { countUrlRefreshes } from '../observability/activity-metrics';
import { FailureType } from '../workflows/types';
import { toActivityFailure } from './failures';
import type { AllowedRoots } from '../security/file-roots';
import { assertUnchanged, openSource } from './source';

export interface UploadChunkInput {
  path: string;
  uploadId: string;
  /** 1-based, as the API numbers chunks. */
  chunkIndex: number;
  byteOffset: number;
  sizeBytes: number;
  /** A presigned URL for this chunk (a credential: never logged). */
  url: string;
  urlExpiresAtMs: number;
  uploadHeaders: Record<string, string>;
  sourceSizeBytes: number;
  sourceMtimeMs: number;
  urlSafetyMarginMs: number;
}

export interface UploadChunkResult {
  /** The store's ETag, quotes stripped: the proof to report. */
  etag: string;
  /** Which attempt succeeded (1 = first). */
  attempt: number;
  /** URLs this activity minted itself (retries never reuse a URL). */
  urlsMinted: number;
}

/** Heartbeat details of a running chunk: what progress queries add as in-flight bytes. */
export interface ChunkHeartbeat {
  chunkIndex: number;
  bytesSent: number;
}

const READ_BUFFER_BYTES = 1024 * 1024;
const HEARTBEAT_INTERVAL_MS = 1000;

/** Passes bytes through while hashing and counting them. */
class DigestingCounter extends Transform {
  readonly md5: Hash = createHash('md5');
  bytes = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.md5.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}

class StallError extends Error {
  /** The chunk retry metric's label (see observability/activity-interceptor.ts). */
  readonly reason = 'stall';
}

export function chunkUploadActivities(client: TwelveLabsClient, roots: AllowedRoots) {
  return {
    async uploadChunk(input: UploadChunkInput): Promise<UploadChunkResult> {
      const ctx = Context.current();
      const attempt = ctx.info.attempt;
      let handle: fs.FileHandle | undefined;
      const abort = new AbortController();
      const onCancel = () => abort.abort(ctx.cancellationSignal.reason);
      ctx.cancellationSignal.addEventListener('abort', onCancel);
      let heartbeatTimer: NodeJS.Timeout | undefined;
      try {
        let url = input.url;
        let urlsMinted = 0;
        // A retry never reuses the URL: the failed attempt may have used it up (single use).
        if (attempt > 1 || input.urlExpiresAtMs - input.urlSafetyMarginMs <= Date.now()) {
          const batch = await client.requestPresignedUrls(input.uploadId, { start: input.chunkIndex, count: 1 });
          const fresh = batch.uploadUrls.find((u) => u.chunkIndex === input.chunkIndex);
          if (!fresh) {
            throw ApplicationFailure.create({
              type: FailureType.InvalidApiResponse,
              message: `presigned-urls returned no URL for chunk ${input.chunkIndex}`,
              nonRetryable: true,
            });
          }
          url = fresh.url;
          urlsMinted = 1;
          countUrlRefreshes(1);
        }

        // Confined to the worker's roots, checked on the file actually opened (not just its name).
        handle = await openSource(input.path, roots);
        const expected = { sizeBytes: input.sourceSizeBytes, mtimeMs: input.sourceMtimeMs };
        assertUnchanged(input.path, expected, await identityOf(handle));

        const counter = new DigestingCounter();
        const fileStream = handle.createReadStream({
          start: input.byteOffset,
          end: input.byteOffset + input.sizeBytes - 1,
          highWaterMark: READ_BUFFER_BYTES,
          autoClose: false,
        });
        pipeline(fileStream, counter, () => undefined); // errors surface through the PUT

        // Heartbeat progress every second; abort if no byte moves for half the heartbeat timeout,
        // so a stalled connection is retried on a fresh URL instead of hanging.
        const stallMs = Math.max(5_000, (ctx.info.heartbeatTimeoutMs ?? 60_000) / 2);
        let lastBytes = -1;
        let lastProgressAt = Date.now();
        heartbeatTimer = setInterval(() => {
          ctx.heartbeat({ chunkIndex: input.chunkIndex, bytesSent: counter.bytes } satisfies ChunkHeartbeat);
          if (counter.bytes !== lastBytes) {
            lastBytes = counter.bytes;
            lastProgressAt = Date.now();
          } else if (counter.bytes < input.sizeBytes && Date.now() - lastProgressAt > stallMs) {
            abort.abort(new StallError(`no byte of chunk ${input.chunkIndex} moved for ${stallMs} ms`));
          }
        }, HEARTBEAT_INTERVAL_MS);

        const { etag } = await putChunk({
          url,
          headers: input.uploadHeaders,
          body: counter,
          contentLength: input.sizeBytes,
          signal: abort.signal,
        });

        const md5 = counter.md5.digest('hex');
        // S3 ETags are MD5s except under some encryption modes; compare only what looks like one.
        if (/^[0-9a-f]{32}$/i.test(etag) && etag.toLowerCase() !== md5) {
          throw ApplicationFailure.create({
            type: FailureType.ChunkDigestMismatch,
            message: `chunk ${input.chunkIndex}: the store's ETag ${etag} is not the MD5 ${md5} of the bytes read; retrying`,
            nonRetryable: false,
          });
        }
        assertUnchanged(input.path, expected, await identityOf(handle));
        ctx.heartbeat({ chunkIndex: input.chunkIndex, bytesSent: input.sizeBytes } satisfies ChunkHeartbeat);
        return { etag, attempt, urlsMinted };
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
        if (abort.signal.reason instanceof StallError) {
          log.warn('chunk upload stalled; retrying on a fresh URL', { chunkIndex: input.chunkIndex });
          throw ApplicationFailure.create({
            type: FailureType.ChunkTransient,
            message: abort.signal.reason.message,
            nonRetryable: false,
            cause: abort.signal.reason,
          });
        }
        throw toActivityFailure(err);
      } finally {
        clearInterval(heartbeatTimer);
        ctx.cancellationSignal.removeEventListener('abort', onCancel);
        await handle?.close().catch(() => undefined);
      }
    },
  };
}

async function identityOf(handle: fs.FileHandle): Promise<{ sizeBytes: number; mtimeMs: number }> {
  const stat = await handle.stat();
  return { sizeBytes: stat.size, mtimeMs: Math.floor(stat.mtimeMs) };
}
