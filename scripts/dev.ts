// `npm run dev`: the whole local stack in one process group: the Temporal dev server (Web UI,
// database file), the TwelveLabs emulator, and an upload worker; prints the addresses and the
// environment that points the CLI at them. Runs until Ctrl-C.
// Flags: --port 7233, --ui-port 8233, --emulator-port 9100, --data-dir .data/dev.

import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { NativeConnection } from '@temporalio/worker';
import { DEFAULT_TASK_QUEUE } from '../src/config';
import { DevServer } from '../src/dev/dev-server';
import { startEmulator } from '../src/emulator';
import { installRuntime } from '../src/observability/runtime';
import { TwelveLabsClient } from '../src/twelvelabs/client';
import { createUploadWorkers } from '../src/worker';
import { stopOnSignal } from './server';

const DEV_API_KEY = 'tlk_dev_local_emulator_key';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '7233' },
      'ui-port': { type: 'string', default: '8233' },
      'emulator-port': { type: 'string', default: '9100' },
      'data-dir': { type: 'string', default: path.resolve(__dirname, '../.data/dev') },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log('Usage: npm run dev -- [--port 7233] [--ui-port 8233] [--emulator-port 9100] [--data-dir .data/dev]');
    return;
  }
  const dataDir = path.resolve(values['data-dir']);
  fs.mkdirSync(dataDir, { recursive: true });
  // The worker may read files from here, the home directory and the temp directory (TL_ALLOWED_ROOTS overrides).
  const allowedRoots = process.env.TL_ALLOWED_ROOTS?.split(':').filter(Boolean) ?? [process.cwd(), os.homedir(), os.tmpdir()];
  installRuntime({ logLevel: 'WARN', logFormat: 'text', secrets: [DEV_API_KEY] });

  const [server, emulator] = await Promise.all([
    DevServer.start({ port: Number(values.port), uiPort: Number(values['ui-port']), dbFile: path.join(dataDir, 'temporal.db') }),
    startEmulator({ port: Number(values['emulator-port']), apiKeys: [DEV_API_KEY], dataDir: path.join(dataDir, 'emulator') }),
  ]);
  const connection = await NativeConnection.connect({ address: server.address });
  const workers = await createUploadWorkers({
    connection,
    taskQueue: DEFAULT_TASK_QUEUE,
    client: new TwelveLabsClient({ baseUrl: emulator.baseUrl, apiKey: DEV_API_KEY }),
    allowedRoots: [...new Set(allowedRoots.map((r) => path.resolve(r)))],
  });
  const running = Promise.all(workers.map((w) => w.run()));

  console.log(`Temporal dev server  ${server.address}   (database ${path.join(dataDir, 'temporal.db')})`);
  console.log(`Temporal Web UI      ${server.uiUrl}`);
  console.log(`TwelveLabs emulator  ${emulator.baseUrl}   (admin ${emulator.origin}/_emulator)`);
  console.log(`upload worker        task queue ${DEFAULT_TASK_QUEUE}, files under ${allowedRoots.join(':')}`);
  console.log('');
  console.log('Point the CLI at it (another terminal):');
  console.log(`  export TEMPORAL_ADDRESS=${server.address} TEMPORAL_UI_URL=${server.uiUrl} TL_TASK_QUEUE=${DEFAULT_TASK_QUEUE}`);
  console.log('  npm run tl-upload -- upload ./some-video.mp4');
  console.log('Ctrl-C stops everything.');

  await stopOnSignal(async () => {
    for (const w of workers) w.shutdown();
    await running.catch(() => undefined);
    await connection.close().catch(() => undefined);
    await Promise.all([server.stop(), emulator.close()]);
  });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`dev: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
