// `npm run demo`: the main job on the embedded default. Starts the Temporal dev server (with its
// Web UI), the TwelveLabs emulator and an upload worker in this process, makes a sample media
// file larger than 200 MB, uploads it with multipartUploadWorkflow while drawing its progress,
// checks the emulator's SHA-256 of the assembled object against the file, and exits 0.

import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { DevServer } from '../src/dev/dev-server';
import { startEmulator } from '../src/emulator';
import { TwelveLabsClient } from '../src/twelvelabs/client';
import { createUploadWorkers } from '../src/worker';
import { multipartUploadWorkflow, progressQuery } from '../src/workflows/multipart-upload';
import type { UploadProgress } from '../src/workflows/types';

const SAMPLE_BYTES = 256 * 1024 * 1024; // above the 200 MB direct-upload limit: multipart territory
const DATA_DIR = path.resolve(__dirname, '../.data/demo');
const API_KEY = 'tlk_demo_local_emulator_key';
const TASK_QUEUE = 'twelvelabs-uploads-demo';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') }); // the progress bar is the demo's output
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
    const workflowId = `demo-${Date.now()}`;
    const handle = await client.workflow.start(multipartUploadWorkflow, {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [{ source: { path: sample.path }, concurrency: 8 }],
    });
    const startedAt = Date.now();
    const timer = setInterval(() => {
      handle.query(progressQuery).then(drawProgress(startedAt), () => undefined);
    }, 250);
    const result = await handle.result().finally(() => clearInterval(timer));
    drawProgress(startedAt)(await handle.query(progressQuery));
    process.stdout.write('\n');

    const object = await emulator.objectInfo(result.assetId);
    if (!object || object.sha256 !== sample.sha256 || object.size !== SAMPLE_BYTES) {
      throw new Error(`the assembled object does not match the file: ${JSON.stringify(object)} vs sha256 ${sample.sha256}`);
    }
    const seconds = (Date.now() - startedAt) / 1000;
    console.log(`uploaded ${mb(SAMPLE_BYTES)} in ${seconds.toFixed(1)} s (${(SAMPLE_BYTES / 1e6 / seconds).toFixed(0)} MB/s) as ${result.totalChunks} chunks`);
    console.log(`SHA-256 verified: ${object.sha256}`);
    console.log(`asset id: ${result.assetId}`);
    console.log(`workflow: ${server.uiUrl}/namespaces/default/workflows/${workflowId}`);
  } finally {
    for (const w of workers) w.shutdown();
    await running.catch(() => undefined);
    await nativeConnection.close();
    await connection.close();
    await Promise.all([server.stop(), emulator.close()]);
  }
}

function drawProgress(startedAt: number) {
  return (p: UploadProgress) => {
    const total = p.totalBytes ?? 0;
    const done = p.uploadedBytes;
    const fraction = total > 0 ? done / total : 0;
    const width = 30;
    const filled = Math.round(fraction * width);
    const elapsed = (Date.now() - startedAt) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 && total > done ? `${((total - done) / rate).toFixed(0)}s` : '-';
    const line =
      `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(1).padStart(5)}% ` +
      `${mb(done)}/${mb(total)} ${(rate / 1e6).toFixed(0)} MB/s ETA ${eta} ${p.phase}`;
    process.stdout.write(process.stdout.isTTY ? `\r${line}` : `${line}\n`);
  };
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
