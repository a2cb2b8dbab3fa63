// The workflows a worker registers. Workflow code only: no Node APIs, no I/O.
export { multipartUploadWorkflow } from './multipart-upload';
