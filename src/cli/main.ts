// tl-upload: the command line of the product. `runCli` dispatches one command and returns its
// exit code (tests and the demo call it in process); run as a program, it wires up the real
// process streams, Ctrl-C and the exit code. Every TwelveLabs call runs on the worker: the CLI
// needs Temporal access only.

import type { UploadClient } from '../client';
import type { Command } from './command';
import { ConfigError, temporalConfig } from '../config';
import { classifyError, EXIT } from './exit-codes';
import { extractGlobalFlags, type GlobalFlags } from './global-flags';
import { COMMAND_HELP, OVERVIEW } from './help';
import { printJson, type CliIo } from './io';
import { didYouMean } from './suggest';
import { packageVersion } from './version';

// Each command (and the Temporal client behind it) loads only when it runs: `--help`, `--version`
// and usage errors never pay for @temporalio/client and its protobufs.
const COMMANDS: Record<string, () => Promise<Command>> = {
  upload: async () => (await import('./commands/upload.js')).uploadCommand,
  status: async () => (await import('./commands/status.js')).statusCommand,
  watch: async () => (await import('./commands/status.js')).watchCommand,
  pause: async () => (await import('./commands/control.js')).pauseCommand,
  resume: async () => (await import('./commands/control.js')).resumeCommand,
  cancel: async () => (await import('./commands/control.js')).cancelCommand,
  concurrency: async () => (await import('./commands/control.js')).concurrencyCommand,
  list: async () => (await import('./commands/list.js')).listCommand,
  incomplete: async () => (await import('./commands/list.js')).incompleteCommand,
  assets: async () => (await import('./commands/assets.js')).assetsCommand,
};

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let globals: GlobalFlags;
  try {
    globals = extractGlobalFlags(argv, io.env);
  } catch (err) {
    io.stderr.write(`tl-upload: ${(err as Error).message}\nsee: tl-upload --help\n`);
    return EXIT.usage;
  }
  if (globals.version) {
    const { name, version } = packageVersion();
    io.stdout.write(argv.includes('--json') ? `${JSON.stringify({ name, version })}\n` : `tl-upload ${version} (${name})\n`);
    return EXIT.ok;
  }
  const [name, ...rest] = globals.rest;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    io.stdout.write(`${topic && COMMAND_HELP[topic] ? COMMAND_HELP[topic] : OVERVIEW}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const loadCommand = COMMANDS[name];
  if (!loadCommand) {
    io.stderr.write(`tl-upload: unknown command '${name}'${didYouMean(name, [...Object.keys(COMMANDS), 'help'])}\nsee: tl-upload --help\n`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${COMMAND_HELP[name]}\n`);
    return EXIT.ok;
  }

  let client: UploadClient | undefined;
  const connect = async () => (client ??= await connectClient(globals.env));
  const commandIo: CliIo = { ...io, env: globals.env, progress: globals.progress };
  const json = rest.includes('--json');
  try {
    const command = await loadCommand();
    return await command(rest, commandIo, connect);
  } catch (err) {
    const failure = classifyError(err);
    io.stderr.write(`tl-upload ${name}: ${failure.message}\n`);
    if (failure.exitCode === EXIT.usage && failure.code === 'usage') io.stderr.write(`see: tl-upload ${name} --help\n`);
    if (json) printJson(io, { error: { code: failure.code, ...(failure.type ? { type: failure.type } : {}), message: failure.message } });
    return failure.exitCode;
  } finally {
    await client?.close().catch(() => undefined);
  }
}

/** The client from the environment (flags applied); a profile or TLS file that cannot load is a configuration error. */
async function connectClient(env: NodeJS.ProcessEnv): Promise<UploadClient> {
  try {
    temporalConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`Temporal connection settings (flags, TEMPORAL_* variables, profile): ${(err as Error).message}`);
  }
  const { UploadClient } = await import('../client.js');
  return UploadClient.connect(env);
}

/** The program: real streams, Ctrl-C stops watching (a second one exits at once). */
export async function main(argv = process.argv.slice(2)): Promise<never> {
  const interrupt = new AbortController();
  process.on('SIGINT', () => {
    if (interrupt.signal.aborted) process.exit(EXIT.interrupted);
    interrupt.abort();
  });
  const code = await runCli(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env, interrupt: interrupt.signal }).catch((err: unknown) => {
    process.stderr.write(`tl-upload: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.failed;
  });
  // Let stdout drain (a pipe to jq, say) before leaving.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(code);
}

if (require.main === module) void main();
