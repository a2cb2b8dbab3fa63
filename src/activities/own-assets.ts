// The assets this upload made, found by its create token (domain/create-token.ts), never by
// name and size alone: a second upload of a file with the same name is someone else's asset.

import { log } from '@temporalio/activity';
import { carriesCreateToken } from '../domain/create-token';
import type { TwelveLabsClient } from '../twelvelabs/client';
import { TwelveLabsApiError } from '../twelvelabs/errors';
import { timestampToEpochMs } from '../twelvelabs/timestamps';
import type { AssetDetail } from '../twelvelabs/wire';

/** The asset list is searched from this long before the create was first scheduled (clock skew). */
export const CREATE_SEARCH_MARGIN_MS = 5 * 60_000;

export interface TokenSearch {
  /** A2 filters by filename (substring), which keeps the walk short; the token decides. */
  filename: string;
  token: string;
  /** The list is newest first: the walk stops at the first asset created before this (epoch ms). */
  createdSinceMs?: number;
}

/**
 * Every asset that carries the token, newest first. The name is only a shortcut: TwelveLabs may
 * store another name than the one sent (a gateway that rewrites line breaks or escapes), so when
 * the assets of that name hold none, the whole list since `createdSinceMs` is walked for the token.
 */
export async function assetsCarryingToken(client: TwelveLabsClient, search: TokenSearch): Promise<AssetDetail[]> {
  const byName = await walkForToken(client, search, { filename: search.filename });
  if (byName.length > 0 || search.createdSinceMs === undefined) return byName;
  return walkForToken(client, search, {});
}

async function walkForToken(client: TwelveLabsClient, search: TokenSearch, filter: { filename?: string }): Promise<AssetDetail[]> {
  const found: AssetDetail[] = [];
  for await (const asset of client.iterateAssets(filter)) {
    const createdAtMs = asset.createdAt ? timestampToEpochMs(asset.createdAt) : undefined;
    if (search.createdSinceMs !== undefined && createdAtMs !== undefined && createdAtMs < search.createdSinceMs) break;
    if (carriesCreateToken(asset.userMetadata, search.token)) found.push(asset);
  }
  return found;
}

/**
 * Deletes an asset this upload made but cannot use (A4). Idempotent: an asset already gone (a
 * repeat after a lost reply gets 404) is what we wanted.
 */
export async function deleteOrphanAsset(client: TwelveLabsClient, assetId: string, why: string): Promise<void> {
  try {
    await client.deleteAsset(assetId);
  } catch (err) {
    if (!(err instanceof TwelveLabsApiError && err.kind === 'http' && err.status === 404)) throw err;
  }
  log.warn('deleted an asset this upload made but cannot use', { assetId, why });
}
