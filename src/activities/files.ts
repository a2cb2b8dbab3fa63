// File activities of uploadWorkflow: what a local source is (size and identity, so the workflow
// can pick a route). They run on the host that has the file (the workflow's fileTaskQueue) and
// only under the allowed roots. A batch's listing is in batch-listing.ts.

import { resolveUnderRoots, type AllowedRoots } from '../security/file-roots';
import { inspectSource, type SourceIdentity } from './source';

export interface InspectFileInput {
  path: string;
}

/** A file's content version as the worker's host sees it: what an upload's workflow id covers. */
export interface FileIdentity {
  realPath: string;
  sizeBytes: number;
  mtimeMs: number;
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
  };
}

