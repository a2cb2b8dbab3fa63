// The request half of an API call: what one call sends (CallSpec) and the path, headers and
// body built from it. The API key goes in a header here and nowhere else.

import type { Readable } from 'node:stream';
import type { EncodedForm } from './multipart-form';

export interface CallSpec<T> {
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Below the base URL, already encoded. */
  path: string;
  query?: Array<[string, string]>;
  json?: unknown;
  form?: EncodedForm;
  /** Repeating the call cannot create a second resource (contract 1.7). */
  idempotent: boolean;
  /** Maps the parsed 2xx JSON body; omitted for 204 endpoints. */
  parse?: (json: unknown) => T;
  defaultTimeoutMs?: number;
}

export interface ApiRequest {
  /** Path below the base URL with its query: what errors show (IDs only, never credentials). */
  displayPath: string;
  headers: Record<string, string>;
  body: string | Readable | null;
}

export function buildApiRequest(spec: CallSpec<unknown>, identity: { apiKey: string; userAgent: string }): ApiRequest {
  const query = spec.query && spec.query.length > 0 ? `?${new URLSearchParams(spec.query).toString()}` : '';
  const headers: Record<string, string> = {
    'x-api-key': identity.apiKey,
    'user-agent': identity.userAgent,
    accept: 'application/json',
  };
  let body: string | Readable | null = null;
  if (spec.form) {
    headers['content-type'] = spec.form.contentType;
    headers['content-length'] = String(spec.form.contentLength);
    body = spec.form.body();
  } else if (spec.json !== undefined) {
    body = JSON.stringify(spec.json);
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return { displayPath: `${spec.path}${query}`, headers, body };
}
