// How a workflow's end becomes the client's UploadFailedError: its typed reason (FailureType),
// or how Temporal ended it (Cancelled, Terminated, TimedOut).

import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import { UploadFailedError } from './errors';

export function toFailedError(workflowId: string, err: unknown): UploadFailedError {
  if (err instanceof UploadFailedError) return err;
  if (err instanceof WorkflowNotFoundError) return new UploadFailedError(workflowId, 'NotFound', err.message);
  if (!(err instanceof WorkflowFailedError)) {
    return new UploadFailedError(workflowId, 'Error', err instanceof Error ? err.message : String(err));
  }
  const cause = err.cause;
  if (cause instanceof CancelledFailure) return new UploadFailedError(workflowId, 'Cancelled', `${workflowId} was cancelled`);
  if (cause instanceof TerminatedFailure) return new UploadFailedError(workflowId, 'Terminated', `${workflowId} was terminated: ${cause.message}`);
  if (cause instanceof TimeoutFailure) return new UploadFailedError(workflowId, 'TimedOut', `${workflowId} timed out`);
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as { assetId?: unknown } | undefined;
    return new UploadFailedError(workflowId, cause.type ?? 'Error', cause.message, typeof details?.assetId === 'string' ? details.assetId : undefined);
  }
  return new UploadFailedError(workflowId, 'Error', cause?.message ?? err.message);
}

/** The innermost message of an error chain (an update's own ApplicationFailure, say). */
export function causeMessage(err: Error): string {
  let current: unknown = err;
  while (current instanceof Error && (current as { cause?: unknown }).cause instanceof Error) current = (current as { cause: Error }).cause;
  return current instanceof Error ? current.message : err.message;
}

/**
 * A call our own deadline cut short: gRPC DEADLINE_EXCEEDED, or CANCELLED, which is what the SDK's
 * `withDeadline` ends a call with, anywhere in the chain.
 */
export function isCutShort(err: unknown): boolean {
  for (let current = err; current instanceof Error; current = (current as { cause?: unknown }).cause) {
    const code = (current as { code?: unknown }).code;
    if (code === GRPC_CANCELLED || code === GRPC_DEADLINE_EXCEEDED) return true;
  }
  return false;
}

const GRPC_CANCELLED = 1;
const GRPC_DEADLINE_EXCEEDED = 4;
