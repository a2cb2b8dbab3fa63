// The Temporal server, its SQL schema tool and the Web UI server, built with Go at the releases
// docker-compose.yml pins and cached outside the repository (beside the Temporal CLI, in
// ~/.cache/tl-upload), so a fresh clone builds them once per machine and never again. Several
// processes may ask at once (test files, `npm run cluster`): one builds, the others wait on a lock.

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GO_TOOLCHAIN, type ClusterVersions } from './versions';

export interface ClusterBinaries {
  temporalServer: string;
  sqlTool: string;
  /** schema/postgresql/v12 of the server's module: what temporal-schema.sh applies. */
  schemaDir: string;
  uiServer: string;
  /** The UI server's own config template (config/docker.yaml of its module: env-driven, as in the image). */
  uiConfigTemplate: string;
}

export function cacheRoot(): string {
  return process.env.TL_UPLOAD_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'tl-upload');
}

/** Where each build lives; they exist once built. */
export function binaryPaths(versions: ClusterVersions): ClusterBinaries & { serverDir: string; uiDir: string } {
  const serverDir = path.join(cacheRoot(), `temporal-server-v${versions.temporal}`);
  const uiDir = path.join(cacheRoot(), `temporal-ui-server-v${versions.ui}`);
  return {
    serverDir,
    uiDir,
    temporalServer: path.join(serverDir, 'temporal-server'),
    sqlTool: path.join(serverDir, 'temporal-sql-tool'),
    schemaDir: path.join(serverDir, 'schema/postgresql/v12'),
    uiServer: path.join(uiDir, 'ui-server'),
    uiConfigTemplate: path.join(uiDir, 'config/docker.yaml'),
  };
}

export class GoMissingError extends Error {
  override readonly name = 'GoMissingError';
}

function goBinary(): string {
  for (const candidate of [process.env.GO, 'go', '/usr/local/go/bin/go', '/opt/homebrew/bin/go']) {
    if (!candidate) continue;
    try {
      execFileSync(candidate, ['version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not this one
    }
  }
  throw new GoMissingError(
    'no Go toolchain: the Temporal server and Web UI server are built with Go (https://go.dev/dl, `apt-get install golang`, `brew install go`); ' +
      'any Go ≥ 1.21 fetches the newer toolchain it needs itself',
  );
}

/** Builds what is missing (under a lock per build directory) and returns the paths. */
export async function ensureClusterBinaries(versions: ClusterVersions, log: (line: string) => void = console.error, options: { ui?: boolean } = {}): Promise<ClusterBinaries> {
  const paths = binaryPaths(versions);
  const serverReady = () => [paths.temporalServer, paths.sqlTool].every(isExecutable) && fs.existsSync(path.join(paths.schemaDir, 'temporal/versioned'));
  const uiReady = () => isExecutable(paths.uiServer) && fs.existsSync(paths.uiConfigTemplate);
  if (!serverReady()) {
    await withLock(paths.serverDir, log, async () => {
      if (serverReady()) return;
      const module = `go.temporal.io/server@v${versions.temporal}`;
      await goInstall(paths.serverDir, ['go.temporal.io/server/cmd/server', 'go.temporal.io/server/cmd/tools/sql'], `v${versions.temporal}`, log, async (tmp) => {
        fs.renameSync(path.join(tmp, 'server'), paths.temporalServer);
        fs.renameSync(path.join(tmp, 'sql'), paths.sqlTool);
        fs.cpSync(path.join(moduleDir(module), 'schema/postgresql/v12'), paths.schemaDir, { recursive: true });
        makeWritable(paths.schemaDir); // the module cache's files are read-only; ours may be removed
      });
    });
  }
  if (options.ui !== false && !uiReady()) {
    await withLock(paths.uiDir, log, async () => {
      if (uiReady()) return;
      const module = `github.com/temporalio/ui-server/v2@v${versions.ui}`;
      await goInstall(paths.uiDir, ['github.com/temporalio/ui-server/v2/cmd/server'], `v${versions.ui}`, log, async (tmp) => {
        fs.renameSync(path.join(tmp, 'server'), paths.uiServer);
        fs.mkdirSync(path.dirname(paths.uiConfigTemplate), { recursive: true });
        fs.copyFileSync(path.join(moduleDir(module), 'config/docker.yaml'), paths.uiConfigTemplate);
        fs.chmodSync(paths.uiConfigTemplate, 0o644);
      });
    });
  }
  return paths;
}

function makeWritable(dir: string): void {
  fs.chmodSync(dir, 0o755);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(full);
    else fs.chmodSync(full, 0o644);
  }
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function goEnv(dir: string): NodeJS.ProcessEnv {
  return { ...process.env, GOBIN: dir, GOFLAGS: '-trimpath', GOTOOLCHAIN: process.env.GOTOOLCHAIN_CLUSTER ?? GO_TOOLCHAIN };
}

/** The module's source directory in Go's module cache (downloaded by the install just before). */
function moduleDir(moduleAtVersion: string): string {
  const cache = execFileSync(goBinary(), ['env', 'GOMODCACHE'], { encoding: 'utf8', env: goEnv(os.tmpdir()) }).trim();
  // The module cache escapes upper-case letters as '!' + lower case.
  const escaped = moduleAtVersion.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
  const dir = path.join(cache, escaped);
  if (!fs.existsSync(dir)) throw new Error(`${moduleAtVersion} is not in the Go module cache (${dir})`);
  return dir;
}

async function goInstall(dir: string, packages: string[], version: string, log: (line: string) => void, place: (tmp: string) => Promise<void>): Promise<void> {
  const go = goBinary();
  const tmp = fs.mkdtempSync(path.join(dir, 'build.'));
  const startedAt = Date.now();
  log(`building ${packages.join(' ')} ${version} with Go (first run on this machine: several minutes; cached in ${dir})...`);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(go, ['install', ...packages.map((p) => `${p}@${version}`)], { cwd: tmp, env: goEnv(tmp), stdio: ['ignore', 'inherit', 'inherit'] });
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`go install ${packages.join(' ')}@${version} failed (exit ${code})`))));
    });
    await place(tmp);
    log(`built ${packages.join(' ')} ${version} in ${Math.round((Date.now() - startedAt) / 1000)} s`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Runs `fn` holding `<dir>/.lock`, a directory created atomically (portable: no flock on macOS)
 * that records its owner's pid; a lock whose owner died is taken over.
 */
async function withLock(dir: string, log: (line: string) => void, fn: () => Promise<void>): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, '.lock');
  let said = false;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(fs.readFileSync(path.join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }) || NaN);
      if (Number.isInteger(owner) && !alive(owner)) {
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (!said) log(`waiting for another process (pid ${owner}) that builds in ${dir}...`);
      said = true;
      await sleep(1000);
    }
  }
  try {
    await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
