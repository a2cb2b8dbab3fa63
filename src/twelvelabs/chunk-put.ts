// The presigned chunk PUT (contract section 4): the hot path of a multipart upload. One request
// per chunk, body streamed from the caller (typically a file range stream) with an explicit
// Content-Length, through the shared pool. The URL is a credential, so it never appears in an
// error: errors show origin and path only.
//
// No retries here: a retry needs a freshly minted URL (client obligation 8.6), which only the
// caller can get.

import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { getSharedDispatcher } from './dispatcher';
import { ChunkPutError, InvalidRequestError } from './errors';
import { displayUrl, presignedUrlSecrets, redact, SanitizedCause } from './redact';
import { classifyS3Failure, parseS3ErrorXml } from './s3-error';
import { deadline, discardBody, errorCode, isConnectionFailure, readBodyText } from './transport';
import { stripEtagQuotes } from './wire';
import { headerValue } from './retry-after';

export interface PutChunkOptions {
  /** The presigned URL exactly as the API returned it; sent without re-encoding its query. */
  url: string;
  /** `upload_headers` from M1, sent verbatim (Content-Length and Transfer-Encoding excepted). */
  headers: Record<string, string>;
  /**
   * The chunk's bytes: a stream (e.g. `fs.createReadStream(path, {start, end})`), an async
   * iterable of buffers, or a buffer. A stream or iterable with a truthy `errored` property
   * (as a Readable has) failed to produce its bytes.
   */
  body: Readable | AsyncIterable<Uint8Array> | Uint8Array;
  /** Exact byte count of `body`; a mismatch fails the PUT instead of sending a wrong chunk. */
  contentLength: number;
  signal?: AbortSignal;
  /** Base64 MD5 of the body; the store then rejects corrupted bytes with BadDigest. */
  contentMd5Base64?: string;
  /** Default: the process-wide shared Agent. */
  dispatcher?: Dispatcher;
  /** End-to-end limit for this PUT. Default: none beyond the pool's idle timeouts. */
  timeoutMs?: number;
}

export interface PutChunkResult {
  /** The ETag with its quotes stripped: the `proof` for M4. */
  etag: string;
  /** The ETag header as received (normally quoted). */
  rawEtag: string;
  /** `x-amz-request-id`, when the store sent one. */
  requestId?: string;
}

// Headers the transport owns: Content-Length is set from `contentLength`, chunked encoding is
// forbidden by the store (contract 4.1), and the API key never goes to the store (1.2).
const TRANSPORT_OWNED = new Set(['content-length', 'transfer-encoding', 'x-api-key']);

const SENSITIVE_HEADER = /token|auth|signature|credential|secret|key/i;

export async function putChunk(options: PutChunkOptions): Promise<PutChunkResult> {
  const { url, contentLength } = options;
  const chunkUrl = displayUrl(url);
  const target = splitUrl(url);
  if (!target) throw new InvalidRequestError('putChunk', 'url', `not an absolute http(s) URL (${chunkUrl})`);
  if (!Number.isSafeInteger(contentLength) || contentLength < 0) {
    throw new InvalidRequestError('putChunk', 'contentLength', 'must be a non-negative integer');
  }

  const secrets = [
    ...presignedUrlSecrets(url),
    ...Object.entries(options.headers)
      .filter(([k]) => SENSITIVE_HEADER.test(k))
      .map(([, v]) => v),
  ];

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers)) {
    if (!TRANSPORT_OWNED.has(name.toLowerCase())) headers[name] = value;
  }
  headers['content-length'] = String(contentLength);
  if (options.contentMd5Base64 !== undefined) headers['content-md5'] = options.contentMd5Base64;

  const dl = deadline(options.signal, options.timeoutMs);
  try {
    if (options.signal?.aborted) {
      throw new ChunkPutError({ reason: 'aborted', chunkUrl, retryable: false, needsFreshUrl: false });
    }
    let res: Dispatcher.ResponseData;
    try {
      res = await (options.dispatcher ?? getSharedDispatcher()).request({
        origin: target.origin,
        path: target.path,
        method: 'PUT',
        headers,
        // undici sends async iterables (its documented body types); its .d.ts omits them.
        body: options.body as Readable | Uint8Array,
        signal: dl.signal,
      });
    } catch (err) {
      throw transportFailure(err, options, dl.timedOut(), chunkUrl, secrets);
    }

    const requestId = headerValue(res.headers, 'x-amz-request-id');
    if (res.statusCode >= 200 && res.statusCode < 300) {
      await discardBody(res.body);
      const rawEtag = headerValue(res.headers, 'etag');
      if (!rawEtag || stripEtagQuotes(rawEtag) === '') {
        throw new ChunkPutError({
          reason: 'unexpected',
          chunkUrl,
          status: res.statusCode,
          s3Message: 'success response without an ETag header',
          retryable: false,
          needsFreshUrl: true,
          ...(requestId ? { requestId } : {}),
        });
      }
      return { etag: stripEtagQuotes(rawEtag), rawEtag, ...(requestId ? { requestId } : {}) };
    }

    const text = await readBodyText(res.body);
    const s3 = parseS3ErrorXml(text);
    const c = classifyS3Failure(res.statusCode, s3);
    throw new ChunkPutError({
      ...c,
      chunkUrl,
      status: res.statusCode,
      ...(s3.code !== undefined ? { s3Code: s3.code } : {}),
      ...(s3.message !== undefined ? { s3Message: redact(s3.message.slice(0, 500), secrets) } : {}),
      ...((s3.requestId ?? requestId) !== undefined ? { requestId: s3.requestId ?? requestId } : {}),
    });
  } finally {
    dl.dispose();
  }
}

function transportFailure(
  err: unknown,
  options: PutChunkOptions,
  timedOut: boolean,
  chunkUrl: string,
  secrets: string[],
): ChunkPutError {
  if (err instanceof ChunkPutError) return err;
  const cause = new SanitizedCause(err, secrets);
  if (options.signal?.aborted && !timedOut) {
    // The attempt may have stored the bytes and used the URL up before the abort landed.
    return new ChunkPutError({ reason: 'aborted', chunkUrl, retryable: false, needsFreshUrl: true, cause });
  }
  const code = errorCode(err);
  // undici destroys the body stream with the socket's error when the connection dies mid-body,
  // so an errored body alone does not mean the file failed: a transport code decides first.
  const bodyError = 'errored' in options.body ? (options.body as { errored: unknown }).errored : null;
  const bodyFailed = Boolean(bodyError) && !isConnectionFailure(err) && !isConnectionFailure(bodyError);
  if (code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH' || bodyFailed) {
    // The bytes we were given do not match what we promised: retrying the same input won't help.
    return new ChunkPutError({ reason: 'unexpected', chunkUrl, retryable: false, needsFreshUrl: true, cause });
  }
  return new ChunkPutError({ reason: 'network', chunkUrl, retryable: true, needsFreshUrl: true, cause });
}

/** Origin and raw path+query of an absolute URL, without re-encoding the query (contract 4.1). */
function splitUrl(url: string): { origin: string; path: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  const afterScheme = url.indexOf('//') + 2;
  const slash = url.slice(afterScheme).search(/[/?#]/);
  let path = slash < 0 ? '/' : url.slice(afterScheme + slash);
  const hash = path.indexOf('#');
  if (hash >= 0) path = path.slice(0, hash);
  if (path.startsWith('?')) path = `/${path}`;
  return { origin: parsed.origin, path: path || '/' };
}
