// S3-style XML error responses of the chunk store (contract 4.3). Clients must never parse these
// as JSON, so the store never sends JSON.

import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';

export interface S3ErrorOptions {
  /** Extra elements after Message, e.g. X-Amz-Expires, Expires, ServerTime. */
  details?: Record<string, string>;
  /** Ask the client to drop the connection (the body was not, or not fully, read). */
  closeConnection?: boolean;
  headers?: Record<string, string>;
}

export function newRequestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

export function sendS3Error(res: ServerResponse, status: number, code: string, message: string, options: S3ErrorOptions = {}): void {
  const requestId = newRequestId();
  const details = Object.entries(options.details ?? {})
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join('');
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message>${details}` +
    `<RequestId>${requestId}</RequestId><HostId>tl-emulator</HostId></Error>`;
  const headers: Record<string, string | number> = {
    ...options.headers,
    'Content-Type': 'application/xml',
    'Content-Length': Buffer.byteLength(body),
    'x-amz-request-id': requestId,
  };
  if (options.closeConnection) headers.Connection = 'close';
  res.writeHead(status, headers);
  res.end(body);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
