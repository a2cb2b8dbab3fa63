// The body of a chunk PUT: the chunk's byte range, read from the open source file into two
// buffers that are reused for the whole range and then for later chunks, and hashed on the way.
//
// Why not a file ReadStream: it allocates a fresh buffer for every read. V8 counts those as
// external memory, and when they outlive the 2 MB young generation it runs a full mark-compact
// of the worker's ~40 MB heap for every ~64 MB of them: 26 to 33 per GiB uploaded on a busy
// machine (measured with --trace-gc), on 4 background threads, more CPU than the reads
// themselves. Reused buffers allocate nothing per read: 3 mark-compacts per GiB.

import type { Hash } from 'node:crypto';
import type fs from 'node:fs/promises';

// 256 KiB reads stream as fast as 1 MiB reads over loopback and hold a quarter of the memory
// per chunk in flight (two buffers per chunk).
export const READ_BUFFER_BYTES = 256 * 1024;

// Free buffers kept for the next chunks: two per chunk in flight at concurrency 16 (8 MiB).
// Beyond that a buffer is left to the garbage collector.
const POOLED_BUFFERS_MAX = 32;
const pool: Buffer[] = [];

/**
 * The bytes `[byteOffset, byteOffset + sizeBytes)` of `handle`, as an async iterable for undici.
 *
 * Buffer reuse is safe because of how undici consumes an async iterable body: it writes a piece to
 * the socket and, when the write is over the socket's high-water mark (16 KiB), waits for 'drain'
 * (the bytes are in the kernel) before it asks for the next piece. Every piece but the last is a
 * full 256 KiB buffer, so a buffer is read into again only after its previous bytes left. Should
 * that ever break, the bytes sent would differ from the bytes hashed, and the ETag check
 * (TL_CHUNK_DIGEST_CHECK) fails the attempt.
 */
export class FileRangeBody implements AsyncIterable<Buffer> {
  /** Bytes handed to the PUT so far (read, hashed, and given to the socket). */
  bytesRead = 0;
  /** Why reading failed (e.g. the file shrank); the chunk PUT then fails as `unexpected`. */
  errored: Error | null = null;
  private buffers: Buffer[] | undefined;
  private completed = false;
  private started = false;

  constructor(
    private readonly handle: fs.FileHandle,
    private readonly byteOffset: number,
    readonly sizeBytes: number,
    /** Fed every byte in order, when the chunk's ETag is to be checked. */
    readonly md5: Hash | undefined,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    if (this.started) throw new Error('a FileRangeBody can be sent once');
    this.started = true;
    const buffers = [pool.pop() ?? Buffer.allocUnsafeSlow(READ_BUFFER_BYTES), pool.pop() ?? Buffer.allocUnsafeSlow(READ_BUFFER_BYTES)];
    this.buffers = buffers;
    const end = this.byteOffset + this.sizeBytes;
    let position = this.byteOffset;
    let pending: Promise<Buffer> | undefined;
    try {
      // Read one piece ahead: the next read goes into the buffer of the piece before the one
      // being sent, which undici has already written out.
      pending = this.fill(buffers[0]!, position, end);
      for (let index = 1; pending; index++) {
        const piece = await pending;
        position += piece.length;
        pending = position < end ? this.fill(buffers[index % 2]!, position, end) : undefined;
        this.md5?.update(piece);
        this.bytesRead += piece.length;
        yield piece;
      }
      this.completed = true;
    } catch (err) {
      this.errored = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      // A read still under way when undici stops asking (the PUT failed) must not go unhandled.
      pending?.catch(() => undefined);
    }
  }

  /**
   * Gives the buffers back for later chunks. Call it only once the PUT has been answered with
   * success: the store then has every byte, so no socket write can still read these buffers.
   */
  release(): void {
    if (!this.completed || !this.buffers) return;
    for (const buffer of this.buffers) if (pool.length < POOLED_BUFFERS_MAX) pool.push(buffer);
    this.buffers = undefined;
  }

  /** Reads `min(buffer size, end - position)` bytes at `position`, all of them (or fails). */
  private async fill(buffer: Buffer, position: number, end: number): Promise<Buffer> {
    const length = Math.min(buffer.length, end - position);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await this.handle.read(buffer, filled, length - filled, position + filled);
      if (bytesRead === 0) throw new Error(`the source file ended at byte ${position + filled}, before the chunk's last byte ${end - 1}`);
      filled += bytesRead;
    }
    return buffer.subarray(0, length);
  }
}
