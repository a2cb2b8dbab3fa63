// The batch's listing, one page at a time: a directory (recursive or not) walked in name order, or
// a list file read line by line. Each page is small (a few hundred entries) and ends with a cursor
// the next page starts from, so a batch of 100,000 files never puts a big payload into Temporal.
// Nothing outside the allowed roots is stat'ed: a link that leads out of them (or nowhere) is
// listed without a size, and its own upload reports what is wrong with it, in the same words for
// every such target.

import { createHash } from 'node:crypto';
import type { Dirent, Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { knownMediaType } from '../domain/media-types';
import { FailureType, type BatchSkipped } from '../domain/types';
import { openConfined, OutsideRootsError, resolveUnderRoots, type AllowedRoots } from '../security/file-roots';
import { SourceError, sourceErrorFromFs } from './source';

export interface ListBatchPageInput {
  directory?: { path: string; recursive: boolean };
  list?: { path: string };
  /** A page of a batch's inline sources (paths or URLs): looked at, sizes added. */
  sources?: string[];
  /** Where the page starts: what the previous page answered (undefined: the beginning). */
  cursor?: string;
  /** Entries to upload on this page, at most. */
  maxEntries: number;
}

export interface ListedEntry {
  source: string;
  isUrl?: boolean;
  /** Absent when the listing could not (or may not) see the file: its upload says why. */
  sizeBytes?: number;
  /** The file's version (real path, size, mtime) or the URL, hashed: names its upload across batches. */
  key?: string;
}

export interface ListBatchPage {
  entries: ListedEntry[];
  /** Entries of this page that are not uploaded, by reason (a few examples each). */
  skipped: BatchSkipped[];
  /** Where the next page starts. */
  cursor?: string;
  done: boolean;
}

/** Entries looked at per page, skipped ones included: a folder of 100,000 text files pages too. */
const VISITS_PER_ENTRY = 4;
const SKIP_EXAMPLES = 5;
/** Bytes of a list file read per page, at most (lines are paths: a few hundred bytes each). */
const LIST_READ_BYTES = 1024 * 1024;

export const SkipReason = {
  notMedia: 'not a media file (by its extension)',
  directory: 'a directory (add --recursive to upload what it holds)',
  notRegular: 'not a regular file (FIFO, socket or device)',
  linkedDirectory: 'a symbolic link to a directory (not followed)',
} as const;

export function batchListingActivities(roots: AllowedRoots) {
  return {
    async listBatchPage(input: ListBatchPageInput): Promise<ListBatchPage> {
      if (input.directory) return listDirectoryPage(input.directory, input.cursor, input.maxEntries, roots);
      if (input.list) return listFilePage(input.list.path, input.cursor, input.maxEntries, roots);
      if (input.sources) {
        const entries = await Promise.all(input.sources.map((s) => listedSource(s, process.cwd(), roots)));
        return { entries, skipped: [], done: true };
      }
      throw new SourceError(FailureType.InvalidInput, 'listBatchPage needs a directory or a list');
    },
  };
}

/** Skipped entries of one page, grouped by reason. */
class SkipTally {
  readonly #byReason = new Map<string, BatchSkipped>();
  add(reason: string, source: string): void {
    const entry = this.#byReason.get(reason) ?? { reason, count: 0, examples: [] };
    entry.count++;
    if (entry.examples.length < SKIP_EXAMPLES) entry.examples.push(source);
    this.#byReason.set(reason, entry);
  }
  list(): BatchSkipped[] {
    return [...this.#byReason.values()];
  }
}

/**
 * A depth-first walk in name order, resumed after `cursor` (the relative path of the last entry
 * looked at). A subtree wholly before the cursor is not read again, so every page costs about the
 * same however far into the directory it is.
 */
async function listDirectoryPage(
  directory: { path: string; recursive: boolean },
  cursor: string | undefined,
  maxEntries: number,
  roots: AllowedRoots,
): Promise<ListBatchPage> {
  const top = await confinedDirectory(directory.path, roots);
  const after = cursor === undefined ? undefined : cursor.split('/');
  const entries: ListedEntry[] = [];
  const skipped = new SkipTally();
  const maxVisits = maxEntries * VISITS_PER_ENTRY;
  let visits = 0;
  let last: string[] | undefined;

  /** Walks `dir` (relative segments `rel`); false once the page is full. */
  const walk = async (dir: string, rel: string[]): Promise<boolean> => {
    const names = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => compareNames(a.name, b.name));
    for (const dirent of names) {
      const segments = [...rel, dirent.name];
      const order = after ? compareSegments(segments, after) : 1;
      // Before the cursor: skip, unless the cursor lies inside this directory.
      if (order < 0 && !(dirent.isDirectory() && isPrefix(segments, after!))) continue;
      if (order === 0) continue;
      const full = path.join(dir, dirent.name);
      if (dirent.isDirectory()) {
        if (directory.recursive) {
          if (!(await walk(full, segments))) return false;
          continue;
        }
        skipped.add(SkipReason.directory, full);
      } else {
        const entry = await entryOf(dirent, full, roots);
        if ('skip' in entry) skipped.add(entry.skip, full);
        else entries.push(entry);
      }
      last = segments;
      visits++;
      if (entries.length >= maxEntries || visits >= maxVisits) return false;
    }
    return true;
  };

  const done = await walk(top, []);
  const next = last ? last.join('/') : cursor;
  return { entries, skipped: skipped.list(), ...(next !== undefined ? { cursor: next } : {}), done };
}

/** What a directory entry is for the batch: a file to upload (with its size when visible), or a skip. */
async function entryOf(dirent: Dirent, full: string, roots: AllowedRoots): Promise<ListedEntry | { skip: string }> {
  if (dirent.isFile()) {
    if (!knownMediaType(dirent.name)) return { skip: SkipReason.notMedia };
    const stat = await fs.stat(full).catch(() => undefined);
    return { source: full, ...(stat ? seen(full, stat) : {}) };
  }
  if (!dirent.isSymbolicLink()) return { skip: SkipReason.notRegular };
  if (!knownMediaType(dirent.name)) return { skip: SkipReason.notMedia };
  // A link is judged by where it leads, and only a target under the roots is looked at.
  const target = await realPathUnderRoots(full, roots);
  if (target === undefined) return { source: full };
  const stat = await fs.stat(target).catch(() => undefined);
  if (stat?.isDirectory()) return { skip: SkipReason.linkedDirectory };
  if (stat && !stat.isFile()) return { skip: SkipReason.notRegular };
  return { source: full, ...(stat ? seen(target, stat) : {}) };
}

/** What the listing saw of a file under the roots: its size, and the key of this version of it. */
function seen(realPath: string, stat: Stats): { sizeBytes: number; key: string } {
  return { sizeBytes: stat.size, key: versionKey(`file\n${realPath}\n${stat.size}\n${Math.floor(stat.mtimeMs)}`) };
}

function versionKey(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * A list file from byte offset `cursor`: whole lines only, up to `maxEntries` entries. Relative
 * paths are taken from the list file's directory.
 */
async function listFilePage(listPath: string, cursor: string | undefined, maxEntries: number, roots: AllowedRoots): Promise<ListBatchPage> {
  let opened;
  try {
    opened = await openConfined(listPath, roots);
  } catch (err) {
    if (err instanceof OutsideRootsError) throw new SourceError(FailureType.SourceOutsideRoots, err.message);
    throw sourceErrorFromFs(err, listPath);
  }
  const base = path.dirname(opened.resolvedPath);
  const start = cursor === undefined ? 0 : Number(cursor);
  const entries: ListedEntry[] = [];
  try {
    const buffer = Buffer.alloc(LIST_READ_BYTES);
    const { bytesRead } = await opened.handle.read(buffer, 0, buffer.length, start);
    const text = buffer.subarray(0, bytesRead);
    const atEnd = bytesRead < buffer.length;
    let offset = 0;
    while (entries.length < maxEntries) {
      const newline = text.indexOf(0x0a, offset);
      if (newline < 0 && !atEnd) break; // a partial line: the next page reads it whole
      const end = newline < 0 ? text.length : newline;
      if (end === offset && newline < 0) break; // end of file
      const line = text.subarray(offset, end).toString('utf8').replace(/\r$/, '').trim();
      offset = newline < 0 ? text.length : newline + 1;
      if (line === '' || line.startsWith('#')) continue;
      entries.push(await listedSource(line, base, roots));
    }
    if (offset === 0 && entries.length === 0 && !atEnd) {
      throw new SourceError(FailureType.InvalidInput, `${listPath} has a line longer than ${LIST_READ_BYTES} bytes at byte ${start}: one path or URL per line`);
    }
    const next = start + offset;
    const done = atEnd && offset >= text.length;
    return { entries, skipped: [], cursor: String(next), done };
  } finally {
    await opened.handle.close().catch(() => undefined);
  }
}

async function listedSource(line: string, base: string, roots: AllowedRoots): Promise<ListedEntry> {
  if (/^https?:\/\//i.test(line)) return { source: line, isUrl: true, key: versionKey(`url\n${line}`) };
  const full = path.resolve(base, line);
  const real = await realPathUnderRoots(full, roots);
  if (real === undefined) return { source: full };
  const stat = await fs.stat(real).catch(() => undefined);
  return { source: full, ...(stat?.isFile() ? seen(real, stat) : {}) };
}

/**
 * The real path of `full` when it leads to something under the roots; undefined, without looking
 * at anything outside them, when it leads outside or nowhere (resolveUnderRoots walks only the
 * components the roots allow), so existence and kind of an outside target never show.
 */
async function realPathUnderRoots(full: string, roots: AllowedRoots): Promise<string | undefined> {
  const resolved = await resolveUnderRoots(full, roots).catch(() => undefined);
  if (resolved === undefined || resolved.outside || resolved.error) return undefined;
  return resolved.path;
}

/** The directory's real path, if it is a directory under the allowed roots. */
async function confinedDirectory(directory: string, roots: AllowedRoots): Promise<string> {
  // Outside the roots nothing is looked at, so a missing and an existing outside directory fail alike.
  const resolved = await resolveUnderRoots(directory, roots);
  if (resolved.outside) {
    throw new SourceError(
      FailureType.SourceOutsideRoots,
      `${directory} resolves to ${resolved.path}, which is outside this worker's allowed roots (${roots}); add it to TL_ALLOWED_ROOTS on the worker`,
    );
  }
  if (resolved.error) throw sourceErrorFromFs(resolved.error, directory);
  const real = resolved.path;
  if (!(await fs.stat(real)).isDirectory()) {
    throw new SourceError(FailureType.SourceNotAFile, `${directory} is not a directory`);
  }
  return real;
}

/** Byte order of names (what `ls` with LC_ALL=C shows): stable across hosts and locales. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareSegments(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareNames(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function isPrefix(prefix: readonly string[], of: readonly string[]): boolean {
  return prefix.length < of.length && prefix.every((s, i) => s === of[i]);
}
