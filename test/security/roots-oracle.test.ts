// Roots that tell nothing: whatever lies outside TL_ALLOWED_ROOTS (a file, nothing, a directory,
// a FIFO) reads the same through every door a workflow can knock on (inspect, identify, sizes,
// a directory listing), because nothing outside is looked at. Real files, real links.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileActivities } from '../../src/activities/files';
import { batchListingActivities } from '../../src/activities/batch-listing';
import { SourceError } from '../../src/activities/source';
import { AllowedRoots, OutsideRootsError, openConfined, resolveUnderRoots, statUnderRoots } from '../../src/security/file-roots';

let base: string;
let root: string;
let outside: string;
let roots: AllowedRoots;

/** Links under the root to outside targets of every kind; the link texts all have one shape. */
const TARGETS = {
  'file.mp4': (dir: string) => fs.writeFileSync(path.join(dir, 'target'), Buffer.alloc(631, 1)),
  'missing.mp4': () => undefined,
  'directory.mp4': (dir: string) => fs.mkdirSync(path.join(dir, 'target')),
  'fifo.mp4': (dir: string) => execFileSync('mkfifo', [path.join(dir, 'target')]),
};

beforeAll(async () => {
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tl-roots-oracle-')));
  root = path.join(base, 'media');
  outside = path.join(base, 'private');
  fs.mkdirSync(root);
  fs.mkdirSync(outside);
  for (const [name, make] of Object.entries(TARGETS)) {
    const dir = path.join(outside, name.replace('.mp4', ''));
    fs.mkdirSync(dir);
    make(dir);
    fs.symlinkSync(path.join(dir, 'target'), path.join(root, name));
  }
  fs.writeFileSync(path.join(root, 'real.mp4'), Buffer.alloc(100, 2));
  roots = await AllowedRoots.resolve([root]);
});
afterAll(() => {
  fs.rmSync(base, { recursive: true, force: true });
});

/** The answer with the one thing that differs by name (the link's own text) taken out. */
const shapeOf = (text: string, name: string) => text.replaceAll(path.join(outside, name.replace('.mp4', '')), '<dir>');

describe('paths that lead outside the roots', () => {
  it('resolve as "outside" without a look at the target, whatever it is', async () => {
    for (const name of Object.keys(TARGETS)) {
      const resolved = await resolveUnderRoots(path.join(root, name), roots);
      expect(resolved).toEqual({ outside: true, path: path.join(outside, name.replace('.mp4', ''), 'target') });
      expect(await statUnderRoots(path.join(root, name), roots)).toBeUndefined();
    }
  });

  it('fail opening with the same error, message shape included, for an existing file, a missing one, a directory and a FIFO', async () => {
    const answers = new Set<string>();
    for (const name of Object.keys(TARGETS)) {
      const err = await openConfined(path.join(root, name), roots).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(OutsideRootsError);
      answers.add(shapeOf((err as Error).message.replace(path.join(root, name), '<link>'), name));
    }
    expect([...answers]).toHaveLength(1);
  });

  it('read the same through inspect, identify and the batch sizes', async () => {
    const activities = fileActivities(roots);
    const answers = new Set<string>();
    for (const name of Object.keys(TARGETS)) {
      const link = path.join(root, name);
      for (const call of [() => activities.inspectFile({ path: link }), () => activities.identifyFile({ path: link })]) {
        const err = await call().then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(SourceError);
        answers.add(`${(err as SourceError).type} ${shapeOf((err as Error).message.replace(link, '<link>'), name)}`);
      }
    }
    expect([...answers]).toHaveLength(1);
    expect([...answers][0]).toMatch(/^SourceOutsideRoots /);
    const { entries } = await batchListingActivities(roots).listBatchPage({ sources: Object.keys(TARGETS).map((n) => path.join(root, n)), maxEntries: 10 });
    expect(entries).toEqual(Object.keys(TARGETS).map((n) => ({ source: path.join(root, n) })));
  });

  it('are listed alike in a directory batch: no size, existence or kind of the target shows (shadow.mp4 -> a 631-byte file)', async () => {
    const { entries, skipped } = await batchListingActivities(roots).listBatchPage({ directory: { path: root, recursive: false }, maxEntries: 100 });
    expect(entries.map(({ source, sizeBytes }) => ({ source, sizeBytes }))).toEqual([
      { source: path.join(root, 'directory.mp4'), sizeBytes: undefined },
      { source: path.join(root, 'fifo.mp4'), sizeBytes: undefined },
      { source: path.join(root, 'file.mp4'), sizeBytes: undefined },
      { source: path.join(root, 'missing.mp4'), sizeBytes: undefined },
      { source: path.join(root, 'real.mp4'), sizeBytes: 100 },
    ]);
    expect(entries.slice(0, 4).every((e) => e.key === undefined)).toBe(true);
    expect(skipped).toEqual([]);
  });

  it('a directory to list that leads outside fails the same whether it exists or not', async () => {
    fs.symlinkSync(outside, path.join(root, 'away'));
    fs.symlinkSync(path.join(outside, 'no-such-dir'), path.join(root, 'away-missing'));
    const listing = batchListingActivities(roots);
    const types = [];
    for (const dir of ['away', 'away-missing']) {
      const err = await listing.listBatchPage({ directory: { path: path.join(root, dir), recursive: false }, maxEntries: 10 }).then(() => undefined, (e: unknown) => e);
      types.push((err as SourceError).type);
    }
    expect(types).toEqual(['SourceOutsideRoots', 'SourceOutsideRoots']);
    fs.rmSync(path.join(root, 'away'));
    fs.rmSync(path.join(root, 'away-missing'));
  });
});

describe('paths inside the roots', () => {
  it('still follow links that stay inside, and report a missing file as missing', async () => {
    fs.symlinkSync('real.mp4', path.join(root, 'alias.mp4'));
    fs.mkdirSync(path.join(root, 'sub'));
    fs.symlinkSync('..', path.join(root, 'sub', 'up'));
    try {
      expect(await resolveUnderRoots(path.join(root, 'alias.mp4'), roots)).toEqual({ outside: false, path: path.join(root, 'real.mp4') });
      // The kernel follows a link before `..`: sub/up/.. is the root's parent, outside.
      // (Spelled out: path.join would fold the `..` by spelling.)
      expect((await resolveUnderRoots(`${root}/sub/up/../private`, roots)).outside).toBe(true);
      expect(await resolveUnderRoots(path.join(root, 'sub', 'up', 'real.mp4'), roots)).toEqual({ outside: false, path: path.join(root, 'real.mp4') });
      const missing = await resolveUnderRoots(path.join(root, 'nothing.mp4'), roots);
      expect(missing).toMatchObject({ outside: false, error: { code: 'ENOENT' } });
    } finally {
      fs.rmSync(path.join(root, 'alias.mp4'));
      fs.rmSync(path.join(root, 'sub'), { recursive: true });
    }
  });
});
