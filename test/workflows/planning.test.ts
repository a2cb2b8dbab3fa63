import { describe, expect, it } from 'vitest';
import { inputProblems, sessionTooShortReason, shouldReport, MIN_URL_HOLD_MS, urlDropDelayMs } from '../../src/workflows/planning';
import { baseName } from '../../src/domain/names';
import { mediaTypeFor } from '../../src/domain/media-types';
import { MAX_DIRECT_BYTES, MAX_IMAGE_BYTES } from '../../src/twelvelabs/limits';
import { chooseFileRoute, uploadInputProblems } from '../../src/workflows/upload-planning';


describe('input validation at the edge', () => {
  it('accepts a minimal input', () => {
    expect(inputProblems({ source: { path: '/data/a.mp4' } })).toEqual([]);
  });

  it('lists every problem at once', () => {
    const problems = inputProblems({ source: { path: '' }, concurrency: 0, reportBatchSize: 51, mediaType: 'pdf', userMetadata: { a: { nested: 1 } } });
    expect(problems).toEqual([
      'source.path must be a non-empty string',
      'mediaType must be video, audio or image',
      'concurrency must be an integer from 1 to 64',
      'reportBatchSize must be an integer from 1 to 50',
      'userMetadata.a must be a string, number or boolean',
    ]);
    expect(inputProblems(null)).toEqual(['the input must be an object']);
  });
});

describe('media types and their limits (the documents)', () => {
  it('sends an image direct up to 5 MB, even under a lower direct threshold, and refuses a larger one', () => {
    expect(chooseFileRoute(MAX_IMAGE_BYTES, 1_000, 'image')).toEqual({ route: 'direct' });
    expect(chooseFileRoute(MAX_IMAGE_BYTES + 1, MAX_DIRECT_BYTES, 'image')).toEqual({
      refused: 'the image has 5242881 bytes; TwelveLabs accepts images of at most 5242880 bytes (5 MB): scale it down or compress it',
    });
    expect(chooseFileRoute(MAX_IMAGE_BYTES + 1, MAX_DIRECT_BYTES, 'audio')).toEqual({ route: 'direct' });
    expect(chooseFileRoute(MAX_DIRECT_BYTES + 1, MAX_DIRECT_BYTES, 'audio')).toEqual({ route: 'multipart' });
  });

  it('lets a multipart session carry video and audio only, by the given type or the file name', () => {
    expect(inputProblems({ source: { path: '/d/a.mp3' } })).toEqual([]);
    expect(inputProblems({ source: { path: '/d/a.bin' } })).toEqual([]); // unknown extension: video
    expect(inputProblems({ source: { path: '/d/photo.png' } })).toEqual([
      'a multipart upload takes video or audio only, not image: upload an image (up to 5 MB) directly',
    ]);
    expect(inputProblems({ source: { path: '/d/a.mp4' }, mediaType: 'image' })).toHaveLength(1);
    expect(inputProblems({ source: { path: '/d/a.mp4' }, filename: 'cover.jpg' })).toHaveLength(1);
    // uploadWorkflow shares the other checks only: its images go direct.
    expect(uploadInputProblems({ source: { path: '/d/photo.png' }, mediaType: 'image' })).toEqual([]);
  });
});

describe('how long a batch of URLs is handed out', () => {
  const minute = 60_000;
  it('until the first of the batch comes within the safety margin of its expiry', () => {
    expect(urlDropDelayMs([60 * minute, 61 * minute], 0, 5 * minute)).toBe(55 * minute);
    expect(urlDropDelayMs([60 * minute], 10 * minute, 5 * minute)).toBe(45 * minute);
  });
  it('half the remaining lifetime when the TTL is shorter than twice the margin', () => {
    expect(urlDropDelayMs([8 * minute], 0, 5 * minute)).toBe(4 * minute);
  });
  it('never less than a second, even for URLs that arrive expired (a skewed clock)', () => {
    expect(urlDropDelayMs([1_000], 50_000, 5 * minute)).toBe(MIN_URL_HOLD_MS);
    expect(urlDropDelayMs([], 0, 5 * minute)).toBe(MIN_URL_HOLD_MS);
  });
});

describe('when to report', () => {
  const base = { batchSize: 10, uploadsRemaining: 5 };
  it('reports a full batch at once', () => {
    expect(shouldReport({ ...base, unreported: 10, flushDue: false })).toBe(true);
  });
  it('reports a partial batch only when the flush timer found it waiting', () => {
    expect(shouldReport({ ...base, unreported: 3, flushDue: false })).toBe(false);
    expect(shouldReport({ ...base, unreported: 3, flushDue: true })).toBe(true);
  });
  it('reports the tail at once when nothing is left to upload', () => {
    expect(shouldReport({ ...base, unreported: 1, flushDue: false, uploadsRemaining: 0 })).toBe(true);
    expect(shouldReport({ ...base, unreported: 0, flushDue: true, uploadsRemaining: 0 })).toBe(false);
  });
});

describe('sessions that cannot finish in time', () => {
  it('says so when the observed rate needs longer than a session lives', () => {
    const reason = sessionTooShortReason({ remainingBytes: 4e9, observedBytesPerSecond: 40_000, sessionLifetimeMs: 86_400_000 });
    expect(reason).toMatch(/0\.04 MB\/s .* need about 27\.8 h, longer than a 24\.0 h upload session/);
    expect(sessionTooShortReason({ remainingBytes: 4e9, observedBytesPerSecond: 1e6, sessionLifetimeMs: 86_400_000 })).toBeUndefined();
    expect(sessionTooShortReason({ remainingBytes: 4e9, observedBytesPerSecond: undefined, sessionLifetimeMs: 86_400_000 })).toBeUndefined();
  });
});

describe('names', () => {
  it('derives the media type and base name without Node APIs', () => {
    expect(mediaTypeFor('talk.MP3')).toBe('audio');
    expect(mediaTypeFor('cover.jpeg')).toBe('image');
    expect(mediaTypeFor('raw.bin')).toBe('video');
    expect(baseName('/a/b/c.mp4')).toBe('c.mp4');
    expect(baseName('C:\\v\\d.mov')).toBe('d.mov');
  });
});
