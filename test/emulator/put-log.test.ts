// The store's log of chunk PUTs (crash accounting reads it) stays bounded per chunk index.
import { describe, expect, it } from 'vitest';
import { PUTS_LOGGED_PER_CHUNK, UploadSession } from '../../src/emulator/upload-session';

describe("the store's PUT log", () => {
  it(`keeps the latest ${PUTS_LOGGED_PER_CHUNK} PUTs of a chunk index, in start order`, () => {
    const session = new UploadSession({
      uploadId: 'u1', assetId: 'a1', apiKey: 'k', filename: 'f.mp4', totalSizeBytes: 10, chunkSizeBytes: 5,
      createdAtMs: 0, expiresAtMs: 1, sequence: 1,
    });
    for (let i = 1; i <= PUTS_LOGGED_PER_CHUNK + 10; i++) session.putStarted(1, i);
    session.putStarted(2, 500);
    const puts = session.putsOf(1);
    expect(puts).toHaveLength(PUTS_LOGGED_PER_CHUNK);
    expect(puts[0]!.startedAtMs).toBe(11);
    expect(puts.at(-1)!.startedAtMs).toBe(PUTS_LOGGED_PER_CHUNK + 10);
    expect(session.putsOf(2).map((p) => p.startedAtMs)).toEqual([500]);
    expect(session.putsOf(3)).toEqual([]);
  });
});
