// The CLI's pure parts: global flags wherever they stand, the version found by walking up to
// package.json (as from a compiled dist/), the progress line fitted to a terminal's width, when a
// bar is drawn at all, and "did you mean" for a mistyped command or flag.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractGlobalFlags } from '../../src/cli/global-flags';
import { statusHeadline } from '../../src/cli/commands/status';
import { runCli } from '../../src/cli/main';
import { closest, editDistance } from '../../src/cli/suggest';
import { showsProgress, type CliIo } from '../../src/cli/io';
import { progressLine, ProgressRenderer } from '../../src/cli/progress-bar';
import { packageVersion } from '../../src/cli/version';
import { WorkerWait } from '../../src/cli/worker-wait';
import { UnavailableError } from '../../src/client/errors';
import type { LiveProgress } from '../../src/client/types';

describe('global flags', () => {
  it('takes connection flags anywhere on the line, overriding the environment, and leaves the rest to the command', () => {
    const flags = extractGlobalFlags(
      ['--address', 'temporal:7233', 'upload', 'a.mp4', '--namespace=media', '--tls', '--json', '--no-progress', '--metadata', 'k=v'],
      { TEMPORAL_ADDRESS: 'old:7233', TEMPORAL_NAMESPACE: 'old', KEEP: 'me' },
    );
    expect(flags.rest).toEqual(['upload', 'a.mp4', '--json', '--metadata', 'k=v']);
    expect(flags.env).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'media', TEMPORAL_TLS: 'true', KEEP: 'me' });
    expect(flags.progress).toBe('off');
    expect(flags.version).toBe(false);
  });

  it('maps every TLS, profile and UI flag to the variable envconfig and our config read', () => {
    const { env } = extractGlobalFlags(
      ['--profile', 'p', '--config-file', '/c.toml', '--api-key', 'k', '--tls=false', '--tls-cert-path', '/c.pem', '--tls-key-path', '/k.pem',
        '--tls-ca-path', '/ca.pem', '--tls-server-name', 'srv', '--tls-disable-host-verification', '--task-queue', 'q', '--ui-url', 'http://ui:8080'],
      {},
    );
    expect(env).toEqual({
      TEMPORAL_PROFILE: 'p', TEMPORAL_CONFIG_FILE: '/c.toml', TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false',
      TEMPORAL_TLS_CLIENT_CERT_PATH: '/c.pem', TEMPORAL_TLS_CLIENT_KEY_PATH: '/k.pem', TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/ca.pem',
      TEMPORAL_TLS_SERVER_NAME: 'srv', TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true', TL_TASK_QUEUE: 'q', TEMPORAL_UI_URL: 'http://ui:8080',
    });
  });

  it('refuses a connection flag without a value, and stops at --', () => {
    expect(() => extractGlobalFlags(['list', '--address'], {})).toThrow(/--address takes a value/);
    expect(() => extractGlobalFlags(['list', '--address', '--json'], {})).toThrow(/--address takes a value/);
    expect(() => extractGlobalFlags(['list', '--namespace='], {})).toThrow(/--namespace must not be empty/);
    expect(extractGlobalFlags(['upload', '--', '--address'], {}).rest).toEqual(['upload', '--', '--address']);
    expect(extractGlobalFlags(['--version'], {}).version).toBe(true);
    expect(extractGlobalFlags(['--progress'], {}).progress).toBe('on');
  });
});

describe('--version', () => {
  it('walks up to the first package.json with a name and a version, as from a compiled dist/', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-version-'));
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'pkg', version: '9.8.7' }));
    fs.mkdirSync(path.join(root, 'dist', 'cli'), { recursive: true });
    fs.writeFileSync(path.join(root, 'dist', 'package.json'), JSON.stringify({ type: 'commonjs' })); // a marker, no version
    expect(packageVersion(path.join(root, 'dist', 'cli'))).toEqual({ name: 'pkg', version: '9.8.7' });
    expect(packageVersion(root)).toEqual({ name: 'pkg', version: '9.8.7' });
    fs.rmSync(root, { recursive: true });
  });
});

describe('progress bar', () => {
  const p: LiveProgress = {
    workflowId: 'u', kind: 'upload', executionStatus: 'RUNNING', phase: 'uploading', title: 'a-rather-long-file-name-of-a-keynote-2030.mp4',
    totalBytes: 4 * 1024 * 1024, sentBytes: 1024 * 1024, confirmedBytes: 0, inFlightBytes: 0, percent: 25, bytesPerSecond: 512 * 1024, etaSeconds: 6, paused: false,
  };

  it('fits the terminal and keeps the bar: the title gives way first, then the stats shorten', () => {
    const full = progressLine(p);
    expect(full.startsWith(`[${'#'.repeat(7)}${'.'.repeat(21)}]`)).toBe(true);
    expect(progressLine(p, 200)).toBe(full);
    for (const columns of [120, 100, 90, 80, 70, 60, 40, 30, 20]) {
      const line = progressLine(p, columns);
      expect(line.length, `${columns} columns`).toBeLessThanOrEqual(columns - 1);
      expect(line, `${columns} columns`).toMatch(/^\[[#.]{8,28}\] +25\.0%/); // the bar, then the percentage
    }
    expect(progressLine(p, 120)).toMatch(/^\[#{7}\.{21}\] {3}25\.0% .* uploading  a-rather-long-file-na.*…$/);
    expect(progressLine(p, 100)).toMatch(/^\[[#.]{8,27}\] {3}25\.0%.* uploading  a-rather-lo.*…$/);
    // 80 columns: the phase (the bar says it) and the spaces go, bytes, rate and ETA stay
    expect(progressLine(p, 80)).toBe('[######.................]  25.0% 1.0 MiB/4.0 MiB 512 KiB/s ETA 6s  a-rather-lo…');
    expect(progressLine(p, 60)).toBe('[####...........]  25.0% 1.0 MiB 512 KiB/s 6s  a-rather-lo…');
    expect(progressLine(p, 30)).toBe('[#####...............]  25.0%');
    // a phase other than uploading always shows
    expect(progressLine({ ...p, phase: 'paused' }, 80)).toMatch(/^\[[#.]+\] +25\.0% .*paused/);
    expect(progressLine({ ...p, phase: 'paused' }, 30)).toMatch(/^\[[#.]+\]  25\.0% paused$/);
  });

  it('redraws in place on a terminal, within its width', () => {
    const written: string[] = [];
    const renderer = new ProgressRenderer({ isTTY: true, columns: 70, write: (t: string) => written.push(t) });
    renderer.draw(p);
    renderer.draw({ ...p, sentBytes: 2 * 1024 * 1024, percent: 50 });
    renderer.finish();
    expect(written.slice(0, 2).every((w) => w.startsWith('\r\x1b[2K') && w.length - 5 <= 69)).toBe(true);
    expect(written.at(-1)).toBe('\n');
  });

  it('is drawn when stderr is a terminal, or when forced; never with --no-progress', () => {
    const io = (isTTY: boolean, progress?: 'auto' | 'on' | 'off') => ({ stderr: { isTTY }, ...(progress ? { progress } : {}) }) as unknown as CliIo;
    expect(showsProgress(io(true))).toBe(true);
    expect(showsProgress(io(false))).toBe(false);
    expect(showsProgress(io(false, 'on'))).toBe(true);
    expect(showsProgress(io(true, 'off'))).toBe(false);
  });
});

describe('waiting for a worker', () => {
  it('says once that it waits, naming the queue, says when a worker is back, and gives up after the timeout', () => {
    const notes: string[] = [];
    const io = { stderr: { write: (t: string) => notes.push(t) } } as unknown as CliIo;
    const missing = { taskQueue: 'q1', message: 'no worker is polling task queue q1; the upload is waiting' };
    const wait = new WorkerWait(io, 'upload-x', 10_000);
    wait.observe(missing, 0);
    wait.observe(missing, 5_000);
    expect(notes).toEqual(['waiting: no worker is polling task queue q1; the upload is waiting\n']);
    wait.observe(undefined, 6_000);
    expect(notes[1]).toBe('a worker answers for upload-x again\n');
    wait.observe(missing, 7_000); // missing again: the clock starts afresh
    expect(() => wait.observe(missing, 16_999)).not.toThrow();
    expect(() => wait.observe(missing, 17_000)).toThrow(UnavailableError);
    expect(() => wait.observe(missing, 17_000)).toThrow(/Stopped waiting after 10 s \(--worker-timeout\); the upload itself goes on: tl-upload watch upload-x/);
    expect(() => new WorkerWait(io, 'upload-y', undefined).observe(missing, 1e12)).not.toThrow();
  });
});

describe('mistyped commands and flags', () => {
  async function run(...argv: string[]): Promise<{ code: number; stderr: string }> {
    let stderr = '';
    const sink = (write: (t: string) => void) => ({ write: (t: string) => (write(t), true) }) as unknown as NodeJS.WritableStream;
    const io = { stdout: sink(() => undefined), stderr: sink((t) => (stderr += t)), env: {}, interrupt: new AbortController().signal } as CliIo;
    const code = await runCli(argv, io);
    return { code, stderr };
  }

  it('answers a mistyped command with the command meant', async () => {
    expect(await run('uplaod', 'talk.mp4')).toEqual({ code: 2, stderr: "tl-upload: unknown command 'uplaod'; did you mean upload?\nsee: tl-upload --help\n" });
    expect((await run('stauts', 'x')).stderr).toMatch(/did you mean status\?/);
    expect((await run('concur', 'x', '4')).stderr).toMatch(/did you mean concurrency\?/); // the only one it begins
    expect((await run('frobnicate')).stderr).toBe("tl-upload: unknown command 'frobnicate'\nsee: tl-upload --help\n");
  });

  it("answers a mistyped flag with the flag meant, not parseArgs' own words", async () => {
    const flag = await run('upload', 'talk.mp4', '--concurency', '4');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe('tl-upload upload: unknown flag --concurency; did you mean --concurrency?\nsee: tl-upload upload --help\n');
    expect((await run('status', 'x', '--jsn')).stderr).toMatch(/unknown flag --jsn; did you mean --json\?/);
    expect((await run('list', '--adress', '127.0.0.1:7233')).stderr).toMatch(/unknown flag --adress; did you mean --address\?/); // a connection flag
    expect((await run('watch', 'x', '--interval-ms=5', '--no-progres')).stderr).toMatch(/unknown flag --no-progres; did you mean --no-progress\?/);
    expect((await run('upload', 'talk.mp4', '--xyzzy')).stderr).toMatch(/^tl-upload upload: unknown flag --xyzzy\n/);
    expect((await run('upload', 'talk.mp4', '--id')).stderr).toMatch(/^tl-upload upload: --id takes a value\n/);
    for (const { stderr } of [flag, await run('upload', 'talk.mp4', '--id')]) expect(stderr).not.toMatch(/parseArgs|positional argument|ERR_/);
  });

  it('measures edits, a swap of neighbours counting one', () => {
    expect(editDistance('uplaod', 'upload')).toBe(1);
    expect(editDistance('concurency', 'concurrency')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(closest('cancle', ['cancel', 'concurrency'])).toBe('cancel');
    expect(closest('zz', ['list', 'watch'])).toBeUndefined();
  });
});

describe('status', () => {
  it('says a state once: a phase that repeats the status is not said again', () => {
    const p = { kind: 'upload' as const, workflowId: 'upload-a', route: 'multipart' as const };
    expect(statusHeadline({ ...p, executionStatus: 'COMPLETED', phase: 'completed' })).toBe('upload upload-a: completed (multipart)');
    expect(statusHeadline({ ...p, executionStatus: 'CANCELLED', phase: 'cancelled' })).toBe('upload upload-a: cancelled (multipart)');
    expect(statusHeadline({ ...p, executionStatus: 'RUNNING', phase: 'paused' })).toBe('upload upload-a: running, paused (multipart)');
    expect(statusHeadline({ ...p, executionStatus: 'TIMED_OUT', phase: 'timed-out', route: undefined })).toBe('upload upload-a: timed-out');
  });
});
