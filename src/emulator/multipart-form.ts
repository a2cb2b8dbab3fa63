// An incremental multipart/form-data parser (RFC 7578) for A1. It turns body chunks into part
// events as they arrive, so a 200 MiB file part streams to disk without ever being buffered; the
// only bytes it holds back are a possible partial boundary at the end of a chunk.

export interface FormPartHeaders {
  /** The form field name from Content-Disposition. */
  name: string;
  /** Present for file parts. */
  filename?: string;
  contentType?: string;
}

export type FormEvent =
  | { type: 'part_start'; headers: FormPartHeaders }
  /** A slice of the current part's body; it shares memory with the input, so consume it at once. */
  | { type: 'part_data'; data: Buffer }
  | { type: 'part_end' }
  /** The closing boundary was seen; anything after it is ignored. */
  | { type: 'form_end' };

/** The body does not follow the multipart syntax (A1 answers 400 `invalid_multipart`). */
export class MalformedMultipart extends Error {
  override readonly name = 'MalformedMultipart';
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BLOCK_BYTES = 16 * 1024;

type ParserState = 'preamble' | 'after_boundary' | 'headers' | 'body' | 'epilogue';

export class MultipartFormParser {
  private state: ParserState = 'preamble';
  private pending: Buffer = Buffer.alloc(0);
  /** `--boundary`: how the first boundary appears (it may start the body without a CRLF). */
  private readonly firstDelimiter: Buffer;
  /** `\r\n--boundary`: every later boundary, which also ends the previous part's body. */
  private readonly delimiter: Buffer;

  constructor(boundary: string) {
    if (boundary.length === 0 || boundary.length > 70) throw new MalformedMultipart('boundary must be 1 to 70 characters');
    this.firstDelimiter = Buffer.from(`--${boundary}`, 'latin1');
    this.delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  }

  /** Feeds the next chunk of the body; returns the events it completes, in order. */
  push(chunk: Buffer): FormEvent[] {
    if (this.state === 'epilogue') return [];
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const events: FormEvent[] = [];
    let progressed = true;
    while (progressed) progressed = this.step(events);
    return events;
  }

  /** Call at the end of the body: a form must end with its closing boundary. */
  finish(): void {
    if (this.state !== 'epilogue') throw new MalformedMultipart('the body ended before the closing boundary');
  }

  /** Runs one state transition if the pending bytes allow it; false when more input is needed. */
  private step(events: FormEvent[]): boolean {
    switch (this.state) {
      case 'preamble': {
        const at = this.pending.indexOf(this.firstDelimiter);
        if (at < 0) {
          this.keepTail(this.firstDelimiter.length - 1);
          return false;
        }
        this.pending = this.pending.subarray(at + this.firstDelimiter.length);
        this.state = 'after_boundary';
        return true;
      }
      case 'after_boundary': {
        if (this.pending.length < 2) return false;
        if (this.pending[0] === 0x2d && this.pending[1] === 0x2d) {
          this.state = 'epilogue';
          this.pending = Buffer.alloc(0);
          events.push({ type: 'form_end' });
          return false;
        }
        // The boundary line ends with CRLF, possibly after transport padding (spaces or tabs).
        const lineEnd = this.pending.indexOf(CRLF);
        if (lineEnd < 0) {
          if (this.pending.length > 256) throw new MalformedMultipart('boundary line is not terminated');
          return false;
        }
        if (!/^[ \t]*$/.test(this.pending.subarray(0, lineEnd).toString('latin1'))) {
          throw new MalformedMultipart('unexpected bytes after a boundary');
        }
        // Keep the CRLF: the header block is then "\r\n<lines>\r\n\r\n", or just "\r\n\r\n" if empty.
        this.pending = this.pending.subarray(lineEnd);
        this.state = 'headers';
        return true;
      }
      case 'headers': {
        const end = this.pending.indexOf(HEADER_END);
        if (end < 0) {
          if (this.pending.length > MAX_HEADER_BLOCK_BYTES) throw new MalformedMultipart('part headers are too large');
          return false;
        }
        const block = this.pending.subarray(CRLF.length, end).toString('utf8');
        events.push({ type: 'part_start', headers: parsePartHeaders(block) });
        this.pending = this.pending.subarray(end + HEADER_END.length);
        this.state = 'body';
        return true;
      }
      case 'body': {
        const at = this.pending.indexOf(this.delimiter);
        if (at < 0) {
          // Everything except a possible partial delimiter at the end is part data.
          const safe = this.pending.length - (this.delimiter.length - 1);
          if (safe > 0) {
            events.push({ type: 'part_data', data: this.pending.subarray(0, safe) });
            this.pending = this.pending.subarray(safe);
          }
          return false;
        }
        if (at > 0) events.push({ type: 'part_data', data: this.pending.subarray(0, at) });
        events.push({ type: 'part_end' });
        this.pending = this.pending.subarray(at + this.delimiter.length);
        this.state = 'after_boundary';
        return true;
      }
      case 'epilogue':
        return false;
    }
  }

  private keepTail(bytes: number): void {
    if (this.pending.length > bytes) this.pending = this.pending.subarray(this.pending.length - bytes);
  }
}

function parsePartHeaders(block: string): FormPartHeaders {
  let disposition: string | undefined;
  let contentType: string | undefined;
  for (const line of block.split('\r\n')) {
    if (line.length === 0) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MalformedMultipart(`malformed part header '${line}'`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-disposition') disposition = value;
    else if (name === 'content-type') contentType = value;
  }
  if (!disposition || !/^form-data\b/i.test(disposition)) {
    throw new MalformedMultipart('every part needs Content-Disposition: form-data');
  }
  const name = dispositionParam(disposition, 'name');
  if (name === undefined) throw new MalformedMultipart('a part has no field name');
  const filename = dispositionParam(disposition, 'filename');
  const headers: FormPartHeaders = { name };
  if (filename !== undefined) headers.filename = filename;
  if (contentType !== undefined) headers.contentType = contentType;
  return headers;
}

/** A `key="value"` or `key=token` parameter of Content-Disposition, unescaped. */
function dispositionParam(disposition: string, key: string): string | undefined {
  const match = new RegExp(`;\\s*${key}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i').exec(disposition);
  if (!match) return undefined;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2];
}
