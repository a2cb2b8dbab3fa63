// M1 reconciliation, inside createSession: after an attempt whose answer was lost, find the
// session that attempt created instead of creating a second one (contract 8.2: M1 is never
// retried blindly). The asset is found by the attempt's create token; M3 lists sessions without
// asset id or filename, so its session is the one active session whose size and creation second
// match that asset's (M1 creates both at once). A session that cannot be pinned down that way is
// not guessed at: its asset is deleted (which fails the session, contract 5.4) and the caller
// creates a fresh one.

import type { TwelveLabsClient } from '../twelvelabs/client';
import { timestampToEpochMs } from '../twelvelabs/timestamps';
import type { AssetDetail, IncompleteUpload } from '../twelvelabs/wire';
import { assetsCarryingToken, deleteOrphanAsset, type TokenSearch } from './own-assets';

/** Timestamps are whole seconds (1.3): the session and its asset may straddle a second. */
const SAME_CREATION_MS = 1000;

export interface SessionSearch extends TokenSearch {
  totalSizeBytes: number;
}

export interface ReconciledSession {
  /** The session an earlier attempt created, with its asset; absent when there is none to adopt. */
  adopted?: { assetId: string; session: IncompleteUpload };
  /** Assets of earlier attempts that could not be adopted and were deleted. */
  orphansDeleted: string[];
}

export async function reconcileSession(client: TwelveLabsClient, search: SessionSearch): Promise<ReconciledSession> {
  const assets = (await assetsCarryingToken(client, search)).filter((a) => a.method === undefined || a.method === 'multipart');
  if (assets.length === 0) return { orphansDeleted: [] };
  const active = await activeSessionsOfSize(client, search.totalSizeBytes);
  let adopted: ReconciledSession['adopted'];
  const orphansDeleted: string[] = [];
  for (const asset of assets) {
    // A failed asset means its session failed or expired: another session of that second is not it.
    const session = adopted || asset.status !== 'processing' ? undefined : sessionOf(asset, active);
    if (session) {
      adopted = { assetId: asset.id, session };
      continue;
    }
    await deleteOrphanAsset(client, asset.id, adopted ? 'a second session of the same create' : 'its session cannot be told apart from others');
    orphansDeleted.push(asset.id);
  }
  return { ...(adopted ? { adopted } : {}), orphansDeleted };
}

async function activeSessionsOfSize(client: TwelveLabsClient, totalSizeBytes: number): Promise<IncompleteUpload[]> {
  const found: IncompleteUpload[] = [];
  for await (const session of client.iterateIncompleteUploads()) {
    if (session.status === 'active' && session.totalSizeBytes === totalSizeBytes) found.push(session);
  }
  return found;
}

/** The one session created with this asset; undefined when none or several could be it. */
export function sessionOf(asset: Pick<AssetDetail, 'createdAt'>, sessions: readonly IncompleteUpload[]): IncompleteUpload | undefined {
  if (!asset.createdAt) return undefined;
  const assetCreatedMs = timestampToEpochMs(asset.createdAt);
  const candidates = sessions.filter(
    (s) => s.createdAt !== undefined && Math.abs(timestampToEpochMs(s.createdAt) - assetCreatedMs) <= SAME_CREATION_MS,
  );
  return candidates.length === 1 ? candidates[0] : undefined;
}
