// File activities of uploadWorkflow and batchUploadWorkflow: what a local source is (size and
// identity, so the workflow can pick a route), and which media files a directory holds. Both run
// on the host that has the files (the workflow's fileTaskQueue) and only under the allowed roots.

import fs from 'node:fs/promises';
import path from 'node:path';
import { resolveUnderRoots, statUnderRoots, type AllowedRoots } from '../security/file-roots';
import { knownMediaType } from '../domain/media-types';
import { FailureType, MAX_BATCH_FILES } from '../domain/types';
import { inspectSource, SourceError, sourceErrorFromFs, type SourceIdentity } from './source';

export interface InspectFileInput {
  path: string;
}

/** A file's content version as the worker's host sees it: what an upload's workflow id covers. */
export interface FileIdentity {
  realPath: string;
  sizeBytes: number;
  mtimeMs: number;
}

export interface ListMediaFilesInput {
  directory: string;
  recursive?: boolean;
}

export interface MediaFileEntry {
  path: string;
  sizeBytes: number;
}

export interface ListMediaFilesResult {
  /** Media files (by extension), sorted by path. */
  files: MediaFileEntry[];
  /** Entries that are not media files by name (or not files at all), skipped. */
  skipped: number;
}

export function fileActivities(roots: AllowedRoots) {
  return {
    /**
     * Size and identity of a local source. Any size is reported: the route (and the refusal of
     * files over 4 GiB) is the workflow's decision.
     */
    async inspectFile(input: InspectFileInput): Promise<SourceIdentity> {
      return inspectSource(input.path, roots, Number.MAX_SAFE_INTEGER);
    },

    /**
     * The file's real path and content version (size, mtime), for a client that cannot see the
     * file itself: its upload's workflow id must change when the file does.
     */
    async identifyFile(input: InspectFileInput): Promise<FileIdentity> {
      const { sizeBytes, mtimeMs } = await inspectSource(input.path, roots, Number.MAX_SAFE_INTEGER);
      // inspectSource opened it under the roots; the same walk names its real path.
      const { path: realPath } = await resolveUnderRoots(input.path, roots);
      return { realPath, sizeBytes, mtimeMs };
    },

    /** Sizes of local sources for a batch's totals; null for a file its own upload will refuse. */
    async sizeOfFiles(input: { paths: string[] }): Promise<Array<number | null>> {
      const sizes: Array<number | null> = [];
      for (const p of input.paths) {
        sizes.push(await inspectSource(p, roots, Number.MAX_SAFE_INTEGER).then((s) => s.sizeBytes, () => null));
      }
      return sizes;
    },

    async listMediaFiles(input: ListMediaFilesInput): Promise<ListMediaFilesResult> {
      const top = await confinedDirectory(input.directory, roots);
      const files: MediaFileEntry[] = [];
      let skipped = 0;
      const walk = async (dir: string): Promise<void> => {
        const entries = await fs.readdir(dir, { withFileTypes: true });
        for (const entry of entries) {
          const full = path.join(dir, entry.name);
          if (entry.isDirectory()) {
            if (input.recursive) await walk(full);
            else skipped++;
            continue;
          }
          if (!knownMediaType(entry.name)) {
            skipped++;
            continue;
          }
          const size = await listedSize(full, roots);
          if (size === undefined) skipped++;
          else files.push({ path: full, sizeBytes: size });
        }
      };
      await walk(top);
      files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      if (files.length > MAX_BATCH_FILES) {
        throw new SourceError(
          FailureType.InvalidInput,
          `${input.directory} holds ${files.length} media files; one batch takes at most ${MAX_BATCH_FILES}: split it into subdirectories`,
        );
      }
      return { files, skipped };
    },
  };
}

/**
 * The size a directory listing shows for a media-named entry; undefined to skip it (a directory
 * or special file under the roots). An entry that leads outside the roots, a dangling link or an
 * unreadable file is listed with 0 bytes, all alike (statUnderRoots looks at nothing outside):
 * its own upload reports what is wrong with it, so one bad file is visible.
 */
async function listedSize(entryPath: string, roots: AllowedRoots): Promise<number | undefined> {
  const stats = await statUnderRoots(entryPath, roots).catch(() => undefined);
  if (stats === undefined) return 0;
  return stats.isFile() ? stats.size : undefined;
}

/** The directory's real path, if it is a directory under the allowed roots. */
async function confinedDirectory(directory: string, roots: AllowedRoots): Promise<string> {
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
