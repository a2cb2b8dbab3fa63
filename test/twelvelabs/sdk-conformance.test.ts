// Conformance: the official SDK, twelvelabs-js@1.3.4, pointed at the emulator through its
// `baseUrl` option. If the SDK cannot drive the emulator, the emulator is wrong (contract 7).

import { createReadStream } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MultipartUploadWrapper, TwelvelabsApiClient } from 'twelvelabs-js';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { makeTempDir, writePatternFile, type TempDir } from './support';

const API_KEY = 'tlk_sdk_conformance_key';
const CHUNK = 1024;
const NO_RETRY = { maxRetries: 0 };

let emu: RunningEmulator;
let dir: TempDir;
let uploads: MultipartUploadWrapper;
let sdk: TwelvelabsApiClient;

beforeAll(async () => {
  // The wrapper narrates every step on the console.
  vi.spyOn(console, 'log').mockImplementation(() => {});
  dir = await makeTempDir('tl-sdk-');
  emu = await startEmulator({ apiKeys: [API_KEY], chunkSizeBytes: CHUNK, initialUrls: 10, assetReadyDelayMs: 500, seed: 3 });
  uploads = new MultipartUploadWrapper({ apiKey: API_KEY, baseUrl: emu.baseUrl });
  sdk = new TwelvelabsApiClient({ apiKey: API_KEY, baseUrl: emu.baseUrl });
});
afterAll(async () => {
  vi.restoreAllMocks();
  await emu?.close();
  await dir?.remove();
});

describe('twelvelabs-js 1.3.4 against the emulator', () => {
  it('uploadFile sends a file needing more chunks than the initial URL set; waitForUploadCompletion and paged getStatus agree', async () => {
    // 23 chunks: 10 initial URLs, the rest minted by the wrapper through M5.
    const file = await writePatternFile(dir.path, 'sdk-video.mp4', 22 * CHUNK + 77, 42);
    // uploadFile does not return the upload id; capture it from the wrapper's own M1 call.
    const createSpy = vi.spyOn(uploads, 'create');
    const mintSpy = vi.spyOn(uploads, 'getAdditionalPresignedUrls');
    const result = await uploads.uploadFile(file.path, { batchSize: 4, maxWorkers: 3, retryDelay: 0.05, requestOptions: NO_RETRY });
    const session = await createSpy.mock.results[0]!.value;
    createSpy.mockRestore();
    expect(mintSpy).toHaveBeenCalled();
    mintSpy.mockRestore();
    const uploadId: string = session.uploadId;
    expect(result.assetId).toBe(session.assetId);
    expect(result.assetId).toMatch(/^[0-9a-f]{24}$/);
    expect(result.assetUrl).not.toBe('');
    expect(await emu.objectInfo(result.assetId)).toEqual({ size: file.size, sha256: file.sha256 });

    const status = await uploads.waitForUploadCompletion(uploadId, { sleepInterval: 0.05, maxWaitTime: 10, requestOptions: NO_RETRY });
    expect(status).toEqual({ status: 'completed', completedChunks: 23, totalChunks: 23 });

    // getStatus over several pages: the SDK pager asks for page+1 until a page comes back empty.
    let page = await uploads.getStatus(uploadId, { pageLimit: 5 }, NO_RETRY);
    const indices = page.data.map((c) => c.index);
    let pages = 1;
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      indices.push(...page.data.map((c) => c.index));
      pages++;
      expect(pages).toBeLessThan(10);
    }
    // 23 chunks at 5 per page: 5 pages with items, then the empty page that ends the pager.
    expect(pages).toBe(6);
    expect(indices).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
  });

  it('create, getAdditionalPresignedUrls, reportChunkBatch and getStatus work call by call', async () => {
    const file = await writePatternFile(dir.path, 'sdk-status.mp4', 12 * CHUNK + 5, 43);
    const session = await uploads.create({ filename: 'sdk-status.mp4', type: 'video', totalSize: file.size }, NO_RETRY);
    const uploadId = session.uploadId!;
    expect(session.chunkSize).toBe(CHUNK);
    expect(session.totalChunks).toBe(13);
    expect(session.uploadUrls).toHaveLength(10);

    // Upload the way the wrapper does (fetch + octet-stream), minting the missing URLs via M5.
    const more = await uploads.getAdditionalPresignedUrls(uploadId, { start: 11, count: 3 }, NO_RETRY);
    expect(more.uploadUrls?.map((u) => u.chunkIndex)).toEqual([11, 12, 13]);
    const urls = [...(session.uploadUrls ?? []), ...(more.uploadUrls ?? [])];
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(file.path);
    const completed = [];
    for (const u of urls) {
      const i = u.chunkIndex!;
      const body = bytes.subarray((i - 1) * CHUNK, Math.min(i * CHUNK, file.size));
      const res = await fetch(u.url!, { method: 'PUT', body, headers: { 'Content-Type': 'application/octet-stream' } });
      expect(res.status).toBe(200);
      completed.push({ chunkIndex: i, proof: res.headers.get('ETag')!.replace(/"/g, ''), proofType: 'etag' as const, chunkSize: body.length });
    }
    const first = await uploads.reportChunkBatch(uploadId, { completedChunks: completed.slice(0, 7) }, NO_RETRY);
    expect(first.url).toBeUndefined();
    const last = await uploads.reportChunkBatch(uploadId, { completedChunks: completed.slice(7) }, NO_RETRY);
    expect(last.totalCompleted).toBe(13);
    expect(last.url).toEqual(expect.any(String));

    const status = await uploads.waitForUploadCompletion(uploadId, { sleepInterval: 0.05, maxWaitTime: 10, requestOptions: NO_RETRY });
    expect(status).toEqual({ status: 'completed', completedChunks: 13, totalChunks: 13 });

    // getStatus over several pages: the SDK pager asks for page+1 until a page comes back empty.
    let page = await uploads.getStatus(uploadId, { pageLimit: 4 }, NO_RETRY);
    const indices = page.data.map((c) => c.index);
    let pages = 1;
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      indices.push(...page.data.map((c) => c.index));
      pages++;
      expect(pages).toBeLessThan(10);
    }
    // 13 chunks at 4 per page: 4 full pages, then the empty page that ends the pager.
    expect(pages).toBe(5);
    expect(indices).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    const all = [];
    for await (const c of await uploads.getStatus(uploadId, { pageLimit: 5 }, NO_RETRY)) all.push(c);
    expect(all.every((c) => c.status === 'completed' && c.uploadedAt instanceof Date)).toBe(true);

    expect(await emu.objectInfo(session.assetId!)).toEqual({ size: file.size, sha256: file.sha256 });
  });

  it('listIncompleteUploads pages through active sessions', async () => {
    const created = [];
    for (let i = 0; i < 3; i++) {
      created.push((await uploads.create({ filename: `open-${i}.mp4`, type: 'video', totalSize: 3 * CHUNK }, NO_RETRY)).uploadId!);
    }
    const seen = [];
    for await (const s of await uploads.listIncompleteUploads({ pageLimit: 2 }, NO_RETRY)) {
      expect(s.status).toBe('active');
      expect(s.totalChunks).toBe(3);
      seen.push(s.uploadId);
    }
    expect(seen).toEqual(expect.arrayContaining(created));
  });

  it('assets: create direct, list, retrieve, metadata update/replace/delete, delete', async () => {
    const file = await writePatternFile(dir.path, 'sdk-asset.mp4', 40_000, 44);
    const asset = await sdk.assets.create(
      { method: 'direct', file: createReadStream(file.path), filename: 'sdk-asset.mp4', userMetadata: JSON.stringify({ a: 1, b: 'x', c: true }) },
      NO_RETRY,
    );
    expect(asset.id).toMatch(/^[0-9a-f]{24}$/);
    expect(asset.status).toBe('processing');
    expect(asset.createdAt).toBeInstanceOf(Date);
    expect(await emu.objectInfo(asset.id!)).toEqual({ size: file.size, sha256: file.sha256 });

    const listed = [];
    for await (const a of await sdk.assets.list({ filename: 'sdk-asset', pageLimit: 1 }, NO_RETRY)) listed.push(a.id);
    expect(listed).toContain(asset.id);

    await emu.advanceClock(1000);
    const detail = await sdk.assets.retrieve(asset.id!, NO_RETRY);
    expect(detail).toMatchObject({ id: asset.id, status: 'ready', userMetadata: { a: 1, b: 'x', c: true } });

    await sdk.assets.updateUserMetadata(asset.id!, { userMetadata: { a: 2, d: 'new' } }, NO_RETRY);
    expect((await sdk.assets.retrieve(asset.id!, NO_RETRY)).userMetadata).toEqual({ a: 2, b: 'x', c: true, d: 'new' });
    await sdk.assets.replaceUserMetadata(asset.id!, { userMetadata: { only: 'this' } }, NO_RETRY);
    expect((await sdk.assets.retrieve(asset.id!, NO_RETRY)).userMetadata).toEqual({ only: 'this' });
    await sdk.assets.deleteUserMetadata(asset.id!, NO_RETRY);
    expect((await sdk.assets.retrieve(asset.id!, NO_RETRY)).userMetadata ?? {}).toEqual({});

    await emu.markAssetReferenced(asset.id!);
    await expect(sdk.assets.delete(asset.id!, {}, NO_RETRY)).rejects.toMatchObject({ statusCode: 409 });
    await sdk.assets.delete(asset.id!, { force: true }, NO_RETRY);
    await expect(sdk.assets.retrieve(asset.id!, NO_RETRY)).rejects.toMatchObject({ statusCode: 404 });
  });
});
