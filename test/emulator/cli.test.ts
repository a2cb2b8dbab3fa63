// `npm run emulator` as a separate process: prints its base URL, serves, obeys its flags, exits
// cleanly on SIGTERM, and refuses bad flags with exit code 2.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs');
const MAIN = path.join(REPO_ROOT, 'src/emulator/main.ts');

function spawnCli(args: string[], env: Record<string, string> = {}): { child: ChildProcess; stdout: () => string; stderr: () => string } {
  const child = spawn(process.execPath, [TSX, MAIN, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return { child, stdout: () => stdout, stderr: () => stderr };
}

async function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describe('emulator CLI', () => {
  it('prints its base URL on a line of its own, serves with its flags, and exits 0 on SIGTERM', async () => {
    const cli = spawnCli(['--port', '0', '--api-key', 'tlk_cli', '--chunk-size', '2048', '--initial-urls', 'all', '--faults', 'put_500=0.25,retry_after_s=3', '--seed', '5']);
    try {
      const deadline = Date.now() + 30_000;
      let baseUrl: string | undefined;
      while (!baseUrl) {
        baseUrl = /^(http:\/\/127\.0\.0\.1:\d+\/v1\.3)$/m.exec(cli.stdout())?.[1];
        if (cli.child.exitCode !== null) throw new Error(`emulator exited: ${cli.stderr()}`);
        if (Date.now() > deadline) throw new Error(`no base URL after 30 s: ${cli.stdout()} ${cli.stderr()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const created = await request(`${baseUrl}/assets/multipart-uploads`, {
        method: 'POST',
        headers: { 'x-api-key': 'tlk_cli', 'content-type': 'application/json' },
        body: JSON.stringify({ filename: 'cli.mp4', type: 'video', total_size: 10_000 }),
      });
      expect(created.statusCode).toBe(201);
      const session = (await created.body.json()) as { chunk_size: number; upload_urls: unknown[] };
      expect(session.chunk_size).toBe(2048);
      expect(session.upload_urls).toHaveLength(5);
      const faults = await request(`${baseUrl.replace('/v1.3', '')}/_emulator/faults`);
      expect(await faults.body.json()).toMatchObject({ put_500: 0.25, retry_after_s: 3 });

      cli.child.kill('SIGTERM');
      expect(await exitOf(cli.child)).toBe(0);
      expect(cli.stderr()).toMatch(/SIGTERM/);
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  });

  it('takes the API key from TWELVELABS_API_KEY', async () => {
    const cli = spawnCli(['--port', '0'], { TWELVELABS_API_KEY: 'tlk_from_env' });
    try {
      while (!/\/v1\.3$/m.test(cli.stdout())) {
        if (cli.child.exitCode !== null) throw new Error(cli.stderr());
        await new Promise((r) => setTimeout(r, 50));
      }
      const baseUrl = cli.stdout().trim();
      const ok = await request(`${baseUrl}/assets`, { headers: { 'x-api-key': 'tlk_from_env' } });
      expect(ok.statusCode).toBe(200);
      await ok.body.text();
      cli.child.kill('SIGINT');
      expect(await exitOf(cli.child)).toBe(0);
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  });

  it.each([
    [['--port', 'abc', '--api-key', 'k'], /--port must be an integer/],
    [['--api-key', 'k', '--bogus', '1'], /unknown flag --bogus/],
    [['--api-key', 'k', '--faults', 'put_9=1'], /unknown fault knob 'put_9'/],
    [['--api-key', 'k', '--initial-urls', 'some'], /--initial-urls/],
    [['--api-key', 'k', '--url-ttl', '-3'], /--url-ttl must be a positive number/],
    [['--port', '0'], /no API key/],
    [['--api-key'], /--api-key needs a value/],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const cli = spawnCli(args);
    expect(await exitOf(cli.child)).toBe(2);
    expect(cli.stderr()).toMatch(message);
    expect(cli.stdout()).toBe('');
  });

  it('prints its usage for --help and exits 0', async () => {
    const cli = spawnCli(['--help']);
    expect(await exitOf(cli.child)).toBe(0);
    expect(cli.stdout()).toMatch(/Usage: npm run emulator -- --port <n> --api-key <key>/);
    expect(cli.stdout()).toMatch(/--faults <spec>/);
  });
});
