// Pure decisions of batchUploadWorkflow: input checks, which entries go as a run of small files
// and how many, when a run continues as new, the totals and the Web UI details. No I/O, no clocks.

import { formatBytes } from '../domain/bytes';
import { baseName } from '../domain/names';
import {
  DEFAULT_BATCH_CONCURRENCY,
  MAX_BATCH_CONCURRENCY,
  MAX_BATCH_FAILURES_KEPT,
  MAX_INLINE_SOURCES,
  type BatchEntry,
  type BatchItem,
  type BatchSkipped,
  type BatchTotals,
  type BatchUploadInput,
} from '../domain/types';
import { MAX_DIRECT_BYTES } from '../twelvelabs/limits';
import type { FileRunInput } from '../activities/file-runs';
import { resolveUploadOptions, uploadInputProblems } from './upload-planning';

/** Files up to this size go in runs (one activity uploads several back to back); larger ones get an uploadWorkflow. */
export const SMALL_FILE_MAX_BYTES = 32 * 1024 * 1024;
/** A run holds at most this many files... */
export const MAX_RUN_FILES = 32;
/** ...and this many bytes, so a run ends in bounded time and a retry repeats little. */
export const MAX_RUN_BYTES = 256 * 1024 * 1024;
export const DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS = 5_000;
/** A run's items are its query answers and its result: bounded, whatever the batch's size. */
export const MAX_ITEMS_PER_RUN = 2_000;
export const DEFAULT_LIST_PAGE_ENTRIES = 500;
export const MAX_LIST_PAGE_ENTRIES = 2_000;
/** Finished items the progress query shows beside the running ones. */
export const RECENT_ITEMS_SHOWN = 50;

export function batchInputProblems(input: unknown): string[] {
  if (typeof input !== 'object' || input === null) return ['the input must be an object'];
  const value = input as Partial<BatchUploadInput>;
  const problems: string[] = [];
  const given = [value.sources, value.directory, value.list].filter((v) => v !== undefined).length;
  if (given !== 1) problems.push('give exactly one of sources, directory or list');
  if (value.sources !== undefined) {
    if (!Array.isArray(value.sources) || value.sources.length === 0) problems.push('sources must be a non-empty array');
    else if (value.sources.length > MAX_INLINE_SOURCES) {
      problems.push(`sources holds ${value.sources.length} entries; give at most ${MAX_INLINE_SOURCES} inline, or a longer list as list: { path } (one path or URL per line)`);
    } else {
      value.sources.forEach((source, i) => {
        for (const p of uploadInputProblems({ source })) problems.push(`sources[${i}]: ${p}`);
      });
    }
  }
  const pathOf = (name: string, v: unknown) => {
    const o = v as { path?: unknown } | null;
    if (typeof o !== 'object' || o === null || typeof o.path !== 'string' || o.path === '') problems.push(`${name}.path must be a non-empty string`);
  };
  if (value.directory !== undefined) {
    pathOf('directory', value.directory);
    const recursive = (value.directory as { recursive?: unknown } | null)?.recursive;
    if (recursive !== undefined && typeof recursive !== 'boolean') problems.push('directory.recursive must be a boolean');
  }
  if (value.list !== undefined) pathOf('list', value.list);
  if (value.upload !== undefined) {
    if ('source' in (value.upload as object)) problems.push('upload must not carry a source (each item has its own)');
    for (const p of uploadInputProblems({ ...value.upload, source: { path: 'x' } })) problems.push(`upload: ${p}`);
  }
  const integer = (name: keyof BatchUploadInput, min: number, max: number) => {
    const v = value[name];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)) problems.push(`${name} must be an integer from ${min} to ${max}`);
  };
  integer('maxConcurrentUploads', 1, MAX_BATCH_CONCURRENCY);
  integer('continueAsNewAfterEvents', 20, 50_000);
  integer('listPageEntries', 1, MAX_LIST_PAGE_ENTRIES);
  if (value.skipUploaded !== undefined && typeof value.skipUploaded !== 'boolean') problems.push('skipUploaded must be a boolean');
  return problems;
}

export function batchConcurrency(input: BatchUploadInput): number {
  return input.maxConcurrentUploads ?? DEFAULT_BATCH_CONCURRENCY;
}

/** Whether an entry goes in a run of small files (a local file up to the small-file bound). */
export function goesInRun(entry: BatchEntry, directMaxBytes: number = MAX_DIRECT_BYTES): boolean {
  if (entry.isUrl) return false;
  // A file the listing could not see (outside the roots, gone): its run reports why, cheaply.
  if (entry.sizeBytes === undefined) return true;
  return entry.sizeBytes <= Math.min(SMALL_FILE_MAX_BYTES, directMaxBytes);
}

/** Runs per slot the queue is cut into: a slot that finishes early takes more, so all end together. */
const RUNS_PER_SLOT = 3;

/**
 * How many of the queue's leading small files the next run takes: a share of the queue small
 * enough that the slots stay balanced to the end (a slow file delays one short run, not a third of
 * the batch), within MAX_RUN_FILES and MAX_RUN_BYTES.
 */
export function nextRunLength(queue: readonly BatchEntry[], concurrency: number, directMaxBytes?: number): number {
  const share = Math.max(1, Math.min(MAX_RUN_FILES, Math.ceil(queue.length / (concurrency * RUNS_PER_SLOT))));
  let bytes = 0;
  let n = 0;
  for (const entry of queue) {
    if (n >= share || !goesInRun(entry, directMaxBytes)) break;
    bytes += entry.sizeBytes ?? 0;
    if (n > 0 && bytes > MAX_RUN_BYTES) break;
    n++;
  }
  return n;
}

/** Whether this run hands over to a new one: its history or its items reached their bound. */
export function shouldContinueAsNew(params: { historyLength: number; limit: number; suggested: boolean; itemsThisRun: number }): boolean {
  return params.suggested || params.historyLength >= params.limit || params.itemsThisRun >= MAX_ITEMS_PER_RUN;
}

export function zeroBatchTotals(): BatchTotals {
  return { files: 0, waiting: 0, running: 0, completed: 0, failed: 0, cancelled: 0, alreadyUploaded: 0, totalBytes: 0, completedBytes: 0 };
}

export function newBatchItem(entry: BatchEntry): BatchItem {
  return {
    index: entry.index,
    source: entry.source,
    fileName: fileNameOf(entry),
    ...(entry.sizeBytes !== undefined ? { sizeBytes: entry.sizeBytes } : {}),
    state: 'waiting',
  };
}

function fileNameOf(entry: BatchEntry): string {
  if (!entry.isUrl) return baseName(entry.source) || String(entry.index);
  const last = entry.source.replace(/[?#].*$/, '').split('/').filter(Boolean).pop();
  return last ? decodeURIComponentSafe(last) : String(entry.index);
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * The workflow id of a large file's or URL's upload: under the batch's, readable in a list, and
 * named after the file's version when the listing saw it, so a re-run of the batch finds it.
 */
export function batchItemWorkflowId(batchWorkflowId: string, entry: { index: number; key?: string }, fileName: string): string {
  return `${batchWorkflowId}/${entry.key ?? entry.index + 1}-${fileName.replace(/[^\w.-]+/g, '_').slice(0, 80)}`;
}

/** What every run of small files is told: the batch's upload options, defaults filled in. */
export function runUploadOptions(input: BatchUploadInput): FileRunInput['upload'] {
  const upload = input.upload ?? {};
  const resolved = resolveUploadOptions({ ...upload, source: { path: 'x' } });
  return {
    ...(upload.enableHls !== undefined ? { enableHls: upload.enableHls } : {}),
    ...(upload.enableThumbnail !== undefined ? { enableThumbnail: upload.enableThumbnail } : {}),
    ...(upload.userMetadata !== undefined ? { userMetadata: upload.userMetadata } : {}),
    waitForReady: resolved.waitForReady,
    readyTimeoutMs: resolved.readyTimeoutMs,
    readyPollIntervalMs: resolved.readyPollIntervalMs,
    reconcileDelayMs: resolved.reconcileDelayMs,
  };
}

const SKIP_EXAMPLES = 5;

/** Sums the skip tallies of successive listing pages (a few examples per reason). */
export function mergeSkipped(into: readonly BatchSkipped[], page: readonly BatchSkipped[]): BatchSkipped[] {
  const merged = into.map((s) => ({ ...s, examples: [...s.examples] }));
  for (const s of page) {
    const found = merged.find((m) => m.reason === s.reason);
    if (!found) merged.push({ reason: s.reason, count: s.count, examples: s.examples.slice(0, SKIP_EXAMPLES) });
    else {
      found.count += s.count;
      for (const e of s.examples) if (found.examples.length < SKIP_EXAMPLES) found.examples.push(e);
    }
  }
  return merged;
}

/** Keeps the first MAX_BATCH_FAILURES_KEPT failures; counts the rest. */
export function recordFailure(failures: BatchItem[], omitted: number, item: BatchItem): { failures: BatchItem[]; omitted: number } {
  if (failures.length < MAX_BATCH_FAILURES_KEPT) return { failures: [...failures, item], omitted };
  return { failures, omitted: omitted + 1 };
}

/** The Web UI's "current details" of a batch, in Markdown: live counts, no history events. */
export function batchDetails(params: {
  phase: string;
  totals: BatchTotals;
  listingDone: boolean;
  maxConcurrentUploads: number;
  runs: number;
  skipped: readonly BatchSkipped[];
  assetsLeft?: readonly string[];
}): string {
  const { totals, phase } = params;
  const finished = totals.completed + totals.failed + totals.cancelled;
  const skippedCount = params.skipped.reduce((n, s) => n + s.count, 0);
  return [
    `**${finished} of ${totals.files}${params.listingDone ? '' : '+'} files** (${formatBytes(totals.completedBytes)} of ${formatBytes(totals.totalBytes)}) — ${phase}`,
    `- completed ${totals.completed}${totals.alreadyUploaded ? ` (${totals.alreadyUploaded} uploaded before)` : ''}, failed ${totals.failed}, cancelled ${totals.cancelled}, running ${totals.running}, waiting ${totals.waiting}`,
    `- ${params.maxConcurrentUploads} at once; run ${params.runs}${params.listingDone ? '' : '; still listing'}`,
    ...(skippedCount > 0 ? [`- skipped ${skippedCount}: ${params.skipped.map((s) => `${s.count} ${s.reason}`).join('; ')}`] : []),
    ...(params.assetsLeft && params.assetsLeft.length > 0
      ? [`- cancelled after their asset was created (the assets stay): ${params.assetsLeft.map((id) => `\`${id}\``).join(', ')}`]
      : []),
  ].join('\n');
}

/**
 * What a cancelled item says when its upload had already made its asset (the cancel came while it
 * was finishing): the asset stays at TwelveLabs, so the batch's answer must name it.
 */
export function cancelledWithAsset(assetId: string): { type: string; message: string } {
  return {
    type: 'CancelledAfterAssetCreated',
    message:
      `cancelled after its asset ${assetId} was created; the asset stays at TwelveLabs ` +
      `(tl-upload assets get ${assetId}; tl-upload assets delete ${assetId} if it is not wanted)`,
  };
}

/** Items cancelled after their asset was created: the assets a cancelled batch leaves. */
export function assetsLeftByCancel(items: readonly BatchItem[]): string[] {
  return items.filter((item) => item.state === 'cancelled' && item.assetId !== undefined).map((item) => item.assetId!);
}
