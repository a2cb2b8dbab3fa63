// The last step of an upload: wait until TwelveLabs has processed the asset (contract 2.4:
// `completed` or a 201 means the bytes arrived, not that the asset is usable).

import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { readinessOptions } from './activity-options';
import { needsReadinessWait, type UploadOptions } from './upload-planning';

type Activities = ReturnType<typeof createActivities>;

export interface Readiness {
  status: string;
  /** The size TwelveLabs reports once ready (what a URL upload learns of its size). */
  sizeBytes?: number;
}

/** The asset's status after waiting (when the upload waits at all); AssetFailed when it failed. */
export async function awaitAssetReady(assetId: string, status: string, options: UploadOptions): Promise<Readiness> {
  if (!needsReadinessWait(options.waitForReady, status)) return { status };
  const readiness = proxyActivities<Activities>(readinessOptions(options.readyTimeoutMs, options.readyPollIntervalMs));
  return readiness.waitForAssetReady({ assetId, pollIntervalMs: options.readyPollIntervalMs, timeoutMs: options.readyTimeoutMs });
}
