// Runs of small files: one uploadFileRun activity uploads several files back to back (A1 direct),
// so a file costs the batch a share of one activity's events instead of a workflow of its own.
// Each run has its own cancellation scope: a pause cancels the runs, which stop within the file
// they are sending and return what they finished; the rest goes back to the queue, the file that
// was on the way marked to be looked for (its asset may exist) before it is created again.

import { CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import type { FileOutcome, FileRunInput, FileRunResult } from '../../activities/file-runs';
import type { BatchEntry, BatchItem } from '../../domain/types';
import { fileRunOptions } from '../activity-options';
import { cancelledWithAsset } from '../batch-planning';
import { failureSummary } from '../failure-info';
import type { BatchState } from './batch-state';

type Activities = ReturnType<typeof createActivities>;

export class FileRunLanes {
  private readonly runs = new Set<{ scope: CancellationScope; done: Promise<void> }>();
  private readonly activities: Activities;

  constructor(
    private readonly state: BatchState,
    private readonly upload: FileRunInput['upload'],
    private readonly skipUploaded: boolean,
    fileTaskQueue: string | undefined,
  ) {
    this.activities = proxyActivities<Activities>(fileRunOptions(fileTaskQueue));
  }

  /** Starts a run of the queue's first `count` entries (all small files). */
  start(count: number): void {
    const taken = this.state.take(count);
    const scope = new CancellationScope();
    const run = { scope, done: Promise.resolve() };
    this.state.active++;
    run.done = (async () => {
      try {
        const result = await scope.run(() =>
          this.activities.uploadFileRun({
            files: taken.map(({ entry }) => ({ index: entry.index, path: entry.source, ...(entry.lookFirst ? { lookFirst: true } : {}) })),
            upload: this.upload,
            skipUploaded: this.skipUploaded,
          }),
        );
        this.settle(taken, result);
      } catch (err) {
        this.settleFailed(taken, err);
      } finally {
        this.runs.delete(run);
        this.state.active--;
        this.state.changed();
      }
    })();
    this.runs.add(run);
  }

  /** A pause: every run stops within the file it is sending. */
  stopAll(): void {
    for (const run of this.runs) run.scope.cancel();
  }

  /** Resolves once every run has really stopped. */
  async settled(): Promise<void> {
    await Promise.all([...this.runs].map((r) => r.done));
  }

  private settle(taken: Array<{ entry: BatchEntry; item: BatchItem }>, result: FileRunResult): void {
    const outcomes = new Map<number, FileOutcome>(result.outcomes.map((o) => [o.index, o]));
    const left: BatchEntry[] = [];
    for (const { entry, item } of taken) {
      const outcome = outcomes.get(entry.index);
      if (outcome?.readyUnknown && this.state.cancelling) {
        this.state.finish(item, { state: 'cancelled', assetId: outcome.assetId!, error: cancelledWithAsset(outcome.assetId!) });
      } else if (outcome?.readyUnknown) {
        // Paused while its asset was processing: found again by its token, then waited for.
        left.push({ ...entry, lookFirst: true });
      } else if (outcome) this.state.finish(item, toItemOutcome(outcome));
      else left.push(entry.index === result.interrupted ? { ...entry, lookFirst: true } : entry);
    }
    this.leftOver(left);
  }

  /** The run failed for good (after its retries) or was cancelled before it could answer. */
  private settleFailed(taken: Array<{ entry: BatchEntry; item: BatchItem }>, err: unknown): void {
    if (isCancellation(err)) {
      // Any of them may have been created before the stop: each is looked for before it is created.
      this.leftOver(taken.map(({ entry }) => ({ ...entry, lookFirst: true })));
      return;
    }
    const error = failureSummary(err);
    for (const { item } of taken) this.state.finish(item, { state: 'failed', error });
  }

  /** Files a run did not finish: cancelled with the batch, else back to the queue (a pause). */
  private leftOver(entries: BatchEntry[]): void {
    if (entries.length === 0) return;
    if (this.state.cancelling) {
      for (const entry of entries) {
        const item = this.state.items.get(entry.index);
        if (item) this.state.finish(item, { state: 'cancelled' });
      }
    } else {
      this.state.requeue(entries);
    }
  }
}

function toItemOutcome(outcome: FileOutcome) {
  return {
    state: outcome.error ? ('failed' as const) : ('completed' as const),
    route: 'direct' as const,
    ...(outcome.assetId !== undefined ? { assetId: outcome.assetId } : {}),
    ...(outcome.sizeBytes !== undefined ? { sizeBytes: outcome.sizeBytes } : {}),
    ...(outcome.alreadyUploaded ? { alreadyUploaded: true } : {}),
    ...(outcome.error ? { error: outcome.error } : {}),
  };
}
