// createOnce: a non-idempotent create (A1) made at most once per outcome. After an attempt whose
// outcome is unknown (CreateOutcomeUnknown: the server may have acted and the answer was lost),
// it waits, then looks for the asset that attempt made, by this upload's create token, and
// adopts it; only when there is none does it create again, a bounded number of times.

import { ApplicationFailure, log, sleep } from '@temporalio/workflow';
import type { CreatedAsset } from '../activities/direct-upload';
import { FailureType } from '../domain/types';
import { failureTypeOf } from './failure-info';
import { afterUnknownOutcome } from './upload-planning';

export interface CreateOnceParams {
  fileName: string;
  create: () => Promise<CreatedAsset>;
  /** The asset this upload's creates made since `createdSinceMs`, if any. */
  find: (createdSinceMs: number) => Promise<CreatedAsset | undefined>;
  reconcileDelayMs: number;
  /** Told before each create call (1-based) and when a reconciliation begins. */
  onAttempt: (attempt: number) => void;
  onReconciling: () => void;
}

export interface CreateOnceResult {
  asset: CreatedAsset;
  /** The asset came from a reconciliation, not from a create's own answer. */
  reconciled: boolean;
  /** Assets TwelveLabs created for this upload: the kept one plus deleted orphans. */
  assetsCreated: number;
}

export async function createOnce(params: CreateOnceParams): Promise<CreateOnceResult> {
  for (let attempt = 1; ; attempt++) {
    // Workflow time: deterministic on replay.
    const attemptStartedAtMs = Date.now();
    params.onAttempt(attempt);
    try {
      const asset = await params.create();
      return { asset, reconciled: asset.reconciled === true, assetsCreated: 1 + (asset.orphansDeleted?.length ?? 0) };
    } catch (err) {
      if (failureTypeOf(err) !== FailureType.CreateOutcomeUnknown) throw err;
    }
    params.onReconciling();
    log.warn('create outcome unknown; looking for the asset before creating again', { attempt, fileName: params.fileName });
    // A request still being processed must have time to show up in the asset list.
    await sleep(params.reconcileDelayMs);
    const found = await params.find(attemptStartedAtMs);
    const step = afterUnknownOutcome({ attempt, found: found !== undefined, fileName: params.fileName });
    if (step.kind === 'adopt' && found) {
      log.info('adopted the asset an ambiguous create had made', { assetId: found.assetId });
      return { asset: found, reconciled: true, assetsCreated: 1 + (found.orphansDeleted?.length ?? 0) };
    }
    if (step.kind === 'give-up') {
      throw ApplicationFailure.create({ type: FailureType.CreateOutcomeUnknown, message: step.message, nonRetryable: true });
    }
  }
}
