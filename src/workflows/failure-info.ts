// Reading a typed reason out of whatever a workflow caught: an activity or child-workflow failure
// wraps the ApplicationFailure that names the reason. Workflow-safe.

import { ApplicationFailure } from '@temporalio/workflow';

/** The `type` of the first ApplicationFailure in the cause chain, if any. */
export function failureTypeOf(err: unknown): string | undefined {
  let current: unknown = err;
  while (current instanceof Error) {
    if (current instanceof ApplicationFailure && current.type) return current.type;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The message of the first ApplicationFailure in the cause chain, else the error's own. */
export function messageOf(err: unknown): string {
  let current: unknown = err;
  while (current instanceof Error) {
    if (current instanceof ApplicationFailure) return current.message;
    current = (current as { cause?: unknown }).cause;
  }
  return err instanceof Error ? err.message : String(err);
}

export function failureSummary(err: unknown): { type: string; message: string } {
  return { type: failureTypeOf(err) ?? 'Error', message: messageOf(err) };
}

/** Fails the workflow with the typed reason itself (and its details), not with the wrapper around it. */
export function asTypedFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  let current: unknown = err;
  while (current instanceof Error && !(current instanceof ApplicationFailure && current.type)) {
    current = (current as { cause?: unknown }).cause;
  }
  if (!(current instanceof ApplicationFailure)) return err;
  return ApplicationFailure.create({
    type: current.type!,
    message: current.message,
    nonRetryable: true,
    ...(current.details && current.details.length > 0 ? { details: [...current.details] } : {}),
    cause: err as Error,
  });
}
