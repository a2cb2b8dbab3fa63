// One asset (contract 5.6): how it was created, its lazily derived status (9.18), and its wire
// projections. Status is a function of the emulator clock, so advancing the clock makes assets
// ready without any timer.

import type { AssetType, DerivedStatus, UserMetadata, WireAsset, WireAssetDetail } from '../twelvelabs/wire';
import { toWireTimestamp } from './clock';

/** The bytes behind an asset: one file (direct/url) or the accepted chunk files in order (multipart). */
export interface StoredObject {
  sizeBytes: number;
  sha256: string;
  filePaths: string[];
}

export interface AssetInit {
  id: string;
  apiKey: string;
  method: 'direct' | 'url' | 'multipart';
  filename: string;
  fileType: string;
  assetType: AssetType | undefined;
  createdAtMs: number;
  sequence: number;
  userMetadata: UserMetadata;
  enableHls: boolean;
  enableThumbnail: boolean;
  uploadId?: string;
}

export type AssetState = 'processing' | 'ready' | 'failed';

/** What a restart from the data dir needs of an asset (state-file.ts). */
export interface AssetSnapshot {
  init: AssetInit;
  userMetadata: UserMetadata;
  referenced: boolean;
  receivedAtMs?: number;
  object?: StoredObject;
  failureMessage?: string;
  validationError?: string;
}

export class AssetRecord {
  readonly id: string;
  readonly apiKey: string;
  readonly method: AssetInit['method'];
  readonly filename: string;
  readonly fileType: string;
  readonly assetType: AssetType | undefined;
  readonly createdAtMs: number;
  readonly sequence: number;
  readonly enableHls: boolean;
  readonly enableThumbnail: boolean;
  /** The multipart session that fills this asset. */
  readonly uploadId: string | undefined;
  userMetadata: UserMetadata;
  /** Test hook for the 409 path of A4 (9.28). */
  referenced = false;
  /** When every byte had arrived; `ready` follows after the ready delay. */
  receivedAtMs: number | undefined;
  object: StoredObject | undefined;
  /** Set when the asset failed at once (its upload failed or expired). */
  failureMessage: string | undefined;
  /** Set when validation is to fail (fault asset_failed): the asset turns `failed` instead of `ready`. */
  validationError: string | undefined;

  private readonly init: AssetInit;

  constructor(init: AssetInit) {
    this.init = { ...init };
    this.id = init.id;
    this.apiKey = init.apiKey;
    this.method = init.method;
    this.filename = init.filename;
    this.fileType = init.fileType;
    this.assetType = init.assetType;
    this.createdAtMs = init.createdAtMs;
    this.sequence = init.sequence;
    this.userMetadata = init.userMetadata;
    this.enableHls = init.enableHls;
    this.enableThumbnail = init.enableThumbnail;
    this.uploadId = init.uploadId;
  }

  toSnapshot(): AssetSnapshot {
    const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : { [key]: value });
    return {
      init: { ...this.init },
      userMetadata: { ...this.userMetadata },
      referenced: this.referenced,
      ...optional('receivedAtMs', this.receivedAtMs),
      ...optional('object', this.object),
      ...optional('failureMessage', this.failureMessage),
      ...optional('validationError', this.validationError),
    };
  }

  static fromSnapshot(snapshot: AssetSnapshot): AssetRecord {
    const asset = new AssetRecord(snapshot.init);
    asset.userMetadata = { ...snapshot.userMetadata };
    asset.referenced = snapshot.referenced;
    asset.receivedAtMs = snapshot.receivedAtMs;
    asset.object = snapshot.object;
    asset.failureMessage = snapshot.failureMessage;
    asset.validationError = snapshot.validationError;
    return asset;
  }

  /** Every byte is in; processing ends after the ready delay, with `validationError` if given. */
  received(object: StoredObject, nowMs: number, validationError?: string): void {
    this.object = object;
    this.receivedAtMs = nowMs;
    this.validationError = validationError;
  }

  fail(message: string): void {
    this.failureMessage = message;
  }

  state(nowMs: number, readyDelayMs: number): AssetState {
    if (this.failureMessage !== undefined) return 'failed';
    if (this.receivedAtMs === undefined || nowMs < this.receivedAtMs + readyDelayMs) return 'processing';
    return this.validationError === undefined ? 'ready' : 'failed';
  }

  /** A1's response shape. */
  toWire(nowMs: number, readyDelayMs: number): WireAsset {
    const wire: WireAsset = {
      _id: this.id,
      method: this.method,
      status: this.state(nowMs, readyDelayMs),
      filename: this.filename,
      file_type: this.fileType,
      created_at: toWireTimestamp(this.createdAtMs),
    };
    // 5.5: an asset without metadata leaves the field out.
    if (Object.keys(this.userMetadata).length > 0) wire.user_metadata = { ...this.userMetadata };
    return wire;
  }

  /** A2/A3's shape; `origin` roots the fake HLS and thumbnail URLs. */
  toWireDetail(nowMs: number, readyDelayMs: number, origin: string): WireAssetDetail {
    const state = this.state(nowMs, readyDelayMs);
    const detail: WireAssetDetail = this.toWire(nowMs, readyDelayMs);
    if (state === 'ready' && this.object) {
      detail.size = this.object.sizeBytes;
      detail.technical_metadata = { file_size_bytes: this.object.sizeBytes, file_mime_type: this.fileType };
    }
    if (state === 'failed') detail.error = { message: this.failureMessage ?? this.validationError ?? 'The asset failed.' };
    const base = `${origin}/tl-assets/${this.id}`;
    const isTimed = this.assetType === 'video' || this.assetType === 'audio';
    if (this.enableHls && isTimed) {
      const status = this.derivedStatus(nowMs, readyDelayMs);
      detail.hls = status === 'ready' ? { status, manifest_url: `${base}/hls/manifest.m3u8` } : { status };
    }
    if (this.enableThumbnail) {
      const status = this.derivedStatus(nowMs, readyDelayMs);
      detail.thumbnail = status === 'ready' ? { status, representative_url: `${base}/thumbnail.jpg` } : { status };
    }
    return detail;
  }

  /** 9.18: HLS and thumbnails go pending → processing → ready, one more ready delay after the asset. */
  private derivedStatus(nowMs: number, readyDelayMs: number): DerivedStatus {
    const state = this.state(nowMs, readyDelayMs);
    if (state === 'failed') return 'error';
    if (state === 'processing' || this.receivedAtMs === undefined) return 'pending';
    return nowMs < this.receivedAtMs + 2 * readyDelayMs ? 'processing' : 'ready';
  }
}
