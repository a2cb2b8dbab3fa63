// Runs tl-upload as a separate process (bin/tl-upload.js, as a user runs it) against a test stack.

import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import type { Stack } from '../support/harness';

const BIN = path.resolve(__dirname, '../../bin/tl-upload.js');
export const WEB_UI = 'http://127.0.0.1:8233';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cliEnv(stack: Stack): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: stack.server.address,
    TEMPORAL_NAMESPACE: 'default',
    TL_TASK_QUEUE: stack.taskQueue,
    TL_WEB_UI_URL: WEB_UI,
    // The CLI never needs the TwelveLabs key: make sure it does not get one.
    TWELVELABS_API_KEY: '',
  };
}

/** `env`: variables to set over cliEnv(stack); an undefined value removes the variable. */
export function startCli(stack: Stack, args: string[], env: Record<string, string | undefined> = {}): { child: ChildProcess; done: Promise<CliRun>; output: () => string } {
  const merged = { ...cliEnv(stack), ...env };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  const child = spawn(process.execPath, [BIN, ...args], { env: merged, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliRun>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done, output: () => stdout };
}

export async function cli(stack: Stack, ...args: string[]): Promise<CliRun> {
  return startCli(stack, args).done;
}

/** `cli` with environment variables set over cliEnv(stack) (undefined removes one). */
export async function cliWithEnv(stack: Stack, env: Record<string, string | undefined>, ...args: string[]): Promise<CliRun> {
  return startCli(stack, args, env).done;
}

/** Runs a `--json` command and parses its stdout. */
export async function cliJson<T = any>(stack: Stack, ...args: string[]): Promise<{ code: number | null; json: T; stderr: string }> {
  const run = await cli(stack, ...args, '--json');
  let json: T;
  try {
    json = JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`tl-upload ${args.join(' ')} --json printed no JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
  return { code: run.code, json, stderr: run.stderr };
}

/** A loopback port nothing listens on (bound, then closed). */
export async function refusedAddress(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}
