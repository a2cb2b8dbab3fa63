// A1's documented error codes end an upload with their own typed reason and a message that says
// what to do, through the whole product: uploadWorkflow on a real worker against the emulator,
// one code of each class (validation, media, URL fetch, size), and the CLI's message.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadClient, UploadFailedError } from '../../src/client';
import { ASSET_UPLOAD_CODES } from '../../src/twelvelabs/asset-upload-codes';
import { cli } from '../cli/cli-process';
import { makeFile, startStack, type Stack } from '../support/harness';

const CHUNK = 16 * 1024;
const EMULATOR_DIRECT_LIMIT = 256 * 1024;

describe('uploads refused by TwelveLabs with a documented code', () => {
  let stack: Stack;
  let client: UploadClient;
  let media: http.Server;
  let mediaOrigin: string;

  beforeAll(async () => {
    stack = await startStack({ emulator: { chunkSizeBytes: CHUNK, assetReadyDelayMs: 10, maxDirectBytes: EMULATOR_DIRECT_LIMIT } });
    await stack.startWorker();
    client = new UploadClient(stack.temporal, { taskQueue: stack.taskQueue });
    media = http.createServer((_req, res) => void res.writeHead(404).end());
    media.listen(0, '127.0.0.1');
    await once(media, 'listening');
    mediaOrigin = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    media?.close();
    await stack?.stop();
  });

  async function failureOf(source: string, options: Parameters<UploadClient['startUpload']>[1] = {}): Promise<UploadFailedError> {
    const run = await client.startUpload(source, { readyPollIntervalMs: 100, ...options });
    const err = await client.result(run.workflowId).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UploadFailedError);
    return err as UploadFailedError;
  }

  /** What to do, as the message says it (the sentence starts with a capital there). */
  const advice = (code: keyof typeof ASSET_UPLOAD_CODES) => ASSET_UPLOAD_CODES[code].advice.slice(1);

  it('validation: a file TwelveLabs cannot take ends UploadParameterInvalid', async () => {
    const file = await makeFile(stack.dir, 'captions.bin', 20_000);
    const err = await failureOf(file.path);
    expect(err.type).toBe('UploadParameterInvalid');
    expect(err.message).toContain(advice('parameter_invalid'));
    expect((await stack.emulator.created()).filter((a) => a.filename === 'captions.bin')).toEqual([]);
  });

  it('media: a video too short ends VideoDurationTooShort, direct or multipart', async () => {
    const small = await makeFile(stack.dir, 'blink.mp4', 20_000);
    await stack.emulator.failNextAssets('video_duration_too_short');
    const direct = await failureOf(small.path);
    expect(direct.type).toBe('VideoDurationTooShort');
    expect(direct.message).toMatch(/video_duration_too_short: The video is too short.*upload a longer video/);

    // Through a multipart session the asset is made first, and fails while TwelveLabs processes it.
    const large = await makeFile(stack.dir, 'blink-multipart.mp4', 8 * CHUNK);
    await stack.emulator.failNextAssets('video_duration_too_short');
    const multipart = await failureOf(large.path, { directMaxBytes: 4 * CHUNK });
    expect(multipart.type).toBe('VideoDurationTooShort');
    expect(multipart.assetId).toBeDefined();
    expect(multipart.message).toContain(advice('video_duration_too_short'));
  });

  it('URL fetch: a URL TwelveLabs cannot fetch ends MediaUrlNotAccessible', async () => {
    const err = await failureOf(`${mediaOrigin}/media/gone.mp4`);
    expect(err.type).toBe('MediaUrlNotAccessible');
    expect(err.message).toContain(advice('media_url_not_accessible'));
  });

  it('size: a file above the limit TwelveLabs applies ends MediaFileTooLarge', async () => {
    const file = await makeFile(stack.dir, 'over-limit.mp4', EMULATOR_DIRECT_LIMIT + 1);
    const err = await failureOf(file.path);
    expect(err.type).toBe('MediaFileTooLarge');
    expect(err.message).toContain(advice('media_filesize_too_large'));
  });

  it('the CLI names the reason and says what to do', async () => {
    const file = await makeFile(stack.dir, 'mono.mp3', 20_000);
    await stack.emulator.failNextAssets('audio_format_unsupported');
    const run = await cli(stack, 'upload', file.path, '--wait');
    expect(run.code).toBe(1);
    expect(run.stderr + run.stdout).toContain('AudioFormatUnsupported');
    expect(run.stderr + run.stdout).toContain(advice('audio_format_unsupported'));
  });
});
