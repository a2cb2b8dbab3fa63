// Following an upload to its end, as `upload` and `watch` do: the live progress bar on stderr (or
// one JSON line per update on stdout), then the outcome (asset id, or each file of a batch) and
// the Web UI link. While no worker serves the upload, it says so and keeps waiting.

import { setTimeout as sleep } from 'node:timers/promises';
import { UploadFailedError, type UploadClient } from '../client';
import { noWorker } from '../client/task-queue';
import type { BatchUploadResult, UploadResult } from '../domain/types';
import type { LiveProgress } from '../client/types';
import { EXIT, outcomeExitCode } from './exit-codes';
import { formatBytes, table } from './format';
import { linkLine, note, printJsonLine, println, showsProgress, type CliIo } from './io';
import { ProgressRenderer } from './progress-bar';
import { WorkerWait } from './worker-wait';

export interface FollowOptions {
  json: boolean;
  intervalMs?: number;
  /** Give up (exit 4) once no worker has served the upload for this long; default: wait. */
  workerTimeoutMs?: number;
}

/** Watches until the workflow closes (or Ctrl-C); returns the exit code. */
export async function follow(io: CliIo, client: UploadClient, workflowId: string, options: FollowOptions): Promise<number> {
  const renderer = !options.json && showsProgress(io) ? new ProgressRenderer(io.stderr) : undefined;
  const waiting = new WorkerWait(io, workflowId, options.workerTimeoutMs, () => renderer?.finish());
  let last: LiveProgress | undefined;
  try {
    for await (const progress of client.watch(workflowId, { intervalMs: options.intervalMs ?? 500, signal: io.interrupt })) {
      // A call that keeps failing (an outage): say which and why, once per new attempt.
      const retrying = progress.retrying;
      if (!options.json && retrying && (retrying.attempt !== last?.retrying?.attempt || retrying.activityType !== last?.retrying?.activityType)) {
        note(io, `retrying ${retrying.activityType}, attempt ${retrying.attempt}: ${retrying.lastError}`);
      }
      last = progress;
      waiting.observe(progress.noWorker);
      if (options.json) printJsonLine(io, progress);
      else renderer?.draw(progress);
    }
  } finally {
    renderer?.finish();
  }
  if (io.interrupt.aborted || !last) {
    note(io, `stopped watching; the upload goes on: tl-upload watch ${workflowId}`);
    return EXIT.interrupted;
  }
  if (options.json) return outcomeExitCode(last.executionStatus, last.batch?.totals);
  return reportOutcome(io, client, workflowId);
}

/** How often `--wait` asks Temporal whether a worker polls the queue. */
const PRESENCE_CHECK_MS = 2_000;

/**
 * The result, as `upload --wait` waits for it: says on stderr what it waits for, and whether a
 * worker serves the queue. Resolves to undefined when interrupted (Ctrl-C).
 */
export async function waitForResult(
  io: CliIo,
  client: UploadClient,
  workflowId: string,
  workerTimeoutMs: number | undefined,
): Promise<UploadResult | BatchUploadResult | undefined> {
  note(io, `waiting for ${workflowId} to finish (Ctrl-C stops waiting; the upload goes on)`);
  const waiting = new WorkerWait(io, workflowId, workerTimeoutMs);
  const stop = new AbortController();
  const interrupted = new Promise<undefined>((resolve) => {
    if (io.interrupt.aborted) resolve(undefined);
    io.interrupt.addEventListener('abort', () => resolve(undefined), { once: true });
  });
  const watchdog = (async (): Promise<never> => {
    for (;;) {
      const presence = await client.workerPresence();
      if (stop.signal.aborted) throw stop.signal.reason; // the result came first: no late note
      waiting.observe(presence.polling ? undefined : noWorker(presence));
      await sleep(PRESENCE_CHECK_MS, undefined, { signal: stop.signal });
    }
  })();
  watchdog.catch(() => undefined); // settled by the race below, or ended by `stop`
  try {
    return await Promise.race([client.result(workflowId), watchdog, interrupted]);
  } finally {
    stop.abort();
  }
}

/** Prints how the upload ended: the asset (or each file of a batch), or the typed error. */
async function reportOutcome(io: CliIo, client: UploadClient, workflowId: string): Promise<number> {
  const link = client.webUiLink(workflowId);
  try {
    const result = await client.result(workflowId);
    if ('items' in result) {
      printBatch(io, result);
      if (link) println(io, linkLine(io.stdout, 'workflow', link));
      return outcomeExitCode('COMPLETED', result.totals);
    }
    printUpload(io, result);
    println(io, `asset id: ${result.assetId}`);
    println(io, linkLine(io.stdout, 'workflow', link ?? workflowId));
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof UploadFailedError)) throw err;
    io.stderr.write(`✗ ${workflowId} ${err.type === 'Cancelled' ? 'was cancelled' : `failed: ${err.type}: ${err.message}`}\n`);
    if (err.assetId) io.stderr.write(`  asset id: ${err.assetId}\n`);
    io.stderr.write(`${linkLine(io.stderr, 'workflow', link ?? workflowId, '  ')}\n`);
    return EXIT.failed;
  }
}

function printUpload(io: CliIo, result: UploadResult): void {
  const size = result.totalBytes !== undefined ? ` (${formatBytes(result.totalBytes)})` : '';
  const how = result.route === 'multipart' && result.multipart ? `multipart upload, ${result.multipart.totalChunks} chunks` : `${result.route} upload`;
  println(io, `✓ uploaded ${result.fileName}${size}: ${how}; asset ${result.assetStatus}${result.reconciled ? ' (adopted after an ambiguous create)' : ''}`);
}

/** Files listed one by one up to this many; a larger batch lists its failures and the counts. */
const BATCH_ROWS_SHOWN = 50;

function printBatch(io: CliIo, result: BatchUploadResult): void {
  const t = result.totals;
  const all = t.files <= BATCH_ROWS_SHOWN && result.runIds.length <= 1;
  const shown = all ? result.items : result.failures;
  if (shown.length > 0) {
    const rows = [['', 'FILE', 'SIZE', 'ASSET OR ERROR']];
    for (const item of shown) {
      rows.push([
        item.state === 'completed' ? '✓' : '✗',
        item.fileName,
        item.sizeBytes !== undefined ? formatBytes(item.sizeBytes) : '-',
        item.assetId && item.state === 'completed'
          ? `${item.assetId}${item.alreadyUploaded ? ' (uploaded before)' : ''}`
          : item.error
            ? `${item.error.type}: ${item.error.message}`
            : (item.assetId ?? item.state),
      ]);
    }
    println(io, table(rows));
  }
  if (!all && result.failuresOmitted > 0) println(io, `… and ${result.failuresOmitted} more failures (tl-upload status lists the first ${result.failures.length})`);
  println(
    io,
    `${t.completed} of ${t.files} files uploaded (${formatBytes(t.completedBytes)})${t.failed ? `, ${t.failed} failed` : ''}${t.cancelled ? `, ${t.cancelled} cancelled` : ''}`,
  );
  for (const line of skipLines(result)) println(io, line);
  if (!all) println(io, `every file's asset: tl-upload status --json, or the client library's batchItems() (${result.runIds.length} runs)`);
}

/** What a batch did not upload, and why: files uploaded before, and entries that are not media files. */
export function skipLines(result: Pick<BatchUploadResult, 'totals' | 'skipped'>): string[] {
  const lines: string[] = [];
  if (result.totals.alreadyUploaded > 0) {
    lines.push(`skipped ${result.totals.alreadyUploaded} files uploaded before and unchanged since: not uploaded again (their assets are listed)`);
  }
  for (const s of result.skipped) {
    lines.push(`skipped ${s.count} ${s.count === 1 ? 'entry' : 'entries'}: ${s.reason} (${s.examples.join(', ')}${s.count > s.examples.length ? ', …' : ''})`);
  }
  return lines;
}
