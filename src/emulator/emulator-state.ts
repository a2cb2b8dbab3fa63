// The emulator's whole mutable world: sessions, assets, the clock, faults, counters and the URL
// signer, plus the state transitions that touch more than one of them (expiry, failure,
// completion, deletion). Route handlers validate HTTP input and call in here.

import type { WirePresignedUrlChunk } from '../twelvelabs/wire';
import { AssetRecord } from './asset';
import { EmulatorClock, toWireTimestamp } from './clock';
import { EmulatorCounters } from './counters';
import { CreationLedger } from './creation-ledger';
import { AssetErrorQueue } from './asset-errors';
import { FaultInjector } from './faults';
import { type Md5Job, Md5WorkerPool } from './md5-workers';
import { hashFiles, ObjectFiles, unlinkQuietly } from './object-files';
import type { ResolvedEmulatorOptions } from './options';
import { RateLimitWindow } from './rate-limit';
import { UrlSigner } from './presigned-url';
import { type EmulatorSnapshot, StateFile } from './state-file';
import { type StoredChunk, UploadSession } from './upload-session';
import { WanLink } from './wan-link';

/** Where assembled objects are served (9.33); also the M4 `url`. */
export const ASSET_BUCKET_PATH = '/tl-assets';

export class EmulatorState {
  readonly clock = new EmulatorClock();
  readonly counters = new EmulatorCounters();
  /** Every asset and session ever created, deleted or not (GET /_emulator/created). */
  readonly creations = new CreationLedger();
  readonly faults: FaultInjector;
  /** A1 codes queued for the next assets (asset-errors.ts). */
  readonly assetErrors = new AssetErrorQueue();
  readonly signer: UrlSigner;
  readonly wan: WanLink;
  /** Started on the first chunk PUT: many emulators (tests) never receive one. */
  private md5Pool: Md5WorkerPool | undefined;
  readonly rateLimit = new RateLimitWindow();
  private readonly sessions = new Map<string, UploadSession>();
  private readonly assets = new Map<string, AssetRecord>();
  private sequence = 0;

  /** Set when the emulator keeps its world in its data dir (state-file.ts). */
  private stateFile: StateFile | undefined;

  constructor(
    readonly options: ResolvedEmulatorOptions,
    /** `http://host:port`, the root of every URL handed out. */
    readonly origin: string,
    readonly files: ObjectFiles,
    /** What the data dir held when the emulator started, if anything. */
    restored?: EmulatorSnapshot,
  ) {
    this.faults = new FaultInjector(options.faults, options.seed);
    this.signer = new UrlSigner(origin, options.uploadHeaders, restored ? Buffer.from(restored.signingSecret, 'base64') : undefined);
    this.wan = new WanLink(options.wan);
    if (restored) this.restore(restored);
  }

  /** From now on every reply to a change waits until the change is saved in `dataDir`. */
  keepStateIn(dataDir: string): void {
    this.stateFile = new StateFile(dataDir, () => this.snapshot());
  }

  /** Resolves once the current state is saved (at once when the emulator keeps none). */
  saved(): Promise<void> {
    return this.stateFile?.save() ?? Promise.resolve();
  }

  get keepsState(): boolean {
    return this.stateFile !== undefined;
  }

  snapshot(): EmulatorSnapshot {
    return {
      version: 1,
      signingSecret: this.signer.secret.toString('base64'),
      clockOffsetMs: this.clock.offsetMs,
      sequence: this.sequence,
      sessions: [...this.sessions.values()].map((s) => s.toSnapshot()),
      assets: [...this.assets.values()].map((a) => a.toSnapshot()),
      creations: this.creations.list(),
      counters: this.counters.current(),
    };
  }

  private restore(snapshot: EmulatorSnapshot): void {
    this.clock.offsetMs = snapshot.clockOffsetMs;
    this.sequence = snapshot.sequence;
    for (const s of snapshot.sessions) {
      const session = UploadSession.fromSnapshot(s);
      this.sessions.set(session.uploadId, session);
      // A kill during assembly left every chunk reported and the session active: assemble again.
      if (session.state === 'active' && session.chunksCompleted === session.totalChunks) void this.completeUpload(session);
    }
    for (const a of snapshot.assets) {
      const asset = AssetRecord.fromSnapshot(a);
      this.assets.set(asset.id, asset);
    }
    this.creations.restore(snapshot.creations);
    this.counters.restore(snapshot.counters);
  }

  nowMs(): number {
    return this.clock.nowMs();
  }

  /** Starts hashing one chunk body off the event loop. */
  startMd5(): Md5Job {
    this.md5Pool ??= new Md5WorkerPool();
    return this.md5Pool.start();
  }

  /** Releases what outlives requests (the hashing workers). */
  async close(): Promise<void> {
    await this.md5Pool?.close();
  }

  /** Creation order for newest-first lists; timestamps alone tie within a millisecond. */
  nextSequence(): number {
    return ++this.sequence;
  }

  addSession(session: UploadSession, asset: AssetRecord): void {
    this.sessions.set(session.uploadId, session);
    this.assets.set(asset.id, asset);
    this.counters.add('sessions_created');
    this.counters.add('assets_created');
    this.creations.created(asset);
  }

  addAsset(asset: AssetRecord): void {
    this.assets.set(asset.id, asset);
    this.counters.add('assets_created');
    this.creations.created(asset);
  }

  /** A session with expiry applied (2.6); undefined when unknown. */
  session(uploadId: string): UploadSession | undefined {
    const session = this.sessions.get(uploadId);
    if (session) this.applyExpiry(session);
    return session;
  }

  sessionsOf(apiKey: string): UploadSession[] {
    const owned = [...this.sessions.values()].filter((s) => s.apiKey === apiKey);
    for (const session of owned) this.applyExpiry(session);
    return owned;
  }

  /** An asset, after its session (if any) had expiry applied, so its status is current. */
  asset(assetId: string): AssetRecord | undefined {
    const asset = this.assets.get(assetId);
    if (asset?.uploadId !== undefined) this.session(asset.uploadId);
    return asset;
  }

  assetsOf(apiKey: string): AssetRecord[] {
    this.sessionsOf(apiKey);
    return [...this.assets.values()].filter((a) => a.apiKey === apiKey);
  }

  mintUrl(session: UploadSession, chunkIndex: number, nowMs: number): WirePresignedUrlChunk {
    const minted = this.signer.mint(session.uploadId, chunkIndex, nowMs, this.options.urlTtlMs, session.expiresAtMs);
    this.counters.add('presigned_urls_minted');
    return { chunk_index: chunkIndex, url: minted.url, expires_at: toWireTimestamp(minted.expiresAtMs) };
  }

  assetObjectUrl(asset: AssetRecord): string {
    return `${this.origin}${ASSET_BUCKET_PATH}/${asset.id}/${encodeURIComponent(asset.filename)}`;
  }

  /** Records a successful PUT: last writer wins (4.4); superseded files are deleted. */
  storeChunk(session: UploadSession, chunkIndex: number, stored: StoredChunk): void {
    const record = session.touch(chunkIndex);
    const previous = record.latest;
    record.latest = stored;
    record.putCount += 1;
    if (previous && previous !== record.accepted) void unlinkQuietly(previous.filePath);
  }

  /** active → failed (2.6): the asset fails too, and the chunks are purged. */
  failSession(session: UploadSession, reason: string): void {
    if (session.state !== 'active') return;
    session.fail(reason, this.nowMs());
    this.assets.get(session.assetId)?.fail(reason);
    void this.files.removeSession(session.uploadId);
  }

  /**
   * Assembles a session whose chunks are all completed (3.4 step 4): streams the accepted chunk
   * files in index order for size and SHA-256 and checks the length against total_size.
   * Concurrent completing reports share one assembly.
   */
  completeUpload(session: UploadSession): Promise<void> {
    if (!session.finalizing) {
      session.finalizing = this.assemble(session).finally(() => {
        session.finalizing = undefined;
      });
    }
    return session.finalizing;
  }

  private async assemble(session: UploadSession): Promise<void> {
    const chunks = session.acceptedFilesInOrder();
    const filePaths = chunks.map((c) => c.filePath);
    let digest: { sizeBytes: number; sha256: string };
    try {
      digest = await hashFiles(filePaths);
    } catch (error) {
      this.failSession(session, `The uploaded chunks could not be assembled: ${String(error)}`);
      return;
    }
    // The asset may have been deleted (failing the session) while the files were read.
    if (session.state !== 'active') return;
    if (digest.sizeBytes !== session.totalSizeBytes) {
      this.failSession(
        session,
        `The assembled object has ${digest.sizeBytes} bytes but total_size is ${session.totalSizeBytes}.`,
      );
      return;
    }
    const nowMs = this.nowMs();
    session.state = 'completed';
    session.updatedAtMs = nowMs;
    this.assets.get(session.assetId)?.received({ ...digest, filePaths }, nowMs, this.injectedValidationError());
    // PUTs that arrived after a chunk was accepted are no longer reachable.
    const keep = new Set(filePaths);
    for (const file of session.storedFiles()) if (!keep.has(file)) void unlinkQuietly(file);
  }

  /**
   * A4: removes the asset and its bytes; an active session of the asset fails (5.4).
   * The caller has already checked `referenced` / `force`.
   */
  deleteAsset(asset: AssetRecord): void {
    this.assets.delete(asset.id);
    this.counters.add('assets_deleted');
    this.creations.deleted(asset.id, this.nowMs());
    if (asset.uploadId !== undefined) {
      const session = this.sessions.get(asset.uploadId);
      // Only an active session fails; a completed one simply loses its bytes (its chunk files).
      if (session) this.failSession(session, 'The asset was deleted while the upload was in progress.');
      void this.files.removeSession(asset.uploadId);
    } else {
      void this.files.removeAsset(asset.id);
    }
  }

  /**
   * The media-content error an assembled asset will fail with: a code queued for it, or one drawn
   * when the asset_failed fault fires (5.8: the emulator analyses no media, so these codes exist
   * only as faults); undefined otherwise.
   */
  injectedValidationError(): string | undefined {
    const queued = this.assetErrors.take();
    if (queued) return `${queued.code}: ${queued.message}`;
    if (!this.faults.fires('asset_failed')) return undefined;
    const errors = [
      'video_file_broken: The video file is broken or cannot be processed.',
      'video_resolution_too_low: The resolution of the video is too low.',
      'video_duration_too_short: The video is too short.',
      'audio_file_broken: The audio file is broken or cannot be processed.',
    ];
    return errors[Math.floor(this.faults.draw() * errors.length)];
  }

  /** Size and SHA-256 of an asset's assembled object; undefined until there is one. */
  objectInfo(assetId: string): { size: number; sha256: string } | undefined {
    const object = this.assets.get(assetId)?.object;
    return object ? { size: object.sizeBytes, sha256: object.sha256 } : undefined;
  }

  private applyExpiry(session: UploadSession): void {
    // A completing report that arrived in time wins over an expiry that passes while it assembles.
    if (session.finalizing || !session.expireIfDue(this.nowMs())) return;
    this.assets.get(session.assetId)?.fail('The upload session expired before every chunk was reported.');
    void this.files.removeSession(session.uploadId);
  }
}
