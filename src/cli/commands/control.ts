// `tl-upload pause|resume|cancel <id>` and `tl-upload concurrency <id> <n>`.

import { MAX_BATCH_CONCURRENCY, MAX_CONCURRENCY } from '../../domain/types';
import type { Command } from '../command';
import { EXIT } from '../exit-codes';
import { printJson, println } from '../io';
import { intFlag, parse, positionals } from '../parse';

function simple(action: 'pause' | 'resume' | 'cancel', done: string): Command {
  return async (argv, io, connect) => {
    const parsed = parse(argv, {});
    const [workflowId] = positionals(parsed.positionals, ['workflow-id']);
    const client = await connect();
    await client[action](workflowId!);
    if (parsed.values.json) printJson(io, { workflowId, action, ok: true });
    else println(io, `${workflowId}: ${done}`);
    return EXIT.ok;
  };
}

export const pauseCommand = simple('pause', 'pause requested (chunks in flight finish, no new ones start)');
export const resumeCommand = simple('resume', 'resumed');
export const cancelCommand = simple('cancel', 'cancellation requested (in-flight transfers stop)');

export const concurrencyCommand: Command = async (argv, io, connect) => {
  const parsed = parse(argv, {});
  const [workflowId, raw] = positionals(parsed.positionals, ['workflow-id', 'n']);
  const value = intFlag('n', raw, 1, Math.max(MAX_CONCURRENCY, MAX_BATCH_CONCURRENCY))!;
  const client = await connect();
  const previous = await client.setConcurrency(workflowId!, value);
  if (parsed.values.json) printJson(io, { workflowId, concurrency: value, previous });
  else println(io, `${workflowId}: concurrency ${previous} → ${value}`);
  return EXIT.ok;
};
