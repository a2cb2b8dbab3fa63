// The other Node LTS lines CI runs the package and smoke tests on, beside the Node that runs the
// rest (package.json engines: >= 20.18). npm's `node` package ships each runtime as a registry
// package, so it installs wherever npm does (no download site, no nvm): once per version into the
// shared cache (~/.cache/tl-upload/node-<version>), reused afterwards.
//   node scripts/ensure-node.mjs --list   the majors, one a line (what .ci/run loops over)
//   node scripts/ensure-node.mjs 24       the path of that line's node binary, installing it first

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { withFileLock } from './file-lock.mjs';

/** Exact versions, so CI runs the same runtime every time; 24 is also the Docker image's line. */
export const NODE_LINES = { 22: '22.23.3', 24: '24.21.0' };

const env = process.env;
const cacheRoot = env.TL_UPLOAD_CACHE || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'tl-upload');

/** The node binary of one line, installed into the cache when missing. */
export async function ensureNode(major) {
  const version = NODE_LINES[major];
  if (!version) throw new Error(`no Node ${major} line here: use one of ${Object.keys(NODE_LINES).join(', ')}`);
  const prefix = path.join(cacheRoot, `node-${version}`);
  const binary = path.join(prefix, 'node_modules', 'node', 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  const works = () => {
    try {
      return execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim() === `v${version}`;
    } catch {
      return false;
    }
  };
  if (works()) return binary;
  await withFileLock(path.join(cacheRoot, `node-${version}.lock.d`), async () => {
    if (works()) return;
    console.error(`installing Node ${version} from the npm registry into ${prefix} (once)...`);
    fs.rmSync(prefix, { recursive: true, force: true });
    fs.mkdirSync(prefix, { recursive: true });
    execFileSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `node@${version}`], { stdio: ['ignore', 2, 2] });
    if (!works()) throw new Error(`npm installed node@${version} into ${prefix}, but ${binary} does not run as v${version}`);
  });
  return binary;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = process.argv[2];
  try {
    if (arg === '--list') console.log(Object.keys(NODE_LINES).join('\n'));
    else if (arg && /^\d+$/.test(arg)) console.log(await ensureNode(arg));
    else throw new Error('usage: node scripts/ensure-node.mjs --list | <major>');
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
