// What a command writes to and reads from: injected, so tests and the demo can run commands in
// process, and `main.ts` hands in the real process streams.

import type { ProgressMode } from './global-flags';

export interface CliIo {
  /** Results: what a script reads (JSON with --json). */
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** The progress bar, waiting notes and errors: what a person reads. */
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  /** Fires on Ctrl-C: watching stops, the upload goes on. */
  interrupt: AbortSignal;
  /** `auto` (default): a bar when stderr is a terminal; `on`: always; `off`: never. */
  progress?: ProgressMode;
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** One JSON document per line (for `watch --json`). */
export function printJsonLine(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}

export function println(io: CliIo, line = ''): void {
  io.stdout.write(`${line}\n`);
}

/**
 * `label: link` when it fits the terminal's width (or the output is no terminal); otherwise the
 * label on its own line and the link on the next, from the first column, so a link the terminal
 * must wrap is still one piece a person can click or copy.
 */
export function linkLine(stream: CliIo['stdout'], label: string, link: string, indent = ''): string {
  const line = `${indent}${label}: ${link}`;
  const columns = stream.isTTY ? stream.columns : undefined;
  return columns === undefined || line.length < columns ? line : `${indent}${label}:\n${link}`;
}

/** A note for the person at the terminal, never mixed into the results on stdout. */
export function note(io: CliIo, line: string): void {
  io.stderr.write(`${line}\n`);
}

/** Whether to draw the progress bar. */
export function showsProgress(io: CliIo): boolean {
  const mode = io.progress ?? 'auto';
  return mode === 'on' || (mode === 'auto' && io.stderr.isTTY === true);
}
