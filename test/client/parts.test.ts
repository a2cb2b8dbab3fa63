// The client's pure parts: whether a task queue counts as served, the words that say it is not,
// the rate of the transfers running now, the progress of an upload nobody answers for or that has
// closed, list filters for names with quotes, and the address a refused connection is named by.

import { describe, expect, it } from 'vitest';
import { hostAndPort } from '../../src/client/connection';
import { closedLiveProgress, knownLiveProgress, transferRate } from '../../src/client/progress/live-progress';
import { RecentMap } from '../../src/client/recent-map';
import { noWorker, POLLER_FRESH_MS, workerPresence } from '../../src/client/task-queue';
import { keywordEquals, visibilityString } from '../../src/client/visibility-query';
import type { LiveProgress } from '../../src/client/types';

describe('worker presence', () => {
  it('counts a queue as served only while a poll is recent', () => {
    const now = Date.parse('2030-01-01T00:10:00Z');
    expect(workerPresence('q', [], now)).toEqual({ taskQueue: 'q', polling: false });
    expect(workerPresence('q', [now - 5_000, now - 400_000], now)).toEqual({ taskQueue: 'q', polling: true, lastPollAt: '2030-01-01T00:09:55.000Z' });
    // Temporal lists a dead worker's poller for minutes: an old poll is not a worker.
    expect(workerPresence('q', [now - POLLER_FRESH_MS - 1], now)).toMatchObject({ polling: false, lastPollAt: expect.any(String) });
  });

  it('says what waits for what, naming the queue, and how to start a worker for it', () => {
    expect(noWorker({ taskQueue: 'media-q', polling: false }).message).toBe(
      'no worker is polling task queue media-q; the upload is waiting, and goes on once a worker serves the queue (npm run worker, with TL_TASK_QUEUE=media-q)',
    );
    expect(noWorker({ taskQueue: 'q', polling: true, lastPollAt: 'x' }, 10_000).message).toMatch(/^no worker answered on task queue q within 10 s/);
  });
});

describe('progress without a live answer', () => {
  it('sums what each running transfer streams over the time its attempt has run', () => {
    expect(
      transferRate(
        [
          { activityType: 'uploadChunk', started: true, heartbeat: { chunkIndex: 1, bytesSent: 4_000 }, startedAtMs: 0, heartbeatAtMs: 2_000 },
          { activityType: 'uploadChunk', started: true, heartbeat: { chunkIndex: 2, bytesSent: 500 }, startedAtMs: 1_000, heartbeatAtMs: 1_500 },
          { activityType: 'uploadChunk', started: true, heartbeat: { chunkIndex: 3, bytesSent: 9_999 }, startedAtMs: 0, heartbeatAtMs: 1_000 }, // not in flight
          { activityType: 'uploadChunk', started: true, heartbeat: { chunkIndex: 4, bytesSent: 100 } }, // no times
        ],
        [1, 2, 4],
      ),
    ).toBe(3_000);
    expect(transferRate([{ activityType: 'uploadDirect', started: true, heartbeat: { bytesSent: 6_000 }, startedAtMs: 0, heartbeatAtMs: 3_000 }])).toBe(2_000);
    expect(transferRate([])).toBeUndefined();
  });

  it('answers what Temporal knows when no worker does, keeping the bytes last seen', () => {
    const missing = { taskQueue: 'q', message: 'no worker is polling task queue q' };
    const fresh = knownLiveProgress({ workflowId: 'u', kind: 'upload', executionStatus: 'RUNNING', phase: 'uploading', title: 'a.mp4', totalBytes: 1_000, startedAt: 's', noWorker: missing });
    expect(fresh).toMatchObject({ phase: 'uploading', title: 'a.mp4', totalBytes: 1_000, sentBytes: 0, percent: 0, noWorker: missing });
    const last = { ...fresh, sentBytes: 400, confirmedBytes: 300, route: 'multipart', concurrency: 4 } as LiveProgress;
    delete last.noWorker;
    expect(knownLiveProgress({ workflowId: 'u', kind: 'upload', executionStatus: 'RUNNING', title: 'a.mp4', startedAt: 's', noWorker: missing, last })).toMatchObject({
      sentBytes: 400, confirmedBytes: 300, percent: 40, route: 'multipart', concurrency: 4, noWorker: missing,
    });
  });

  it('shows what a closed upload had stored, and its error', () => {
    const closed = closedLiveProgress({
      workflowId: 'u', kind: 'upload', executionStatus: 'CANCELLED', title: 'a.mp4', totalBytes: 4_000, startedAt: 's',
      error: { type: 'Cancelled', message: 'u was cancelled' }, stored: { confirmedBytes: 1_000, storedBytes: 2_000 },
    });
    expect(closed).toMatchObject({ phase: 'cancelled', sentBytes: 2_000, confirmedBytes: 1_000, percent: 50, error: { type: 'Cancelled' } });
    expect(closedLiveProgress({ workflowId: 'u', kind: 'upload', executionStatus: 'TIMED_OUT', title: 't', startedAt: 's' })).toMatchObject({ phase: 'timed-out', sentBytes: 0 });
  });
});

describe('list filters', () => {
  it('asks the server for plain names exactly, and for names with " or \\ by prefix, checked exactly here', () => {
    expect(keywordEquals('TlFileName', "it's.mp4").clause).toBe("TlFileName = 'it\\'s.mp4'");
    const quoted = keywordEquals('TlFileName', 'say "hi".mp4');
    expect(quoted.clause).toBe("TlFileName STARTS_WITH 'say '");
    expect(quoted.matches('say "hi".mp4')).toBe(true);
    expect(quoted.matches('say "hi".mp4.bak')).toBe(false);
    expect(quoted.matches(undefined)).toBe(false);
    expect(keywordEquals('TlFileName', '"x".mp4').clause).toBeUndefined(); // no prefix: the client filters alone
    expect(visibilityString('a\\b')).toBe("'a\\\\b'");
  });
});

describe('connection', () => {
  it('reads host and port the way the probe needs them', () => {
    expect(hostAndPort('127.0.0.1:7233')).toEqual({ host: '127.0.0.1', port: 7233 });
    expect(hostAndPort('[::1]:7233')).toEqual({ host: '::1', port: 7233 });
    expect(hostAndPort('my-ns.a1b2c.tmprl.cloud:7233')).toEqual({ host: 'my-ns.a1b2c.tmprl.cloud', port: 7233 });
    expect(hostAndPort('dns:///temporal:7233')).toBeUndefined();
    expect(hostAndPort('temporal')).toBeUndefined();
  });

  it('keeps only the most recently used entries', () => {
    const map = new RecentMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.get('a');
    map.set('c', 3);
    expect([map.get('a'), map.get('b'), map.get('c'), map.size]).toEqual([1, undefined, 3, 2]);
  });
});
