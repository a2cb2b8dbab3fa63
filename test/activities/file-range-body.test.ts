// The chunk PUT body: a file range read into two reused buffers. What it must never do is send a
// buffer's bytes after they were overwritten by the next read, so the PUTs here go through undici
// to a store that reads slowly (every write waits for 'drain') and check what it received.

import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileRangeBody, READ_BUFFER_BYTES } from '../../src/activities/file-range-body';
import { putChunk } from '../../src/twelvelabs/chunk-put';
import { ChunkPutError } from '../../src/twelvelabs/errors';

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

describe('FileRangeBody', () => {
  let dir: string;
  let filePath: string;
  let content: Buffer;
  let server: Server;
  let origin: string;
  let agent: Agent;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'file-range-body-'));
    filePath = path.join(dir, 'source.bin');
    content = randomBytes(3 * 1024 * 1024 + 12_345);
    await fs.writeFile(filePath, content);
    // A store that takes its time over every piece of a body (so the client's socket fills up and
    // every write waits for 'drain'), and answers with the MD5 of what it received as the ETag.
    server = createServer((req, res) => {
      const hash = createHash('md5');
      req.on('data', (piece: Buffer) => {
        hash.update(piece);
        req.pause();
        setTimeout(() => req.resume(), 1);
      });
      req.on('end', () => {
        res.writeHead(200, { etag: `"${hash.digest('hex')}"` });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    agent = new Agent({ connections: 16 });
  });

  afterAll(async () => {
    await agent.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function put(byteOffset: number, sizeBytes: number): Promise<{ etag: string; body: FileRangeBody }> {
    const handle = await fs.open(filePath);
    try {
      const body = new FileRangeBody(handle, byteOffset, sizeBytes, createHash('md5'));
      const { etag } = await putChunk({ url: `${origin}/store/${byteOffset}`, headers: {}, body, contentLength: sizeBytes, dispatcher: agent });
      body.release();
      return { etag, body };
    } finally {
      await handle.close();
    }
  }

  it('sends exactly the range, and hashes exactly what it sends', async () => {
    const byteOffset = 1000;
    const sizeBytes = 2 * READ_BUFFER_BYTES + 777; // not a whole number of buffers
    const { etag, body } = await put(byteOffset, sizeBytes);
    const expected = md5(content.subarray(byteOffset, byteOffset + sizeBytes));
    expect(etag).toBe(expected);
    expect(body.md5?.digest('hex')).toBe(expected);
    expect(body.bytesRead).toBe(sizeBytes);
  });

  it('never sends a reused buffer before its bytes have left, with many PUTs at once on pooled buffers', async () => {
    const sizeBytes = 1024 * 1024 + 4321;
    const offsets = Array.from({ length: 12 }, (_, i) => i * 150_000);
    for (let round = 0; round < 2; round++) {
      const results = await Promise.all(offsets.map((offset) => put(offset, sizeBytes)));
      results.forEach(({ etag }, i) => expect(etag).toBe(md5(content.subarray(offsets[i]!, offsets[i]! + sizeBytes))));
    }
  });

  it('fails the PUT as the body’s fault when the file ends before the range does', async () => {
    const handle = await fs.open(filePath);
    try {
      const sizeBytes = READ_BUFFER_BYTES;
      const body = new FileRangeBody(handle, content.length - 10, sizeBytes, undefined);
      const err = await putChunk({ url: `${origin}/store/short`, headers: {}, body, contentLength: sizeBytes, dispatcher: agent }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ChunkPutError);
      expect((err as ChunkPutError).retryable).toBe(false);
      expect(body.errored?.message).toMatch(/ended at byte/);
    } finally {
      await handle.close();
    }
  });
});
