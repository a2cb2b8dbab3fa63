// The pure parts behind live progress and routing: rate and ETA, in-flight bytes from
// heartbeats, the progress line, the route decision at its boundaries, input checks, batch
// totals, and workflow ids from a file's identity.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { progressLine } from '../../src/cli/progress-bar';
import { formatDuration } from '../../src/cli/format';
import { chunkBytesInFlight, directBytesInFlight, uploadLiveProgress } from '../../src/client/progress/live-progress';
import { etaSeconds, RateMeter, RateMeters } from '../../src/client/progress/rate-meter';
import { MAX_DIRECT_BYTES, MAX_MULTIPART_BYTES } from '../../src/twelvelabs/limits';
import { localIdentity, toUploadSource, uploadWorkflowId } from '../../src/client/upload-identity';
import { batchInputProblems } from '../../src/workflows/batch-planning';
import type { UploadProgress, UploadState } from '../../src/domain/types';
import { chooseFileRoute, uploadInputProblems } from '../../src/workflows/upload-planning';
import { uploadFileName } from '../../src/domain/names';

describe('RateMeter', () => {
  it('averages over its window and forgets older samples', () => {
    const meter = new RateMeter(2_000);
    meter.add({ atMs: 0, bytes: 0 });
    expect(meter.bytesPerSecond()).toBeUndefined();
    meter.add({ atMs: 1_000, bytes: 10_000 });
    expect(meter.bytesPerSecond()).toBe(10_000);
    meter.add({ atMs: 5_000, bytes: 10_000 }); // stalled: the window now shows it
    meter.add({ atMs: 6_000, bytes: 12_000 });
    expect(meter.bytesPerSecond()).toBe(2_000);
  });

  it('starts afresh when the count goes down (a new session)', () => {
    const meter = new RateMeter();
    meter.add({ atMs: 0, bytes: 50_000 });
    meter.add({ atMs: 1_000, bytes: 60_000 });
    meter.add({ atMs: 2_000, bytes: 1_000 });
    expect(meter.bytesPerSecond()).toBeUndefined();
  });

  it('leaves paused time out: a pause ends the window, and the rate after it is the rate since', () => {
    const meter = new RateMeter(10_000);
    meter.add({ atMs: 0, bytes: 0 });
    meter.add({ atMs: 2_000, bytes: 20_000 }); // 10 000 B/s
    meter.add({ atMs: 3_000, bytes: 20_000, moving: false }); // paused...
    meter.add({ atMs: 60_000, bytes: 20_000, moving: false }); // ...for a minute
    meter.add({ atMs: 61_000, bytes: 21_000 }); // resumed
    expect(meter.bytesPerSecond()).toBeUndefined(); // one sample since: no window yet, not 21 000 / 61 s
    meter.add({ atMs: 62_000, bytes: 31_000 });
    expect(meter.bytesPerSecond()).toBe(10_000);
  });

  it('reads a steady upload steadily: heartbeat steps and a sample that missed a lane barely move it', () => {
    // 8 lanes at 10 MiB/s each, as the client sees them: each lane's bytes arrive with its
    // heartbeat, about once a second; a lane returns every 20 s (its bytes pass to the ledger)
    // and the next starts from 0; every 7th sample misses one lane (it returned between the
    // progress query and the describe). Sampled every 500 ms, as `watch` does.
    const MiB = 1024 * 1024;
    const laneRate = 10 * MiB;
    const seen = (atMs: number, missLane: boolean): number => {
      let bytes = 0;
      for (let lane = 0; lane < 8; lane++) {
        const sinceStartMs = atMs + lane * 2_500; // lanes staggered over the 20 s of a run
        const runMs = sinceStartMs % 20_000;
        const finishedRunsBytes = Math.floor(sinceStartMs / 20_000) * 20 * laneRate;
        const lastHeartbeatMs = Math.floor(runMs / 1_000) * 1_000; // the throttled heartbeat
        const heartbeatBytes = missLane && lane === 0 ? 0 : (lastHeartbeatMs * laneRate) / 1000;
        bytes += finishedRunsBytes + heartbeatBytes;
      }
      return bytes;
    };
    const meter = new RateMeter();
    const rates: number[] = [];
    for (let i = 0; i <= 120; i++) {
      const atMs = i * 500;
      meter.add({ atMs, bytes: seen(atMs, i % 7 === 6) });
      if (atMs >= 10_000) rates.push(meter.bytesPerSecond()! / MiB);
    }
    // 80 MiB/s, read within a tenth of it every time (the slope between the window's ends read
    // anything from a small fraction to several times it).
    expect(Math.min(...rates)).toBeGreaterThan(72);
    expect(Math.max(...rates)).toBeLessThan(88);
  });

  it('keeps one window per upload, and forgets the least recently asked-about first', () => {
    const meters = new RateMeters(2);
    expect(meters.sample('a', { atMs: 0, bytes: 0 })).toBeUndefined();
    expect(meters.sample('a', { atMs: 1_000, bytes: 5_000 })).toBe(5_000);
    meters.sample('b', { atMs: 0, bytes: 0 });
    expect(meters.sample('a', { atMs: 2_000, bytes: 6_000 })).toBe(3_000); // a is the most recent now
    meters.sample('c', { atMs: 0, bytes: 0 }); // b goes
    expect(meters.sample('b', { atMs: 1_000, bytes: 1_000 })).toBeUndefined(); // a fresh window
    expect(meters.sample('a', { atMs: 3_000, bytes: 9_000 })).toBeUndefined(); // b's return pushed out a, the oldest by then
  });

  it('gives an ETA only when moving', () => {
    expect(etaSeconds(1_000, 400, 100)).toBe(6);
    expect(etaSeconds(1_000, 400, 0)).toBeUndefined();
    expect(etaSeconds(undefined, 400, 100)).toBeUndefined();
  });
});

describe('live progress from heartbeats', () => {
  const running = [
    // started at 0 and 2 s; their last heartbeats came at 1 s and 3 s: 3 000 B/s and 1 000 B/s now
    { activityType: 'uploadChunk', started: true, heartbeat: { chunkIndex: 7, bytesSent: 3_000 }, startedAtMs: 0, heartbeatAtMs: 1_000 },
    { activityType: 'uploadChunk', started: true, heartbeat: { chunkIndex: 8, bytesSent: 1_000 }, startedAtMs: 2_000, heartbeatAtMs: 3_000 },
    // a chunk the ledger already counts as uploaded: its last heartbeat must not count twice
    { activityType: 'uploadChunk', started: true, heartbeat: { chunkIndex: 5, bytesSent: 4_096 } },
    // waiting for a retry: it streams nothing now
    { activityType: 'uploadChunk', started: false, heartbeat: { chunkIndex: 9, bytesSent: 2_000 } },
    { activityType: 'reportBatch', started: true, heartbeat: undefined },
  ];

  it('counts only the chunks the workflow has in flight, and only started attempts', () => {
    expect(chunkBytesInFlight(running, [7, 8, 9])).toBe(4_000);
    expect(directBytesInFlight([{ activityType: 'uploadDirect', started: true, heartbeat: { bytesSent: 12_345 } }])).toBe(12_345);
  });

  it('adds in-flight bytes to the stored ones for a multipart upload, with percent, rate and ETA', () => {
    const state: UploadState = {
      phase: 'uploading',
      route: 'multipart',
      fileName: 'talk.mp4',
      source: '/media/talk.mp4',
      totalBytes: 40_960,
      confirmedBytes: 0,
      multipartWorkflowId: 'u/multipart-1',
      paused: false,
      createAttempts: 0,
      startedAt: '2030-01-01T00:00:00.000Z',
    };
    const multipart = {
      phase: 'uploading',
      fileName: 'talk.mp4',
      totalBytes: 40_960,
      confirmedBytes: 8_192,
      uploadedBytes: 16_384,
      inFlightChunks: [7, 8],
      concurrency: 2,
      startedAt: '2030-01-01T00:00:00.000Z',
    } as UploadProgress;
    const live = uploadLiveProgress({ workflowId: 'u', executionStatus: 'RUNNING', state, multipart, activities: running });
    expect(live).toMatchObject({ confirmedBytes: 8_192, inFlightBytes: 4_000, sentBytes: 20_384, totalBytes: 40_960, concurrency: 2 });
    expect(live.percent).toBeCloseTo((20_384 / 40_960) * 100);
    // the rate of the transfers running now, not an average since the upload began
    expect(live.bytesPerSecond).toBe(4_000);
    expect(live.etaSeconds).toBeCloseTo((40_960 - 20_384) / 4_000);
    // paused: nothing moves, so no rate and no ETA
    const paused = uploadLiveProgress({ workflowId: 'u', executionStatus: 'RUNNING', state: { ...state, phase: 'paused', paused: true }, multipart, activities: running });
    expect(paused.bytesPerSecond).toBeUndefined();
    expect(paused.etaSeconds).toBeUndefined();
  });

  it('draws bar, percent, bytes, rate, ETA and phase on one line', () => {
    const line = progressLine({
      workflowId: 'u', kind: 'upload', executionStatus: 'RUNNING', phase: 'uploading', title: 'talk.mp4',
      totalBytes: 4 * 1024 * 1024, sentBytes: 1024 * 1024, confirmedBytes: 0, inFlightBytes: 0, percent: 25,
      bytesPerSecond: 512 * 1024, etaSeconds: 6, paused: false,
    });
    expect(line).toBe('[#######.....................]   25.0%  1.0 MiB / 4.0 MiB  512 KiB/s  ETA 6s  uploading  talk.mp4');
    expect(formatDuration(3725)).toBe('1h02m');
  });
});

describe('routes and input checks', () => {
  it('sends up to 200 MiB direct, up to 4 GiB multipart, and refuses more', () => {
    expect(chooseFileRoute(1, MAX_DIRECT_BYTES)).toEqual({ route: 'direct' });
    expect(chooseFileRoute(MAX_DIRECT_BYTES, MAX_DIRECT_BYTES)).toEqual({ route: 'direct' });
    expect(chooseFileRoute(MAX_DIRECT_BYTES + 1, MAX_DIRECT_BYTES)).toEqual({ route: 'multipart' });
    expect(chooseFileRoute(MAX_MULTIPART_BYTES, MAX_DIRECT_BYTES)).toEqual({ route: 'multipart' });
    expect(chooseFileRoute(MAX_MULTIPART_BYTES + 1, MAX_DIRECT_BYTES)).toMatchObject({ refused: expect.stringMatching(/at most 4294967296 bytes \(4 GiB\)/) });
    expect(chooseFileRoute(2_000, 1_000)).toEqual({ route: 'multipart' }); // a lower test threshold
  });

  it('lists every problem of a bad input at once', () => {
    expect(uploadInputProblems({ source: { url: 'ftp://x/y.mp4' }, directMaxBytes: MAX_DIRECT_BYTES + 1, multipart: { concurrency: 0 } })).toEqual([
      'source.url must be an http(s) URL',
      'concurrency must be an integer from 1 to 64',
      `directMaxBytes must be an integer from 1 to ${MAX_DIRECT_BYTES}`,
    ]);
    expect(batchInputProblems({ sources: [{ path: '/a.mp4' }], directory: { path: '/d' } })).toEqual(['give exactly one of sources, directory or list']);
  });

  it('names an upload after the file, or the last segment of the URL', () => {
    expect(uploadFileName({ source: { path: '/media/Keynote 2030.mp4' } })).toBe('Keynote 2030.mp4');
    expect(uploadFileName({ source: { url: 'https://cdn.example/v/clip%20one.mov?sig=abc' } })).toBe('clip one.mov');
    expect(uploadFileName({ source: { url: 'https://cdn.example/' } })).toBe('media');
  });
});

describe('workflow ids from the source identity', () => {
  it('is the same for the same file, and changes when the file changes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-id-'));
    const file = path.join(dir, 'clip.mp4');
    fs.writeFileSync(file, 'abc');
    const source = toUploadSource(file);
    const first = uploadWorkflowId(source, await localIdentity(source));
    expect(first).toMatch(/^upload-clip\.mp4-[0-9a-f]{16}$/);
    expect(uploadWorkflowId(source, await localIdentity(source))).toBe(first);
    fs.writeFileSync(file, 'abcd');
    expect(uploadWorkflowId(source, await localIdentity(source))).not.toBe(first);
    fs.rmSync(dir, { recursive: true });
  });
});
