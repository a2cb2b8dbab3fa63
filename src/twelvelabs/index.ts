// Public surface of the TwelveLabs v1.3 upload API client. See client.ts for the API calls,
// chunk-put.ts for the presigned PUT and errors.ts for every failure type.

export {
  TwelveLabsClient,
  TWELVELABS_PRODUCTION_BASE_URL,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_UPLOAD_TIMEOUT_MS,
  DEFAULT_USER_AGENT,
  type TwelveLabsClientOptions,
  type CallOptions,
  type ChunkStatusIterationOptions,
  type DeleteAssetOptions,
} from './client';
export { putChunk, type PutChunkOptions, type PutChunkResult } from './chunk-put';
export {
  TwelveLabsClientError,
  TwelveLabsApiError,
  InvalidResponseError,
  InvalidRequestError,
  ChunkPutError,
  AssetUploadRejectedError,
  isRetryableStatus,
  httpFailureIsAmbiguous,
  type ApiFailureKind,
  type ChunkPutFailureReason,
} from './errors';
export {
  ASSET_UPLOAD_CODES,
  isAssetUploadCode,
  assetUploadCodeOf,
  type AssetUploadCode,
  type AssetUploadErrorClass,
  type AssetUploadReason,
} from './asset-upload-codes';
export { createTwelveLabsAgent, getSharedDispatcher, closeSharedDispatcher, DEFAULT_AGENT_OPTIONS } from './dispatcher';
export { normalizeTimestamp, parseRfc3339Ms, timestampToEpochMs, type IsoTimestamp } from './timestamps';
export { parseRetryAfterMs, parseRateLimitResetMs, retryAfterMsFromHeaders } from './retry-after';
export { parseS3ErrorXml, classifyS3Failure, type S3ErrorBody, type ChunkPutClassification } from './s3-error';
export { displayUrl, redact } from './redact';
export { guessContentType } from './multipart-form';
export * from './wire';
export * from './limits';
