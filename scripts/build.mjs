// The package build: src/ compiled to CommonJS + declarations in dist/ (tsconfig.build.json), the
// encrypted-failure converter copied beside its module, and the workflow bundles written ahead of
// time (dist/workflow-bundles/, loaded by the worker instead of running webpack at start).
// Cached: nothing runs when no input is newer than the last build's stamp; tsc is incremental.
// Several processes may ask at once (test workers, npm run worker): one builds, the others wait.
// Plain Node (no flock, sha1sum or GNU date), so it runs on Linux and macOS alike.
// Run as `node scripts/build.mjs` (or `bash scripts/build.sh`, `npm run build`).

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withFileLock } from './file-lock.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.build-stamp');
const nextStamp = path.join(dist, '.build-stamp.next');
const sourcesFile = path.join(dist, '.build-sources');
const lockDir = path.join(dist, '.build-lock.d');
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json', 'scripts/build.mjs', 'scripts/file-lock.mjs'];
/** Kept when dist/ is emptied: the lock and the stamp of the build under way. */
const KEEP = new Set([path.basename(lockDir), path.basename(nextStamp)]);

/** Every file under `entry` (a file or directory), relative to the repository, sorted. */
function files(entry) {
  const full = path.join(root, entry);
  if (!fs.existsSync(full)) return [];
  if (!fs.statSync(full).isDirectory()) return [entry];
  return fs
    .readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(root, path.join(d.parentPath ?? d.path, d.name)))
    .sort();
}

/** True when the last build's stamp is newer than every input (find -newer, in Node). */
function fresh() {
  let stampMs;
  try {
    stampMs = fs.statSync(stamp).mtimeMs;
  } catch {
    return false;
  }
  return INPUTS.flatMap(files).every((f) => fs.statSync(path.join(root, f)).mtimeMs <= stampMs);
}

function build() {
  const started = process.hrtime.bigint();
  // The stamp's time is taken before reading the inputs: an edit during the build makes the next one rebuild.
  fs.writeFileSync(nextStamp, '');
  // A source file removed or renamed since the last build would leave its old output behind (and
  // in the tarball): start from an empty dist/ whenever the set of source files changed.
  const sources = createHash('sha1').update(files('src').map((f) => f.split(path.sep).join('/')).join('\n')).digest('hex');
  const previous = fs.existsSync(sourcesFile) ? fs.readFileSync(sourcesFile, 'utf8').trim() : '';
  if (previous !== sources) {
    for (const entry of fs.readdirSync(dist)) if (!KEEP.has(entry)) fs.rmSync(path.join(dist, entry), { recursive: true, force: true });
  }
  const node = (args) => execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  node([path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
  fs.copyFileSync(path.join(root, 'src/security/failure-converter.cjs'), path.join(dist, 'security/failure-converter.cjs'));
  node(['dist/workflow-bundle.js', '--write-workflow-bundles', 'dist/workflow-bundles']);
  fs.writeFileSync(sourcesFile, `${sources}\n`);
  fs.renameSync(nextStamp, stamp);
  process.stderr.write(`built dist/ in ${(process.hrtime.bigint() - started) / 1_000_000n} ms\n`);
}

if (!fresh()) {
  fs.mkdirSync(dist, { recursive: true });
  try {
    await withFileLock(lockDir, async () => {
      if (!fresh()) build(); // else another process built it while we waited
    }, { onWait: (pid) => process.stderr.write(`waiting for the build of process ${pid}...\n`) });
  } catch (err) {
    // tsc or the bundler already printed what is wrong; a lock problem says so itself.
    if (typeof err?.status === 'number') process.exit(err.status);
    console.error(`build failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
}
