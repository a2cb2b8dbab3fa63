// Retryable versus non-retryable is decided here, once, for every activity. Every error an
// activity throws leaves through `toActivityFailure`, which gives Temporal a typed
// ApplicationFailure: the type is a FailureType a person can act on, the message carries no
// credentials (the client's errors never contain the API key or a presigned URL's query).

import { ApplicationFailure } from '@temporalio/activity';
import { AssetUploadRejectedError, ChunkPutError, InvalidRequestError, InvalidResponseError, TwelveLabsApiError } from '../twelvelabs/errors';
import { FailureType } from '../domain/types';
import { SourceError } from './source';

/** The longest wait a server's Retry-After can impose on one retry. */
const MAX_SERVER_REQUESTED_DELAY_MS = 5 * 60_000;

/** API codes that mean the session can no longer take chunks (contract 9.5, 9.6). */
const SESSION_GONE_CODES = new Set(['upload_session_expired', 'upload_session_failed', 'upload_session_not_active']);

export function toActivityFailure(err: unknown): Error {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof SourceError) return nonRetryable(err.type, err.message);
  if (err instanceof ChunkPutError) return chunkPutFailure(err);
  if (err instanceof TwelveLabsApiError) return apiFailure(err);
  if (err instanceof InvalidResponseError) return nonRetryable(FailureType.InvalidApiResponse, err.message);
  if (err instanceof InvalidRequestError) return nonRetryable(FailureType.ApiRequestRejected, err.message);
  return err instanceof Error ? err : new Error(String(err)); // unknown: retried by policy
}

function chunkPutFailure(err: ChunkPutError): ApplicationFailure {
  switch (err.reason) {
    case 'url-expired':
    case 'url-used':
    case 'signature-mismatch':
    case 'access-denied':
      // Not retried here: the workflow mints a fresh URL (in a batch) and schedules the chunk again.
      return nonRetryable(FailureType.UploadUrlRejected, err.message, err);
    case 'no-such-upload':
      return nonRetryable(FailureType.SessionGone, err.message);
    case 'missing-length':
    case 'unexpected':
      return nonRetryable(FailureType.InvalidApiResponse, err.message);
    default:
      // server, network, bad-digest, request-timeout, aborted by a stall: the next attempt
      // mints its own fresh URL, because this one may have been used up.
      // The cause keeps the PUT's reason (server, network, ...) for the chunk retry metric.
      return ApplicationFailure.create({ type: FailureType.ChunkTransient, message: err.message, nonRetryable: false, cause: err });
  }
}

function apiFailure(err: TwelveLabsApiError): ApplicationFailure {
  // A1 refused the file or URL with a documented code: its own reason, and the advice in the message.
  if (err instanceof AssetUploadRejectedError) return nonRetryable(err.reason, err.message);
  if (err.status === 401 || err.status === 403) return nonRetryable(FailureType.ApiAuthRejected, err.message);
  if (err.status === 404 || (err.code !== undefined && SESSION_GONE_CODES.has(err.code))) {
    return nonRetryable(FailureType.SessionGone, err.message);
  }
  if (err.retryable) {
    return ApplicationFailure.create({
      type: FailureType.ApiUnavailable,
      message: err.message,
      nonRetryable: false,
      // Honour Retry-After: Temporal waits exactly this long before the next attempt (capped,
      // so a bogus header cannot park an upload for hours).
      nextRetryDelay: err.retryAfterMs === undefined ? undefined : Math.min(err.retryAfterMs, MAX_SERVER_REQUESTED_DELAY_MS),
    });
  }
  return nonRetryable(FailureType.ApiRequestRejected, err.message);
}

function nonRetryable(type: FailureType, message: string, cause?: Error): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, cause });
}

/**
 * For the non-idempotent creates (A1 direct and url): a transient failure after which the asset
 * may exist (5xx, timeout, a connection lost after sending) is NOT retried blindly, because a
 * retry could make a second asset. It becomes CreateOutcomeUnknown, and the workflow looks for
 * the asset before creating again. A failure that certainly had no effect (429, refused
 * connection) is retried as usual.
 */
export function createFailure(err: unknown): Error {
  if (err instanceof TwelveLabsApiError && err.retryable && !err.safeToRetry) {
    return nonRetryable(
      FailureType.CreateOutcomeUnknown,
      `${err.message} (the asset may or may not have been created; the workflow checks before creating it again)`,
    );
  }
  return toActivityFailure(err);
}

/** For asset calls (A2–A7): 404 means the asset is unknown, 409 that an index still uses it. */
export function assetCallFailure(err: unknown): Error {
  if (err instanceof TwelveLabsApiError && err.kind === 'http') {
    if (err.status === 404) return nonRetryable(FailureType.AssetNotFound, err.message);
    if (err.status === 409) return nonRetryable(FailureType.AssetInUse, `${err.message} (an index uses the asset: delete with force to remove it anyway)`);
  }
  return toActivityFailure(err);
}
