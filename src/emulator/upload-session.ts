// One multipart upload session (contract 2): its geometry, its state machine (2.6), the per-chunk
// records behind M2, and the projections to the wire shapes of M2 and M3.

import type { ChunkStatus, WireChunkInfo, WireIncompleteUploadSummary } from '../twelvelabs/wire';
import { toWireTimestamp } from './clock';

export type SessionState = 'active' | 'completed' | 'failed' | 'expired';

/** One successful chunk PUT, as kept in the store. */
export interface StoredChunk {
  filePath: string;
  /** MD5 hex of the body, lowercase, no quotes. */
  etag: string;
  sizeBytes: number;
}

export interface ChunkRecord {
  status: Extract<ChunkStatus, 'pending' | 'completed' | 'failed'>;
  /** Last status change (report). */
  updatedAtMs: number;
  /** When the chunk was reported completed. */
  uploadedAtMs?: number;
  /** Why the chunk is `failed`. */
  error?: string;
  /** Successful PUTs of this index. */
  putCount: number;
  /** Body bytes of PUTs of this index the client abandoned (a crashed uploader's partial sends). */
  abortedBytes: number;
  /** Successful PUTs whose reply the lost_reply_put fault swallowed (each one explains a re-send). */
  repliesLost: number;
  /** The latest successful PUT: last writer wins (4.4). */
  latest?: StoredChunk;
  /**
   * The PUT that was reported and accepted. Assembly reads this one, so a late PUT to an already
   * completed index cannot change what was acknowledged (like S3's complete-by-ETag).
   */
  accepted?: StoredChunk;
}

/** One PUT of a chunk as the store saw it, in wall-clock ms (not the emulator's movable clock). */
/** PUTs of one chunk index the log keeps (the latest); crash accounting needs a handful. */
export const PUTS_LOGGED_PER_CHUNK = 64;

export interface PutLogEntry {
  startedAtMs: number;
  /** When it was answered or abandoned; undefined while it runs. */
  endedAtMs?: number;
  /** 'stored': answered 200; 'aborted': the client went away mid-body; 'failed': any other end. */
  outcome?: 'stored' | 'aborted' | 'failed';
  /** Body bytes read. */
  bytes: number;
}

export interface UploadSessionInit {
  uploadId: string;
  assetId: string;
  apiKey: string;
  filename: string;
  totalSizeBytes: number;
  chunkSizeBytes: number;
  createdAtMs: number;
  expiresAtMs: number;
  /** Creation order, to sort "newest first" when several sessions share a millisecond. */
  sequence: number;
}

/** What a restart from the data dir needs of a session (state-file.ts). */
export interface UploadSessionSnapshot {
  init: UploadSessionInit;
  state: SessionState;
  updatedAtMs: number;
  failureReason?: string;
  chunksCompleted: number;
  chunksFailed: number;
  uploadedSizeBytes: number;
  chunks: Array<[chunkIndex: number, record: ChunkRecord]>;
  usedUrlIds: string[];
  presentedUrlIds: string[];
}

export class UploadSession {
  readonly uploadId: string;
  readonly assetId: string;
  readonly apiKey: string;
  readonly filename: string;
  readonly totalSizeBytes: number;
  readonly chunkSizeBytes: number;
  readonly totalChunks: number;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
  readonly sequence: number;

  state: SessionState = 'active';
  updatedAtMs: number;
  failureReason: string | undefined;
  chunksCompleted = 0;
  chunksFailed = 0;
  /** Bytes in completed chunks (2.7). */
  uploadedSizeBytes = 0;
  /** Set while the completing report assembles the object; PUTs and reports wait for it. */
  finalizing: Promise<void> | undefined;
  /** Only chunks that were ever PUT or reported have a record; the rest are implicitly pending. */
  private readonly chunks = new Map<number, ChunkRecord>();
  /** Every chunk PUT whose body the store began to read, by index (crash accounting; not persisted). */
  private readonly putLog = new Map<number, PutLogEntry[]>();
  /** Presigned URLs already used by a successful PUT (9.10). */
  private readonly usedUrlIds = new Set<string>();
  /** Presigned URLs that any PUT presented, to count clients that reuse URLs. */
  private readonly presentedUrlIds = new Set<string>();

  private readonly init: UploadSessionInit;

  constructor(init: UploadSessionInit) {
    this.init = { ...init };
    this.uploadId = init.uploadId;
    this.assetId = init.assetId;
    this.apiKey = init.apiKey;
    this.filename = init.filename;
    this.totalSizeBytes = init.totalSizeBytes;
    this.chunkSizeBytes = init.chunkSizeBytes;
    this.totalChunks = Math.ceil(init.totalSizeBytes / init.chunkSizeBytes);
    this.createdAtMs = init.createdAtMs;
    this.expiresAtMs = init.expiresAtMs;
    this.sequence = init.sequence;
    this.updatedAtMs = init.createdAtMs;
  }

  toSnapshot(): UploadSessionSnapshot {
    return {
      init: { ...this.init },
      state: this.state,
      updatedAtMs: this.updatedAtMs,
      ...(this.failureReason !== undefined ? { failureReason: this.failureReason } : {}),
      chunksCompleted: this.chunksCompleted,
      chunksFailed: this.chunksFailed,
      uploadedSizeBytes: this.uploadedSizeBytes,
      chunks: [...this.chunks.entries()].map(([index, record]) => [index, { ...record }]),
      usedUrlIds: [...this.usedUrlIds],
      presentedUrlIds: [...this.presentedUrlIds],
    };
  }

  static fromSnapshot(snapshot: UploadSessionSnapshot): UploadSession {
    const session = new UploadSession(snapshot.init);
    session.state = snapshot.state;
    session.updatedAtMs = snapshot.updatedAtMs;
    session.failureReason = snapshot.failureReason;
    session.chunksCompleted = snapshot.chunksCompleted;
    session.chunksFailed = snapshot.chunksFailed;
    session.uploadedSizeBytes = snapshot.uploadedSizeBytes;
    for (const [index, record] of snapshot.chunks) session.chunks.set(index, { ...record });
    for (const id of snapshot.usedUrlIds) session.usedUrlIds.add(id);
    for (const id of snapshot.presentedUrlIds) session.presentedUrlIds.add(id);
    return session;
  }

  /** 2.2: every chunk is chunk_size bytes except the last, which holds the remainder. */
  expectedChunkBytes(chunkIndex: number): number {
    return chunkIndex < this.totalChunks
      ? this.chunkSizeBytes
      : this.totalSizeBytes - (this.totalChunks - 1) * this.chunkSizeBytes;
  }

  /**
   * Applies expiry lazily (2.6). Returns true when this call moved the session to `expired`, so
   * the caller can run the side effects once.
   */
  expireIfDue(nowMs: number): boolean {
    if (this.state !== 'active' || nowMs < this.expiresAtMs) return false;
    this.state = 'expired';
    this.updatedAtMs = this.expiresAtMs;
    return true;
  }

  fail(reason: string, nowMs: number): void {
    this.state = 'failed';
    this.failureReason = reason;
    this.updatedAtMs = nowMs;
  }

  record(chunkIndex: number): ChunkRecord | undefined {
    return this.chunks.get(chunkIndex);
  }

  /** The record of a chunk, created as `pending` on first touch. */
  touch(chunkIndex: number): ChunkRecord {
    let record = this.chunks.get(chunkIndex);
    if (!record) {
      record = { status: 'pending', updatedAtMs: this.createdAtMs, putCount: 0, abortedBytes: 0, repliesLost: 0 };
      this.chunks.set(chunkIndex, record);
    }
    return record;
  }

  /**
   * Notes a PUT of this index whose body is about to be read; the caller ends the entry. The
   * latest PUTS_LOGGED_PER_CHUNK per index are kept, so a client that PUTs one chunk forever
   * cannot grow the emulator without bound.
   */
  putStarted(chunkIndex: number, nowMs: number): PutLogEntry {
    const entry: PutLogEntry = { startedAtMs: nowMs, bytes: 0 };
    const log = this.putLog.get(chunkIndex);
    if (!log) this.putLog.set(chunkIndex, [entry]);
    else {
      log.push(entry);
      if (log.length > PUTS_LOGGED_PER_CHUNK) log.shift();
    }
    return entry;
  }

  /** The PUTs of this index whose body the store began to read, in start order. */
  putsOf(chunkIndex: number): readonly PutLogEntry[] {
    return this.putLog.get(chunkIndex) ?? [];
  }

  /** Chunks that were PUT or reported, in ascending index. */
  touchedChunks(): Array<[chunkIndex: number, record: ChunkRecord]> {
    return [...this.chunks.entries()].sort(([a], [b]) => a - b);
  }

  /** Every stored file of the session, for purging. */
  storedFiles(): string[] {
    const files = new Set<string>();
    for (const record of this.chunks.values()) {
      if (record.latest) files.add(record.latest.filePath);
      if (record.accepted) files.add(record.accepted.filePath);
    }
    return [...files];
  }

  /** Notes that a PUT presented this URL; true when one had presented it before. */
  notePresented(urlId: string): boolean {
    const seen = this.presentedUrlIds.has(urlId);
    this.presentedUrlIds.add(urlId);
    return seen;
  }

  isUrlUsed(urlId: string): boolean {
    return this.usedUrlIds.has(urlId);
  }

  markUrlUsed(urlId: string): void {
    this.usedUrlIds.add(urlId);
  }

  markChunkCompleted(chunkIndex: number, stored: StoredChunk, nowMs: number): void {
    const record = this.touch(chunkIndex);
    if (record.status === 'failed') this.chunksFailed -= 1;
    record.status = 'completed';
    record.error = undefined;
    record.uploadedAtMs = nowMs;
    record.updatedAtMs = nowMs;
    record.accepted = stored;
    this.chunksCompleted += 1;
    this.uploadedSizeBytes += stored.sizeBytes;
    this.updatedAtMs = nowMs;
  }

  markChunkFailed(chunkIndex: number, error: string, nowMs: number): void {
    const record = this.touch(chunkIndex);
    if (record.status !== 'failed') this.chunksFailed += 1;
    record.status = 'failed';
    record.error = error;
    record.updatedAtMs = nowMs;
    this.updatedAtMs = nowMs;
  }

  /** The accepted chunk files in index order: the assembled object (no concatenated copy). */
  acceptedFilesInOrder(): StoredChunk[] {
    const files: StoredChunk[] = [];
    for (let index = 1; index <= this.totalChunks; index++) {
      const accepted = this.chunks.get(index)?.accepted;
      if (!accepted) throw new Error(`chunk ${index} of ${this.uploadId} has no accepted data`);
      files.push(accepted);
    }
    return files;
  }

  chunkInfo(chunkIndex: number): WireChunkInfo {
    const record = this.chunks.get(chunkIndex);
    const info: WireChunkInfo = {
      index: chunkIndex,
      status: record?.status ?? 'pending',
      uploaded_at: record?.status === 'completed' && record.uploadedAtMs !== undefined ? toWireTimestamp(record.uploadedAtMs) : null,
      updated_at: toWireTimestamp(record?.updatedAtMs ?? this.createdAtMs),
    };
    if (record?.status === 'failed' && record.error !== undefined) info.error = record.error;
    return info;
  }

  summary(): WireIncompleteUploadSummary {
    return {
      upload_id: this.uploadId,
      status: this.state,
      total_size: this.totalSizeBytes,
      chunk_size: this.chunkSizeBytes,
      total_chunks: this.totalChunks,
      created_at: toWireTimestamp(this.createdAtMs),
      expires_at: toWireTimestamp(this.expiresAtMs),
    };
  }
}
