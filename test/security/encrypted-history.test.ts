// With encryption on, Temporal's history holds no presigned URL, signature or file path in plain
// text: the raw events (fetched without the codec) are searched byte by byte. Decoding the same
// events with the codec shows the URLs are really there, so the search would catch a leak. The
// Temporal CLI and the Web UI read the history through the codec server.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTemporalClient } from '../../src/client';
import { payloadEncryptionConfig } from '../../src/config';
import { temporalCliPath } from '../../src/dev/temporal-cli';
import { startCodecServer, type RunningCodecServer } from '../../src/security/codec-server';
import { dataConverterFromEnv } from '../../src/security/data-converter';
import { AesGcmPayloadCodec } from '../../src/security/payload-codec';
import { multipartUploadWorkflow } from '../../src/workflows/multipart-upload';
import { makeFile, startStack, type InProcessWorker, type Stack } from '../support/harness';
import { decodedPayloadText, historyBytes, occurrences, rawHistories } from './support';

const CHUNK = 16 * 1024;
const ENCRYPTION_ENV = { TL_CODEC_KEYS: `k1:${randomBytes(32).toString('base64')}` };
const TOKEN = randomBytes(20).toString('hex');

describe('encrypted workflow histories', () => {
  let stack: Stack;
  let worker: InProcessWorker;
  let codecServer: RunningCodecServer;
  const codec = new AesGcmPayloadCodec(payloadEncryptionConfig(ENCRYPTION_ENV)!);
  let upload: { workflowId: string; runId: string; path: string };

  beforeAll(async () => {
    codecServer = await startCodecServer({ ...{ token: TOKEN, allowedOrigins: [] }, codec, port: 0 });
    stack = await startStack({
      emulator: { chunkSizeBytes: CHUNK, initialUrls: 5, assetReadyDelayMs: 10 },
      // The Web UI is told where the codec server is (people paste their token into the path).
      server: { ui: true, extraArgs: ['--ui-codec-endpoint', codecServer.url] },
      dataConverter: dataConverterFromEnv(ENCRYPTION_ENV),
    });
    worker = await stack.startWorker();

    // Refused URLs come back in lane results, and failed PUTs make activity failures (a lane that
    // has stored nothing yet fails its attempt); both carry messages naming the URL's path, which
    // must be encrypted too, not only inputs and results.
    await stack.emulator.setFaults({ url_expired: 0.15, put_500: 0.5 });
    const file = await makeFile(stack.dir, 'confidential-keynote.mp4', 30 * CHUNK);
    const workflowId = `enc-${Date.now()}`;
    const handle = await stack.temporal.workflow.start(multipartUploadWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId,
      args: [{ source: { path: file.path }, reportFlushMs: 200 }],
    });
    const result = await handle.result();
    expect(await stack.emulator.objectInfo(result.assetId)).toEqual({ size: 30 * CHUNK, sha256: file.sha256 });
    expect((await stack.emulator.counters()).faults_injected.url_expired ?? 0).toBeGreaterThan(0);
    await stack.emulator.setFaults({});
    upload = { workflowId, runId: handle.firstExecutionRunId, path: file.path };
  });
  afterAll(async () => {
    await worker?.stop();
    await stack?.stop();
    await codecServer?.close();
  });

  it('stores no presigned URL, signature or file path in plain text; the codec shows they are there', async () => {
    // Without the codec: exactly what the server (and its database) holds.
    const raw = await rawHistories(new Client({ connection: stack.temporal.connection }), upload.workflowId, upload.runId);
    const bytes = historyBytes(raw);

    const decoded = await decodedPayloadText(raw, codec);
    const signatures = [...decoded.matchAll(/X-Amz-Signature=([0-9a-f]{16,})/g)].map((m) => m[1]!);
    expect(new Set(signatures).size).toBeGreaterThanOrEqual(30); // every chunk's URL, and refreshed ones
    expect(decoded).toContain('/tl-uploads/');
    expect(decoded).toContain(upload.path);
    expect(decoded).toMatch(/Chunk PUT to http:\/\/127\.0\.0\.1:\d+\/tl-uploads\/\S+ failed \[url-expired\]/); // a failure message

    for (const signature of new Set(signatures)) expect(occurrences(bytes, signature), signature).toEqual([]);
    expect(occurrences(bytes, 'X-Amz-Signature')).toEqual([]);
    expect(occurrences(bytes, '/tl-uploads/')).toEqual([]);
    expect(occurrences(bytes, upload.path)).toEqual([]);
    expect(bytes.includes('Encoded failure')).toBe(true); // failure messages travel encrypted
  });

  it('the Temporal CLI reads the history through the codec server with the token, and not without it', async () => {
    const cli = temporalCliPath()!;
    const show = async (...extra: string[]) =>
      (await promisify(execFile)(cli, ['workflow', 'show', '--address', stack.server.address, '-w', upload.workflowId, '-r', upload.runId, '-o', 'json', ...extra], {
        maxBuffer: 64 * 1024 * 1024,
      })).stdout;

    const decoded = payloadTextOfCliJson(await show('--codec-endpoint', codecServer.url, '--codec-auth', `Bearer ${TOKEN}`));
    expect(decoded).toContain('confidential-keynote.mp4');
    expect(decoded).toMatch(/X-Amz-Signature=[0-9a-f]{16,}/);

    // Without the token the codec server refuses; the CLI then shows ciphertext or fails, never the URLs.
    const refused = await show('--codec-endpoint', codecServer.url, '--codec-auth', 'Bearer not-the-token').then(
      (out) => payloadTextOfCliJson(out),
      (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}`,
    );
    expect(refused).not.toContain('confidential-keynote.mp4');
    expect(refused).not.toMatch(/X-Amz-Signature=[0-9a-f]/);
  });

  it('the client factory the CLI uses reads results with the keys, and cannot without them', async () => {
    const env = { TEMPORAL_ADDRESS: stack.server.address, TEMPORAL_NAMESPACE: 'default' };
    const withKeys = await createTemporalClient({ ...env, ...ENCRYPTION_ENV });
    const withoutKeys = await createTemporalClient(env);
    try {
      const result = await withKeys.workflow.getHandle<typeof multipartUploadWorkflow>(upload.workflowId).result();
      expect(result.totalChunks).toBe(30);
      await expect(withoutKeys.workflow.getHandle(upload.workflowId).result()).rejects.toThrow(/binary\/encrypted/);
    } finally {
      await Promise.all([withKeys.connection.close(), withoutKeys.connection.close()]);
    }
  });

  it('the Web UI is configured with the codec endpoint', async () => {
    const settings = (await (await fetch(`${stack.server.uiUrl}/api/v1/settings`)).json()) as { Codec?: { Endpoint?: string } };
    expect(settings.Codec?.Endpoint).toBe(codecServer.url);
  });
});

/** The CLI's JSON shows payloads in proto JSON (data in base64): their decoded text, joined. */
function payloadTextOfCliJson(output: string): string {
  const texts: string[] = [];
  const walk = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (typeof record.data === 'string' && record.metadata && typeof record.metadata === 'object') {
      texts.push(Buffer.from(record.data, 'base64').toString('utf8'));
    }
    for (const child of Object.values(record)) walk(child);
  };
  walk(JSON.parse(output));
  return texts.join('\n');
}
