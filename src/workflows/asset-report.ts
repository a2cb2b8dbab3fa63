// An upload that runs as a batch's child tells the batch its asset id as soon as the asset
// exists. Its result would say so too, but a cancelled upload has no result: without this, a
// batch cancelled while a file was finishing (its asset made, waiting to be ready) would not
// know that the file left an asset at TwelveLabs.

import { CancellationScope, defineSignal, getExternalWorkflowHandle, log, patched, workflowInfo } from '@temporalio/workflow';
import type { AssetLeftBehind } from '../domain/types';

export interface AssetCreated {
  /** The upload (the parent's child) that made the asset. */
  workflowId: string;
  assetId: string;
}

/** Sent by an upload to its parent workflow when its asset exists. */
export const assetCreatedSignal = defineSignal<[AssetCreated]>('assetCreated');

/**
 * Tells the parent, if there is one, that this upload's asset exists, and waits until the signal
 * is delivered: a cancel that follows cannot overtake it. Nothing to do without a parent.
 */
export async function reportAssetToParent(assetId: string): Promise<void> {
  const parent = workflowInfo().parent;
  // Uploads that were running before this existed replay without the signal.
  if (!parent || !patched('report-asset-to-parent')) return;
  const signal: AssetCreated = { workflowId: workflowInfo().workflowId, assetId };
  await CancellationScope.nonCancellable(() =>
    getExternalWorkflowHandle(parent.workflowId, parent.runId)
      .signal(assetCreatedSignal, signal)
      .catch((err: unknown) => log.warn('could not tell the parent workflow the asset id', { assetId, error: String(err) })),
  );
}

/** Sent by a failed or cancelled multipart upload to its parent: what became of its reserved asset. */
export const assetLeftSignal = defineSignal<[AssetLeftBehind & { workflowId: string }]>('assetLeft');

/** Tells the parent, if there is one, what a failed or cancelled upload left; waits until delivered. */
export async function reportAssetLeftToParent(left: AssetLeftBehind): Promise<void> {
  const parent = workflowInfo().parent;
  if (!parent) return;
  await CancellationScope.nonCancellable(() =>
    getExternalWorkflowHandle(parent.workflowId, parent.runId)
      .signal(assetLeftSignal, { ...left, workflowId: workflowInfo().workflowId })
      .catch((err: unknown) => log.warn('could not tell the parent workflow what the upload left', { assetId: left.assetId, error: String(err) })),
  );
}
