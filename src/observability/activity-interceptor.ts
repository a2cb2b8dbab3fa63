// One activity interceptor for what every upload activity reports without each activity
// repeating it: log attributes (uploadId, chunkIndex, taken from the activity's input) and the
// chunk metrics (bytes, chunks, retries by reason). Metrics go through
// the activity's metric meter, which is a no-op unless the Runtime exports metrics.

import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { FailureType } from '../domain/types';
import { UploadMetric } from './metric-names';

/** The log attributes an activity's input carries (never its URL or headers). */
export function uploadLogAttributes(input: unknown): Record<string, unknown> {
  if (typeof input !== 'object' || input === null) return {};
  const { uploadId, chunks } = input as { uploadId?: unknown; chunks?: unknown };
  // A lane (uploadChunk) is logged with the first chunk of its run.
  const first = Array.isArray(chunks) ? (chunks[0] as { chunkIndex?: unknown } | undefined) : undefined;
  const chunkIndex = first?.chunkIndex ?? (input as { chunkIndex?: unknown }).chunkIndex;
  return {
    ...(typeof uploadId === 'string' ? { uploadId } : {}),
    ...(typeof chunkIndex === 'number' ? { chunkIndex } : {}),
  };
}

/**
 * Why a chunk attempt failed, as a metric label: the chunk PUT's own reason (`server`,
 * `network`, `url-expired`, `bad-digest`, ...) or `stall` when the first cause in the chain
 * carries one, else the failure type (`ChunkDigestMismatch`, `ApiUnavailable`, ...).
 */
export function chunkRetryReason(err: unknown): string {
  for (let current: unknown = err, depth = 0; current instanceof Error && depth < 5; depth++) {
    const reason = (current as { reason?: unknown }).reason;
    if (typeof reason === 'string') return reason;
    current = current.cause;
  }
  if (err instanceof ApplicationFailure && err.type) return err.type;
  return err instanceof Error ? err.name : 'unknown';
}

/** A failed attempt is retried by Temporal, or by the workflow when only the URL was refused. */
function isRetried(err: unknown): boolean {
  if (!(err instanceof ApplicationFailure)) return true; // unknown errors: retried by policy
  return !err.nonRetryable || err.type === FailureType.UploadUrlRejected;
}

export const uploadActivityInterceptor: ActivityInterceptorsFactory = (ctx: Context) => {
  let attributes: Record<string, unknown> = {};
  return {
    inbound: {
      async execute(input, next) {
        attributes = uploadLogAttributes(input.args[0]);
        const activityType = ctx.info.activityType;
        try {
          const result = await next(input);
          if (activityType === 'uploadChunk') {
            // A lane returns every chunk it stored (earlier attempts' too: counted once, here).
            const { finished } = result as { finished: { sizeBytes: number }[] };
            const bytes = finished.reduce((sum, c) => sum + c.sizeBytes, 0);
            ctx.metricMeter.createCounter(UploadMetric.bytesUploaded, 'By', 'bytes of chunks the store accepted').add(bytes);
            ctx.metricMeter.createCounter(UploadMetric.chunksUploaded, '1', 'chunks the store accepted').add(finished.length);
          }
          return result;
        } catch (err) {
          if (activityType === 'uploadChunk' && !ctx.cancellationSignal.aborted && isRetried(err)) {
            ctx.metricMeter
              .createCounter(UploadMetric.chunkRetries, '1', 'failed chunk attempts that send the chunk again')
              .add(1, { reason: chunkRetryReason(err) });
          }
          throw err;
        }
      },
    },
    outbound: {
      getLogAttributes: (input, next) => next({ ...input, ...attributes }),
    },
  };
};
