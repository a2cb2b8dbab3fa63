// Every asset (and multipart session) the emulator ever created, deleted or not: what checks of
// "exactly one asset per upload" count, rather than what the client says it did. Deleted assets
// stay listed (with `deleted_at`), so an orphan that was cleaned up is still visible as created.

import { toWireTimestamp } from './clock';
import type { AssetRecord } from './asset';

/** Wire shape of one entry of GET /_emulator/created. */
export interface CreatedAssetView {
  asset_id: string;
  /** The multipart session that was created with the asset (M1); absent for A1. */
  upload_id?: string;
  method: AssetRecord['method'];
  filename: string;
  created_at: string;
  /** Set once A4 deleted the asset. */
  deleted_at?: string;
}

export class CreationLedger {
  private readonly entries = new Map<string, CreatedAssetView>();

  created(asset: AssetRecord): void {
    this.entries.set(asset.id, {
      asset_id: asset.id,
      ...(asset.uploadId !== undefined ? { upload_id: asset.uploadId } : {}),
      method: asset.method,
      filename: asset.filename,
      created_at: toWireTimestamp(asset.createdAtMs),
    });
  }

  deleted(assetId: string, nowMs: number): void {
    const entry = this.entries.get(assetId);
    if (entry) entry.deleted_at = toWireTimestamp(nowMs);
  }

  /** Oldest first. */
  list(): CreatedAssetView[] {
    return [...this.entries.values()].map((e) => ({ ...e }));
  }

  /** For a restart from the data dir (state-file.ts). */
  restore(entries: readonly CreatedAssetView[]): void {
    for (const entry of entries) this.entries.set(entry.asset_id, { ...entry });
  }
}
