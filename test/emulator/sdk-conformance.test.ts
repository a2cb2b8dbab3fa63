// The official SDK (twelvelabs-js 1.3.4) drives the emulator through its baseUrl and cannot tell
// it from the real API: its parsers accept every response, its pagers terminate, its error
// classes map, and its own uploadFile wrapper completes an upload (contract section 7).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TwelvelabsApi, TwelvelabsApiClient } from 'twelvelabs-js';
import { MultipartUploadWrapper } from 'twelvelabs-js/wrapper/resources/MultipartUploadWrapper';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningEmulator } from '../../src/emulator';
import { bytes, KEY, sha256, start } from './support';

const CHUNK = 1024;

describe('twelvelabs-js 1.3.4 against the emulator', () => {
  let emu: RunningEmulator;
  let sdk: TwelvelabsApiClient;
  let dir: string;
  beforeAll(async () => {
    emu = await start({ chunkSizeBytes: CHUNK });
    sdk = new TwelvelabsApiClient({ apiKey: KEY, baseUrl: emu.baseUrl });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-sdk-'));
  });
  afterAll(async () => {
    await emu.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("completes an upload with the SDK's own uploadFile wrapper (initial URLs, more URLs, batches)", async () => {
    const data = bytes(23 * CHUNK + 100, 77);
    const file = path.join(dir, 'wrapper.mp4');
    fs.writeFileSync(file, data);
    const wrapper = new MultipartUploadWrapper({ apiKey: KEY, baseUrl: emu.baseUrl });
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const result = await wrapper.uploadFile(file, { batchSize: 10, maxWorkers: 4 });
      expect(result.assetId).toMatch(/^[0-9a-f]{24}$/);
      expect(result.assetUrl).toContain(result.assetId);
      expect(await emu.objectInfo(result.assetId)).toEqual({ size: data.length, sha256: sha256(data) });
    } finally {
      log.mockRestore();
    }
  });

  it('parses M1–M5 responses and iterates the status pager to its end', async () => {
    const created = await sdk.multipartUpload.create({ filename: 'sdk.mp4', type: 'video', totalSize: 12 * CHUNK });
    expect(created.uploadId).toMatch(/^[0-9a-f]{24}$/);
    expect(created.totalChunks).toBe(12);
    expect(created.uploadUrls).toHaveLength(10);
    expect(created.expiresAt).toBeInstanceOf(Date);

    const more = await sdk.multipartUpload.getAdditionalPresignedUrls(created.uploadId!, { start: 11, count: 2 });
    expect(more.uploadUrls?.map((u) => u.chunkIndex)).toEqual([11, 12]);
    expect(more.generatedAt).toBeInstanceOf(Date);

    const chunks = [];
    for await (const chunk of await sdk.multipartUpload.getStatus(created.uploadId!, { pageLimit: 5 })) chunks.push(chunk);
    expect(chunks.map((c) => c.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(chunks.every((c) => c.status === 'pending')).toBe(true);

    const incomplete = [];
    for await (const summary of await sdk.multipartUpload.listIncompleteUploads({ pageLimit: 1 })) incomplete.push(summary);
    expect(incomplete.map((s) => s.uploadId)).toContain(created.uploadId);
    expect(incomplete[0]!.totalChunks).toBeGreaterThan(0);

    const reported = await sdk.multipartUpload.reportChunkBatch(created.uploadId!, {
      completedChunks: [{ chunkIndex: 1, proof: 'ffffffffffffffffffffffffffffffff', proofType: 'etag', chunkSize: CHUNK }],
    });
    expect(reported).toMatchObject({ assetId: created.assetId, processedChunks: 0, duplicateChunks: 0, totalCompleted: 0 });
  });

  it('maps error statuses to the SDK error classes', async () => {
    await expect(sdk.multipartUpload.getAdditionalPresignedUrls('0123456789abcdef01234567', { start: 1, count: 1 })).rejects.toBeInstanceOf(
      TwelvelabsApi.NotFoundError,
    );
    await expect(
      sdk.multipartUpload.create({ filename: '', type: 'video', totalSize: 10 }, { maxRetries: 0 }),
    ).rejects.toBeInstanceOf(TwelvelabsApi.BadRequestError);
    const restricted = new TwelvelabsApiClient({ apiKey: 'tlk_emulator_no_preview', baseUrl: emu.baseUrl });
    await expect(restricted.multipartUpload.create({ filename: 'a.mp4', type: 'video', totalSize: 10 })).rejects.toBeInstanceOf(
      TwelvelabsApi.ForbiddenError,
    );
    const asset = await sdk.assets.create({ method: 'direct', file: new File([bytes(100)], 'conflict.mp4', { type: 'video/mp4' }) });
    await emu.markAssetReferenced(asset.id!);
    await expect(sdk.assets.delete(asset.id!)).rejects.toBeInstanceOf(TwelvelabsApi.ConflictError);
  });

  it('creates, lists, reads, updates metadata of and deletes assets', async () => {
    const upload = await sdk.assets.create({
      method: 'direct',
      file: fs.createReadStream(writeFile(dir, 'direct.mp4', bytes(5000, 3))),
      userMetadata: JSON.stringify({ team: 'core' }),
    });
    expect(upload).toMatchObject({ method: 'direct', status: 'processing', filename: 'direct.mp4', userMetadata: { team: 'core' } });
    expect(upload.createdAt).toBeInstanceOf(Date);

    await sdk.assets.updateUserMetadata(upload.id!, { userMetadata: { team: null, level: 3 } });
    const detail = await sdk.assets.retrieve(upload.id!);
    expect(detail.userMetadata).toEqual({ level: 3 });
    expect(detail.status).toBe('ready'); // the test emulator's ready delay is 0
    expect(detail.size).toBe(5000);

    const listed = [];
    for await (const asset of await sdk.assets.list({ pageLimit: 2, assetIds: [upload.id!] })) listed.push(asset.id);
    expect(listed).toEqual([upload.id]);
    const all = [];
    for await (const asset of await sdk.assets.list({ pageLimit: 1 })) all.push(asset.id);
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(new Set(all).size).toBe(all.length);

    await sdk.assets.replaceUserMetadata(upload.id!, { userMetadata: {} });
    await sdk.assets.deleteUserMetadata(upload.id!);
    await sdk.assets.delete(upload.id!);
    await expect(sdk.assets.retrieve(upload.id!)).rejects.toBeInstanceOf(TwelvelabsApi.NotFoundError);
  });
});

function writeFile(dir: string, name: string, data: Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, data);
  return file;
}
