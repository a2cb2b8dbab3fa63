// The failures the client library raises, each with a stable `code` the CLI maps to an exit code
// and a message that says what to do.

/** The upload, batch or call failed (or was cancelled) with a typed reason (FailureType). */
export class UploadFailedError extends Error {
  override readonly name = 'UploadFailedError';
  readonly code = 'failed';
  constructor(
    readonly workflowId: string,
    /** A FailureType, or `Cancelled`, `Terminated`, `TimedOut`. */
    readonly type: string,
    message: string,
    /** The asset id, when the failure came after the asset existed (AssetFailed, AssetNotReady). */
    readonly assetId?: string,
  ) {
    super(message);
  }
}

/** No workflow (or asset) with this id. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  readonly code = 'not-found';
}

/** The request cannot work as given (wrong kind of workflow, value out of range, ...). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'usage';
}

/** Temporal did not answer, or no worker picked the call up in time. */
export class UnavailableError extends Error {
  override readonly name = 'UnavailableError';
  readonly code = 'unavailable';
}
