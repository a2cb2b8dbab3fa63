// Pure decisions of batchUploadWorkflow: input checks, the items' workflow ids, the totals the
// progress query reports. No I/O, no clocks.

import { baseName } from '../domain/names';
import {
  DEFAULT_BATCH_CONCURRENCY,
  MAX_BATCH_CONCURRENCY,
  MAX_BATCH_FILES,
  type BatchItem,
  type BatchTotals,
  type BatchUploadInput,
  type UploadSource,
} from '../domain/types';
import { uploadInputProblems } from './upload-planning';
import { formatBytes } from '../domain/bytes';
import { isUrlSource, uploadFileName } from '../domain/names';

export function batchInputProblems(input: unknown): string[] {
  if (typeof input !== 'object' || input === null) return ['the input must be an object'];
  const value = input as Partial<BatchUploadInput>;
  const problems: string[] = [];
  const hasSources = value.sources !== undefined;
  const hasDirectory = value.directory !== undefined;
  if (hasSources === hasDirectory) problems.push('give either sources or directory (exactly one)');
  if (hasSources) {
    if (!Array.isArray(value.sources) || value.sources.length === 0) problems.push('sources must be a non-empty array');
    else if (value.sources.length > MAX_BATCH_FILES) problems.push(`sources holds ${value.sources.length} entries; one batch takes at most ${MAX_BATCH_FILES}`);
    else {
      value.sources.forEach((source, i) => {
        for (const p of uploadInputProblems({ source })) problems.push(`sources[${i}]: ${p}`);
      });
    }
  }
  if (hasDirectory) {
    const dir = value.directory as { path?: unknown; recursive?: unknown };
    if (typeof dir !== 'object' || dir === null || typeof dir.path !== 'string' || dir.path === '') {
      problems.push('directory.path must be a non-empty string');
    } else if (dir.recursive !== undefined && typeof dir.recursive !== 'boolean') {
      problems.push('directory.recursive must be a boolean');
    }
  }
  if (value.upload !== undefined) {
    if ('source' in (value.upload as object)) problems.push('upload must not carry a source (each item has its own)');
    for (const p of uploadInputProblems({ ...value.upload, source: { path: 'x' } })) problems.push(`upload: ${p}`);
  }
  const c = value.maxConcurrentUploads;
  if (c !== undefined && (typeof c !== 'number' || !Number.isInteger(c) || c < 1 || c > MAX_BATCH_CONCURRENCY)) {
    problems.push(`maxConcurrentUploads must be an integer from 1 to ${MAX_BATCH_CONCURRENCY}`);
  }
  return problems;
}

export function batchConcurrency(input: BatchUploadInput): number {
  return input.maxConcurrentUploads ?? DEFAULT_BATCH_CONCURRENCY;
}

/** The workflow id of item `index`: under the batch's, and readable in a list. */
export function batchItemWorkflowId(batchWorkflowId: string, index: number, fileName: string): string {
  return `${batchWorkflowId}/${index + 1}-${fileName.replace(/[^\w.-]+/g, '_').slice(0, 80)}`;
}

export function newBatchItem(batchWorkflowId: string, index: number, source: UploadSource, sizeBytes?: number): BatchItem {
  const fileName = uploadFileName({ source });
  return {
    index,
    source: isUrlSource(source) ? source.url : source.path,
    fileName: fileName || baseName(String(index)),
    ...(sizeBytes !== undefined ? { sizeBytes } : {}),
    workflowId: batchItemWorkflowId(batchWorkflowId, index, fileName),
    state: 'waiting',
  };
}

export function batchTotals(items: readonly BatchItem[]): BatchTotals {
  const totals: BatchTotals = { files: items.length, waiting: 0, running: 0, completed: 0, failed: 0, cancelled: 0, totalBytes: 0, completedBytes: 0 };
  for (const item of items) {
    totals[item.state]++;
    totals.totalBytes += item.sizeBytes ?? 0;
    if (item.state === 'completed') totals.completedBytes += item.sizeBytes ?? 0;
  }
  return totals;
}

/** The Web UI's "current details" of a batch, in Markdown. */
export function batchDetails(phase: string, totals: BatchTotals, maxConcurrentUploads: number, assetsLeft: readonly string[] = []): string {
  return [
    `**${totals.files} files** (${formatBytes(totals.totalBytes)}) — ${phase}`,
    `- completed ${totals.completed}, failed ${totals.failed}, running ${totals.running}, waiting ${totals.waiting}`,
    `- ${maxConcurrentUploads} at once`,
    ...(assetsLeft.length > 0 ? [`- cancelled after their asset was created (the assets stay): ${assetsLeft.map((id) => `\`${id}\``).join(', ')}`] : []),
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
