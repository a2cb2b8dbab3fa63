// Shows a workflow's phase outside it: the TlPhase search attribute (for lists and filters in the
// Web UI) and the "current details" text (the Web UI's summary of what the workflow is doing).
// TlPhase is only upserted when the starter set it: a namespace where the attribute is not
// registered would otherwise fail every workflow task, and the starter is who knows.

import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { TL_FILE_SIZE, TL_PHASE } from './search-attributes';

export interface PhasePublisher {
  /** Records `phase` (a no-op when it did not change) and the details text. */
  (phase: string, details?: string): void;
  /** Sets TlFileSize once the size is known (when the starter did not know it). */
  fileSize(sizeBytes: number): void;
}

export function phasePublisher(): PhasePublisher {
  const enabled = workflowInfo().typedSearchAttributes.get(TL_PHASE) !== undefined;
  let last: string | undefined = workflowInfo().typedSearchAttributes.get(TL_PHASE);
  let lastDetails: string | undefined;
  const publish = ((phase: string, details?: string) => {
    if (enabled && phase !== last) upsertSearchAttributes([{ key: TL_PHASE, value: phase }]);
    last = phase;
    if (details !== undefined && details !== lastDetails) {
      setCurrentDetails(details);
      lastDetails = details;
    }
  }) as PhasePublisher;
  publish.fileSize = (sizeBytes: number) => {
    if (enabled && workflowInfo().typedSearchAttributes.get(TL_FILE_SIZE) !== sizeBytes) {
      upsertSearchAttributes([{ key: TL_FILE_SIZE, value: sizeBytes }]);
    }
  };
  return publish;
}
