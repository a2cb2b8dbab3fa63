// Command-line parsing for tl-upload's commands, on node:util parseArgs (strict: an unknown flag
// is a usage error, never silently ignored).

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliUsageError } from './exit-codes';
import { GLOBAL_FLAG_NAMES } from './global-flags';
import { didYouMean } from './suggest';

export type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/** Named so that the declaration build can write it down (node:util does not export its parts). */
type Parsed<T extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: typeof COMMON_OPTIONS & T; allowPositionals: true; strict: true }>>;

export function parse<T extends Options>(argv: string[], options: T): Parsed<T> {
  const all = { ...COMMON_OPTIONS, ...options };
  try {
    return parseArgs({ args: argv, options: all, allowPositionals: true, strict: true });
  } catch (err) {
    throw usageProblem(err, all);
  }
}

/** parseArgs' own words for a bad flag, said plainly, with the flag most likely meant. */
function usageProblem(err: unknown, options: Options): unknown {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = /'([^']+)'/.exec(message)?.[1] ?? '';
    const known = [...Object.keys(options), ...GLOBAL_FLAG_NAMES].map((name) => `--${name}`);
    return new CliUsageError(`unknown flag ${flag}${didYouMean(flag.replace(/=.*$/s, ''), known)}`);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /'(-[^' ]+)/.exec(message)?.[1];
    if (flag && /argument missing/.test(message)) return new CliUsageError(`${flag} takes a value`);
    if (flag && /does not take an argument/.test(message)) return new CliUsageError(`${flag} takes no value`);
  }
  return err;
}

/** A positive integer flag in `min..max`. */
export function intFlag(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliUsageError(`--${name} must be an integer from ${min} to ${max}, got ${value}`);
  return n;
}

/** `key=value` pairs; values that read as JSON numbers or booleans are typed, others are strings. */
export function keyValues(flag: string, pairs: string[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliUsageError(`--${flag} takes key=value, got ${pair}`);
    const raw = pair.slice(eq + 1);
    out[pair.slice(0, eq)] = /^(true|false|-?\d+(\.\d+)?)$/.test(raw) ? (JSON.parse(raw) as number | boolean) : raw;
  }
  return out;
}

/** Exactly `count` positionals, or a usage error naming them. */
export function positionals(list: string[], names: string[]): string[] {
  if (list.length !== names.length) {
    throw new CliUsageError(`expected ${names.map((n) => `<${n}>`).join(' ')}${list.length > names.length ? `, got extra ${list.slice(names.length).join(' ')}` : ''}`);
  }
  return list;
}

/** `--worker-timeout <seconds>`: how long a follow or a wait goes on without a worker; ms. */
export function workerTimeoutFlag(value: string | undefined): number | undefined {
  const seconds = intFlag('worker-timeout', value, 0, 7 * 24 * 3600);
  return seconds === undefined ? undefined : seconds * 1000;
}
