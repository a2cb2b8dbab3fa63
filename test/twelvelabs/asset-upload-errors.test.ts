// A1's documented error codes (contract 5.8) reach the caller as their own typed reason, with
// what to do in the message: every code through the emulator's queue, and the codes the emulator
// decides for real from what it receives (the request, the size, the URL).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { ASSET_UPLOAD_CODES, AssetUploadRejectedError, TwelveLabsClient, type AssetUploadCode } from '../../src/twelvelabs';
import { startLoopbackServer, type LoopbackServer } from './loopback-server';
import { makeTempDir, writePatternFile, type TempDir } from './support';

const KEY = 'tlk_asset_errors';
const MAX_DIRECT_BYTES = 64 * 1024;

let emulator: RunningEmulator;
let client: TwelveLabsClient;
let dir: TempDir;
let media: LoopbackServer;

beforeAll(async () => {
  emulator = await startEmulator({ apiKeys: [KEY], maxDirectBytes: MAX_DIRECT_BYTES, assetReadyDelayMs: 10 });
  client = new TwelveLabsClient({ baseUrl: emulator.baseUrl, apiKey: KEY });
  dir = await makeTempDir('tl-asset-errors-');
  // A web server on loopback: a page that is not media, and nothing at all elsewhere.
  media = await startLoopbackServer((req, res) => {
    if (req.url === '/page.html') {
      res.setHeader('content-type', 'text/html');
      res.end('<html>a player page</html>');
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
});
afterAll(async () => {
  await media?.close();
  await emulator?.close();
  await dir?.remove();
});

async function rejection(call: Promise<unknown>): Promise<AssetUploadRejectedError> {
  const err = await call.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AssetUploadRejectedError);
  return err as AssetUploadRejectedError;
}

const direct = async (name: string, size = 4096) => {
  const file = await writePatternFile(dir.path, name, size);
  return client.createAsset({ method: 'direct', filePath: file.path });
};

describe('A1 error codes', () => {
  it.each(Object.keys(ASSET_UPLOAD_CODES) as AssetUploadCode[])('%s becomes its own typed reason with advice', async (code) => {
    await emulator.failNextAssets(code);
    const err = await rejection(direct(`queued-${code}.mp4`));
    const info = ASSET_UPLOAD_CODES[code];
    expect(err).toMatchObject({ assetUploadCode: code, reason: info.reason, errorClass: info.errorClass, status: 400, retryable: false, safeToRetry: false });
    expect(err.message).toContain(`HTTP 400 ${code}: `);
    // The advice ends the message, so a person reading it knows what to do.
    expect(err.message.endsWith(`${info.advice.charAt(0).toUpperCase()}${info.advice.slice(1)}.`)).toBe(true);
    expect(JSON.parse(JSON.stringify(err))).toMatchObject({ name: 'AssetUploadRejectedError', reason: info.reason, errorClass: info.errorClass });
  });

  it('validation: a file of a type TwelveLabs does not take is UploadParameterInvalid', async () => {
    const err = await rejection(direct('notes.bin'));
    expect(err).toMatchObject({ reason: 'UploadParameterInvalid', errorClass: 'validation' });
    expect(err.message).toMatch(/supported video, audio or image format/);
  });

  it('size: a file above the direct limit is MediaFileTooLarge, and so is a gateway 413', async () => {
    const err = await rejection(direct('big.mp4', MAX_DIRECT_BYTES + 1));
    expect(err).toMatchObject({ reason: 'MediaFileTooLarge', errorClass: 'size', assetUploadCode: 'media_filesize_too_large' });
    expect(err.message).toMatch(/upload files over 200 MB as multipart/);

    const gateway = await startLoopbackServer((_req, res) => {
      res.statusCode = 413;
      res.setHeader('content-type', 'text/html');
      res.end('<html>413 Request Entity Too Large</html>');
    });
    try {
      const viaGateway = new TwelveLabsClient({ baseUrl: `${gateway.origin}/v1.3`, apiKey: KEY });
      const file = await writePatternFile(dir.path, 'gateway.mp4', 4096);
      expect(await rejection(viaGateway.createAsset({ method: 'direct', filePath: file.path }))).toMatchObject({ reason: 'MediaFileTooLarge', status: 413 });
    } finally {
      await gateway.close();
    }
  });

  it('URL fetch: an unreachable URL is MediaUrlNotAccessible, a page that is not media MediaUrlUnsupportedFormat', async () => {
    const missing = await rejection(client.createAsset({ method: 'url', url: `${media.origin}/gone.mp4` }));
    expect(missing).toMatchObject({ reason: 'MediaUrlNotAccessible', errorClass: 'url' });
    expect(missing.message).toMatch(/check that it is correct, public/);
    const page = await rejection(client.createAsset({ method: 'url', url: `${media.origin}/page.html` }));
    expect(page).toMatchObject({ reason: 'MediaUrlUnsupportedFormat', errorClass: 'url' });
  });

  it('other endpoints keep their general errors (M2 of an unknown upload)', async () => {
    const err = await client.getMultipartUploadStatus('no-such-upload', { page: 1 }).then(() => undefined, (e: unknown) => e);
    expect(err).not.toBeInstanceOf(AssetUploadRejectedError);
  });
});
