// File-access confinement: a worker opens only files under its configured roots. A workflow's
// input names the path, and anyone who can start a workflow could otherwise make the worker
// upload /etc/shadow or another tenant's media. Decisions use real paths (symlinks and `..`
// resolved), and the file actually opened is checked again, so swapping a path for a symlink
// between the check and the open does not get a file out.

import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../config';

export class AllowedRoots {
  private constructor(readonly paths: readonly string[]) {}

  /** Resolves each root to its real path; every root must be an existing directory. */
  static async resolve(roots: readonly string[]): Promise<AllowedRoots> {
    if (roots.length === 0) throw new ConfigError('no allowed roots: the worker could upload no file at all');
    const resolved: string[] = [];
    for (const root of roots) {
      if (!path.isAbsolute(root)) throw new ConfigError(`allowed root ${root} must be an absolute path`);
      let real: string;
      try {
        real = await fs.realpath(root);
      } catch (err) {
        throw new ConfigError(`allowed root ${root} cannot be resolved: ${(err as Error).message}`);
      }
      if (!(await fs.stat(real)).isDirectory()) throw new ConfigError(`allowed root ${root} is not a directory`);
      resolved.push(real);
    }
    return new AllowedRoots(resolved);
  }

  /** True when the real path `resolvedPath` is a root or lies below one. */
  contains(resolvedPath: string): boolean {
    return this.paths.some((root) => resolvedPath === root || resolvedPath.startsWith(root.endsWith(path.sep) ? root : root + path.sep));
  }

  toString(): string {
    return this.paths.join(':');
  }
}

/** The path resolves outside every allowed root; `resolvedPath` is where it really points. */
export class OutsideRootsError extends Error {
  override readonly name = 'OutsideRootsError';
  constructor(
    readonly requestedPath: string,
    readonly resolvedPath: string,
    roots: AllowedRoots,
  ) {
    super(
      `${requestedPath} resolves to ${resolvedPath}, which is outside this worker's allowed roots (${roots}); ` +
        'move or copy the file under one of them, or add its directory to TL_ALLOWED_ROOTS on the worker',
    );
  }
}

export interface ConfinedFile {
  handle: fs.FileHandle;
  /** The real path of the file that is open. */
  resolvedPath: string;
}

// O_NONBLOCK: a FIFO swapped in cannot hang the open; O_NOCTTY: a terminal never becomes ours.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

/**
 * Opens `requestedPath` for reading if, and only if, it lies under `roots`. A path outside is
 * never opened (opening a device or FIFO can block or have side effects) and fails with
 * OutsideRootsError before anything about it (existence, type) is reported. File-system errors
 * of paths inside the roots are thrown as they are (ENOENT, EACCES, ...).
 */
export async function openConfined(requestedPath: string, roots: AllowedRoots): Promise<ConfinedFile> {
  const resolved = await realpathOfLongestExistingPrefix(requestedPath);
  if (!roots.contains(resolved.path)) throw new OutsideRootsError(requestedPath, resolved.path, roots);
  if (resolved.error) throw resolved.error;

  const handle = await fs.open(resolved.path, OPEN_FLAGS);
  try {
    const opened = await openedPath(handle, resolved.path);
    if (!roots.contains(opened)) throw new OutsideRootsError(requestedPath, opened, roots);
    return { handle, resolvedPath: opened };
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
}

/**
 * realpath of `p`; if a component is missing or unreadable, realpath of the longest prefix that
 * resolves plus the rest, and the error. So `root/link-to-etc/missing` is judged by where the
 * link points, not by its spelling.
 */
async function realpathOfLongestExistingPrefix(p: string): Promise<{ path: string; error?: Error }> {
  const absolute = path.resolve(p);
  let error: Error | undefined;
  let prefix = absolute;
  const rest: string[] = [];
  for (;;) {
    try {
      const real = await fs.realpath(prefix);
      return { path: rest.length === 0 ? real : path.resolve(real, ...rest), error };
    } catch (err) {
      error ??= err as Error;
      const parent = path.dirname(prefix);
      if (parent === prefix) return { path: absolute, error };
      rest.unshift(path.basename(prefix));
      prefix = parent;
    }
  }
}

/**
 * The real path of the file behind an open handle. On Linux the kernel says it
 * (/proc/self/fd); elsewhere, the checked path must still name the very file we hold (same
 * device and inode), or someone swapped it between the check and the open.
 */
async function openedPath(handle: fs.FileHandle, checkedPath: string): Promise<string> {
  try {
    const linked = await fs.readlink(`/proc/self/fd/${handle.fd}`);
    if (path.isAbsolute(linked)) return linked.replace(/ \(deleted\)$/, '');
  } catch {
    // no procfs: fall through to the inode comparison
  }
  const [held, named] = await Promise.all([handle.stat(), fs.stat(checkedPath)]);
  if (held.dev !== named.dev || held.ino !== named.ino) {
    throw Object.assign(new Error(`${checkedPath} was replaced while it was being opened`), { code: 'ESWAPPED' });
  }
  return fs.realpath(checkedPath);
}
