// The TwelveLabs emulator in its own process (`npm run emulator`), so that what it spends (CPU,
// memory, disk) never counts against the process being measured, plus its admin API over HTTP.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { request } from 'undici';
import type { CounterSnapshot, FaultKnobs } from '../../src/emulator';
import { trackChild } from './children';

const REPO_ROOT = path.resolve(__dirname, '../..');

export interface EmulatorProcess {
  readonly baseUrl: string;
  readonly origin: string;
  readonly pid: number;
  counters(): Promise<CounterSnapshot>;
  resetCounters(): Promise<void>;
  setFaults(knobs: Partial<FaultKnobs>): Promise<void>;
  /** Restarts the fault dice from `seed`, so each contender meets the same rolls. */
  reseedFaults(seed: number): Promise<void>;
  objectInfo(assetId: string): Promise<{ size: number; sha256: string } | undefined>;
  /** A4 with force: drops the asset and its bytes, so runs do not fill the disk. */
  deleteAsset(assetId: string): Promise<void>;
  stop(): Promise<void>;
}

export interface EmulatorProcessOptions {
  apiKey: string;
  dataDir: string;
  /** Further `npm run emulator` flags. */
  args?: string[];
  /** Listen on this port (default: any free one). */
  port?: number;
  /** Run the compiled package's emulator (dist/emulator/main.js) instead of the sources through tsx. */
  compiled?: boolean;
}

export async function spawnEmulator(options: EmulatorProcessOptions): Promise<EmulatorProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...(options.compiled ? [path.join(REPO_ROOT, 'dist/emulator/main.js')] : ['--import', 'tsx', path.join(REPO_ROOT, 'src/emulator/main.ts')]),
      '--port',
      String(options.port ?? 0),
      '--api-key', options.apiKey, '--data-dir', options.dataDir, ...(options.args ?? [])],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const untrack = trackChild(() => child.pid);
  child.once('exit', untrack);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('http'));
      if (line) resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`the emulator exited (${code}) before it was ready: ${stderr}`)));
  });
  const origin = new URL(baseUrl).origin;

  const call = async <T>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: T | undefined }> => {
    const response = await request(url, {
      method: method as 'GET',
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.body.text();
    return { status: response.statusCode, json: text ? (JSON.parse(text) as T) : undefined };
  };
  const admin = async <T>(method: string, adminPath: string, body?: unknown): Promise<T> => {
    const { status, json } = await call<T>(method, `${origin}/_emulator${adminPath}`, body);
    if (status !== 200) throw new Error(`emulator admin ${method} ${adminPath}: ${status} ${JSON.stringify(json)}`);
    return json as T;
  };

  return {
    baseUrl,
    origin,
    pid: child.pid!,
    counters: () => admin<CounterSnapshot>('GET', '/counters'),
    async resetCounters() {
      await admin('POST', '/counters/reset');
    },
    async reseedFaults(seed) {
      await admin('POST', '/faults/reseed', { seed });
    },
    async setFaults(knobs) {
      await admin('PUT', '/faults', knobs);
    },
    async objectInfo(assetId) {
      const { status, json } = await call<{ size: number; sha256: string }>('GET', `${origin}/_emulator/objects/${assetId}`);
      return status === 200 ? json : undefined;
    },
    async deleteAsset(assetId) {
      const { status } = await call('DELETE', `${baseUrl}/assets/${assetId}?force=true`, undefined, { 'x-api-key': options.apiKey });
      if (status !== 204 && status !== 404) throw new Error(`DELETE asset ${assetId}: ${status}`);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
