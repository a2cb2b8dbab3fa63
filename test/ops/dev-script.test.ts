// `npm run dev`, as a person runs it: it sets itself up first (like `npm run demo` and `npm test`),
// starts the whole stack, and prints the environment that points the CLI at it; that environment,
// pasted as printed, works.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliWithEnv, refusedAddress } from '../cli/cli-process';
import { makeFile, waitFor, type Stack } from '../support/harness';

const REPO = path.resolve(__dirname, '../..');

describe('npm run dev', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-dev-'));
  let dev: ReturnType<typeof spawn> | undefined;

  afterAll(async () => {
    if (dev?.pid !== undefined && dev.exitCode === null) {
      process.kill(-dev.pid, 'SIGINT'); // Ctrl-C, to the whole process group, as a terminal sends it
      await once(dev, 'close');
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sets itself up, starts the stack and prints the current variable names, which work as printed', async () => {
    const port = (address: string) => address.split(':')[1]!;
    const [temporal, ui, emulator] = [port(await refusedAddress()), port(await refusedAddress()), port(await refusedAddress())];
    dev = spawn('npm', ['run', 'dev', '--', '--port', temporal, '--ui-port', ui, '--emulator-port', emulator, '--data-dir', path.join(dir, 'data')], {
      cwd: REPO,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TL_ALLOWED_ROOTS: dir },
    });
    let out = '';
    dev.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    dev.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => out.includes('Ctrl-C stops everything.') || dev!.exitCode !== null, 'the stack to start', 240_000);
    expect(out).toMatch(/> \S+ predev\n> bash scripts\/ensure-setup\.sh/); // the set-up ran first
    expect(out).toMatch(/Temporal CLI: /);
    const exports = /^\s*export (.+)$/m.exec(out)?.[1];
    expect(exports, out).toBeDefined();
    expect(exports).not.toContain('TL_WEB_UI_URL');
    const env = Object.fromEntries(exports!.split(' ').map((pair) => pair.split('=') as [string, string]));
    expect(env).toEqual({ TEMPORAL_ADDRESS: `127.0.0.1:${temporal}`, TEMPORAL_UI_URL: `http://127.0.0.1:${ui}`, TL_TASK_QUEUE: 'twelvelabs-uploads' });

    const file = await makeFile(dir, 'dev-clip.mp4', 100 * 1024);
    const stack = { server: { address: env.TEMPORAL_ADDRESS }, taskQueue: env.TL_TASK_QUEUE } as unknown as Stack;
    const run = await cliWithEnv(stack, { ...env, TL_WEB_UI_URL: undefined }, 'upload', file.path, '--wait', '--json');
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as { status: string; webUiLink: string };
    expect(json.status).toBe('completed');
    expect(json.webUiLink.startsWith(`${env.TEMPORAL_UI_URL}/namespaces/default/workflows/`)).toBe(true);
  });
});
