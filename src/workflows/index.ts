// The workflows a worker registers. Workflow code only: no Node APIs, no I/O.
export { multipartUploadWorkflow } from './multipart-upload';
export { uploadWorkflow } from './upload';
export { batchUploadWorkflow } from './batch-upload';
export { assetCallWorkflow } from './asset-call';
export { sourceIdentityWorkflow } from './source-identity';
