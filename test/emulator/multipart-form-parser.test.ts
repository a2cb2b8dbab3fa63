// The streaming multipart/form-data parser behind A1: the same events whatever the chunking,
// boundaries split across chunks, and clear failures for malformed bodies.

import { describe, expect, it } from 'vitest';
import { type FormEvent, MalformedMultipart, MultipartFormParser } from '../../src/emulator/multipart-form';
import { bytes } from './support';

const BOUNDARY = 'XyZ-boundary-42';

function body(fileBytes: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`preamble to ignore\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="method"\r\n\r\ndirect\r\n`),
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a \\"quoted\\" name.mp4"\r\nContent-Type: video/mp4\r\n\r\n`),
    fileBytes,
    Buffer.from(`\r\n--${BOUNDARY}\r\ncontent-disposition: form-data; name="empty"\r\n\r\n\r\n--${BOUNDARY}--\r\nepilogue`),
  ]);
}

/** Feeds `input` in pieces of `size` bytes and folds the events into parts. */
function parse(input: Buffer, size: number) {
  const parser = new MultipartFormParser(BOUNDARY);
  const parts: Array<{ name: string; filename?: string; contentType?: string; data: Buffer }> = [];
  const events: FormEvent['type'][] = [];
  for (let offset = 0; offset < input.length; offset += size) {
    for (const event of parser.push(input.subarray(offset, offset + size))) {
      events.push(event.type);
      if (event.type === 'part_start') parts.push({ ...event.headers, data: Buffer.alloc(0) });
      if (event.type === 'part_data') {
        const last = parts[parts.length - 1]!;
        last.data = Buffer.concat([last.data, event.data]);
      }
    }
  }
  parser.finish();
  return { parts, events };
}

describe('MultipartFormParser', () => {
  // file bytes that contain CRLFs and a near-boundary, to catch false matches
  const fileBytes = Buffer.concat([bytes(5000), Buffer.from(`\r\n--${BOUNDARY.slice(0, -1)}\r\n`), bytes(3000, 9)]);
  const input = body(fileBytes);

  it.each([1, 2, 3, 7, 16, 17, 64, 1000, input.length])('yields the same parts when fed %i bytes at a time', (size) => {
    const { parts, events } = parse(input, size);
    expect(parts.map((p) => [p.name, p.filename, p.contentType])).toEqual([
      ['method', undefined, undefined],
      ['file', 'a "quoted" name.mp4', 'video/mp4'],
      ['empty', undefined, undefined],
    ]);
    expect(parts[0]!.data.toString()).toBe('direct');
    expect(parts[1]!.data.equals(fileBytes)).toBe(true);
    expect(parts[2]!.data.length).toBe(0);
    expect(events.filter((e) => e === 'part_end')).toHaveLength(3);
    expect(events[events.length - 1]).toBe('form_end');
  });

  it('never buffers a file part: data comes out while the body is still arriving', () => {
    const parser = new MultipartFormParser(BOUNDARY);
    parser.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\n`));
    const events = parser.push(bytes(1 << 20));
    const emitted = events.filter((e) => e.type === 'part_data').reduce((n, e) => n + (e.type === 'part_data' ? e.data.length : 0), 0);
    // all but a possible partial delimiter (boundary length + 3 bytes) is handed over at once
    expect(emitted).toBeGreaterThan((1 << 20) - BOUNDARY.length - 4);
  });

  it.each([
    ['a body without its closing boundary', `--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue`],
    ['a part without Content-Disposition', `--${BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nv\r\n--${BOUNDARY}--`],
    ['a part without a name', `--${BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nv\r\n--${BOUNDARY}--`],
    ['garbage after a boundary', `--${BOUNDARY}garbage\r\n\r\n`],
  ])('rejects %s', (_name, text) => {
    const parser = new MultipartFormParser(BOUNDARY);
    expect(() => {
      parser.push(Buffer.from(text));
      parser.finish();
    }).toThrow(MalformedMultipart);
  });
});
