// A handle on one upload or batch, shaped like Temporal's WorkflowHandle: what a service keeps
// after starting (or attaching to) an upload, instead of passing the workflow id back to every
// call. Progress also arrives as an event, in the manner of @aws-sdk/lib-storage's
// `upload.on('httpUploadProgress', ...)` before `await upload.done()`: listeners registered with
// `on('progress', ...)` hear every snapshot while `result()` waits, the last one the final state.

import type { BatchUploadResult, UploadResult } from '../domain/types';
import type { LiveProgress, StartedUpload, WatchOptions } from './types';

/** The id-based calls a handle stands in for (UploadClient implements them). */
export interface UploadCalls {
  result(workflowId: string): Promise<UploadResult | BatchUploadResult>;
  progress(workflowId: string): Promise<LiveProgress>;
  watch(workflowId: string, options?: WatchOptions): AsyncGenerator<LiveProgress, void, undefined>;
  pause(workflowId: string): Promise<void>;
  resume(workflowId: string): Promise<void>;
  setConcurrency(workflowId: string, value: number): Promise<number>;
  cancel(workflowId: string): Promise<void>;
}

export type ProgressListener = (progress: LiveProgress) => void;

/** Options of `result()`: how often listeners hear progress while it waits. */
export interface ResultOptions {
  /** Default 500 ms (as `watch`). */
  progressIntervalMs?: number;
}

export class UploadHandle<R extends UploadResult | BatchUploadResult = UploadResult | BatchUploadResult> implements StartedUpload {
  readonly workflowId: string;
  readonly kind: 'upload' | 'batch';
  /** True when the upload already ran or runs under this id: nothing new was started. */
  readonly attached: boolean;
  /** A batch that ran before under this id was started again: it uploads only what is left. */
  readonly rerun?: boolean;
  readonly webUiLink?: string;
  readonly #calls: UploadCalls;
  readonly #listeners = new Set<ProgressListener>();

  constructor(calls: UploadCalls, started: StartedUpload) {
    this.#calls = calls;
    this.workflowId = started.workflowId;
    this.kind = started.kind;
    this.attached = started.attached;
    if (started.rerun) this.rerun = true;
    if (started.webUiLink !== undefined) this.webUiLink = started.webUiLink;
  }

  /**
   * Waits for the result (an UploadResult, or a BatchUploadResult for a batch); a failure or
   * cancellation throws UploadFailedError with its type. With progress listeners registered, it
   * follows the upload meanwhile and hands them every snapshot, the final one included.
   */
  async result(options: ResultOptions = {}): Promise<R> {
    const result = this.#calls.result(this.workflowId) as Promise<R>;
    if (this.#listeners.size === 0) return result;
    // The watch ends by itself once the workflow closes, which is when the result arrives.
    const [settled] = await Promise.all([
      result.then((value) => ({ value }), (error: unknown) => ({ error })),
      // Progress is a side channel: a failed watch or a throwing listener never costs the result.
      this.#follow(options.progressIntervalMs).catch(() => undefined),
    ]);
    if ('error' in settled) throw settled.error;
    return settled.value;
  }

  /** Live progress now (see UploadClient.progress); listeners hear it too. */
  async progress(): Promise<LiveProgress> {
    const progress = await this.#calls.progress(this.workflowId);
    this.#emit(progress);
    return progress;
  }

  /** Progress every `intervalMs` until the workflow closes (the last one is its final state). */
  async *watch(options: WatchOptions = {}): AsyncGenerator<LiveProgress, void, undefined> {
    for await (const progress of this.#calls.watch(this.workflowId, options)) {
      this.#emit(progress);
      yield progress;
    }
  }

  /** Holds the upload or batch: no new chunk (or file) starts; those in flight finish. */
  pause(): Promise<void> {
    return this.#calls.pause(this.workflowId);
  }

  resume(): Promise<void> {
    return this.#calls.resume(this.workflowId);
  }

  /** Chunk PUTs in flight of a multipart upload, or files at once of a batch; answers the previous value. */
  setConcurrency(value: number): Promise<number> {
    return this.#calls.setConcurrency(this.workflowId, value);
  }

  /** In-flight PUTs stop, nothing more is sent, the workflow ends as cancelled. */
  cancel(): Promise<void> {
    return this.#calls.cancel(this.workflowId);
  }

  /** `progress`: every snapshot this handle reads (result() with listeners, progress(), watch()). */
  on(event: 'progress', listener: ProgressListener): this {
    assertProgressEvent(event);
    this.#listeners.add(listener);
    return this;
  }

  off(event: 'progress', listener: ProgressListener): this {
    assertProgressEvent(event);
    this.#listeners.delete(listener);
    return this;
  }

  /** The start record (`--json` output, logs): id, kind, attached, rerun, Web UI link. */
  toJSON(): StartedUpload {
    return {
      workflowId: this.workflowId,
      kind: this.kind,
      attached: this.attached,
      ...(this.rerun ? { rerun: true } : {}),
      ...(this.webUiLink !== undefined ? { webUiLink: this.webUiLink } : {}),
    };
  }

  async #follow(intervalMs: number | undefined): Promise<void> {
    for await (const progress of this.#calls.watch(this.workflowId, intervalMs !== undefined ? { intervalMs } : {})) this.#emit(progress);
  }

  #emit(progress: LiveProgress): void {
    for (const listener of this.#listeners) listener(progress);
  }
}

function assertProgressEvent(event: string): void {
  if (event !== 'progress') throw new TypeError(`an UploadHandle emits 'progress' only, not '${event}'`);
}
