// Writes a stream of buffers to a file while counting and hashing them (SHA-256), with a size
// cap. A1 uses it for direct uploads (fed from the multipart parser) and for URL downloads.

import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { FILE_IO_BUFFER_BYTES, unlinkQuietly } from './object-files';

export class HashingFileSink {
  private readonly file: WriteStream;
  private readonly sha256: Hash = createHash('sha256');
  sizeBytes = 0;
  /** Set once more than maxBytes arrived; later bytes are counted but no longer written. */
  overLimit = false;

  constructor(
    readonly filePath: string,
    private readonly maxBytes: number,
  ) {
    this.file = createWriteStream(filePath, { highWaterMark: FILE_IO_BUFFER_BYTES });
    // Errors surface through close(); this keeps an early one from being unhandled.
    this.file.on('error', () => undefined);
  }

  /** Resolves when the file can take more, so the sender feels backpressure. */
  async write(data: Buffer): Promise<void> {
    this.sizeBytes += data.length;
    if (this.overLimit) return;
    if (this.sizeBytes > this.maxBytes) {
      this.overLimit = true;
      return;
    }
    this.sha256.update(data);
    // events.once rejects on 'error' by itself and removes its listeners either way; racing a
    // second once(…, 'error') left one listener behind per wait (MaxListenersExceededWarning).
    if (!this.file.write(data)) await once(this.file, 'drain');
  }

  /** Flushes and closes the file; returns the SHA-256 of what was written. */
  async close(): Promise<string> {
    this.file.end();
    await once(this.file, 'close');
    if (this.file.errored) throw this.file.errored;
    return this.sha256.digest('hex');
  }

  /** Closes and deletes the file (failed or rejected upload). */
  async discard(): Promise<void> {
    this.file.destroy();
    await unlinkQuietly(this.filePath);
  }
}
