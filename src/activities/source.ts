// The local source file: checked before a session starts, and again around every chunk read so
// that a file changed mid-upload fails clearly instead of producing a corrupt asset.

import type fs from 'node:fs/promises';
import { stat } from 'node:fs/promises';
import { type AllowedRoots, OutsideRootsError, openConfined, resolveUnderRoots } from '../security/file-roots';
import { MAX_MULTIPART_BYTES } from '../twelvelabs/limits';
import { FailureType } from '../domain/types';

/** A problem with the source file that no retry can fix; `type` is the workflow failure type. */
export class SourceError extends Error {
  override readonly name = 'SourceError';
  constructor(
    readonly type: FailureType,
    message: string,
  ) {
    super(message);
  }
}

export interface SourceIdentity {
  sizeBytes: number;
  mtimeMs: number;
}

/**
 * Checks that `path` lies under the worker's allowed roots and is a readable regular file of
 * 1 byte to `maxBytes`, and returns its identity. Symlinks are followed (the target is what gets
 * uploaded, and the target is what must be under a root).
 */
export async function inspectSource(path: string, roots: AllowedRoots, maxBytes = MAX_MULTIPART_BYTES): Promise<SourceIdentity> {
  const handle = await openSource(path, roots);
  try {
    const stat = await handle.stat();
    if (stat.size === 0) throw new SourceError(FailureType.SourceEmpty, `${path} is empty (0 bytes); there is nothing to upload`);
    if (stat.size > maxBytes) {
      throw new SourceError(
        FailureType.FileTooLarge,
        `${path} has ${stat.size} bytes; TwelveLabs accepts at most ${maxBytes} bytes per upload (split or re-encode the file)`,
      );
    }
    return identityOf(stat);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * Opens the source for reading: only under the allowed roots (security/file-roots.ts), and only
 * a regular file. The checks are made on the open file, so they hold for the bytes we read.
 */
export async function openSource(path: string, roots: AllowedRoots): Promise<fs.FileHandle> {
  let handle: fs.FileHandle;
  try {
    handle = (await openConfined(path, roots)).handle;
  } catch (err) {
    if (err instanceof OutsideRootsError) throw new SourceError(FailureType.SourceOutsideRoots, err.message);
    throw sourceErrorFromFs(err, path);
  }
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close().catch(() => undefined);
    throw new SourceError(FailureType.SourceNotAFile, `${path} is not a regular file (it is a ${kindOf(stat)}); give the path of a media file`);
  }
  return handle;
}

/** A file's identity from its stats: size, and mtime in whole milliseconds (as stored in inputs). */
export function identityOf(stats: { size: number; mtimeMs: number }): SourceIdentity {
  return { sizeBytes: stats.size, mtimeMs: Math.floor(stats.mtimeMs) };
}

/** Fails with SourceChanged when the file is no longer the one the session began with. */
export function assertUnchanged(path: string, expected: SourceIdentity, actual: SourceIdentity): void {
  if (actual.sizeBytes !== expected.sizeBytes || actual.mtimeMs !== expected.mtimeMs) {
    throw new SourceError(
      FailureType.SourceChanged,
      `${path} changed after the upload began (size ${expected.sizeBytes} → ${actual.sizeBytes}, ` +
        `modified ${new Date(expected.mtimeMs).toISOString()} → ${new Date(actual.mtimeMs).toISOString()}); ` +
        'the chunks already sent no longer match it: start a new upload of the final file',
    );
  }
}

/**
 * Fails when `path` no longer names the file behind `handle`: a lane holds its handle across a
 * run of chunks, so a path swapped after the open (for a symlink out of the roots, or a new file
 * renamed over it) would otherwise go unnoticed. The bytes read are still the original file's, but
 * the user named a path, and the upload must not finish as if that path were still this file.
 */
export async function assertPathStillNames(path: string, roots: AllowedRoots, handle: fs.FileHandle): Promise<void> {
  let named: import('node:fs').Stats;
  try {
    const resolved = await resolveUnderRoots(path, roots);
    if (resolved.outside) throw new OutsideRootsError(path, resolved.path, roots);
    if (resolved.error) throw resolved.error;
    named = await stat(resolved.path);
  } catch (err) {
    if (err instanceof OutsideRootsError) throw new SourceError(FailureType.SourceOutsideRoots, `${err.message} (the path was swapped after the upload began)`);
    throw sourceErrorFromFs(err, path);
  }
  const held = await handle.stat();
  if (held.dev !== named.dev || held.ino !== named.ino) {
    throw new SourceError(
      FailureType.SourceChanged,
      `${path} was replaced by another file after the upload began; the chunks already sent came from the file it replaced: ` +
        'start a new upload of the final file',
    );
  }
}

export function sourceErrorFromFs(err: unknown, path: string): SourceError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new SourceError(FailureType.SourceNotFound, `${path} does not exist on this worker's host; check the path (uploads read the file on the worker)`);
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new SourceError(FailureType.SourceUnreadable, `${path} cannot be read by the worker (permission denied); grant read access to the worker's user`);
  }
  if (code === 'EISDIR') return new SourceError(FailureType.SourceNotAFile, `${path} is a directory, not a file`);
  return new SourceError(FailureType.SourceUnreadable, `${path} cannot be read: ${(err as Error).message}`);
}

function kindOf(stat: import('node:fs').Stats): string {
  if (stat.isDirectory()) return 'directory';
  if (stat.isFIFO()) return 'FIFO';
  if (stat.isSocket()) return 'socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'device';
  return 'special file';
}
