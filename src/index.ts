// The package root: the client library only. A service that starts and watches uploads needs
// Temporal access, no TwelveLabs key (see README, "The client library"); a worker process embeds
// the workflows and activities from the subpaths (README, "Embed in an existing worker").

// Client library (its options and answers are types in src/client/types.ts, exported below)
export { UploadClient, UploadHandle, createTemporalClient, ASSET_CALL_WORKFLOW_PREFIX, HELPER_WORKFLOW_DIVISION, HELPER_WORKFLOWS_QUERY } from './client';
export type { ProgressListener, ResultOptions, UploadCalls } from './client';
export { NotFoundError, UnavailableError, UploadFailedError, UsageError } from './client/errors';
export { toUploadSource, uploadWorkflowId, batchWorkflowId, sourceIdentity, SOURCE_IDENTITY_WORKFLOW_PREFIX } from './client/upload-identity';
export { RateMeter, etaSeconds } from './client/progress/rate-meter';
export type { ListAssetsQuery } from './client/assets';

// Workflow inputs, results, progress and failure names (one definition, shared with the workflows)
export * from './domain/types';
export * from './client/types';
export { TL_FILE_NAME, TL_FILE_SIZE, TL_PHASE } from './workflows/search-attributes';

// Client-side configuration (the environment the CLI and UploadClient.connect() read)
export { uploadClientConfig, ConfigError } from './config';
export { dataConverterFromEnv } from './security/data-converter';

// The worker side is at subpaths, so that a client never loads @temporalio/worker, its native
// core or webpack: 'twelvelabs-temporal-uploads/worker' (createUploadWorkers, createActivities,
// TwelveLabsClient, AllowedRoots, WORKFLOWS_PATH), '/workflows', '/activities', '/emulator'.
