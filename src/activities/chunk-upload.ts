// uploadChunk: streams one chunk's byte range from the source file to its presigned URL.
// The hot path: no temp files and no whole-chunk buffers (memory is a few read buffers per
// chunk). Where bytes can change in transit unnoticed, the MD5 is computed while streaming and
// checked against the store's ETag (see ChunkDigestCheck).

import { createHash } from 'node:crypto';
import type fs from 'node:fs/promises';
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { TwelveLabsClient } from '../twelvelabs/client';
import { putChunk } from '../twelvelabs/chunk-put';
import { countUrlRefreshes } from '../observability/activity-metrics';
import { FailureType } from '../domain/types';
import { toActivityFailure } from './failures';
import type { AllowedRoots } from '../security/file-roots';
import { FileRangeBody } from './file-range-body';
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

const HEARTBEAT_INTERVAL_MS = 1000;

/**
 * When uploadChunk compares the store's ETag with an MD5 of the bytes it read. The comparison can
 * only catch bytes changed on the way; over TLS (every record is MAC-checked) and over loopback
 * (a kernel memory copy) that cannot happen unnoticed, and the hash is the largest CPU cost of a
 * chunk (docs/BENCHMARKS.md). 'always' is the default because the product promises the check
 * (and it also catches a store whose ETag is not the MD5 of what it received); 'auto' hashes only
 * for plain http to another host, for operators who trust TLS and loopback and want the CPU back.
 */
export type ChunkDigestCheck = 'auto' | 'always' | 'never';

export interface ChunkUploadOptions {
  /** Default 'always'. */
  digestCheck?: ChunkDigestCheck;
}

/** Whether bytes sent to `url` can be altered in transit without the transport noticing. */
export function shouldVerifyDigest(check: ChunkDigestCheck, url: string): boolean {
  if (check !== 'auto') return check === 'always';
  const { protocol, hostname } = new URL(url);
  if (protocol !== 'http:') return false;
  const host = hostname.replace(/^\[|\]$/g, '');
  return !(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host));
}

class StallError extends Error {
  /** The chunk retry metric's label (see observability/activity-interceptor.ts). */
  readonly reason = 'stall';
}

export function chunkUploadActivities(client: TwelveLabsClient, roots: AllowedRoots, options: ChunkUploadOptions = {}) {
  const digestCheck = options.digestCheck ?? 'always';
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

        // Read into reused buffers and hashed on the way (file-range-body.ts).
        const body = new FileRangeBody(handle, input.byteOffset, input.sizeBytes, shouldVerifyDigest(digestCheck, url) ? createHash('md5') : undefined);

        // Heartbeat progress every second; abort if no byte moves for half the heartbeat timeout,
        // so a stalled connection is retried on a fresh URL instead of hanging.
        const stallMs = Math.max(5_000, (ctx.info.heartbeatTimeoutMs ?? 60_000) / 2);
        let lastBytes = -1;
        let lastProgressAt = Date.now();
        heartbeatTimer = setInterval(() => {
          const sent = body.bytesRead;
          ctx.heartbeat({ chunkIndex: input.chunkIndex, bytesSent: sent } satisfies ChunkHeartbeat);
          if (sent !== lastBytes) {
            lastBytes = sent;
            lastProgressAt = Date.now();
          } else if (sent < input.sizeBytes && Date.now() - lastProgressAt > stallMs) {
            abort.abort(new StallError(`no byte of chunk ${input.chunkIndex} moved for ${stallMs} ms`));
          }
        }, HEARTBEAT_INTERVAL_MS);

        const { etag } = await putChunk({
          url,
          headers: input.uploadHeaders,
          body,
          contentLength: input.sizeBytes,
          signal: abort.signal,
        });
        // Answered with success: the store has every byte, so the read buffers are free again.
        body.release();

        const md5 = body.md5?.digest('hex');
        // S3 ETags are MD5s except under some encryption modes; compare only what looks like one.
        if (md5 !== undefined && /^[0-9a-f]{32}$/i.test(etag) && etag.toLowerCase() !== md5) {
          throw ApplicationFailure.create({
            type: FailureType.ChunkDigestMismatch,
            message: `chunk ${input.chunkIndex}: the store's ETag ${etag} is not the MD5 ${md5} of the bytes read; retrying`,
            nonRetryable: false,
          });
        }
        // No closing heartbeat: the completion that follows says the same, one RPC per chunk sooner.
        assertUnchanged(input.path, expected, await identityOf(handle));
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
