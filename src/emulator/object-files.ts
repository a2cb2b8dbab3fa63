// Where bytes live under the data directory, and the streaming reads over them:
//   uploads/<upload_id>/<chunk_index>.<put_seq>     one file per successful chunk PUT
//   uploads/<upload_id>/.<chunk_index>.<put_seq>.partial   a PUT still in flight
//   assets/<asset_id>/object                        a direct or URL upload

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MIB } from '../twelvelabs/limits';

/** Buffer size of every file read and write: large, so a 1 GiB upload is not thousands of tiny I/Os. */
export const FILE_IO_BUFFER_BYTES = MIB;

export class ObjectFiles {
  private putSequence = 0;

  constructor(readonly dataDir: string) {}

  sessionDir(uploadId: string): string {
    return path.join(this.dataDir, 'uploads', uploadId);
  }

  async createSessionDir(uploadId: string): Promise<void> {
    await mkdir(this.sessionDir(uploadId), { recursive: true });
  }

  /** A fresh temp path and the final path it is renamed to on success; unique per PUT. */
  chunkPaths(uploadId: string, chunkIndex: number): { tempPath: string; finalPath: string } {
    const sequence = ++this.putSequence;
    const dir = this.sessionDir(uploadId);
    return {
      tempPath: path.join(dir, `.${chunkIndex}.${sequence}.partial`),
      finalPath: path.join(dir, `${chunkIndex}.${sequence}`),
    };
  }

  assetDir(assetId: string): string {
    return path.join(this.dataDir, 'assets', assetId);
  }

  async createAssetDir(assetId: string): Promise<string> {
    const dir = this.assetDir(assetId);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  async removeSession(uploadId: string): Promise<void> {
    await removeQuietly(this.sessionDir(uploadId));
  }

  async removeAsset(assetId: string): Promise<void> {
    await removeQuietly(this.assetDir(assetId));
  }
}

/** The bytes of several files, one after the other, read in large pieces. */
async function* concatenated(filePaths: readonly string[]): AsyncGenerator<Buffer> {
  for (const filePath of filePaths) {
    yield* createReadStream(filePath, { highWaterMark: FILE_IO_BUFFER_BYTES }) as AsyncIterable<Buffer>;
  }
}

/** Size and SHA-256 of the concatenation of files, streamed in order (no concatenated copy). */
export async function hashFiles(filePaths: readonly string[]): Promise<{ sizeBytes: number; sha256: string }> {
  const sha256 = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of concatenated(filePaths)) {
    sha256.update(chunk);
    sizeBytes += chunk.length;
  }
  return { sizeBytes, sha256: sha256.digest('hex') };
}

/** Streams the concatenation of files into a writable (GET of an assembled object). */
export async function streamFiles(filePaths: readonly string[], target: Writable): Promise<void> {
  await pipeline(Readable.from(concatenated(filePaths), { objectMode: false }), target);
}

/** Best-effort cleanup: a file already gone is fine, and a failed purge must not fail a request. */
export async function removeQuietly(target: string): Promise<void> {
  await rm(target, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
}

export async function unlinkQuietly(filePath: string): Promise<void> {
  await unlink(filePath).catch(() => undefined);
}
