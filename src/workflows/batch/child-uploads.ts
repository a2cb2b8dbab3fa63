// Large files and URLs: each one an uploadWorkflow child (direct up to 200 MB, multipart above,
// or a URL TwelveLabs fetches), as before runs of small files existed. The batch's pause reaches
// each child through one sequential forwarder per child: a signal is sent only after the previous
// one was delivered, and always the batch's latest state, so the child ends in the batch's state
// whatever order pause and resume arrived in.

import {
  ChildWorkflowCancellationType,
  condition,
  isCancellation,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import type { createActivities } from '../../activities';
import { FailureType, type BatchEntry, type BatchItem, type BatchUploadInput } from '../../domain/types';
import { API_CALL } from '../activity-options';
import { assetCreatedSignal } from '../asset-report';
import { batchItemWorkflowId, cancelledWithAsset } from '../batch-planning';
import { pauseSignal, resumeSignal } from '../control-handlers';
import { failureSummary } from '../failure-info';
import { TL_PHASE, uploadSearchAttributes } from '../search-attributes';
import { uploadWorkflow } from '../upload';
import { uploadStartSummary } from '../upload-planning';
import type { BatchState } from './batch-state';

type Activities = ReturnType<typeof createActivities>;

export class ChildUploads {
  private readonly running = new Map<string, Promise<void>>();
  /** Asset ids children reported before they finished (a cancel may come after the asset exists). */
  private readonly reportedAssets = new Map<string, string>();
  private readonly withAttributes = workflowInfo().typedSearchAttributes.get(TL_PHASE) !== undefined;

  constructor(
    private readonly state: BatchState,
    private readonly input: BatchUploadInput,
    private readonly batchId: string,
  ) {
    setHandler(assetCreatedSignal, ({ workflowId, assetId }) => {
      this.reportedAssets.set(workflowId, assetId);
    });
  }

  /** Starts the queue's first entry as an uploadWorkflow child. */
  start(): void {
    const [{ entry, item }] = this.state.take(1) as [ReturnType<BatchState['take']>[number]];
    const workflowId = batchItemWorkflowId(this.batchId, entry, item.fileName);
    item.workflowId = workflowId;
    this.state.active++;
    const done = (async () => {
      try {
        const handle = await startChild(uploadWorkflow, {
          workflowId,
          args: [{ ...this.input.upload, source: sourceOf(entry) }],
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
          // A re-run of the batch finds this file's finished upload instead of making a second asset.
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
          staticSummary: uploadStartSummary(item.fileName, item.sizeBytes),
          ...(this.withAttributes
            ? { typedSearchAttributes: uploadSearchAttributes({ fileName: item.fileName, sizeBytes: item.sizeBytes, phase: 'validating' }) }
            : {}),
        });
        let finished = false;
        // Cancelled with the batch, the forwarder just stops: the child is cancelled with it.
        const forwarding = this.keepPauseInStep(handle, () => finished).catch(() => undefined);
        try {
          const result = await handle.result();
          this.state.finish(item, {
            state: 'completed',
            assetId: result.assetId,
            route: result.route,
            ...(result.totalBytes !== undefined ? { sizeBytes: result.totalBytes } : {}),
          });
        } finally {
          finished = true;
          await forwarding;
        }
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) {
          await this.adoptEarlier(item, workflowId).catch((e: unknown) => this.ended(item, workflowId, e));
        } else this.ended(item, workflowId, err);
      } finally {
        this.running.delete(workflowId);
        this.reportedAssets.delete(workflowId);
        this.state.active--;
        this.state.changed();
      }
    })();
    this.running.set(workflowId, done);
  }

  /** A child that failed, or was cancelled with the batch (naming the asset it had made, if any). */
  private ended(item: BatchItem, workflowId: string, err: unknown): void {
    if (isCancellation(err)) {
      const assetId = this.reportedAssets.get(workflowId);
      this.state.finish(item, { state: 'cancelled', ...(assetId !== undefined ? { assetId, error: cancelledWithAsset(assetId) } : {}) });
    } else {
      this.state.finish(item, { state: 'failed', error: failureSummary(err) });
    }
  }

  /** This version of the file was uploaded by an earlier run of the batch: report its asset. */
  private async adoptEarlier(item: BatchItem, workflowId: string): Promise<void> {
    const earlier = await proxyActivities<Activities>(API_CALL).earlierUploadResult({ workflowId });
    if (earlier.found === 'completed') {
      const { result } = earlier;
      this.state.finish(item, { state: 'completed', assetId: result.assetId, route: result.route, alreadyUploaded: true, ...(result.totalBytes !== undefined ? { sizeBytes: result.totalBytes } : {}) });
    } else {
      const why = earlier.found === 'running' ? `an upload of this file runs already as ${workflowId}: wait for it` : `an upload of this file under ${workflowId} could not be read`;
      this.state.finish(item, { state: 'failed', error: { type: FailureType.InvalidInput, message: `${why}, then run the batch again` } });
    }
  }

  async settled(): Promise<void> {
    await Promise.all([...this.running.values()]);
  }

  /**
   * Sends the child the batch's pause state whenever it differs from what the child was last
   * told, one signal at a time: the last signal delivered is always the latest state.
   */
  private async keepPauseInStep(handle: ChildWorkflowHandle<typeof uploadWorkflow>, finished: () => boolean): Promise<void> {
    let told = false; // a child starts running
    for (;;) {
      await condition(() => finished() || this.state.paused !== told);
      if (finished()) return;
      const wanted = this.state.paused;
      try {
        await handle.signal(wanted ? pauseSignal : resumeSignal);
      } catch {
        return; // the child has finished: nothing left to pause
      }
      told = wanted;
    }
  }
}

function sourceOf(entry: BatchEntry) {
  return entry.isUrl ? { url: entry.source } : { path: entry.source };
}
