// File-access confinement: a worker opens only files under its configured roots. A workflow's
// input names the path, and anyone who can start a workflow could otherwise make the worker
// upload /etc/shadow or another tenant's media. Decisions use real paths (symlinks and `..`
// resolved), and the file actually opened is checked again, so swapping a path for a symlink
// between the check and the open does not get a file out.
//
// Nothing outside the roots is looked at: a path is resolved one component at a time, and the
// walk stops where it leaves the roots (and the directories above them), before anything there
// is stat'ed, read or opened. So whether an outside target exists, what it is and how big it is
// never changes an answer: every path that leads outside fails the same way.

import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../config';

export class AllowedRoots {
  private constructor(
    readonly paths: readonly string[],
    /** The roots as configured, before symlinks were resolved (their parents may be looked at). */
    private readonly spelled: readonly string[] = paths,
  ) {}

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
    return new AllowedRoots(resolved, [...resolved, ...roots.map((r) => path.resolve(r))]);
  }

  /** True when the real path `resolvedPath` is a root or lies below one. */
  contains(resolvedPath: string): boolean {
    return this.paths.some((root) => resolvedPath === root || resolvedPath.startsWith(root.endsWith(path.sep) ? root : root + path.sep));
  }

  /**
   * True when the walk may look at `resolvedPath` (lstat, readlink): it lies under a root, or is
   * a directory on the way to one (`/`, `/srv` for the root `/srv/media`).
   */
  mayLookAt(resolvedPath: string): boolean {
    if (this.contains(resolvedPath)) return true;
    const prefix = resolvedPath.endsWith(path.sep) ? resolvedPath : resolvedPath + path.sep;
    return this.spelled.some((root) => root.startsWith(prefix));
  }

  toString(): string {
    return this.paths.join(':');
  }
}

/**
 * The path leads outside every allowed root; `resolvedPath` is where it points as far as the
 * roots tell (links inside them followed, nothing outside looked at).
 */
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
 * OutsideRootsError before anything about it (existence, type) is looked at. File-system errors
 * of paths inside the roots are thrown as they are (ENOENT, EACCES, ...).
 */
export async function openConfined(requestedPath: string, roots: AllowedRoots): Promise<ConfinedFile> {
  const resolved = await resolveUnderRoots(requestedPath, roots);
  if (resolved.outside) throw new OutsideRootsError(requestedPath, resolved.path, roots);
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
 * The stats of what `requestedPath` leads to, if it lies under the roots; undefined, without
 * looking at the target, if it leads outside them (a listing shows such an entry as it shows a
 * dangling link: its own upload reports it). File-system errors inside the roots are thrown.
 */
export async function statUnderRoots(requestedPath: string, roots: AllowedRoots): Promise<import('node:fs').Stats | undefined> {
  const resolved = await resolveUnderRoots(requestedPath, roots);
  if (resolved.outside) return undefined;
  if (resolved.error) throw resolved.error;
  return fs.stat(resolved.path);
}

export interface RootsResolution {
  /** The path leads outside the roots; nothing there was looked at. */
  outside: boolean;
  /** Where it leads: a real path inside, or as far as the walk went (then the rest as written). */
  path: string;
  /** Inside the roots: why the path cannot be followed to its end (ENOENT, ENOTDIR, ELOOP, EACCES). */
  error?: Error;
}

const MAX_SYMLINK_HOPS = 40;

/**
 * Resolves `requestedPath` like realpath, one component at a time, but looks (lstat, readlink)
 * only at paths the roots allow (`mayLookAt`): the walk stops at the first component outside,
 * and the answer is then "outside", whatever lies there. A missing component inside ends the
 * walk too: the rest is taken as written (no link can hide below something that does not exist).
 */
export async function resolveUnderRoots(requestedPath: string, roots: AllowedRoots): Promise<RootsResolution> {
  // Not path.resolve: it would fold `link/..` by spelling, where the kernel follows the link first.
  const absolute = path.isAbsolute(requestedPath) ? requestedPath : `${process.cwd()}${path.sep}${requestedPath}`;
  const pending = absolute.split(path.sep).filter(Boolean);
  let current = path.parse(absolute).root;
  let hops = 0;
  const judged = (p: string, error?: Error): RootsResolution =>
    roots.contains(p) ? { outside: false, path: p, ...(error ? { error } : {}) } : { outside: true, path: p };
  while (pending.length > 0) {
    const component = pending.shift()!;
    if (component === '.') continue;
    if (component === '..') {
      current = path.dirname(current);
      continue;
    }
    const next = path.join(current, component);
    if (!roots.mayLookAt(next)) return { outside: true, path: path.join(next, ...pending) };
    let stats;
    try {
      stats = await fs.lstat(next);
    } catch (err) {
      return judged(path.join(next, ...pending), err as Error);
    }
    if (stats.isSymbolicLink()) {
      if (++hops > MAX_SYMLINK_HOPS) return judged(next, fsError('ELOOP', `too many symbolic links at ${next}`));
      const target = await fs.readlink(next);
      pending.unshift(...target.split(path.sep).filter(Boolean));
      if (path.isAbsolute(target)) current = path.parse(target).root;
      continue;
    }
    if (pending.length > 0 && !stats.isDirectory()) return judged(path.join(next, ...pending), fsError('ENOTDIR', `${next} is not a directory`));
    current = next;
  }
  return judged(current);
}

function fsError(code: string, message: string): Error {
  return Object.assign(new Error(`${code}: ${message}`), { code });
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
