// Receives one PUT body into a temp file while its MD5 is computed (on a worker thread), never
// holding the body in memory. The caller renames the temp file into place only on success, so a
// failed or aborted PUT never replaces a good chunk (4.4).

import { createWriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Md5Job } from './md5-workers';
import { FILE_IO_BUFFER_BYTES } from './object-files';
import { ThrottleStream } from './throttle';

export interface ReceiveOptions {
  tempPath: string;
  /** Hashes the body off the event loop; aborted here if the body does not complete. */
  md5: Md5Job;
  /** Silence on the wire for this long ends the PUT with RequestTimeout. */
  idleTimeoutMs: number;
  /** 0 = unthrottled. */
  throttleBytesPerSecond: number;
  /** The connection's WAN pacing stage (wan-link.ts), if its bandwidth is capped. */
  paced?: Transform;
  /** put_reset: destroy the socket once this many body bytes have been read. */
  resetAfterBytes: number | undefined;
  /** Called for every body byte read, including bytes of PUTs that end badly. */
  onBytesRead: (bytes: number) => void;
}

export type ReceiveOutcome =
  | { kind: 'complete'; sizeBytes: number; md5: Buffer }
  /** The client sent nothing for idleTimeoutMs; the socket is still open for an error reply. */
  | { kind: 'idle_timeout' }
  /** put_reset fired: the emulator destroyed the socket. */
  | { kind: 'reset' }
  /** The client went away before the body was complete. */
  | { kind: 'aborted' }
  /** The whole body arrived but could not be written (e.g. the session's files were purged). */
  | { kind: 'write_failed'; error: unknown };

class IdleTimeout extends Error {}

export function receiveChunkBody(req: IncomingMessage, options: ReceiveOptions): Promise<ReceiveOutcome> {
  const { md5 } = options;
  let sizeBytes = 0;
  let resetting = false;
  let idleTimer: NodeJS.Timeout | undefined;

  const meter = new Transform({
    highWaterMark: FILE_IO_BUFFER_BYTES,
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      idleTimer?.refresh();
      sizeBytes += chunk.length;
      options.onBytesRead(chunk.length);
      if (options.resetAfterBytes !== undefined && sizeBytes >= options.resetAfterBytes) {
        resetting = true;
        req.socket.destroy();
        callback(new Error('connection reset by fault injection'));
        return;
      }
      const hashed = md5.update(chunk);
      if (hashed) hashed.then(() => callback(null, chunk), callback);
      else callback(null, chunk);
    },
  });
  const file = createWriteStream(options.tempPath, { highWaterMark: FILE_IO_BUFFER_BYTES });
  const throttle = options.throttleBytesPerSecond > 0 ? new ThrottleStream(options.throttleBytesPerSecond) : undefined;
  const pacing = [options.paced, throttle].filter((stage): stage is Transform => stage !== undefined);
  // req is piped rather than put in the pipeline: a pipeline would destroy the request (and its
  // socket) on an idle timeout, leaving no way to answer RequestTimeout.
  const head: Writable = pacing[0] ?? meter;
  const stages = pipeline([...pacing, meter, file]);

  const stop = (error: Error) => {
    req.unpipe(head);
    head.destroy(error);
  };
  const onClose = () => {
    if (!req.complete) stop(new Error('client closed the connection'));
  };
  // A connection error means the client is gone, even when its whole body was already parsed
  // (a slow or throttled write may still be running): that PUT was abandoned, not failed here.
  let clientGone = false;
  const onError = (error: Error) => {
    clientGone = true;
    stop(error);
  };
  req.on('error', onError);
  req.on('close', onClose);
  idleTimer = setTimeout(() => stop(new IdleTimeout()), options.idleTimeoutMs);
  req.pipe(head);

  return stages.then(
    async (): Promise<ReceiveOutcome> => ({ kind: 'complete', sizeBytes, md5: await md5.digest() }),
    (error: unknown): ReceiveOutcome => {
      md5.abort();
      if (resetting) return { kind: 'reset' };
      if (error instanceof IdleTimeout) return { kind: 'idle_timeout' };
      if (req.complete && !clientGone) return { kind: 'write_failed', error };
      return { kind: 'aborted' };
    },
  ).finally(() => {
    clearTimeout(idleTimer);
    req.off('error', onError);
    req.off('close', onClose);
  });
}
