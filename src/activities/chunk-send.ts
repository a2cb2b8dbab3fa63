// One chunk of a lane: the PUT, streamed from the file with the MD5 computed on the way, and a
// hedge when the PUT straggles (a second PUT of the same bytes on a freshly minted URL; the first
// to succeed wins, the other is aborted). No retries here: the lane decides what a failure means.

import { createHash } from 'node:crypto';
import type fs from 'node:fs/promises';
import { putChunk } from '../twelvelabs/chunk-put';
import { ChunkPutError } from '../twelvelabs/errors';
import { FileRangeBody } from './file-range-body';

/** No byte of a PUT moved for too long: retried on a fresh URL instead of hanging. */
export class StallError extends Error {
  /** The chunk retry metric's label (see observability/activity-interceptor.ts). */
  readonly reason = 'stall';
}

export interface SendChunkParams {
  handle: fs.FileHandle;
  chunkIndex: number;
  byteOffset: number;
  sizeBytes: number;
  url: string;
  headers: Record<string, string>;
  verifyDigest: boolean;
  /** Aborts every PUT of the chunk (the lane was cancelled). */
  signal: AbortSignal;
  stallMs: number;
  /** Start a hedge after this long; undefined = never. */
  hedgeAfterMs: number | undefined;
  /** Mints a fresh URL for this chunk (for the hedge). */
  mintUrl: () => Promise<string>;
  /** Bytes of the primary PUT sent so far, for progress heartbeats. */
  onAttempt?: (body: FileRangeBody) => void;
}

export interface SentChunk {
  etag: string;
  /** MD5 hex of the bytes the winning PUT read, when the digest is checked. */
  md5: string | undefined;
  hedged: boolean;
  /** Bytes the hedge PUT sent (0 without a hedge). */
  hedgedBytes: number;
  durationMs: number;
}

interface Attempt {
  promise: Promise<{ etag: string; md5: string | undefined }>;
  body: FileRangeBody;
  abort: AbortController;
}

export async function sendChunk(p: SendChunkParams): Promise<SentChunk> {
  const startedAt = Date.now();
  const primary = startAttempt(p, p.url);
  p.onAttempt?.(primary.body);
  if (p.hedgeAfterMs === undefined) {
    const won = await primary.promise;
    return { ...won, hedged: false, hedgedBytes: 0, durationMs: Date.now() - startedAt };
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), p.hedgeAfterMs);
  });
  const first = await Promise.race([primary.promise, late]).finally(() => clearTimeout(timer));
  if (first !== 'late') return { ...first, hedged: false, hedgedBytes: 0, durationMs: Date.now() - startedAt };

  let hedgeUrl: string;
  try {
    hedgeUrl = await p.mintUrl();
  } catch {
    // No fresh URL now: the straggler is still the best chance.
    const won = await primary.promise;
    return { ...won, hedged: false, hedgedBytes: 0, durationMs: Date.now() - startedAt };
  }
  const hedge = startAttempt(p, hedgeUrl);
  const attempts = [primary, hedge];
  try {
    const won = await Promise.any(attempts.map((a, index) => a.promise.then((value) => ({ value, index }))));
    // The loser stops now; the bytes it already sent are the hedge's cost.
    attempts[1 - won.index]!.abort.abort(new Error('hedge lost'));
    return { ...won.value, hedged: true, hedgedBytes: hedge.body.bytesRead, durationMs: Date.now() - startedAt };
  } catch (err) {
    // Both failed: the straggler's reason is the one to act on.
    throw err instanceof AggregateError ? err.errors[0] : err;
  } finally {
    for (const a of attempts) a.promise.catch(() => undefined);
  }
}

function startAttempt(p: SendChunkParams, url: string): Attempt {
  const abort = new AbortController();
  const onLaneAbort = () => abort.abort(p.signal.reason);
  if (p.signal.aborted) onLaneAbort();
  else p.signal.addEventListener('abort', onLaneAbort);
  const body = new FileRangeBody(p.handle, p.byteOffset, p.sizeBytes, p.verifyDigest ? createHash('md5') : undefined);
  // A stalled connection is abandoned after stallMs without a byte moving.
  let lastBytes = -1;
  let lastProgressAt = Date.now();
  const watchdog = setInterval(() => {
    if (body.bytesRead !== lastBytes) {
      lastBytes = body.bytesRead;
      lastProgressAt = Date.now();
    } else if (body.bytesRead < p.sizeBytes && Date.now() - lastProgressAt > p.stallMs) {
      abort.abort(new StallError(`no byte of chunk ${p.chunkIndex} moved for ${p.stallMs} ms`));
    }
  }, Math.min(1000, p.stallMs));
  const promise = putChunk({ url, headers: p.headers, body, contentLength: p.sizeBytes, signal: abort.signal })
    .then((answer) => {
      // Answered with success: the store has every byte, so the read buffers are free again.
      body.release();
      return { etag: answer.etag, md5: body.md5?.digest('hex') };
    })
    .catch((err: unknown) => {
      if (abort.signal.reason instanceof StallError && err instanceof ChunkPutError && err.reason === 'aborted') throw abort.signal.reason;
      throw err;
    })
    .finally(() => {
      clearInterval(watchdog);
      p.signal.removeEventListener('abort', onLaneAbort);
    });
  return { promise, body, abort };
}

/** S3 ETags are MD5s except under some encryption modes; only what looks like one is compared. */
export function etagContradictsMd5(etag: string, md5: string | undefined): boolean {
  return md5 !== undefined && /^[0-9a-f]{32}$/i.test(etag) && etag.toLowerCase() !== md5;
}
