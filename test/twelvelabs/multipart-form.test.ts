import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Response } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMultipartForm, guessContentType, quoteDispositionParam } from '../../src/twelvelabs/multipart-form';
import { MultipartFormParser } from '../../src/emulator/multipart-form';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-form-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c);
  return Buffer.concat(parts);
}

describe('multipart/form-data encoder', () => {
  it('announces exactly the number of bytes it streams, and a standard parser reads it back', async () => {
    const path = join(dir, 'clip.mp4');
    const bytes = Buffer.alloc(300_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff;
    await writeFile(path, bytes);
    const handle = await open(path, 'r');
    try {
      const form = encodeMultipartForm(
        [['method', 'direct'], ['user_metadata', '{"k":"välue"}']],
        { name: 'file', filename: 'clip "1".mp4', contentType: 'video/mp4', handle, sizeBytes: bytes.length },
      );
      const body = await collect(form.body());
      expect(body.length).toBe(form.contentLength);

      const parsed = await new Response(body, { headers: { 'content-type': form.contentType } }).formData();
      expect(parsed.get('method')).toBe('direct');
      expect(parsed.get('user_metadata')).toBe('{"k":"välue"}');
      const file = parsed.get('file') as unknown as { name: string; type: string; arrayBuffer(): Promise<ArrayBuffer> };
      // WHATWG parsers decode the %22 escapes back.
      expect(file.name).toBe('clip "1".mp4');
      expect(file.type).toBe('video/mp4');
      expect(Buffer.from(await file.arrayBuffer()).equals(bytes)).toBe(true);

      // The body can be produced again for a second request from the same handle.
      expect((await collect(form.body())).length).toBe(form.contentLength);
    } finally {
      await handle.close();
    }
  });

  it('encodes a fields-only form (A1 url method)', async () => {
    const form = encodeMultipartForm([['method', 'url'], ['url', 'http://127.0.0.1/v.mp4']]);
    const body = await collect(form.body());
    expect(body.length).toBe(form.contentLength);
    const parsed = await new Response(body, { headers: { 'content-type': form.contentType } }).formData();
    expect(parsed.get('url')).toBe('http://127.0.0.1/v.mp4');
  });

  it('sends field values verbatim, so a name with line breaks arrives as it was given', async () => {
    const name = 'line\nbreak\r\nand\rreturn.mp4';
    const form = encodeMultipartForm([['method', 'url'], ['filename', name]]);
    const body = await collect(form.body());
    expect(body.length).toBe(form.contentLength);
    const boundary = /boundary=(.+)$/.exec(form.contentType)![1]!;
    const fields = new Map<string, Buffer[]>();
    let current: string | undefined;
    for (const event of new MultipartFormParser(boundary).push(body)) {
      if (event.type === 'part_start') fields.set((current = event.headers.name), []);
      if (event.type === 'part_data') fields.get(current!)!.push(Buffer.from(event.data));
    }
    expect(Buffer.concat(fields.get('filename')!).toString('utf8')).toBe(name);
  });

  it('quotes disposition parameters like browsers', () => {
    expect(quoteDispositionParam('a"b\r\nc')).toBe('"a%22b%0D%0Ac"');
  });

  it('guesses common media types from the extension', () => {
    expect(guessContentType('A.MP4')).toBe('video/mp4');
    expect(guessContentType('song.mp3')).toBe('audio/mpeg');
    expect(guessContentType('x.jpeg')).toBe('image/jpeg');
    expect(guessContentType('noext')).toBe('application/octet-stream');
  });
});
