// Exit codes of tl-upload, and which failure gets which. Scripts rely on these: keep them stable.

import { NamespaceNotFoundError } from '@temporalio/common';
import { NotFoundError, UnavailableError, UploadFailedError, UsageError } from '../client/errors';
import { ConfigError } from '../config';

export const EXIT = {
  ok: 0,
  /** The upload, batch (any file) or call failed, or was cancelled. */
  failed: 1,
  /** Bad command line or configuration. */
  usage: 2,
  /** No such upload (workflow id) or asset. */
  notFound: 3,
  /** Temporal cannot be reached, or no worker answered. */
  unavailable: 4,
  /** Interrupted (Ctrl-C) while watching; the upload itself goes on. */
  interrupted: 130,
} as const;

/**
 * The one rule for how an upload or batch ended, for every command and output mode (watch,
 * watch --json, upload --json --wait, status): running or completed is 0, except that a batch
 * in which any file failed or was cancelled is 1, like a failed or cancelled upload.
 */
export function outcomeExitCode(executionStatus: string, batchTotals?: { failed: number; cancelled: number }): number {
  if (executionStatus !== 'RUNNING' && executionStatus !== 'COMPLETED') return EXIT.failed;
  if (executionStatus === 'COMPLETED' && batchTotals && batchTotals.failed + batchTotals.cancelled > 0) return EXIT.failed;
  return EXIT.ok;
}

/** A command-line problem: printed with a hint to `--help`, exit code 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

export interface ClassifiedError {
  exitCode: number;
  /** Stable, for --json output. */
  code: string;
  type?: string;
  message: string;
}

export function classifyError(err: unknown): ClassifiedError {
  if (err instanceof CliUsageError || err instanceof UsageError) return { exitCode: EXIT.usage, code: 'usage', message: err.message };
  if (err instanceof ConfigError) return { exitCode: EXIT.usage, code: 'config', message: `configuration error: ${err.message}` };
  if (err instanceof NamespaceNotFoundError) {
    return { exitCode: EXIT.usage, code: 'config', message: `configuration error: namespace ${err.namespace} does not exist on this Temporal server (check --namespace or TEMPORAL_NAMESPACE)` };
  }
  if (err instanceof NotFoundError) return { exitCode: EXIT.notFound, code: 'not-found', message: err.message };
  if (err instanceof UnavailableError) return { exitCode: EXIT.unavailable, code: 'unavailable', message: err.message };
  if (err instanceof UploadFailedError) return { exitCode: EXIT.failed, code: 'failed', type: err.type, message: `${err.type}: ${err.message}` };
  const parse = (err as { code?: unknown })?.code;
  if (typeof parse === 'string' && parse.startsWith('ERR_PARSE_ARGS')) return { exitCode: EXIT.usage, code: 'usage', message: (err as Error).message };
  const grpc = (err as { code?: unknown })?.code;
  if (grpc === 14 || /UNAVAILABLE|ECONNREFUSED|failed to connect/i.test(String((err as Error)?.message))) {
    return { exitCode: EXIT.unavailable, code: 'unavailable', message: `Temporal is not reachable: ${(err as Error).message}` };
  }
  return { exitCode: EXIT.failed, code: 'error', message: err instanceof Error ? err.message : String(err) };
}
