// `npm run emulator`: runs the emulator until SIGINT or SIGTERM. The base URL goes to stdout on a
// line of its own (scripts wait for it); everything else goes to stderr.

import { CliUsageError, parseCliArgs, USAGE } from './cli-args';
import { startEmulator } from './index';
import { InvalidEmulatorOptions } from './options';

/** Exit code for a bad command line, as conventional for usage errors. */
const EXIT_USAGE = 2;

async function main(): Promise<void> {
  let command;
  try {
    command = parseCliArgs(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    process.stderr.write(`emulator: ${error.message}\nRun with --help for the flags.\n`);
    process.exit(EXIT_USAGE);
  }
  if (command.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  let emulator;
  try {
    emulator = await startEmulator(command.options);
  } catch (error) {
    if (error instanceof InvalidEmulatorOptions) {
      process.stderr.write(`emulator: ${error.message}\n`);
      process.exit(EXIT_USAGE);
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      process.stderr.write(`emulator: cannot listen on ${command.options.host ?? '127.0.0.1'}:${command.options.port ?? 0} (${code})\n`);
      process.exit(1);
    }
    throw error;
  }
  process.stdout.write(`${emulator.baseUrl}\n`);
  process.stderr.write(
    `TwelveLabs emulator ready: API ${emulator.baseUrl}, admin ${emulator.origin}/_emulator, data ${emulator.dataDir}\n`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`emulator: ${signal}, shutting down\n`);
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`emulator: shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`emulator: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
