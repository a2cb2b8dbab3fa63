// assetCallWorkflow: one asset or session call (list, get, delete, metadata, incomplete sessions)
// run by an activity on the worker, which holds the TwelveLabs API key, and answered as plain
// JSON. A service or the CLI thus needs only Temporal access, never the key.

import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { ASSET_CALL } from './activity-options';
import { asTypedFailure } from './failure-info';
import type { AssetCall, AssetCallResult } from '../domain/types';

type Activities = ReturnType<typeof createActivities>;

const api = proxyActivities<Activities>(ASSET_CALL);

export async function assetCallWorkflow(call: AssetCall): Promise<AssetCallResult> {
  try {
    return await api.assetCall(call);
  } catch (err) {
    throw asTypedFailure(err);
  }
}
