// Small helpers for reading JSON requests and writing JSON responses on node:http.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './api-error';
import { MIB } from '../twelvelabs/limits';

/** JSON request bodies are small; anything bigger is a client bug, not an upload. */
const MAX_JSON_BODY_BYTES = 4 * MIB;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** 204 must have an empty body (contract 7). */
export function sendNoContent(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}

/** Reads and parses a JSON body; undefined when the body is empty. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  let sizeBytes = 0;
  for await (const part of req as AsyncIterable<Buffer>) {
    sizeBytes += part.length;
    if (sizeBytes > MAX_JSON_BODY_BYTES) {
      throw new ApiError(400, 'parameter_invalid', `The request body is larger than ${MAX_JSON_BODY_BYTES} bytes.`);
    }
    parts.push(part);
  }
  const text = Buffer.concat(parts).toString('utf8');
  if (text.trim().length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, 'parameter_invalid', 'The request body is not valid JSON.');
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
