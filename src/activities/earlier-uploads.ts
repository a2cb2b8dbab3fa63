// The result of an upload that finished before: a re-run of a batch names a large file's upload
// after the file's version, so the second run finds the first run's upload instead of making a
// second asset. Temporal keeps that upload for the namespace's retention period; after it, the
// upload is unknown and the file goes up again.

import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { UploadResult } from '../domain/types';

export type EarlierUpload = { found: 'completed'; result: UploadResult } | { found: 'running' } | { found: 'none' };

export function earlierUploadActivities(temporal: Client) {
  return {
    async earlierUploadResult(input: { workflowId: string }): Promise<EarlierUpload> {
      const handle = temporal.workflow.getHandle(input.workflowId);
      // Past the namespace's retention Temporal no longer knows it: that is an answer, not an
      // error to retry (the file is uploaded again, as the README says).
      const description = await handle.describe().catch((err: unknown) => {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw err;
      });
      if (description === undefined) return { found: 'none' };
      const status = description.status.name;
      if (status === 'RUNNING') return { found: 'running' };
      if (status !== 'COMPLETED') return { found: 'none' };
      return { found: 'completed', result: (await handle.result()) as UploadResult };
    },
  };
}
