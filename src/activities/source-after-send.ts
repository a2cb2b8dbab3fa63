// A direct upload is one request: the file can change while its bytes are on the way (an edit in
// place gives an asset that matches neither version, an append one that holds the old bytes). So
// after the bytes are sent the file is checked again, through the handle that was read and by
// path, and an asset made from a changed file is deleted: nothing wrong is left at TwelveLabs.

import type fs from 'node:fs/promises';
import { stat } from 'node:fs/promises';
import { FailureType } from '../domain/types';
import type { TwelveLabsClient } from '../twelvelabs/client';
import { deleteOrphanAsset } from './own-assets';
import { identityOf, SourceError, type SourceIdentity } from './source';

export interface SentSource extends SourceIdentity {
  path: string;
}

/** The file's identity now: through the handle that was read when there is one, else by path. */
export async function identityNow(source: SentSource, handle?: fs.FileHandle): Promise<SourceIdentity | undefined> {
  const identities: SourceIdentity[] = [];
  if (handle) identities.push(identityOf(await handle.stat()));
  try {
    identities.push(identityOf(await stat(source.path)));
  } catch {
    // Gone or unreadable by path: the handle (if any) still tells what was read.
  }
  return identities.find((i) => !sameIdentity(i, source)) ?? identities[0];
}

/**
 * Deletes the asset and fails SourceChanged when the file is no longer the one that was sent.
 * A file that cannot be seen at all any more leaves the asset as it is: what was read matched.
 */
export async function rejectIfSourceChanged(client: TwelveLabsClient, source: SentSource, assetId: string, handle?: fs.FileHandle): Promise<void> {
  const now = await identityNow(source, handle);
  if (now === undefined || sameIdentity(now, source)) return;
  await deleteOrphanAsset(client, assetId, 'made from a file that changed while it was sent');
  throw new SourceError(
    FailureType.SourceChanged,
    `${source.path} changed while it was uploaded (size ${source.sizeBytes} → ${now.sizeBytes}, modified ` +
      `${new Date(source.mtimeMs).toISOString()} → ${new Date(now.mtimeMs).toISOString()}); the asset ${assetId} made from ` +
      'those bytes was deleted: upload the file again once it is final',
  );
}

function sameIdentity(a: SourceIdentity, b: SourceIdentity): boolean {
  return a.sizeBytes === b.sizeBytes && a.mtimeMs === b.mtimeMs;
}
