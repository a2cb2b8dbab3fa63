import { describe, expect, it } from 'vitest';
import { chunkEtagsOf } from '../../src/activities/lane-progress';

describe("a lane's heartbeat read back before a cancel", () => {
  it('gives the finished chunks of a heartbeat, nothing else of it', () => {
    const beat = {
      chunkIndex: 7,
      bytesSent: 1024,
      finished: [
        { chunkIndex: 5, etag: '"a"', sizeBytes: 100 },
        { chunkIndex: 6, etag: '"b"', sizeBytes: 100, extra: 'dropped' },
      ],
      failedPuts: 0,
      hedges: 0,
      hedgedBytes: 0,
    };
    expect(chunkEtagsOf(beat)).toEqual([
      { chunkIndex: 5, etag: '"a"', sizeBytes: 100 },
      { chunkIndex: 6, etag: '"b"', sizeBytes: 100 },
    ]);
  });

  it('skips what is not a heartbeat of a lane, and malformed entries', () => {
    expect(chunkEtagsOf(undefined)).toEqual([]);
    expect(chunkEtagsOf('progress')).toEqual([]);
    expect(chunkEtagsOf({ finished: 'none' })).toEqual([]);
    expect(chunkEtagsOf({ finished: [null, { chunkIndex: 1.5, etag: 'x', sizeBytes: 1 }, { chunkIndex: 2, etag: 3, sizeBytes: 1 }, { chunkIndex: 4, etag: 'y', sizeBytes: 9 }] })).toEqual([
      { chunkIndex: 4, etag: 'y', sizeBytes: 9 },
    ]);
  });
});
