// The names callers use to reach the upload workflows: their types, progress queries, pause and
// resume signals and concurrency updates. Plain definitions (what defineQuery, defineSignal and
// defineUpdate return) typed with @temporalio/common only, so the client library can send them
// without loading @temporalio/workflow: a service that only starts and watches uploads installs
// neither the workflow nor the worker package. The workflows register handlers for these same
// objects (src/workflows/), so a name cannot drift between the two sides.

import type { QueryDefinition, SignalDefinition, UpdateDefinition } from '@temporalio/common';
import type { BatchItem, BatchProgress, UploadProgress, UploadState } from './types';

/** Workflow type names, as registered by the worker (the exported function names). */
export const UPLOAD_WORKFLOW_TYPE = 'uploadWorkflow';
export const BATCH_WORKFLOW_TYPE = 'batchUploadWorkflow';
export const MULTIPART_WORKFLOW_TYPE = 'multipartUploadWorkflow';
export const ASSET_CALL_WORKFLOW_TYPE = 'assetCallWorkflow';
export const SOURCE_IDENTITY_WORKFLOW_TYPE = 'sourceIdentityWorkflow';

/** The optional argument of the `pause` and `resume` signals, set when a parent forwards them (src/workflows/pause-order.ts). */
export interface PauseOrder {
  /** Increases with every pause or resume the sender forwards; only a newer one is applied. */
  seq: number;
}

/** A parent forwards them with a PauseOrder; a person (or `tl-upload pause`) sends them without. */
export const pauseSignal = signal<[PauseOrder?]>('pause');
export const resumeSignal = signal<[PauseOrder?]>('resume');

export const uploadProgressQuery = query<UploadState>('progress');
export const multipartProgressQuery = query<UploadProgress>('progress');
export const batchProgressQuery = query<BatchProgress>('progress');
/** A batch run's items from `offset` (at most 1,000): every file's asset or error, page by page. */
export const batchItemsQuery = query<BatchItem[], 'items', [{ offset: number; limit: number }]>('items');

/** Chunk PUTs in flight of a multipart upload; answers the previous value. */
export const setConcurrencyUpdate = update<number, [number]>('setConcurrency');
/** Files at once of a batch; answers the previous value. */
export const setBatchConcurrencyUpdate = update<number, [number]>('setConcurrency');

// The same objects @temporalio/workflow's defineSignal, defineQuery and defineUpdate build (the
// argument and result brands exist for the type checker only).
function signal<Args extends unknown[] = [], Name extends string = string>(name: Name): SignalDefinition<Args, Name> {
  return { type: 'signal', name } as SignalDefinition<Args, Name>;
}

function query<Ret, Name extends string = string, Args extends unknown[] = []>(name: Name): QueryDefinition<Ret, Args, Name> {
  return { type: 'query', name } as QueryDefinition<Ret, Args, Name>;
}

function update<Ret, Args extends unknown[], Name extends string = string>(name: Name): UpdateDefinition<Ret, Args, Name> {
  return { type: 'update', name } as UpdateDefinition<Ret, Args, Name>;
}
