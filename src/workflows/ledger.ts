// The chunk ledger: which chunks of the current session are waiting, in flight, uploaded (with
// their ETag, not yet accepted by the API) or reported. Pure and deterministic: the workflow
// drives it, unit tests call it directly, and it survives continue-as-new as plain JSON.

import type { ChunkEtag, ChunkRange } from '../domain/types';
import { chunkByteRange, expandRanges, toRanges } from '../domain/chunk-ranges';

const enum ChunkState {
  Waiting = 0,
  InFlight = 1,
  Uploaded = 2,
  Reported = 3,
}
const COUNT_KEY = ['waiting', 'inFlight', 'uploaded', 'reported'] as const;

export class ChunkLedger {
  readonly totalChunks: number;
  private readonly states: Uint8Array; // index 0 unused: chunks are 1-based
  private readonly etags = new Map<number, ChunkEtag>();
  /** Waiting chunks, in upload order; re-queued chunks go first so a retry is not starved. */
  private queue: number[] = [];
  private counts = { waiting: 0, inFlight: 0, uploaded: 0, reported: 0 };

  constructor(totalChunks: number, reported: ChunkRange[] = [], unreported: ChunkEtag[] = []) {
    this.totalChunks = totalChunks;
    this.states = new Uint8Array(totalChunks + 1);
    for (const index of expandRanges(reported)) this.states[index] = ChunkState.Reported;
    for (const chunk of unreported) {
      if (this.states[chunk.chunkIndex] === ChunkState.Waiting) {
        this.states[chunk.chunkIndex] = ChunkState.Uploaded;
        this.etags.set(chunk.chunkIndex, chunk);
      }
    }
    for (let index = 1; index <= totalChunks; index++) {
      if (this.states[index] === ChunkState.Waiting) this.queue.push(index);
    }
    this.recount();
  }

  get waiting(): number {
    return this.counts.waiting;
  }
  get inFlight(): number {
    return this.counts.inFlight;
  }
  get uploaded(): number {
    return this.counts.uploaded;
  }
  get reported(): number {
    return this.counts.reported;
  }
  /** Every chunk reported and accepted. */
  get done(): boolean {
    return this.counts.reported === this.totalChunks;
  }

  /** The next `limit` waiting chunks in upload order, without taking them. */
  peekWaiting(limit: number): number[] {
    return this.queue.slice(0, Math.max(0, limit));
  }

  /** Takes a waiting chunk for upload. */
  start(chunkIndex: number): void {
    this.expect(chunkIndex, ChunkState.Waiting, 'start');
    this.queue.splice(this.queue.indexOf(chunkIndex), 1);
    this.set(chunkIndex, ChunkState.InFlight);
  }

  /** The chunk's PUT succeeded with this ETag. */
  uploadSucceeded(chunk: ChunkEtag): void {
    this.expect(chunk.chunkIndex, ChunkState.InFlight, 'uploadSucceeded');
    this.etags.set(chunk.chunkIndex, chunk);
    this.set(chunk.chunkIndex, ChunkState.Uploaded);
  }

  /** The chunk's PUT failed: it waits again, ahead of the others. */
  uploadFailed(chunkIndex: number): void {
    this.expect(chunkIndex, ChunkState.InFlight, 'uploadFailed');
    this.requeue(chunkIndex);
  }

  /**
   * A lane returned: its finished chunks are uploaded, the rest of its run waits again, ahead of
   * the others and in their upload order. Chunks no longer in flight (a replaced session, a
   * chunk settled twice) are left alone.
   */
  laneReturned(finished: ChunkEtag[], run: number[]): { stored: number; requeued: number[] } {
    const done = new Set<number>();
    for (const chunk of finished) {
      if (this.states[chunk.chunkIndex] !== ChunkState.InFlight) continue;
      this.uploadSucceeded(chunk);
      done.add(chunk.chunkIndex);
    }
    const requeued = run.filter((index) => !done.has(index) && this.states[index] === ChunkState.InFlight);
    for (let i = requeued.length - 1; i >= 0; i--) this.requeue(requeued[i]!);
    return { stored: done.size, requeued };
  }

  /** Uploaded chunks not yet reported, oldest first, at most `limit`. */
  unreported(limit = Infinity): ChunkEtag[] {
    const out: ChunkEtag[] = [];
    for (const chunk of this.etags.values()) {
      if (out.length >= limit) break;
      if (this.states[chunk.chunkIndex] === ChunkState.Uploaded) out.push(chunk);
    }
    return out;
  }

  /** Uploaded and not yet accepted by the API (reporting it may be under way). */
  isUnreported(chunkIndex: number): boolean {
    return this.states[chunkIndex] === ChunkState.Uploaded;
  }

  /** The chunk that has waited longest for its report, if any. */
  oldestUnreported(): number | undefined {
    return this.unreported(1)[0]?.chunkIndex;
  }

  /** The API accepted these chunks (processed or duplicate). */
  markReported(chunkIndices: number[]): void {
    for (const index of chunkIndices) {
      if (this.states[index] === ChunkState.Reported) continue;
      this.etags.delete(index);
      this.set(index, ChunkState.Reported);
    }
  }

  /**
   * The API says these chunks are not complete (failed, or missing after we reported them):
   * they are uploaded again. Chunks in flight are left alone; their upload will settle them.
   * Returns the chunks actually re-queued.
   */
  resend(chunkIndices: number[]): number[] {
    const requeued: number[] = [];
    for (const index of chunkIndices) {
      const state = this.states[index];
      if (state === ChunkState.Uploaded || state === ChunkState.Reported) {
        this.etags.delete(index);
        this.requeue(index);
        requeued.push(index);
      }
    }
    return requeued;
  }

  /** Bytes in chunks in the given states; chunk sizes follow the API's geometry. */
  bytesUploadedOrReported(chunkSize: number, totalSize: number): { uploaded: number; reported: number } {
    let uploaded = 0;
    let reported = 0;
    for (let index = 1; index <= this.totalChunks; index++) {
      const state = this.states[index];
      if (state !== ChunkState.Uploaded && state !== ChunkState.Reported) continue;
      const size = chunkByteRange(index, chunkSize, totalSize).sizeBytes;
      uploaded += size;
      if (state === ChunkState.Reported) reported += size;
    }
    return { uploaded, reported };
  }

  /** The ledger as plain JSON for continue-as-new. In-flight chunks must have settled first. */
  snapshot(): { reported: ChunkRange[]; unreported: ChunkEtag[] } {
    if (this.counts.inFlight > 0) throw new Error('cannot snapshot the ledger with chunks in flight');
    const reported: number[] = [];
    for (let index = 1; index <= this.totalChunks; index++) {
      if (this.states[index] === ChunkState.Reported) reported.push(index);
    }
    return { reported: toRanges(reported), unreported: this.unreported() };
  }

  private requeue(chunkIndex: number): void {
    this.set(chunkIndex, ChunkState.Waiting);
    this.queue.unshift(chunkIndex);
  }

  private set(chunkIndex: number, state: ChunkState): void {
    this.counts[COUNT_KEY[this.states[chunkIndex] as ChunkState]]--;
    this.states[chunkIndex] = state;
    this.counts[COUNT_KEY[state]]++;
  }

  private expect(chunkIndex: number, state: ChunkState, action: string): void {
    if (this.states[chunkIndex] !== state) {
      throw new Error(`ledger: cannot ${action} chunk ${chunkIndex} in state ${this.states[chunkIndex]}`);
    }
  }

  private recount(): void {
    const counts = { waiting: 0, inFlight: 0, uploaded: 0, reported: 0 };
    for (let index = 1; index <= this.totalChunks; index++) {
      const state = this.states[index];
      if (state === ChunkState.Waiting) counts.waiting++;
      else if (state === ChunkState.InFlight) counts.inFlight++;
      else if (state === ChunkState.Uploaded) counts.uploaded++;
      else counts.reported++;
    }
    this.counts = counts;
  }
}
