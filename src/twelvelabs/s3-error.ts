// Presigned-PUT failures arrive as S3-style XML (contract 4.3) and must never be parsed as JSON.
// This module turns a status plus body text into a stable ChunkPutFailureReason with the retry
// flags; it is pure so the table below is unit-tested without a store.

import type { ChunkPutFailureReason } from './errors';

export interface S3ErrorBody {
  code?: string;
  message?: string;
  requestId?: string;
}

/**
 * Extracts `<Code>`, `<Message>` and `<RequestId>` from an S3 `<Error>` document. Tolerant of
 * namespaces, whitespace and CDATA; returns an empty object for anything that is not XML.
 * Deliberately reads nothing else: S3 may echo `<SignatureProvided>` or `<StringToSign>`,
 * which are parts of the credential.
 */
export function parseS3ErrorXml(text: string): S3ErrorBody {
  const out: S3ErrorBody = {};
  const code = element(text, 'Code');
  const message = element(text, 'Message');
  const requestId = element(text, 'RequestId');
  if (code !== undefined) out.code = code;
  if (message !== undefined) out.message = message;
  if (requestId !== undefined) out.requestId = requestId;
  return out;
}

function element(xml: string, name: string): string | undefined {
  const m = new RegExp(`<(?:[A-Za-z0-9_-]+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[A-Za-z0-9_-]+:)?${name}\\s*>`).exec(xml);
  if (!m || m[1] === undefined) return undefined;
  const raw = m[1].trim();
  const cdata = /^<!\[CDATA\[([\s\S]*)\]\]>$/.exec(raw);
  return cdata ? cdata[1] : decodeXmlEntities(raw);
}

function decodeXmlEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_, e: string) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'amp') return '&';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    const cp = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return Number.isFinite(cp) && cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
  });
}

export interface ChunkPutClassification {
  reason: ChunkPutFailureReason;
  retryable: boolean;
  needsFreshUrl: boolean;
}

/**
 * The reaction table of contract 4.3. A retry always uses a fresh URL (client obligation 8.6),
 * so every retryable reason needs one; non-retryable reasons say whether a fresh URL is even
 * the remedy.
 */
export function classifyS3Failure(status: number, body: S3ErrorBody): ChunkPutClassification {
  const code = body.code ?? '';
  const message = body.message ?? '';
  if (status === 403) {
    if (code === 'SignatureDoesNotMatch') return fresh('signature-mismatch');
    if (code === 'AccessDenied' && /expired/i.test(message)) return fresh('url-expired');
    if (code === 'AccessDenied' && /already (been )?used|used already|single[- ]use/i.test(message)) {
      return fresh('url-used');
    }
    return fresh('access-denied');
  }
  if (status === 404) return { reason: 'no-such-upload', retryable: false, needsFreshUrl: false };
  if (status === 400 && code === 'BadDigest') return fresh('bad-digest');
  if (status === 400 && code === 'RequestTimeout') return fresh('request-timeout');
  if (status === 411) return { reason: 'missing-length', retryable: false, needsFreshUrl: false };
  // 501 NotImplemented is the store refusing chunked encoding: our bug, not a transient state.
  if (status === 501) return { reason: 'server', retryable: false, needsFreshUrl: false };
  if (status >= 500) return fresh('server');
  return { reason: 'unexpected', retryable: false, needsFreshUrl: true };
}

function fresh(reason: ChunkPutFailureReason): ChunkPutClassification {
  return { reason, retryable: true, needsFreshUrl: true };
}
