// The batch's listing, page by page, on real directories and list files: every media file once, in
// name order, whatever the page size; skipped entries counted with their reason; nothing outside
// the allowed roots looked at; pages far under Temporal's payload limit.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchListingActivities, SkipReason, type ListBatchPage, type ListBatchPageInput } from '../../src/activities/batch-listing';
import { AllowedRoots } from '../../src/security/file-roots';

let dir: string;
let outside: string;
let list: ReturnType<typeof batchListingActivities>['listBatchPage'];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-listing-'));
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-outside-'));
  list = batchListingActivities(await AllowedRoots.resolve([dir])).listBatchPage;
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

async function listAll(input: Omit<ListBatchPageInput, 'cursor'>): Promise<{ pages: ListBatchPage[]; sources: string[] }> {
  const pages: ListBatchPage[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 10_000; i++) {
    const page = await list({ ...input, ...(cursor !== undefined ? { cursor } : {}) });
    pages.push(page);
    cursor = page.cursor;
    if (page.done) break;
  }
  return { pages, sources: pages.flatMap((p) => p.entries.map((e) => e.source)) };
}

function write(rel: string, bytes = 3): string {
  const full = path.join(dir, rel);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, Buffer.alloc(bytes, 1));
  return full;
}

describe('a directory, page by page', () => {
  it('lists every media file once, in name order, at any page size, recursive or not', async () => {
    const root = path.join(dir, 'tree');
    const expected: string[] = [];
    for (const sub of ['a', 'b/c', 'b', 'd']) for (let i = 0; i < 7; i++) expected.push(write(`tree/${sub}/f${i}.mp4`, i + 1));
    write('tree/top.mp4');
    write('tree/notes.txt');
    expected.push(path.join(root, 'top.mp4'));
    expected.sort((x, y) => (x.split('/') < y.split('/') ? -1 : 1));
    const walkOrder = (await listAll({ directory: { path: root, recursive: true }, maxEntries: 1000 })).sources;
    expect(new Set(walkOrder)).toEqual(new Set(expected));
    for (const maxEntries of [1, 2, 3, 5, 8, 29]) {
      const { pages, sources } = await listAll({ directory: { path: root, recursive: true }, maxEntries });
      expect(sources).toEqual(walkOrder);
      expect(pages.every((p) => p.entries.length <= maxEntries)).toBe(true);
      const skipped = pages.flatMap((p) => p.skipped);
      expect(skipped.reduce((n, s) => n + s.count, 0)).toBe(1);
      expect(skipped[0]).toMatchObject({ reason: SkipReason.notMedia, examples: [path.join(root, 'notes.txt')] });
    }
    const flat = await listAll({ directory: { path: root, recursive: false }, maxEntries: 2 });
    expect(flat.sources).toEqual([path.join(root, 'top.mp4')]);
    const dirs = flat.pages.flatMap((p) => p.skipped).filter((s) => s.reason === SkipReason.directory);
    expect(dirs.reduce((n, s) => n + s.count, 0)).toBe(3);
    // Sizes and version keys come with the entries; the key changes when the file does.
    const first = (await list({ directory: { path: root, recursive: true }, maxEntries: 1 })).entries[0]!;
    expect(first).toMatchObject({ source: walkOrder[0], sizeBytes: 1, key: expect.stringMatching(/^[0-9a-f]{16}$/) });
    fs.writeFileSync(walkOrder[0]!, 'changed');
    const again = (await list({ directory: { path: root, recursive: true }, maxEntries: 1 })).entries[0]!;
    expect(again.key).not.toBe(first.key);
  });

  it('keeps every page small however large the folder, one of non-media files included', async () => {
    const big = path.join(dir, 'big');
    fs.mkdirSync(big);
    for (let i = 0; i < 3000; i++) fs.writeFileSync(path.join(big, `clip-${String(i).padStart(6, '0')}-with-a-long-descriptive-name.mp4`), 'x');
    for (let i = 0; i < 3000; i++) fs.writeFileSync(path.join(big, `zz-${i}.txt`), 'x');
    const page = await list({ directory: { path: big, recursive: false }, maxEntries: 500 });
    expect(page.entries).toHaveLength(500);
    // 500 entries of long paths: about 100 KB of JSON, far under Temporal's 2 MB payload limit.
    expect(JSON.stringify(page).length).toBeLessThan(200_000);
    // The text files: each page looks at a bounded number of entries, and says why it skipped them.
    const { pages, sources } = await listAll({ directory: { path: big, recursive: false }, maxEntries: 500 });
    expect(sources).toHaveLength(3000);
    expect(pages.flatMap((p) => p.skipped).reduce((n, s) => n + s.count, 0)).toBe(3000);
    expect(Math.max(...pages.map((p) => JSON.stringify(p).length))).toBeLessThan(200_000);
  });

  it('stats nothing outside the roots: a link out, or to nowhere, is listed without a size', async () => {
    const links = path.join(dir, 'links');
    fs.mkdirSync(links);
    fs.writeFileSync(path.join(outside, 'secret.mp4'), Buffer.alloc(631));
    fs.symlinkSync(path.join(outside, 'secret.mp4'), path.join(links, 'a-out.mp4'));
    fs.symlinkSync(path.join(outside, 'missing.mp4'), path.join(links, 'b-dangling.mp4'));
    fs.writeFileSync(path.join(links, 'real.mp4'), Buffer.alloc(9));
    fs.symlinkSync(path.join(links, 'real.mp4'), path.join(links, 'c-in.mp4'));
    const { sources, pages } = await listAll({ directory: { path: links, recursive: false }, maxEntries: 10 });
    expect(sources).toEqual(['a-out.mp4', 'b-dangling.mp4', 'c-in.mp4', 'real.mp4'].map((n) => path.join(links, n)));
    const entries = pages.flatMap((p) => p.entries);
    // The link out and the dangling one read the same: no size, no key.
    expect(entries[0]).toEqual({ source: path.join(links, 'a-out.mp4') });
    expect(entries[1]).toEqual({ source: path.join(links, 'b-dangling.mp4') });
    expect(entries[2]).toMatchObject({ sizeBytes: 9 });
  });
});

describe('a list file, page by page', () => {
  it('reads every path and URL once, whatever the page size, relative to the list', async () => {
    const lines = ['# clips', '', ...Array.from({ length: 23 }, (_, i) => `sub/clip-${i}.mp4`), 'https://cdn.example/v/one.mp4', '/abs/x.mov'];
    const file = path.join(dir, 'list.txt');
    fs.writeFileSync(file, lines.join('\r\n'));
    const expected = [...Array.from({ length: 23 }, (_, i) => path.join(dir, `sub/clip-${i}.mp4`)), 'https://cdn.example/v/one.mp4', '/abs/x.mov'];
    for (const maxEntries of [1, 4, 25, 100]) {
      const { sources, pages } = await listAll({ list: { path: file }, maxEntries });
      expect(sources).toEqual(expected);
      expect(pages.flatMap((p) => p.entries).find((e) => e.isUrl)).toMatchObject({ source: 'https://cdn.example/v/one.mp4' });
    }
  });

  it('refuses a list outside the roots', async () => {
    const file = path.join(outside, 'list.txt');
    fs.writeFileSync(file, 'a.mp4\n');
    await expect(list({ list: { path: file }, maxEntries: 5 })).rejects.toMatchObject({ type: 'SourceOutsideRoots' });
  });
});
