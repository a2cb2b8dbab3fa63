// sourceIdentityWorkflow: a file's identity (real path, size, mtime) as the host that has the file
// sees it. A client that cannot see the file itself (it lives on the worker's host) asks this
// before it names the upload, so that a new version of the file is never answered with the old
// upload's result. Runs the stat on the file's own task queue, like the upload would.

import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { FileIdentity } from '../activities/files';
import { fileCheckOptions } from './activity-options';
import { asTypedFailure } from './failure-info';

type Activities = ReturnType<typeof createActivities>;

export interface SourceIdentityInput {
  path: string;
  /** The queue of the host that has the file (as in UploadInput); default the workflow's queue. */
  fileTaskQueue?: string;
}

export async function sourceIdentityWorkflow(input: SourceIdentityInput): Promise<FileIdentity> {
  const files = proxyActivities<Activities>(fileCheckOptions(input.fileTaskQueue));
  try {
    return await files.identifyFile({ path: input.path });
  } catch (err) {
    throw asTypedFailure(err);
  }
}
