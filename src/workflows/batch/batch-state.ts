// What batchUploadWorkflow knows, in one class: the queue of listed entries, this run's items,
// the totals and failures of every run so far, the controls (pause, concurrency), and what it
// shows (query, Web UI details) and hands the next run at continue-as-new.

import { condition } from '@temporalio/workflow';
import type { ListBatchPage } from '../../activities/batch-listing';
import {
  type BatchCarried,
  type BatchEntry,
  type BatchItem,
  type BatchPhase,
  type BatchProgress,
  type BatchSkipped,
  type BatchTotals,
  type BatchUploadInput,
  type BatchUploadResult,
} from '../../domain/types';
import { assetsLeftByCancel, batchConcurrency, batchDetails, newBatchItem, recordFailure, RECENT_ITEMS_SHOWN, zeroBatchTotals } from '../batch-planning';
import type { PhasePublisher } from '../phase-publisher';

/** What a finished file reports to the state. */
export interface ItemOutcome {
  state: 'completed' | 'failed' | 'cancelled';
  assetId?: string;
  sizeBytes?: number;
  alreadyUploaded?: boolean;
  route?: BatchItem['route'];
  error?: { type: string; message: string };
}

export class BatchState {
  phase: BatchPhase = 'listing';
  paused: boolean;
  concurrency: number;
  totals: BatchTotals;
  queue: BatchEntry[];
  cursor: string | undefined;
  listingDone: boolean;
  listed: number;
  failures: BatchItem[];
  failuresOmitted: number;
  skipped: BatchSkipped[];
  readonly runIds: string[];
  readonly startedAt: string;
  completedAt: string | undefined;
  error: { type: string; message: string } | undefined;
  /** This run's items, by index. */
  readonly items = new Map<number, BatchItem>();
  /** Lanes and child uploads running now. */
  active = 0;
  /** No new work starts: the run is handing over to the next (continue-as-new). */
  draining = false;
  /** The batch itself was cancelled (not a pause): unfinished files end cancelled. */
  cancelling = false;
  private readonly recent: number[] = [];
  private changes = 0;

  constructor(
    input: BatchUploadInput,
    private readonly publish: PhasePublisher,
    runId: string,
    now: string,
  ) {
    const c = input.carried;
    this.paused = c?.paused ?? false;
    this.concurrency = c?.maxConcurrentUploads ?? batchConcurrency(input);
    this.totals = c ? { ...c.totals } : zeroBatchTotals();
    this.queue = c ? [...c.queue] : [];
    this.cursor = c?.cursor;
    this.listingDone = c?.listingDone ?? false;
    this.listed = c?.listed ?? 0;
    this.failures = c ? [...c.failures] : [];
    this.failuresOmitted = c?.failuresOmitted ?? 0;
    this.skipped = c ? c.skipped.map((s) => ({ ...s })) : [];
    this.runIds = [...(c?.runIds ?? []), runId];
    this.startedAt = c?.startedAt ?? now;
    if (c) this.phase = 'uploading';
  }

  /** Something changed: the main loop looks again, and the Web UI details follow (no history events). */
  changed(): void {
    this.changes++;
    this.show();
  }

  /** Waits until something changes (a file finished, a control arrived, a page was listed). */
  async nextChange(): Promise<void> {
    const seen = this.changes;
    await condition(() => this.changes !== seen);
  }

  shownPhase(): BatchPhase {
    return this.phase === 'uploading' && this.paused ? 'paused' : this.phase;
  }

  show(): void {
    const phase = this.shownPhase();
    this.publish(
      phase,
      batchDetails({
        phase,
        totals: this.totals,
        listingDone: this.listingDone,
        maxConcurrentUploads: this.concurrency,
        runs: this.runIds.length,
        skipped: this.skipped,
        assetsLeft: assetsLeftByCancel(this.failures),
      }),
    );
  }

  /** A listing page: its entries join the queue, numbered in listing order. */
  addPage(page: ListBatchPage, nextCursor: string | undefined, skipped: BatchSkipped[]): void {
    for (const entry of page.entries) {
      this.queue.push({ index: this.listed++, source: entry.source, ...(entry.isUrl ? { isUrl: true } : {}), ...(entry.sizeBytes !== undefined ? { sizeBytes: entry.sizeBytes } : {}), ...(entry.key !== undefined ? { key: entry.key } : {}) });
      this.totals.files++;
      this.totals.waiting++;
      this.totals.totalBytes += entry.sizeBytes ?? 0;
    }
    this.skipped = skipped;
    this.cursor = nextCursor;
    this.listingDone = page.done;
    if (this.phase === 'listing') this.phase = 'uploading';
    this.changed();
  }

  /** Takes the queue's first `count` entries and marks them running. */
  take(count: number): Array<{ entry: BatchEntry; item: BatchItem }> {
    return this.queue.splice(0, count).map((entry) => {
      const item = this.items.get(entry.index) ?? newBatchItem(entry);
      item.state = 'running';
      this.items.set(entry.index, item);
      this.totals.waiting--;
      this.totals.running++;
      return { entry, item };
    });
  }

  finish(item: BatchItem, outcome: ItemOutcome): void {
    if (item.state !== 'running') return;
    this.totals.running--;
    item.state = outcome.state;
    if (outcome.assetId !== undefined) item.assetId = outcome.assetId;
    if (outcome.route !== undefined) item.route = outcome.route;
    if (outcome.error !== undefined) item.error = outcome.error;
    if (outcome.sizeBytes !== undefined && item.sizeBytes === undefined) this.totals.totalBytes += outcome.sizeBytes;
    if (outcome.sizeBytes !== undefined) item.sizeBytes = outcome.sizeBytes;
    if (outcome.alreadyUploaded) {
      item.alreadyUploaded = true;
      this.totals.alreadyUploaded++;
    }
    this.totals[outcome.state]++;
    if (outcome.state === 'completed') this.totals.completedBytes += item.sizeBytes ?? 0;
    else ({ failures: this.failures, omitted: this.failuresOmitted } = recordFailure(this.failures, this.failuresOmitted, item));
    this.recent.push(item.index);
    if (this.recent.length > RECENT_ITEMS_SHOWN) this.recent.shift();
  }

  /** Entries whose run stopped before them (a pause): back to the front of the queue. */
  requeue(entries: BatchEntry[]): void {
    for (const entry of entries) {
      const item = this.items.get(entry.index);
      if (item?.state !== 'running') continue;
      item.state = 'waiting';
      this.totals.running--;
      this.totals.waiting++;
    }
    this.queue.unshift(...entries);
  }

  /** A cancelled batch: what never started ends cancelled too. */
  cancelWaiting(): void {
    for (const entry of this.queue) {
      const item = this.items.get(entry.index) ?? newBatchItem(entry);
      item.state = 'cancelled';
      this.items.set(entry.index, item);
      this.totals.waiting--;
      this.totals.cancelled++;
    }
    this.queue = [];
  }

  progress(): BatchProgress {
    const shown = [...this.items.values()].filter((i) => i.state === 'running' || i.state === 'waiting');
    for (const index of this.recent) {
      const item = this.items.get(index);
      if (item && item.state !== 'running' && item.state !== 'waiting') shown.push(item);
    }
    shown.sort((a, b) => a.index - b.index);
    return {
      phase: this.shownPhase(),
      items: shown,
      failures: this.failures,
      failuresOmitted: this.failuresOmitted,
      totals: this.totals,
      skipped: this.skipped,
      listingDone: this.listingDone,
      maxConcurrentUploads: this.concurrency,
      paused: this.paused,
      runs: this.runIds.length,
      runIds: this.runIds,
      startedAt: this.startedAt,
      ...(this.completedAt ? { completedAt: this.completedAt } : {}),
      ...(this.error ? { error: this.error } : {}),
    };
  }

  /** This run's items from `offset`, in index order: how a client reads every asset, page by page. */
  itemsPage(offset: number, limit: number): BatchItem[] {
    return [...this.items.values()].sort((a, b) => a.index - b.index).slice(offset, offset + limit);
  }

  carried(): BatchCarried {
    return {
      ...(this.cursor !== undefined ? { cursor: this.cursor } : {}),
      listingDone: this.listingDone,
      queue: this.queue,
      listed: this.listed,
      totals: this.totals,
      failures: this.failures,
      failuresOmitted: this.failuresOmitted,
      skipped: this.skipped,
      maxConcurrentUploads: this.concurrency,
      paused: this.paused,
      runIds: this.runIds,
      startedAt: this.startedAt,
    };
  }

  result(): BatchUploadResult {
    return {
      items: this.itemsPage(0, this.items.size),
      failures: this.failures,
      failuresOmitted: this.failuresOmitted,
      totals: this.totals,
      skipped: this.skipped,
      runIds: this.runIds,
      startedAt: this.startedAt,
      completedAt: this.completedAt!,
    };
  }
}
