// multipart/form-data for A1 (contract 5.1) with a Content-Length known up front. The file part
// is streamed from disk between a precomputed preamble and epilogue, so a 200 MB upload costs a
// read buffer of memory, and the request carries Content-Length instead of chunked encoding
// (undici's FormData would buffer or chunk it).

import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FileHandle } from 'node:fs/promises';

export interface FormFilePart {
  /** Form field name, `file` for A1. */
  name: string;
  filename: string;
  contentType: string;
  /** An open file; the encoder reads bytes [0, sizeBytes) from it and does not close it. */
  handle: FileHandle;
  sizeBytes: number;
  /** Called with the file bytes handed to the socket so far (for heartbeats and progress bars). */
  onProgress?: (bytesSent: number) => void;
}

export interface EncodedForm {
  contentType: string;
  contentLength: number;
  /** Creates the body stream; call once per request. */
  body(): Readable;
}

const CRLF = '\r\n';

/** A boundary that cannot collide with text fields by chance (RFC 2046 allows up to 70 chars). */
export function newBoundary(): string {
  return `----TwelveLabsFormBoundary${randomBytes(16).toString('hex')}`;
}

/**
 * Quotes a value for a Content-Disposition parameter the way browsers do (WHATWG HTML
 * "multipart/form-data encoding"): `"`, CR and LF are percent-encoded; other bytes go as UTF-8.
 */
export function quoteDispositionParam(value: string): string {
  return `"${value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}"`;
}

export function encodeMultipartForm(
  fields: ReadonlyArray<readonly [string, string]>,
  file?: FormFilePart,
  boundary = newBoundary(),
): EncodedForm {
  let head = '';
  for (const [name, value] of fields) {
    head += `--${boundary}${CRLF}Content-Disposition: form-data; name=${quoteDispositionParam(name)}${CRLF}${CRLF}`;
    // Field values are sent as UTF-8 and verbatim: the boundary delimits them, and a browser's
    // LF → CRLF normalisation would give the asset another name than the file's (`a\nb.mp4`).
    head += `${value}${CRLF}`;
  }
  if (file) {
    head +=
      `--${boundary}${CRLF}Content-Disposition: form-data; name=${quoteDispositionParam(file.name)}; ` +
      `filename=${quoteDispositionParam(file.filename)}${CRLF}Content-Type: ${file.contentType}${CRLF}${CRLF}`;
  }
  const preamble = Buffer.from(head, 'utf8');
  const epilogue = Buffer.from(`${file ? CRLF : ''}--${boundary}--${CRLF}`, 'utf8');
  const contentLength = preamble.length + (file?.sizeBytes ?? 0) + epilogue.length;

  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength,
    body: () => Readable.from(parts(preamble, file, epilogue), { objectMode: false }),
  };
}

async function* parts(preamble: Buffer, file: FormFilePart | undefined, epilogue: Buffer): AsyncGenerator<Buffer> {
  yield preamble;
  if (file && file.sizeBytes > 0) {
    const stream = file.handle.createReadStream({ start: 0, end: file.sizeBytes - 1, autoClose: false });
    let bytesSent = 0;
    for await (const chunk of stream) {
      yield chunk as Buffer;
      // Counted after the consumer took the chunk, so the count trails the socket, never leads it.
      bytesSent += (chunk as Buffer).length;
      file.onProgress?.(bytesSent);
    }
  }
  yield epilogue;
}

const MIME_BY_EXTENSION: Record<string, string> = {
  mp4: 'video/mp4', m4v: 'video/x-m4v', mov: 'video/quicktime', mkv: 'video/x-matroska',
  webm: 'video/webm', avi: 'video/x-msvideo', wmv: 'video/x-ms-wmv', flv: 'video/x-flv',
  mpg: 'video/mpeg', mpeg: 'video/mpeg', ts: 'video/mp2t', '3gp': 'video/3gpp',
  mp3: 'audio/mpeg', wav: 'audio/wav', m4a: 'audio/mp4', aac: 'audio/aac', flac: 'audio/flac',
  ogg: 'audio/ogg', opus: 'audio/opus',
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp',
  bmp: 'image/bmp', tif: 'image/tiff', tiff: 'image/tiff', heic: 'image/heic',
  pdf: 'application/pdf', txt: 'text/plain', md: 'text/markdown',
};

/** MIME type from a file name's extension; `application/octet-stream` when unknown. */
export function guessContentType(filename: string): string {
  const dot = filename.lastIndexOf('.');
  const ext = dot < 0 ? '' : filename.slice(dot + 1).toLowerCase();
  return MIME_BY_EXTENSION[ext] ?? 'application/octet-stream';
}
