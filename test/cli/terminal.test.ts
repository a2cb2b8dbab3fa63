// tl-upload in a real terminal: the compiled CLI runs in a pseudo-terminal (util-linux `script`,
// part of every Debian and macOS) set to 80 columns, as a person runs it, and every redraw of
// the progress line is read back from what the terminal received.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFile, startStack, type Stack } from '../support/harness';
import { cli, cliEnv, WEB_UI } from './cli-process';

const BIN = path.resolve(__dirname, '../../bin/tl-upload.js');
const CHUNK = 64 * 1024;

/** Runs tl-upload in a pseudo-terminal of `columns` columns; answers everything the terminal showed. */
function inTerminal(stack: Stack, columns: number, args: string[]): Promise<{ code: number | null; screen: string }> {
  const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;
  const command = `stty cols ${columns} rows 24 && exec ${[process.execPath, BIN, ...args].map(quote).join(' ')}`;
  // -e: the command's exit code; -f: flush as it comes; the transcript file is not wanted.
  const child = spawn('script', ['-q', '-e', '-f', '-c', command, '/dev/null'], { env: { ...cliEnv(stack), TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  child.stdout.on('data', (d: Buffer) => (screen += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (screen += d.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, screen })));
}

describe('tl-upload in an 80-column terminal', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, assetReadyDelayMs: 10 } });
    await stack.startWorker();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('shows the bar throughout an upload, within the width, prints the Web UI link unbroken, and `status` says it once', async () => {
    const name = 'a-rather-long-recording-of-the-quarterly-keynote-2030.mp4';
    const file = await makeFile(stack.dir, name, 64 * CHUNK + 5);
    // 256 KiB/s per PUT, 4 at once: a few seconds of upload, so the bar is redrawn many times.
    await stack.emulator.setFaults({ put_throttle_bps: 256 * 1024 });
    try {
      const { code, screen } = await inTerminal(stack, 80, ['upload', file.path, '--direct-max-bytes', String(16 * CHUNK), '--concurrency', '4']);
      expect(code, screen).toBe(0);
      // Each redraw: carriage return, erase the line, the line.
      const draws = [...screen.matchAll(/\r\x1b\[2K([^\r\n\x1b]*)/g)].map((m) => m[1]!).filter(Boolean);
      const percents = draws.map((line) => Number(/(\d+\.\d)%/.exec(line)?.[1]));
      expect(percents.filter((p) => p > 0 && p < 100).length, screen).toBeGreaterThanOrEqual(2); // drawn while it ran
      for (const line of draws) {
        expect(line.length, line).toBeLessThanOrEqual(79);
        expect(line, 'the bar, then the percentage').toMatch(/^\[[#.]{10,28}\] +\d+\.\d%/);
      }
      // The link, longer than the terminal is wide, on a line of its own from the first column.
      const lines = screen.split(/\r?\n/).map((l) => l.replace(/^.*\r(?:\x1b\[2K)?/, ''));
      const linkAt = lines.findIndex((l) => l.startsWith(`${WEB_UI}/namespaces/default/workflows/upload-a-rather-long`));
      expect(linkAt, screen).toBeGreaterThan(0);
      expect(lines[linkAt - 1]).toBe('workflow:');
      expect(lines.some((l) => /^asset id: \w+$/.test(l))).toBe(true);

      // `status` of the finished upload says "completed" once.
      const workflowId = /started upload (\S+) /.exec(screen)![1]!;
      const status = await cli(stack, 'status', workflowId);
      expect(status.stdout.split('\n')[0]).toBe(`upload ${workflowId}: completed (multipart)`);
    } finally {
      await stack.emulator.setFaults({});
    }
  });
});
