// `npm run server`: the Temporal dev server with its Web UI and a database file, so workflows
// survive a restart. Runs until Ctrl-C. Flags: --port (7233), --ui-port (8233), --db <file>
// (.data/temporal.db), --namespace (default).

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DevServer } from '../src/dev/dev-server';

export const DEFAULT_DB_FILE = path.resolve(__dirname, '../.data/temporal.db');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '7233' },
      'ui-port': { type: 'string', default: '8233' },
      db: { type: 'string', default: DEFAULT_DB_FILE },
      namespace: { type: 'string', default: 'default' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log('Usage: npm run server -- [--port 7233] [--ui-port 8233] [--db .data/temporal.db] [--namespace default]');
    return;
  }
  fs.mkdirSync(path.dirname(path.resolve(values.db)), { recursive: true });
  const server = await DevServer.start({
    port: port('--port', values.port),
    uiPort: port('--ui-port', values['ui-port']),
    dbFile: path.resolve(values.db),
    namespace: values.namespace,
  });
  console.log(`Temporal dev server: ${server.address} (namespace ${server.namespace})`);
  console.log(`Web UI:              ${server.uiUrl}`);
  console.log(`database:            ${path.resolve(values.db)} (workflows survive a restart)`);
  console.log(`search attributes:   TlFileName, TlFileSize, TlPhase`);
  console.log('Ctrl-C stops it.');
  await stopOnSignal(() => server.stop());
}

function port(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new Error(`${flag} must be a port number, got ${value}`);
  return n;
}

/** Resolves after SIGINT or SIGTERM, once `stop` has finished. */
export function stopOnSignal(stop: () => Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = () => {
      if (stopping) return;
      stopping = true;
      console.log('stopping...');
      stop().finally(resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(`server: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
