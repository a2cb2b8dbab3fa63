// The build, lock and cache steps run wherever Node runs (Linux and macOS): they are Node scripts
// behind one-line bash shims. Each test runs them with a PATH that holds only `node` and `bash`,
// so a step that needs flock, sha1sum, GNU date, find or mktemp (util-linux and GNU coreutils,
// absent on a Mac) fails here. The Go toolchain is a stand-in script that writes a `temporal`
// and counts its runs: what is checked is the cache and the lock around it, not Go.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO_ROOT = path.resolve(__dirname, '../..');
const BASH = ['/bin/bash', '/usr/bin/bash', '/usr/local/bin/bash', '/opt/homebrew/bin/bash'].find((p) => fs.existsSync(p))!;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('build, lock and cache scripts with nothing but node and bash on PATH', () => {
  let tmp: string;
  /** A PATH directory with node and bash only. */
  let bareBin: string;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-scripts-'));
    bareBin = path.join(tmp, 'bin');
    fs.mkdirSync(bareBin);
    fs.symlinkSync(process.execPath, path.join(bareBin, 'node'));
    fs.symlinkSync(BASH, path.join(bareBin, 'bash'));
  });
  afterAll(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const bareEnv = (extra: Record<string, string> = {}, extraPath: string[] = []): NodeJS.ProcessEnv => ({
    PATH: [...extraPath, bareBin].join(path.delimiter),
    HOME: tmp,
    ...extra,
  });

  describe('scripts/temporal-cli.sh', () => {
    const cli = (env: NodeJS.ProcessEnv) => run(BASH, [path.join(REPO_ROOT, 'scripts/temporal-cli.sh')], { cwd: tmp, env });

    /** A `go` that "installs" a temporal binary into $GOBIN and counts its runs. */
    function fakeGo(dir: string): { count: () => number } {
      fs.mkdirSync(dir, { recursive: true });
      const runs = path.join(dir, 'runs');
      const script = `#!${process.execPath}
const fs = require('node:fs');
fs.appendFileSync(${JSON.stringify(runs)}, process.argv.slice(2).join(' ') + '\\n');
console.log('go: downloading github.com/temporalio/cli'); // on stdout, as go prints it: must not reach the caller's stdout
setTimeout(() => fs.writeFileSync(process.env.GOBIN + '/temporal', '#!/bin/sh\\necho fake temporal\\n', { mode: 0o755 }), 300);
`;
      fs.writeFileSync(path.join(dir, 'go'), script, { mode: 0o755 });
      return { count: () => (fs.existsSync(runs) ? fs.readFileSync(runs, 'utf8').trim().split('\n').length : 0) };
    }

    function executable(dir: string, name: string): string {
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, name);
      fs.writeFileSync(file, '#!/bin/sh\necho elsewhere\n', { mode: 0o755 });
      return file;
    }

    it('exits 3 without a Go toolchain, and says how to go on', async () => {
      // TL_GO names the toolchain; one that does not exist is none (this machine may have /usr/local/go).
      const result = await cli(bareEnv({ TL_UPLOAD_CACHE: path.join(tmp, 'cache-no-go'), TL_GO: path.join(tmp, 'no-go/go') }));
      expect(result.code).toBe(3);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('no Go toolchain: cannot build the Temporal CLI');
    });

    it('builds once into the cache when several ask at once, then answers from the cache without Go', async () => {
      const cache = path.join(tmp, 'cache-build');
      const go = fakeGo(path.join(tmp, 'go-bin'));
      const env = bareEnv({ TL_UPLOAD_CACHE: cache }, [path.join(tmp, 'go-bin')]); // go from PATH
      const answers = await Promise.all([cli(env), cli(env), cli(env)]);
      const built = path.join(cache, 'temporal-cli-v1.5.1', 'temporal');
      for (const answer of answers) {
        expect(answer.code, answer.stderr).toBe(0);
        expect(answer.stdout).toBe(`${built}\n`);
      }
      expect(go.count()).toBe(1);
      expect(fs.readdirSync(path.dirname(built)).filter((f) => !f.startsWith('.'))).toEqual(['temporal']); // no build dir left
      // Cached: no Go needed any more.
      const cached = await cli(bareEnv({ TL_UPLOAD_CACHE: cache, TL_GO: path.join(tmp, 'no-go/go') }));
      expect(cached).toMatchObject({ code: 0, stdout: `${built}\n` });
    });

    it('prefers TEMPORAL_CLI_PATH, then a temporal on PATH, to the cache', async () => {
      const cache = path.join(tmp, 'cache-build');
      const onPath = executable(path.join(tmp, 'path-bin'), 'temporal');
      const given = executable(path.join(tmp, 'given'), 'my-temporal');
      expect(await cli(bareEnv({ TL_UPLOAD_CACHE: cache, TEMPORAL_CLI_PATH: given }, [path.dirname(onPath)]))).toMatchObject({ code: 0, stdout: `${given}\n` });
      expect(await cli(bareEnv({ TL_UPLOAD_CACHE: cache }, [path.dirname(onPath)]))).toMatchObject({ code: 0, stdout: `${onPath}\n` });
      const wrong = await cli(bareEnv({ TEMPORAL_CLI_PATH: path.join(tmp, 'nothing-here') }));
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('is not an executable file');
    });
  });

  describe('scripts/file-lock.mjs', () => {
    /** A process that holds the lock, logs when it enters and leaves, and holds it a moment. */
    const holder = (lockDir: string, log: string) => `
      import fs from 'node:fs';
      import { withFileLock } from ${JSON.stringify(path.join(REPO_ROOT, 'scripts/file-lock.mjs'))};
      await withFileLock(${JSON.stringify(lockDir)}, async () => {
        fs.appendFileSync(${JSON.stringify(log)}, 'in ' + process.pid + '\\n');
        await new Promise((r) => setTimeout(r, 100));
        fs.appendFileSync(${JSON.stringify(log)}, 'out ' + process.pid + '\\n');
      });`;

    it('lets one process in at a time', async () => {
      const lockDir = path.join(tmp, 'locks', 'one-at-a-time');
      const log = path.join(tmp, 'one-at-a-time.log');
      const runs = await Promise.all([1, 2, 3, 4].map(() => run('node', ['--input-type=module', '-e', holder(lockDir, log)], { cwd: tmp, env: bareEnv() })));
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(8);
      for (let i = 0; i < lines.length; i += 2) expect(lines[i + 1]).toBe(lines[i]!.replace('in', 'out')); // never two inside
      expect(fs.existsSync(lockDir)).toBe(false);
    });

    it('takes over the lock of a process that died holding it', async () => {
      const lockDir = path.join(tmp, 'locks', 'stale');
      const log = path.join(tmp, 'stale.log');
      // A holder killed while inside, as a SIGKILLed build would be.
      const dead = spawn(process.execPath, ['--input-type=module', '-e', holder(lockDir, log).replace('setTimeout(r, 100)', 'setTimeout(r, 600_000)')], { env: bareEnv() });
      const deadline = Date.now() + 60_000;
      while (!fs.existsSync(log) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      dead.kill('SIGKILL');
      await new Promise((r) => dead.once('close', r));
      expect(fs.existsSync(lockDir)).toBe(true);
      const next = await run('node', ['--input-type=module', '-e', holder(lockDir, log)], { cwd: tmp, env: bareEnv() });
      expect(next.code, next.stderr).toBe(0);
      expect(fs.readFileSync(log, 'utf8').trim().split('\n')).toEqual([`in ${dead.pid}`, expect.stringMatching(/^in \d+$/), expect.stringMatching(/^out \d+$/)]);
    });
  });

  describe('scripts/build.sh', () => {
    it('builds dist/ once for processes that ask at once, and then nothing until an input changes', async () => {
      // A copy of the repository's build inputs (node_modules linked), so this build is its own.
      const project = path.join(tmp, 'project');
      fs.mkdirSync(path.join(project, 'scripts'), { recursive: true });
      fs.cpSync(path.join(REPO_ROOT, 'src'), path.join(project, 'src'), { recursive: true });
      for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.sh', 'scripts/build.mjs', 'scripts/file-lock.mjs']) {
        fs.copyFileSync(path.join(REPO_ROOT, f), path.join(project, f));
      }
      fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(project, 'node_modules'));
      const build = () => run('bash', ['scripts/build.sh'], { cwd: project, env: bareEnv() });

      const both = await Promise.all([build(), build()]);
      for (const b of both) expect(b.code, b.stderr).toBe(0);
      expect(both.filter((b) => b.stderr.includes('built dist/ in ')).length).toBe(1);
      for (const f of ['index.js', 'index.d.ts', 'security/failure-converter.cjs', 'workflow-bundles/default.js', 'workflow-bundles/manifest.json', '.build-stamp']) {
        expect(fs.existsSync(path.join(project, 'dist', f)), f).toBe(true);
      }
      expect(fs.existsSync(path.join(project, 'dist/.build-lock.d'))).toBe(false);

      const again = await build();
      expect(again).toMatchObject({ code: 0, stderr: '' }); // cached: nothing ran

      // A new source: built; and since the set of sources changed, stale output is cleared first.
      fs.writeFileSync(path.join(project, 'dist/left-behind.js'), '');
      fs.writeFileSync(path.join(project, 'src/extra-input.ts'), 'export const added = 1;\n');
      const changed = await build();
      expect(changed.code, changed.stderr).toBe(0);
      expect(changed.stderr).toContain('built dist/ in ');
      expect(fs.existsSync(path.join(project, 'dist/extra-input.js'))).toBe(true);
      expect(fs.existsSync(path.join(project, 'dist/left-behind.js'))).toBe(false); // the set of sources changed: dist/ was emptied first
    }, 600_000); // two real builds (tsc and two webpack runs each) on a busy 2-core machine
  });
});
