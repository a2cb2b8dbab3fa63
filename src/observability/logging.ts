// Structured logs: one JSON object per line on stdout, with the attributes Temporal attaches
// (workflowId, runId, activityType, attempt, ...) and ours (uploadId, chunkIndex), and never a
// credential: every string is passed through the same redaction the TwelveLabs client uses.

import { DefaultLogger, type LogEntry, type Logger, type LogLevel } from '@temporalio/worker';
import { redact } from '../twelvelabs/redact';

export type LogFormat = 'json' | 'text';

/** Attributes never written: an activity's task token lets its holder complete the activity. */
const OMITTED_KEYS = new Set(['taskToken']);

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Values that must never appear in a log line (the API key). */
  secrets?: readonly string[];
  /** Where lines go; default: stdout. */
  write?: (line: string) => void;
}

export function createLogger(options: LoggerOptions): Logger {
  const secrets = options.secrets ?? [];
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const format = options.format === 'json' ? jsonLogLine : textLogLine;
  return new DefaultLogger(options.level, (entry) => write(format(entry, secrets)));
}

/** `{"ts":…,"level":"info","msg":…,…attributes}`; Errors keep name, message and failure type. */
export function jsonLogLine(entry: LogEntry, secrets: readonly string[] = []): string {
  const record = {
    ts: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
    level: entry.level.toLowerCase(),
    msg: entry.message,
    ...entry.meta,
  };
  return JSON.stringify(record, (key, value: unknown) => (OMITTED_KEYS.has(key) ? undefined : plain(value, secrets)));
}

/** `ts LEVEL msg {attributes}` for people reading a terminal. */
export function textLogLine(entry: LogEntry, secrets: readonly string[] = []): string {
  const { ts, level, msg, ...attributes } = JSON.parse(jsonLogLine(entry, secrets)) as Record<string, unknown>;
  const rest = Object.keys(attributes).length > 0 ? ` ${JSON.stringify(attributes)}` : '';
  return `${String(ts)} ${String(level).toUpperCase()} ${String(msg)}${rest}`;
}

function plain(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redact(value, secrets);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) {
    const failureType = (value as { type?: unknown }).type;
    return {
      name: value.name,
      message: value.message,
      ...(typeof failureType === 'string' ? { type: failureType } : {}),
      ...(value.cause instanceof Error ? { cause: value.cause } : {}),
    };
  }
  return value;
}
