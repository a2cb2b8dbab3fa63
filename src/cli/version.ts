// `tl-upload --version`: the version in the package's own package.json, found by walking up from
// this file, so it holds from src/ (tsx) and from a compiled dist/ alike, wherever the package is
// installed. A package.json without a version (say, a `{"type": "commonjs"}` marker in dist/) is
// passed over.

import fs from 'node:fs';
import path from 'node:path';

export function packageVersion(startDir: string = __dirname): { name: string; version: string } {
  for (let dir = path.resolve(startDir); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: unknown; version?: unknown };
      if (typeof pkg.name === 'string' && typeof pkg.version === 'string') return { name: pkg.name, version: pkg.version };
    }
    if (path.dirname(dir) === dir) throw new Error(`no package.json with a version above ${startDir}`);
  }
}
