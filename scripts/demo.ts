// `npm run demo`: the main job on the embedded default. Starts the Temporal dev server (with its
// Web UI), the TwelveLabs emulator and an upload worker in this process, makes a sample media
// file larger than 200 MB, uploads it through the product surface (the client library starts
// uploadWorkflow, which routes it to multipartUploadWorkflow; the CLI's renderer draws the live
// progress), checks the emulator's SHA-256 of the assembled object against the file, and exits 0.

import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { DevServer } from '../src/dev/dev-server';
import { startEmulator } from '../src/emulator';
import { installRuntime } from '../src/observability/runtime';
import { TwelveLabsClient } from '../src/twelvelabs/client';
import { createUploadWorkers } from '../src/worker';
import { follow } from '../src/cli/follow';
import { UploadClient } from '../src/client';
import type { UploadResult } from '../src/domain/types';

const SAMPLE_BYTES = 256 * 1024 * 1024; // above the 200 MB direct-upload limit: multipart territory
const DATA_DIR = path.resolve(__dirname, '../.data/demo');
const API_KEY = 'tlk_demo_local_emulator_key';
const TASK_QUEUE = 'twelvelabs-uploads-demo';

async function main(): Promise<void> {
  // The progress bar is the demo's output: only warnings and errors, as text, never the key.
  installRuntime({ logLevel: 'WARN', logFormat: 'text', secrets: [API_KEY] });
  fs.mkdirSync(DATA_DIR, { recursive: true });
  const sample = await sampleMediaFile(path.join(DATA_DIR, 'sample-keynote.mp4'), SAMPLE_BYTES);
  console.log(`sample file: ${sample.path} (${mb(SAMPLE_BYTES)}, sha256 ${sample.sha256.slice(0, 16)}…)`);

  const [server, emulator] = await Promise.all([
    DevServer.start({ dbFile: path.join(DATA_DIR, 'temporal.db') }),
    startEmulator({ apiKeys: [API_KEY], dataDir: path.join(DATA_DIR, 'emulator'), assetReadyDelayMs: 500 }),
  ]);
  console.log(`Temporal dev server: ${server.address}   Web UI: ${server.uiUrl}`);
  console.log(`TwelveLabs emulator: ${emulator.baseUrl}`);

  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const workers = await createUploadWorkers({
    connection: nativeConnection,
    taskQueue: TASK_QUEUE,
    client: new TwelveLabsClient({ baseUrl: emulator.baseUrl, apiKey: API_KEY }),
    allowedRoots: [DATA_DIR], // the sample file lives here; the worker opens nothing else
  });
  const running = Promise.all(workers.map((w) => w.run()));
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });

  try {
    const uploads = new UploadClient(client, { taskQueue: TASK_QUEUE, ...(server.uiUrl ? { webUiUrl: server.uiUrl } : {}) });
    // A fresh id: the sample file is reused across runs, and its identity would attach to the last one.
    const startedAt = Date.now();
    const started = await uploads.startUpload(sample.path, { workflowId: `demo-${startedAt}`, multipart: { concurrency: 8 } });
    // The CLI's own follow: live progress bar, then the asset id and the Web UI link.
    // The bar goes to stderr; forced on, so a CI log shows it too (a line every 2 s there).
    const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, interrupt: new AbortController().signal, progress: 'on' as const };
    const exitCode = await follow(io, uploads, started.workflowId, { json: false, intervalMs: 250 });
    if (exitCode !== 0) throw new Error(`the upload did not complete (exit code ${exitCode})`);
    const result = (await uploads.result(started.workflowId)) as UploadResult;
    if (result.route !== 'multipart' || !result.multipart) throw new Error(`expected the multipart route, got ${result.route}`);

    const object = await emulator.objectInfo(result.assetId);
    if (!object || object.sha256 !== sample.sha256 || object.size !== SAMPLE_BYTES) {
      throw new Error(`the assembled object does not match the file: ${JSON.stringify(object)} vs sha256 ${sample.sha256}`);
    }
    const seconds = (Date.now() - startedAt) / 1000;
    console.log(`uploaded ${mb(SAMPLE_BYTES)} in ${seconds.toFixed(1)} s (${(SAMPLE_BYTES / 1e6 / seconds).toFixed(0)} MB/s) as ${result.multipart.totalChunks} chunks`);
    console.log(`SHA-256 verified: ${object.sha256}`);
  } finally {
    for (const w of workers) w.shutdown();
    await running.catch(() => undefined);
    await nativeConnection.close();
    await connection.close();
    await Promise.all([server.stop(), emulator.close()]);
  }
}

/** A file that starts like an MP4 (an `ftyp` box) followed by incompressible bytes; reused. */
async function sampleMediaFile(filePath: string, sizeBytes: number): Promise<{ path: string; sha256: string }> {
  const shaFile = `${filePath}.sha256`;
  if (fs.existsSync(filePath) && fs.statSync(filePath).size === sizeBytes && fs.existsSync(shaFile)) {
    return { path: filePath, sha256: fs.readFileSync(shaFile, 'utf8').trim() };
  }
  const hash = createHash('sha256');
  const out = fs.createWriteStream(filePath);
  const ftyp = Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex');
  const block = randomBytes(4 * 1024 * 1024);
  let written = 0;
  while (written < sizeBytes) {
    const piece = written === 0 ? Buffer.concat([ftyp, block.subarray(ftyp.length)]) : block;
    piece.writeUInt32LE(written >>> 0, piece.length - 4);
    const part = piece.subarray(0, Math.min(piece.length, sizeBytes - written));
    hash.update(part);
    if (!out.write(part)) await once(out, 'drain');
    written += part.length;
  }
  out.end();
  await once(out, 'finish');
  const sha256 = hash.digest('hex');
  fs.writeFileSync(shaFile, sha256);
  return { path: filePath, sha256 };
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`demo failed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  },
);
