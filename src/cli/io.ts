// What a command writes to and reads from: injected, so tests and the demo can run commands in
// process, and `main.ts` hands in the real process streams.

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Fires on Ctrl-C: watching stops, the upload goes on. */
  interrupt: AbortSignal;
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
