// The S3-like store: the presigned chunk PUT (S1, contract section 4) and reads of assembled
// objects under /tl-assets (the M4 `url`, 9.33).

import { readFile, rename, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { receiveChunkBody } from './chunk-body';
import { chunkEtag } from './etag-mode';
import { toWireTimestamp } from './clock';
import type { EmulatorState } from './emulator-state';
import { ASSET_BUCKET_PATH } from './emulator-state';
import { streamFiles, unlinkQuietly } from './object-files';
import { newRequestId, type S3ErrorOptions, sendS3Error } from './s3-error';
import type { UploadSession } from './upload-session';

/** How long a socket may stay open after an error reply that asked the client to close it. */
const CLOSE_GRACE_MS = 1000;

const OBJECT_PATH = new RegExp(`^${ASSET_BUCKET_PATH}/([^/]+)/(.+)$`);

const NO_SUCH_UPLOAD =
  'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.';

/** One chunk PUT, checked in the order S3 would: transport, signature, expiry, use, session. */
export async function handleChunkPut(req: IncomingMessage, res: ServerResponse, url: URL, state: EmulatorState): Promise<void> {
  const { counters, faults } = state;
  counters.endpointCalled('S1');
  const reply = (status: number, code: string, message: string, options: S3ErrorOptions = {}) => {
    counters.putAnswered(status);
    sendS3Error(res, status, code, message, options);
    if (options.closeConnection) closeAfterReply(req, res);
  };
  /** Reads and discards the body (counted), so the connection can be reused, then replies. */
  const drainThenReply = async (status: number, code: string, message: string, options: S3ErrorOptions = {}) => {
    await drainBody(req, state);
    await state.wan.beforeAnswer();
    reply(status, code, message, options);
  };

  if (/\bchunked\b/i.test(req.headers['transfer-encoding'] ?? '')) {
    reply(501, 'NotImplemented', 'A header you provided implies functionality that is not implemented: Transfer-Encoding.', {
      details: { Header: 'Transfer-Encoding' },
      closeConnection: true,
    });
    return;
  }
  const lengthHeader = req.headers['content-length'];
  if (lengthHeader === undefined) {
    reply(411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.');
    return;
  }
  const contentLength = Number(lengthHeader);

  const verification = state.signer.verify(req.method ?? 'PUT', url.pathname, url.searchParams, req.headers);
  if (!verification.ok) {
    const code = verification.reason === 'signature_mismatch' ? 'SignatureDoesNotMatch' : 'AccessDenied';
    await drainThenReply(403, code, verification.message);
    return;
  }
  const presigned = verification.url;
  const nowMs = state.nowMs();
  const expired = () =>
    drainThenReply(403, 'AccessDenied', 'Request has expired', {
      details: {
        'X-Amz-Expires': String(presigned.expiresSeconds),
        Expires: toWireTimestamp(presigned.expiresAtMs),
        ServerTime: toWireTimestamp(nowMs),
      },
    });
  if (nowMs > presigned.expiresAtMs) {
    await expired();
    return;
  }
  const session = state.session(presigned.uploadId);
  if (session?.notePresented(presigned.urlId)) counters.add('puts_reusing_url');
  if (state.options.singleUseUrls && session?.isUrlUsed(presigned.urlId)) {
    await drainThenReply(403, 'AccessDenied', 'Presigned URL has already been used');
    return;
  }
  if (!session || session.state !== 'active') {
    await drainThenReply(404, 'NoSuchUpload', NO_SUCH_UPLOAD, { details: { UploadId: presigned.uploadId } });
    return;
  }

  // Faults are decided before the body is read.
  if (faults.fires('url_expired')) {
    await expired();
    return;
  }
  if (faults.fires('put_500')) {
    await drainThenReply(500, 'InternalError', 'We encountered an internal error. Please try again.');
    return;
  }
  if (faults.fires('put_503')) {
    await drainThenReply(503, 'SlowDown', 'Please reduce your request rate.');
    return;
  }
  const reset = faults.fires('put_reset');
  const slow = faults.fires('put_slow');
  const { put_throttle_bps: throttleBps, put_slow_ms: slowMs, put_slow_at_once: slowAtOnce } = faults.current();
  // The second tail model: the body arrives at once, the answer put_slow_ms after the request.
  const atOnce = slow && slowAtOnce >= 1;
  const requestAtMs = Date.now();

  if (reset) {
    // Counted now, not when the socket is gone: the client may see the reset before this
    // handler resumes, and tests read the counter as soon as their PUT fails.
    counters.add('puts_reset');
    if (contentLength === 0) {
      req.socket.destroy();
      return;
    }
  }
  const { tempPath, finalPath } = state.files.chunkPaths(session.uploadId, presigned.chunkIndex);
  const logged = session.putStarted(presigned.chunkIndex, Date.now());
  const ended = (outcome: NonNullable<typeof logged.outcome>) => {
    Object.assign(logged, { endedAtMs: Date.now(), outcome, bytes: bodyBytes });
  };
  let bodyBytes = 0;
  const outcome = await receiveChunkBody(req, {
    tempPath,
    md5: state.startMd5(),
    idleTimeoutMs: state.options.bodyIdleTimeoutMs,
    throttleBytesPerSecond: atOnce ? 0 : throttleBps,
    paced: atOnce ? undefined : state.wan.pacedStage(req.socket),
    resetAfterBytes: reset ? Math.max(1, Math.floor(contentLength / 2)) : undefined,
    onBytesRead: (bytes) => {
      bodyBytes += bytes;
      counters.add('bytes_received', bytes);
    },
  });
  if (outcome.kind !== 'complete') {
    ended(outcome.kind === 'aborted' ? 'aborted' : 'failed');
    await unlinkQuietly(tempPath);
    switch (outcome.kind) {
      case 'reset':
        return;
      case 'aborted':
        counters.add('puts_aborted');
        counters.add('bytes_aborted', bodyBytes);
        session.touch(presigned.chunkIndex).abortedBytes += bodyBytes;
        res.destroy();
        return;
      case 'idle_timeout':
        reply(400, 'RequestTimeout', 'Your socket connection to the server was not read from or written to within the timeout period.', {
          closeConnection: true,
        });
        return;
      case 'write_failed':
        if (session.state !== 'active') reply(404, 'NoSuchUpload', NO_SUCH_UPLOAD);
        else reply(500, 'InternalError', `The chunk could not be stored: ${String(outcome.error)}`);
        return;
    }
  }

  const digestProblem = checkContentMd5(singleHeader(req.headers['content-md5']), outcome.md5);
  if (digestProblem) {
    ended('failed');
    await unlinkQuietly(tempPath);
    reply(400, digestProblem.code, digestProblem.message);
    return;
  }
  // The put_corrupt fault: other bytes than received are stored, and their ETag answered.
  const md5 = faults.fires('put_corrupt') ? await corruptStoredBody(tempPath) : outcome.md5;
  const failure = await commitChunk(state, session, presigned.urlId, tempPath, finalPath);
  if (failure) {
    ended('failed');
    reply(failure.status, failure.code, failure.message);
    return;
  }
  const etag = chunkEtag(md5, state.options.etagMode);
  if (session.touch(presigned.chunkIndex).putCount > 0) counters.add('bytes_stored_again', outcome.sizeBytes);
  state.storeChunk(session, presigned.chunkIndex, { filePath: finalPath, etag, sizeBytes: outcome.sizeBytes });
  counters.add('bytes_stored', outcome.sizeBytes);
  if (slow) await sleep(atOnce ? Math.max(0, requestAtMs + slowMs - Date.now()) : slowMs);
  await state.wan.beforeAnswer();
  counters.putAnswered(200);
  res.writeHead(200, { ETag: `"${etag}"`, 'Content-Length': 0, 'x-amz-request-id': newRequestId() });
  res.end();
  ended('stored');
}

/** Flips the first byte of a received body in place; answers the MD5 of what is now stored. */
async function corruptStoredBody(tempPath: string): Promise<Buffer> {
  // A chunk is at most a few MiB in tests that use this fault: reading it whole is fine here.
  const body = await readFile(tempPath);
  if (body.length > 0) body[0] = body[0]! ^ 0xff;
  await writeFile(tempPath, body);
  return createHash('md5').update(body).digest();
}

/**
 * Moves a received body into place, unless the session ended or the URL was used by a concurrent
 * PUT while this body was arriving. Only here does a URL become used (4.4).
 */
async function commitChunk(
  state: EmulatorState,
  session: UploadSession,
  urlId: string,
  tempPath: string,
  finalPath: string,
): Promise<{ status: number; code: string; message: string } | undefined> {
  const refused = (status: number, code: string, message: string) => unlinkQuietly(tempPath).then(() => ({ status, code, message }));
  if (state.session(session.uploadId)?.state !== 'active') return refused(404, 'NoSuchUpload', NO_SUCH_UPLOAD);
  if (state.options.singleUseUrls) {
    if (session.isUrlUsed(urlId)) return refused(403, 'AccessDenied', 'Presigned URL has already been used');
    // Marked before the rename's await, so a concurrent PUT of the same URL cannot also win.
    session.markUrlUsed(urlId);
  }
  try {
    await rename(tempPath, finalPath);
  } catch {
    // The session's directory was purged (failure or expiry) while the body arrived; the URL is
    // moot, as its session can take no more chunks.
    return refused(404, 'NoSuchUpload', NO_SUCH_UPLOAD);
  }
  return undefined;
}

/** 9.30: Content-MD5 is optional, but a present one must match (S3 BadDigest / InvalidDigest). */
function checkContentMd5(header: string | undefined, md5: Buffer): { code: string; message: string } | undefined {
  if (header === undefined) return undefined;
  const given = Buffer.from(header.trim(), 'base64');
  if (given.length !== 16) return { code: 'InvalidDigest', message: 'The Content-MD5 you specified was invalid.' };
  if (!given.equals(md5)) return { code: 'BadDigest', message: 'The Content-MD5 you specified did not match what we received.' };
  return undefined;
}

/** Reads a body to its end, counting its bytes as received; resolves on error or close too. */
function drainBody(req: IncomingMessage, state: EmulatorState): Promise<void> {
  if (req.complete) return Promise.resolve();
  return new Promise((resolve) => {
    req.on('data', (chunk: Buffer) => state.counters.add('bytes_received', chunk.length));
    req.once('end', resolve);
    req.once('error', () => resolve());
    req.once('close', resolve);
    req.resume();
  });
}

/** Ends a connection whose request body was not (fully) read, once the reply is out. */
function closeAfterReply(req: IncomingMessage, res: ServerResponse): void {
  res.once('finish', () => {
    req.socket.end();
    setTimeout(() => req.socket.destroy(), CLOSE_GRACE_MS).unref();
  });
}

/** GET /tl-assets/<asset_id>/<filename>: the assembled object, streamed from its files. */
export async function handleObjectGet(res: ServerResponse, url: URL, state: EmulatorState): Promise<void> {
  const match = OBJECT_PATH.exec(url.pathname);
  const asset = match ? state.asset(match[1] ?? '') : undefined;
  const object = asset?.object;
  if (!asset || !object || decodeURIComponent(match?.[2] ?? '') !== asset.filename) {
    sendS3Error(res, 404, 'NoSuchKey', 'The specified key does not exist.');
    return;
  }
  res.writeHead(200, { 'Content-Type': asset.fileType, 'Content-Length': object.sizeBytes, ETag: `"${object.sha256}"` });
  await streamFiles(object.filePaths, res).catch(() => res.destroy());
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}
