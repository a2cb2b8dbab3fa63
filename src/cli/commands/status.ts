// `tl-upload status <id>` (one snapshot) and `tl-upload watch <id>` (until the upload ends).

import type { LiveProgress } from '../../client/types';
import type { Command } from '../command';
import { EXIT, outcomeExitCode } from '../exit-codes';
import { follow, skipLines } from '../follow';
import { formatBytes } from '../format';
import { linkLine, note, printJson, println, type CliIo } from '../io';
import { intFlag, parse, positionals, workerTimeoutFlag } from '../parse';
import { progressLine } from '../progress-bar';

export const statusCommand: Command = async (argv, io, connect) => {
  const parsed = parse(argv, {});
  const [workflowId] = positionals(parsed.positionals, ['workflow-id']);
  const client = await connect();
  const progress = await client.progress(workflowId!);
  if (parsed.values.json) printJson(io, progress);
  else printStatus(io, progress, client.webUiLink(workflowId!));
  // No worker answered: not a failure of the upload (it waits), but this command has no live answer.
  if (progress.noWorker) {
    note(io, `tl-upload status: ${progress.noWorker.message}`);
    return EXIT.unavailable;
  }
  return outcomeExitCode(progress.executionStatus, progress.batch?.totals);
};

export const watchCommand: Command = async (argv, io, connect) => {
  const parsed = parse(argv, { 'interval-ms': { type: 'string' }, 'worker-timeout': { type: 'string' } });
  const [workflowId] = positionals(parsed.positionals, ['workflow-id']);
  const intervalMs = intFlag('interval-ms', parsed.values['interval-ms'], 100, 60_000);
  const workerTimeoutMs = workerTimeoutFlag(parsed.values['worker-timeout']);
  const client = await connect();
  return follow(io, client, workflowId!, {
    json: parsed.values.json ?? false,
    ...(intervalMs !== undefined ? { intervalMs } : {}),
    ...(workerTimeoutMs !== undefined ? { workerTimeoutMs } : {}),
  });
};

function printStatus(io: CliIo, p: LiveProgress, link: string | undefined): void {
  println(io, statusHeadline(p));
  println(io, p.noWorker && p.sentBytes === 0 ? 'bytes sent: unknown until a worker answers' : progressLine(p));
  if (p.inFlightBytes > 0) println(io, `in flight: ${formatBytes(p.inFlightBytes)} inside running transfers`);
  if (p.concurrency !== undefined) println(io, `concurrency: ${p.concurrency}${p.paused ? ' (paused)' : ''}`);
  if (p.batch) {
    const t = p.batch.totals;
    const of = p.batch.listingDone ? `${t.files}` : `${t.files} listed so far`;
    println(io, `files: ${t.completed} completed, ${t.failed} failed, ${t.cancelled} cancelled, ${t.running} running, ${t.waiting} waiting of ${of}${p.batch.runs > 1 ? ` (run ${p.batch.runs})` : ''}`);
    for (const line of skipLines(p.batch)) println(io, line);
  }
  if (p.assetId) println(io, `asset id: ${p.assetId}`);
  if (p.retrying) println(io, `retrying: ${p.retrying.activityType}, attempt ${p.retrying.attempt}: ${p.retrying.lastError}`);
  if (p.error) println(io, `error: ${p.error.type}: ${p.error.message}`);
  if (p.assetLeft) println(io, assetLeftLine(p.assetLeft));
  if (link) println(io, linkLine(io.stdout, 'workflow', link));
}

/**
 * `upload <id>: running, uploading (multipart)`; a phase that only repeats Temporal's status is
 * said once: `completed (multipart)`, not `completed, completed (multipart)`.
 */
export function statusHeadline(p: Pick<LiveProgress, 'kind' | 'workflowId' | 'executionStatus' | 'phase' | 'route'>): string {
  const status = p.executionStatus.toLowerCase().replace('_', '-');
  const state = p.phase === status ? status : `${status}, ${p.phase}`;
  return `${p.kind} ${p.workflowId}: ${state}${p.route ? ` (${p.route})` : ''}`;
}

/** What a failed or cancelled upload left at TwelveLabs, in one line a person can act on. */
export function assetLeftLine(left: NonNullable<LiveProgress['assetLeft']>): string {
  if (left.action === 'deleted') return `asset ${left.assetId}: deleted (the upload cleaned up after itself)`;
  const why = left.reason ? ` (${left.reason})` : '';
  return `asset ${left.assetId}: ${left.action === 'kept' ? 'kept' : 'left'}${why}; delete it with \`tl-upload assets delete ${left.assetId}\` if unwanted`;
}
