// Prints the path of a Temporal CLI (dev server + Web UI) on stdout, installing it when needed.
// Order: $TEMPORAL_CLI_PATH, a `temporal` already on PATH, the cached build, a fresh
// `go install` into the cache ($TL_GO, or go on PATH). Exits 3 when there is no Go toolchain to build with, so callers
// can fall back to the server that @temporalio/testing downloads (machines with internet only).
// Plain Node (no flock), so it runs on Linux and macOS alike. Run as `node scripts/temporal-cli.mjs`
// (or `bash scripts/temporal-cli.sh`, `npm run temporal-cli`).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withFileLock } from './file-lock.mjs';

const VERSION = 'v1.5.1'; // later tags cannot be `go install`ed (replace directives in their go.mod)
const env = process.env;
const cacheRoot = env.TL_UPLOAD_CACHE || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'tl-upload');
const binDir = path.join(cacheRoot, `temporal-cli-${VERSION}`);
const exe = process.platform === 'win32' ? 'temporal.exe' : 'temporal';
const bin = path.join(binDir, exe);

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** `command -v name`, in Node. */
function onPath(name) {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

function found(file) {
  process.stdout.write(`${file}\n`);
  process.exit(0);
}

if (env.TEMPORAL_CLI_PATH) {
  if (!isExecutable(env.TEMPORAL_CLI_PATH)) {
    console.error(`TEMPORAL_CLI_PATH=${env.TEMPORAL_CLI_PATH} is not an executable file`);
    process.exit(1);
  }
  found(env.TEMPORAL_CLI_PATH);
}
const temporalOnPath = onPath(exe);
if (temporalOnPath) found(temporalOnPath);
if (isExecutable(bin)) found(bin);

// TL_GO names the toolchain to build with (one that does not exist: none); else go on PATH, else
// where the Go installer and Homebrew put it.
const go = env.TL_GO ? (isExecutable(env.TL_GO) ? env.TL_GO : undefined) : (onPath('go') ?? ['/usr/local/go/bin/go', '/opt/homebrew/bin/go'].find(isExecutable));
if (!go) {
  console.error(`no Go toolchain: cannot build the Temporal CLI ${VERSION} (set TEMPORAL_CLI_PATH or install Go)`);
  process.exit(3);
}

// Several test workers may ask at once: one builds, the others wait for it.
await withFileLock(path.join(binDir, '.build-lock.d'), async () => {
  if (isExecutable(bin)) return;
  console.error(`building the Temporal CLI ${VERSION} with ${go} (first run on this machine, a few minutes)...`);
  const tmp = fs.mkdtempSync(path.join(binDir, 'build.'));
  try {
    execFileSync(go, ['install', `github.com/temporalio/cli/cmd/temporal@${VERSION}`], {
      cwd: tmp,
      env: { ...env, GOBIN: tmp, GOFLAGS: '-trimpath' },
      stdio: ['ignore', 2, 2], // stdout is the answer: the build's output goes to stderr
    });
    fs.renameSync(path.join(tmp, exe), bin);
  } catch (err) {
    throw new Error(`building the Temporal CLI failed: ${err instanceof Error ? err.message : err}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
found(bin);
