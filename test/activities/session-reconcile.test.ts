// M1 reconciliation against the real emulator over loopback: the session a lost answer created
// is adopted when it can be pinned down, and never guessed at when it cannot (its asset is
// deleted, which fails the session). Runs in the SDK's activity environment (for its logger);
// HTTP, the emulator and its state are real.

import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileSession, type ReconciledSession } from '../../src/activities/session-reconcile';
import { CREATE_TOKEN_KEY } from '../../src/domain/create-token';
import type { RunningEmulator } from '../../src/emulator';
import { TwelveLabsClient } from '../../src/twelvelabs/client';
import { KEY, start } from '../emulator/support';

const CHUNK = 1024;

describe('reconcileSession', () => {
  let emu: RunningEmulator;
  let client: TwelveLabsClient;
  const env = new MockActivityEnvironment();
  beforeAll(async () => {
    emu = await start({ chunkSizeBytes: CHUNK });
    client = new TwelveLabsClient({ baseUrl: emu.baseUrl, apiKey: KEY });
  });
  afterAll(async () => {
    await emu.close();
  });

  const createWithToken = (filename: string, totalSizeBytes: number, token: string) =>
    client.createMultipartUpload({ filename, type: 'video', totalSizeBytes, userMetadata: { [CREATE_TOKEN_KEY]: token } });

  it('adopts the one session created with the asset carrying the token', async () => {
    const mine = await createWithToken('adopt.mp4', 5 * CHUNK, 'run:a/activity:1');
    await createWithToken('adopt.mp4', 6 * CHUNK, 'run:other/activity:1'); // same name, other size
    const reconciled: ReconciledSession = await env.run(reconcileSession, client, { filename: 'adopt.mp4', token: 'run:a/activity:1', totalSizeBytes: 5 * CHUNK });

    expect(reconciled.adopted).toMatchObject({ assetId: mine.assetId, session: { uploadId: mine.uploadId, chunkSizeBytes: CHUNK, totalChunks: 5 } });
    expect(reconciled.orphansDeleted).toEqual([]);
  });

  it('finds nothing when no asset carries the token (the attempt never reached TwelveLabs)', async () => {
    await createWithToken('nothing.mp4', 5 * CHUNK, 'run:someone-else/activity:1');
    expect(await env.run(reconcileSession, client, { filename: 'nothing.mp4', token: 'run:b/activity:1', totalSizeBytes: 5 * CHUNK })).toEqual({
      orphansDeleted: [],
    });
  });

  it('does not guess between two sessions of the same size and second: it deletes its own asset, failing its session', async () => {
    const mine = await createWithToken('ambiguous.mp4', 7 * CHUNK, 'run:c/activity:1');
    const theirs = await createWithToken('ambiguous.mp4', 7 * CHUNK, 'run:d/activity:1');
    const reconciled: ReconciledSession = await env.run(reconcileSession, client, { filename: 'ambiguous.mp4', token: 'run:c/activity:1', totalSizeBytes: 7 * CHUNK });

    expect(reconciled.adopted).toBeUndefined();
    expect(reconciled.orphansDeleted).toEqual([mine.assetId]);
    expect((await client.getMultipartUploadStatus(mine.uploadId)).status).toBe('failed');
    expect((await client.getMultipartUploadStatus(theirs.uploadId)).status).toBe('active');
    expect((await emu.created()).find((c) => c.asset_id === mine.assetId)?.deleted_at).toBeDefined();
  });
});
