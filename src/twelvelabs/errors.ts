// Every failure the client can raise, as typed errors with stable names. Temporal turns a thrown
// error into an ApplicationFailure whose `type` is the error's `name`, and serialises `message`,
// `cause` and whatever `toJSON` returns, so each class keeps credentials out of all of them and
// exposes a plain-data `toJSON`.
//
// Retryable versus not is decided here and only here. The client itself never retries (callers,
// i.e. Temporal activities, own the retry policy); these flags tell them what is safe.

import { ASSET_UPLOAD_CODES, type AssetUploadCode, type AssetUploadErrorClass, type AssetUploadReason } from './asset-upload-codes';
import type { SanitizedCause } from './redact';

/** Common base: lets callers catch "anything from the TwelveLabs client" in one test. */
export abstract class TwelveLabsClientError extends Error {
  /** True when the same call may succeed if repeated later (see each subclass for the rule). */
  abstract readonly retryable: boolean;
  /** Only fields that are safe to log and to store in workflow history. */
  abstract toJSON(): Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// API errors (JSON API, contract 1.4)

/**
 * How an API call failed:
 * - `http`: the server answered with a non-2xx status;
 * - `network`: connection refused/reset, socket error, undici idle timeouts;
 * - `timeout`: the client's own end-to-end `requestTimeoutMs` elapsed;
 * - `aborted`: the caller's AbortSignal fired.
 */
export type ApiFailureKind = 'http' | 'network' | 'timeout' | 'aborted';

export interface TwelveLabsApiErrorInit {
  operation: string;
  method: string;
  /** Path below the base URL, with query; IDs only, never credentials. */
  path: string;
  kind: ApiFailureKind;
  status?: number;
  code?: string;
  serverMessage?: string;
  docsUrl?: string;
  retryAfterMs?: number;
  /** The request may have reached the server and taken effect. */
  ambiguous: boolean;
  /** Repeating the call cannot create a second resource (contract 1.7 "safe to retry?"). */
  idempotent: boolean;
  /** Set when an error status came with a body that is not a JSON error object (e.g. HTML). */
  nonJsonBodyContentType?: string;
  cause?: SanitizedCause;
  /** Set (by AssetUploadRejectedError) when A1 answered one of its documented codes. */
  assetUploadCode?: AssetUploadCode;
}

const RETRYABLE_STATUSES = new Set([408, 429]);

/** Statuses worth retrying later: 408, 429 and every 5xx (contract 1.6). */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status) || status >= 500;
}

export class TwelveLabsApiError extends TwelveLabsClientError {
  override readonly name: string = 'TwelveLabsApiError';
  readonly kind: ApiFailureKind;
  /** HTTP status; undefined unless `kind === 'http'`. */
  readonly status: number | undefined;
  /** The API's machine-readable code (e.g. `api_key_invalid`), when the body had one. */
  readonly code: string | undefined;
  /** The server's human-readable message, credentials redacted. */
  readonly serverMessage: string | undefined;
  readonly docsUrl: string | undefined;
  readonly retryable: boolean;
  /** Wait the server asked for (Retry-After, retry-after-ms or X-Ratelimit-Reset), in ms. */
  readonly retryAfterMs: number | undefined;
  /** The request may have reached the server and taken effect (matters for M1 and A1). */
  readonly ambiguous: boolean;
  readonly idempotent: boolean;
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly nonJsonBodyContentType: string | undefined;

  constructor(init: TwelveLabsApiErrorInit) {
    super(describeApiFailure(init), init.cause ? { cause: init.cause } : undefined);
    this.kind = init.kind;
    this.status = init.status;
    this.code = init.code;
    this.serverMessage = init.serverMessage;
    this.docsUrl = init.docsUrl;
    this.retryable =
      init.kind === 'network' || init.kind === 'timeout'
        ? true
        : init.kind === 'http' && init.status !== undefined && isRetryableStatus(init.status);
    this.retryAfterMs = init.retryAfterMs;
    this.ambiguous = init.ambiguous;
    this.idempotent = init.idempotent;
    this.operation = init.operation;
    this.method = init.method;
    this.path = init.path;
    this.nonJsonBodyContentType = init.nonJsonBodyContentType;
  }

  /**
   * Whether repeating this exact call is safe: the failure is transient AND repeating cannot
   * duplicate a resource (the call is idempotent, or the request certainly did not take effect).
   * A network error or 5xx on M1/A1 is therefore NOT safe: reconcile instead (contract 8.2).
   */
  get safeToRetry(): boolean {
    return this.retryable && (this.idempotent || !this.ambiguous);
  }

  toJSON(): Record<string, unknown> {
    return compact({
      name: this.name,
      message: this.message,
      kind: this.kind,
      status: this.status,
      code: this.code,
      serverMessage: this.serverMessage,
      docsUrl: this.docsUrl,
      retryable: this.retryable,
      safeToRetry: this.safeToRetry,
      retryAfterMs: this.retryAfterMs,
      ambiguous: this.ambiguous,
      idempotent: this.idempotent,
      operation: this.operation,
      method: this.method,
      path: this.path,
      nonJsonBodyContentType: this.nonJsonBodyContentType,
      cause: (this.cause as SanitizedCause | undefined)?.toJSON?.(),
    });
  }
}

/**
 * Whether an HTTP failure status leaves the outcome unknown: a 408 or 5xx (including a gateway's
 * 502/504) may come after the backend acted. Other 4xx mean the request was refused.
 */
export function httpFailureIsAmbiguous(status: number): boolean {
  return status === 408 || status >= 500;
}

function describeApiFailure(i: TwelveLabsApiErrorInit): string {
  const where = `TwelveLabs ${i.operation} (${i.method} ${i.path})`;
  switch (i.kind) {
    case 'network':
      return `${where} failed with a network error${i.ambiguous ? ' after the request was sent' : ' before the request was sent'}` +
        (i.cause ? `: ${i.cause.message}` : '');
    case 'timeout':
      return `${where} timed out before a complete response arrived`;
    case 'aborted':
      return `${where} was aborted by the caller`;
    case 'http': {
      const what = [i.code, i.serverMessage].filter(Boolean).join(': ');
      const body = i.nonJsonBodyContentType !== undefined
        ? ` (non-JSON body${i.nonJsonBodyContentType ? `, ${i.nonJsonBodyContentType}` : ''})`
        : '';
      const text = `${where} failed with HTTP ${i.status}${what ? ` ${what}` : ''}${body}`;
      const hint = hintFor(i);
      // The server's message may end its own sentence.
      return text.endsWith('.') && hint.startsWith('.') ? `${text}${hint.slice(1)}` : `${text}${hint}`;
    }
  }
}

function hintFor(i: TwelveLabsApiErrorInit): string {
  if (i.assetUploadCode !== undefined) return `. ${capitalise(ASSET_UPLOAD_CODES[i.assetUploadCode].advice)}.`;
  if (i.status === 401) return '. Check the configured API key.';
  if (i.status === 403) return '. The API key is valid but not allowed to call this endpoint (the multipart API is a private preview).';
  if (i.status === 429) {
    return i.retryAfterMs !== undefined ? `. Rate limited: retry after ${i.retryAfterMs} ms.` : '. Rate limited: back off and retry.';
  }
  if (i.status !== undefined && i.status >= 500 && !i.idempotent) {
    return '. The request may have taken effect; reconcile before repeating it.';
  }
  return '';
}

/**
 * A1 refused the asset with one of its documented codes (contract 5.8): the request, the media,
 * the URL or the size. `reason` is the typed reason (also the upload's failure type) and the
 * message ends with what to do. Never retryable: the same file or URL gets the same answer.
 */
export class AssetUploadRejectedError extends TwelveLabsApiError {
  override readonly name = 'AssetUploadRejectedError';
  readonly reason: AssetUploadReason;
  readonly errorClass: AssetUploadErrorClass;
  readonly assetUploadCode: AssetUploadCode;

  constructor(init: TwelveLabsApiErrorInit & { assetUploadCode: AssetUploadCode }) {
    super(init);
    this.assetUploadCode = init.assetUploadCode;
    this.reason = ASSET_UPLOAD_CODES[init.assetUploadCode].reason;
    this.errorClass = ASSET_UPLOAD_CODES[init.assetUploadCode].errorClass;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason, errorClass: this.errorClass };
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---------------------------------------------------------------------------------------------
// A 2xx response that lacks what the client relies on

export class InvalidResponseError extends TwelveLabsClientError {
  override readonly name = 'InvalidResponseError';
  /** A server that sends malformed data will most likely do it again. */
  readonly retryable = false;
  readonly operation: string | undefined;
  readonly status: number | undefined;
  /** What was wrong, by field path (never field values). */
  readonly detail: string;

  constructor(detail: string, context: { operation?: string; status?: number } = {}) {
    super(
      `TwelveLabs ${context.operation ?? 'API'} returned an invalid response` +
        `${context.status !== undefined ? ` (HTTP ${context.status})` : ''}: ${detail}`,
    );
    this.detail = detail;
    this.operation = context.operation;
    this.status = context.status;
  }

  /** Copy with the operation and status filled in (wire mapping does not know them). */
  withContext(context: { operation: string; status: number }): InvalidResponseError {
    return new InvalidResponseError(this.detail, context);
  }

  toJSON(): Record<string, unknown> {
    return compact({
      name: this.name,
      message: this.message,
      detail: this.detail,
      operation: this.operation,
      status: this.status,
      retryable: this.retryable,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Arguments the client refuses before sending anything (they would only earn a 400)

export class InvalidRequestError extends TwelveLabsClientError {
  override readonly name = 'InvalidRequestError';
  readonly retryable = false;
  readonly operation: string;
  readonly argument: string;

  constructor(operation: string, argument: string, problem: string) {
    super(`TwelveLabs ${operation}: invalid ${argument}: ${problem}`);
    this.operation = operation;
    this.argument = argument;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, operation: this.operation, argument: this.argument, retryable: false };
  }
}

// ---------------------------------------------------------------------------------------------
// Presigned chunk PUT failures (contract 4.3)

/**
 * Stable reasons for a failed chunk PUT:
 * - `url-expired`: 403 AccessDenied "Request has expired";
 * - `url-used`: 403 AccessDenied, the single-use URL already served a successful PUT;
 * - `signature-mismatch`: 403 SignatureDoesNotMatch (URL altered, or a signed header differs);
 * - `access-denied`: any other 403 AccessDenied;
 * - `no-such-upload`: 404 (session completed, expired, failed or unknown): read M2;
 * - `bad-digest`: 400 BadDigest (Content-MD5 mismatch: the bytes changed in transit or on disk);
 * - `request-timeout`: 400 RequestTimeout (the body stalled);
 * - `missing-length`: 411 MissingContentLength (a client bug);
 * - `server`: 5xx, including 503 SlowDown (501 NotImplemented is a client bug, not retryable);
 * - `network`: connection reset, socket error or timeout before a response;
 * - `aborted`: the caller's signal fired;
 * - `unexpected`: anything else, including a 2xx without an ETag.
 */
export type ChunkPutFailureReason =
  | 'url-expired'
  | 'url-used'
  | 'signature-mismatch'
  | 'access-denied'
  | 'no-such-upload'
  | 'bad-digest'
  | 'request-timeout'
  | 'missing-length'
  | 'server'
  | 'network'
  | 'aborted'
  | 'unexpected';

export interface ChunkPutErrorInit {
  reason: ChunkPutFailureReason;
  /** Origin and path of the presigned URL, never its query (which is the credential). */
  chunkUrl: string;
  status?: number;
  s3Code?: string;
  s3Message?: string;
  requestId?: string;
  retryable: boolean;
  needsFreshUrl: boolean;
  cause?: SanitizedCause;
}

export class ChunkPutError extends TwelveLabsClientError {
  override readonly name = 'ChunkPutError';
  readonly reason: ChunkPutFailureReason;
  /** HTTP status; undefined for network errors and aborts. */
  readonly status: number | undefined;
  /** The S3 `<Code>`, e.g. `AccessDenied`. */
  readonly s3Code: string | undefined;
  readonly s3Message: string | undefined;
  readonly requestId: string | undefined;
  readonly retryable: boolean;
  /** A retry must use a freshly minted URL (M5); the failed attempt may have used this one up. */
  readonly needsFreshUrl: boolean;
  readonly chunkUrl: string;

  constructor(init: ChunkPutErrorInit) {
    super(describeChunkPutFailure(init), init.cause ? { cause: init.cause } : undefined);
    this.reason = init.reason;
    this.status = init.status;
    this.s3Code = init.s3Code;
    this.s3Message = init.s3Message;
    this.requestId = init.requestId;
    this.retryable = init.retryable;
    this.needsFreshUrl = init.needsFreshUrl;
    this.chunkUrl = init.chunkUrl;
  }

  toJSON(): Record<string, unknown> {
    return compact({
      name: this.name,
      message: this.message,
      reason: this.reason,
      status: this.status,
      s3Code: this.s3Code,
      s3Message: this.s3Message,
      requestId: this.requestId,
      retryable: this.retryable,
      needsFreshUrl: this.needsFreshUrl,
      chunkUrl: this.chunkUrl,
      cause: (this.cause as SanitizedCause | undefined)?.toJSON?.(),
    });
  }
}

const CHUNK_PUT_ADVICE: Record<ChunkPutFailureReason, string> = {
  'url-expired': 'mint a fresh URL with M5 and retry',
  'url-used': 'this URL was already used; mint a fresh URL with M5 (the chunk may already be stored)',
  'signature-mismatch': 'send upload_headers verbatim and the URL unmodified; mint a fresh URL and retry',
  'access-denied': 'mint a fresh URL with M5 and retry',
  'no-such-upload': 'the session is no longer accepting chunks; read its status (M2)',
  'bad-digest': 'the bytes did not match Content-MD5; re-read the chunk and retry with a fresh URL',
  'request-timeout': 'the body stalled; retry with a fresh URL',
  'missing-length': 'the request lacked Content-Length (client bug)',
  server: 'back off and retry with a fresh URL',
  network: 'back off and retry with a fresh URL',
  aborted: 'the upload was cancelled',
  unexpected: 'unexpected store response',
};

function describeChunkPutFailure(i: ChunkPutErrorInit): string {
  const what =
    i.status !== undefined
      ? `HTTP ${i.status}${i.s3Code ? ` ${i.s3Code}` : ''}${i.s3Message ? ` (${i.s3Message})` : ''}`
      : i.cause
        ? i.cause.message
        : i.reason;
  return `Chunk PUT to ${i.chunkUrl} failed [${i.reason}]: ${what}; ${CHUNK_PUT_ADVICE[i.reason]}`;
}

/** Drops undefined values so `toJSON` output stays small and plain. */
function compact(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}
