// Small transport helpers shared by the API client and the chunk PUT: reading a bounded error
// body, telling "never sent" network errors from ambiguous ones, and deadline signals.

import type { Readable } from 'node:stream';

/** Largest error body we read; gateways' HTML pages are small and S3 errors are tiny. */
export const ERROR_BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Reads at most `limitBytes` of a response body as UTF-8 and discards the rest. Reading never
 * throws: a body that breaks off mid-way yields what arrived, since the status already says
 * what happened.
 */
export async function readBodyText(body: Readable & { dump?: () => Promise<void> }, limitBytes = ERROR_BODY_LIMIT_BYTES): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      if (size + buf.length > limitBytes) {
        parts.push(buf.subarray(0, limitBytes - size));
        size = limitBytes;
        body.destroy();
        break;
      }
      parts.push(buf);
      size += buf.length;
    }
  } catch {
    // keep what we have
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Discards a response body so the socket can go back to the pool; never throws. */
export async function discardBody(body: Readable & { dump?: () => Promise<void> }): Promise<void> {
  try {
    if (typeof body.dump === 'function') await body.dump();
    else for await (const _ of body) void _;
  } catch {
    // nothing to do: the connection is simply not reused
  }
}

/** The `code` of an error or of its nearest cause that has one. */
export function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

// Failures that happen before a single request byte can reach the server.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_INVALID_ARG',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

/**
 * Whether a transport error proves the request never reached the server. Anything else (reset,
 * socket closed, idle timeouts, our own deadline) is ambiguous: the server may have acted on it.
 */
export function requestCertainlyNotSent(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && NOT_SENT_CODES.has(code);
}

// Failures of the connection itself, sent or not (a file that could not be read has none of these).
const CONNECTION_CODES = new Set([
  ...NOT_SENT_CODES,
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Whether an error (or its nearest cause with a code) is a failure of the connection. */
export function isConnectionFailure(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && CONNECTION_CODES.has(code);
}

export interface Deadline {
  signal: AbortSignal | undefined;
  /** True when the deadline (not the caller) aborted the request. */
  timedOut(): boolean;
  dispose(): void;
}

/**
 * Combines the caller's signal with an optional timeout; `dispose` clears the timer and the
 * listener. (Hand-rolled rather than AbortSignal.any, whose combined signals stay referenced by a
 * long-lived source signal, such as an activity's cancellation signal, on Node 20.)
 */
export function deadline(callerSignal: AbortSignal | undefined, timeoutMs: number | undefined): Deadline {
  if (timeoutMs === undefined || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    return { signal: callerSignal, timedOut: () => false, dispose: () => {} };
  }
  const controller = new AbortController();
  let fired = false;
  const timer = setTimeout(() => {
    fired = true;
    controller.abort(new Error(`deadline of ${timeoutMs} ms exceeded`));
  }, timeoutMs);
  timer.unref?.();
  const onCallerAbort = (): void => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => fired && !(callerSignal?.aborted ?? false),
    dispose: () => {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    },
  };
}
