// MD5 of chunk bodies on worker threads. Hashing is the one CPU-heavy step of a chunk PUT (about
// 2.3 s per GiB on one core); done on the event loop it caps ingest at well under disk speed and
// stalls every other request meanwhile. Each PUT streams its bytes to one worker and gets the
// digest back at the end; a bound on unacknowledged bytes keeps memory flat when workers lag.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { MIB } from '../twelvelabs/limits';

/** Plain JS, evaluated in the worker, so it runs the same under tsx, vitest and compiled code. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const jobs = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'data') {
    let hash = jobs.get(m.job);
    if (!hash) { hash = createHash('md5'); jobs.set(m.job, hash); }
    hash.update(new Uint8Array(m.bytes));
    parentPort.postMessage({ type: 'ack', job: m.job, size: m.bytes.byteLength });
  } else if (m.type === 'end') {
    const hash = jobs.get(m.job) || createHash('md5');
    jobs.delete(m.job);
    const digest = hash.digest();
    const out = new Uint8Array(digest).buffer;
    parentPort.postMessage({ type: 'digest', job: m.job, digest: out }, [out]);
  } else if (m.type === 'abort') {
    jobs.delete(m.job);
  }
});
`;

/** Bytes a job may have sent but not yet had hashed before its producer must wait. */
const MAX_UNACKED_BYTES = 8 * MIB;

type WorkerMessage = { type: 'ack'; job: number; size: number } | { type: 'digest'; job: number; digest: ArrayBuffer };

interface JobState {
  unackedBytes: number;
  /** Resolves a producer waiting for acks. */
  onDrain: (() => void) | undefined;
  onDigest: ((digest: Buffer) => void) | undefined;
}

/** One body being hashed: feed it with update(), then await digest(), or abort(). */
export interface Md5Job {
  /** Returns a promise when the producer should wait before sending more. */
  update(chunk: Buffer): Promise<void> | undefined;
  digest(): Promise<Buffer>;
  abort(): void;
}

export class Md5WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly jobs = new Map<number, JobState>();
  private nextJob = 0;
  private closed = false;

  constructor(size = Math.max(1, Math.min(4, availableParallelism() - 1))) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.unref();
      worker.on('message', (message: WorkerMessage) => this.onMessage(message));
      worker.on('error', (error) => console.error('emulator: MD5 worker failed:', error));
      this.workers.push(worker);
    }
  }

  start(): Md5Job {
    if (this.closed) throw new Error('the MD5 worker pool is closed');
    const id = ++this.nextJob;
    const worker = this.workers[id % this.workers.length]!;
    const state: JobState = { unackedBytes: 0, onDrain: undefined, onDigest: undefined };
    this.jobs.set(id, state);
    return {
      update: (chunk) => {
        // A copy of exactly the chunk's bytes, transferred: the socket's buffer stays ours.
        const bytes = new Uint8Array(chunk).buffer;
        worker.postMessage({ type: 'data', job: id, bytes }, [bytes]);
        state.unackedBytes += chunk.length;
        if (state.unackedBytes <= MAX_UNACKED_BYTES) return undefined;
        return new Promise<void>((resolve) => (state.onDrain = resolve));
      },
      digest: () =>
        new Promise<Buffer>((resolve) => {
          state.onDigest = resolve;
          worker.postMessage({ type: 'end', job: id });
        }),
      abort: () => {
        this.jobs.delete(id);
        worker.postMessage({ type: 'abort', job: id });
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private onMessage(message: WorkerMessage): void {
    const state = this.jobs.get(message.job);
    if (!state) return;
    if (message.type === 'ack') {
      state.unackedBytes -= message.size;
      if (state.onDrain && state.unackedBytes <= MAX_UNACKED_BYTES / 2) {
        const resolve = state.onDrain;
        state.onDrain = undefined;
        resolve();
      }
    } else {
      this.jobs.delete(message.job);
      state.onDigest?.(Buffer.from(message.digest));
    }
  }
}
