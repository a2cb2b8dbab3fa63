// The package's public surface. A service that starts and watches uploads needs only the client
// library (Temporal access, no TwelveLabs key); a worker process embeds the workflows and
// activities (see README, "Embed in an existing worker").

// Client library
export {
  UploadClient,
  createTemporalClient,
  ASSET_CALL_WORKFLOW_PREFIX,
  type UploadClientOptions,
  type StartUploadOptions,
  type StartBatchOptions,
  type StartedUpload,
  type UploadListEntry,
  type ListUploadsOptions,
  type WatchOptions,
} from './client';
export { NotFoundError, UnavailableError, UploadFailedError, UsageError } from './client/errors';
export { toUploadSource, uploadWorkflowId, batchWorkflowId, sourceIdentity, SOURCE_IDENTITY_WORKFLOW_PREFIX } from './client/upload-identity';
export { RateMeter, etaSeconds } from './client/progress/rate-meter';

// Workflow inputs, results, progress and failure names (one definition, shared with the workflows)
export * from './domain/types';
export { TL_FILE_NAME, TL_FILE_SIZE, TL_PHASE } from './workflows/search-attributes';

// Worker side
export { createUploadWorkers, WORKFLOWS_PATH, type UploadWorkerOptions } from './worker';
export { createActivities, type ActivityDeps } from './activities';
export { AllowedRoots } from './security/file-roots';
export { TwelveLabsClient } from './twelvelabs/client';
export { temporalConfig, twelveLabsConfig, workerTuning, uploadClientConfig, ConfigError } from './config';
