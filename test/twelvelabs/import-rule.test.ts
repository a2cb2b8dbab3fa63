// The import rule of src/twelvelabs/README.md: code in this repository imports the client's
// modules directly (never its index, which pulls undici and node:fs along), and workflow code
// imports only its pure modules.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '../../src');
const PURE_MODULES = new Set(['wire', 'limits', 'timestamps', 'asset-upload-codes']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** Every import of a src/twelvelabs module from outside it, as [file, module name]. */
function twelveLabsImports(): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  for (const file of sourceFiles(SRC)) {
    if (file.startsWith(path.join(SRC, 'twelvelabs') + path.sep)) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(/from '(\.[^']*)'/g)) {
      const target = path.resolve(path.dirname(file), m[1]!);
      if (target === path.join(SRC, 'twelvelabs')) found.push([path.relative(SRC, file), 'index']);
      else if (path.dirname(target) === path.join(SRC, 'twelvelabs')) found.push([path.relative(SRC, file), path.basename(target)]);
    }
  }
  return found;
}

describe('imports of the TwelveLabs client', () => {
  it('never go through its index inside the repository', () => {
    const imports = twelveLabsImports();
    expect(imports.length).toBeGreaterThan(20);
    expect(imports.filter(([, module]) => module === 'index' )).toEqual([]);
  });

  it('from workflow code reach only its pure modules', () => {
    const workflowCode = twelveLabsImports().filter(([file]) => file.startsWith('workflows/') || file.startsWith('domain/'));
    expect(workflowCode.length).toBeGreaterThan(0);
    expect(workflowCode.filter(([, module]) => !PURE_MODULES.has(module))).toEqual([]);
  });
});
