// What a multipart upload knows across its sessions and its continue-as-new runs: the phase, the
// controls (paused, concurrency), the counters, the current session and its ledger. Everything
// the progress query shows lives here; the run loop reads it and wakes on every change.

import { condition } from '@temporalio/workflow';
import { baseName } from '../../domain/names';
import { zeroCounters, type AssetLeftBehind, type MultipartUploadInput, type SessionInfo, type UploadCounters, type UploadPhase, type UploadProgress } from '../../domain/types';
import { multipartDetails } from '../current-details';
import { ChunkLedger } from '../ledger';
import { phasePublisher } from '../phase-publisher';
import type { MultipartOptions } from '../planning';
import { ChunkRejections } from './chunk-rejections';
import { PauseOrderGate } from '../pause-order';

/** What the session run in progress adds to the progress query. */
export interface LaneView {
  inFlightChunks(): number[];
  readonly lanesInFlight: number;
}

export class MultipartState {
  phase: UploadPhase;
  paused: boolean;
  concurrency: number;
  readonly counters: Required<UploadCounters>;
  readonly startedAt: string;
  readonly runs: number;
  readonly fileName: string;
  session: SessionInfo | undefined;
  ledger: ChunkLedger | undefined;
  failure: { type: string; message: string } | undefined;
  /** Failed or cancelled: what became of the asset the session reserved. */
  assetLeft: AssetLeftBehind | undefined;
  lanes: LaneView | undefined;
  /** Chunks TwelveLabs marked `failed`, counted across continue-as-new. */
  readonly rejections: ChunkRejections;
  /** Drops a forwarded pause or resume older than the last applied (pause-order.ts). */
  readonly pauseOrder: PauseOrderGate;
  /** setConcurrency raised the window since the run loop last looked: lanes may need re-planning. */
  concurrencyRaised = false;
  private changes = 0;
  private readonly publish = phasePublisher();

  constructor(input: MultipartUploadInput, options: MultipartOptions) {
    const carried = input.carried;
    this.fileName = input.filename ?? baseName(input.source.path);
    this.phase = carried ? 'uploading' : 'validating';
    this.paused = carried?.paused ?? false;
    this.concurrency = carried?.concurrency ?? options.concurrency;
    // Counters carried from a run before lanes existed lack the lane fields: they start at 0.
    this.counters = { hedges: 0, hedgedBytes: 0, urlRefusals: 0, lanes: 0, ...(carried?.counters ?? zeroCounters()) };
    this.startedAt = carried?.startedAt ?? new Date().toISOString();
    this.runs = (carried?.runs ?? 0) + 1;
    this.session = carried?.session;
    this.rejections = new ChunkRejections(carried?.chunkRejections);
    this.pauseOrder = new PauseOrderGate(carried?.pauseSeq);
    this.ledger = carried ? new ChunkLedger(carried.session.totalChunks, carried.reported, carried.unreported) : undefined;
    this.show();
  }

  /** Something the run loop must look at happened. */
  wake(): void {
    this.changes++;
  }

  /**
   * Waits for the next wake(). The run loop comes here after every lane, report or control it
   * handled, so this is where the Web UI's details catch up (in the same workflow task: no event).
   */
  async nextChange(): Promise<void> {
    this.show();
    const seen = this.changes;
    await condition(() => this.changes !== seen);
  }

  setPhase(phase: UploadPhase): void {
    this.phase = phase;
    this.show();
  }

  /** Shows the phase as the TlPhase search attribute, and the progress as the Web UI's current details. */
  show(): void {
    this.publish(this.shownPhase(), multipartDetails(this.progress()));
  }

  progress(): UploadProgress {
    const { ledger, session } = this;
    const bytes = ledger && session ? ledger.bytesUploadedOrReported(session.chunkSize, session.totalSize) : undefined;
    return {
      phase: this.shownPhase(),
      fileName: this.fileName,
      uploadId: session?.uploadId,
      assetId: session?.assetId,
      totalBytes: session?.totalSize,
      confirmedBytes: bytes?.reported ?? 0,
      uploadedBytes: bytes?.uploaded ?? 0,
      totalChunks: session?.totalChunks,
      uploadedChunks: ledger ? ledger.uploaded + ledger.reported : 0,
      reportedChunks: ledger?.reported ?? 0,
      inFlightChunks: this.lanes?.inFlightChunks() ?? [],
      lanesInFlight: this.lanes?.lanesInFlight ?? 0,
      concurrency: this.concurrency,
      paused: this.paused,
      counters: { ...this.counters },
      startedAt: this.startedAt,
      runs: this.runs,
      error: this.failure,
      ...(this.assetLeft ? { assetLeft: this.assetLeft } : {}),
    };
  }

  private shownPhase(): UploadPhase {
    return this.phase === 'uploading' && this.paused ? 'paused' : this.phase;
  }
}
