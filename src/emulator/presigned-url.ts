// Presigned chunk URLs shaped like S3 SigV4 query-authenticated URLs (contract 4.4). They are
// HMAC-SHA256 signed with a per-emulator secret over the method, the path, every query parameter
// except the signature, and the values of the signed headers, so tampering with any part of the
// URL, or sending a signed header with another value, fails exactly like S3's SignatureDoesNotMatch.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { parseAmzDate, toAmzDate } from './clock';

/** Path prefix of the chunk store ("bucket"). */
export const UPLOAD_BUCKET_PATH = '/tl-uploads';

const ALGORITHM = 'AWS4-HMAC-SHA256';
const SIGNATURE_PARAM = 'X-Amz-Signature';
/**
 * One random id per minted URL. Two URLs for the same chunk minted in the same second would
 * otherwise be byte-identical, and single-use tracking (9.10) would burn both with one PUT.
 */
const URL_ID_PARAM = 'X-Tl-Url-Id';
const CHUNK_PATH = new RegExp(`^${UPLOAD_BUCKET_PATH}/([^/]+)/([^/]+)$`);

export interface MintedUrl {
  url: string;
  /** `X-Amz-Date + X-Amz-Expires`, whole seconds, what the wire `expires_at` shows. */
  expiresAtMs: number;
}

/** A verified URL, ready for the checks that come after authentication. */
export interface VerifiedUrl {
  uploadId: string;
  chunkIndex: number;
  /** Identifies this URL for single use. */
  urlId: string;
  signedAtMs: number;
  expiresSeconds: number;
  expiresAtMs: number;
}

export type UrlVerification =
  | { ok: true; url: VerifiedUrl }
  | { ok: false; reason: 'malformed' | 'signature_mismatch'; message: string };

export class UrlSigner {
  /** Kept across a restart from the data dir, so URLs minted before it still verify. */
  readonly secret: Buffer;
  /** Lowercase name → value of every header the PUT must carry (upload_headers, 9.3). */
  private readonly requiredHeaders: ReadonlyMap<string, string>;

  /** @param origin `http://host:port` the URLs point at. */
  constructor(
    private readonly origin: string,
    uploadHeaders: Readonly<Record<string, string>>,
    secret: Buffer = randomBytes(32),
  ) {
    this.secret = secret;
    this.requiredHeaders = new Map(Object.entries(uploadHeaders).map(([name, value]) => [name.toLowerCase(), value.trim()]));
  }

  /** URL lifetime runs from mint time and never past `latestExpiryMs` (the session's expiry, 9.26). */
  mint(uploadId: string, chunkIndex: number, mintedAtMs: number, ttlMs: number, latestExpiryMs: number): MintedUrl {
    // X-Amz-Date has whole seconds, so expiry is counted from the truncated mint time.
    const signedAtMs = Math.floor(mintedAtMs / 1000) * 1000;
    const expiresSeconds = Math.max(0, Math.floor((Math.min(mintedAtMs + ttlMs, latestExpiryMs) - signedAtMs) / 1000));
    const path = `${UPLOAD_BUCKET_PATH}/${uploadId}/${chunkIndex}`;
    const amzDate = toAmzDate(signedAtMs);
    const query = new URLSearchParams([
      ['X-Amz-Algorithm', ALGORITHM],
      ['X-Amz-Credential', `TLEMULATOR/${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`],
      ['X-Amz-Date', amzDate],
      ['X-Amz-Expires', String(expiresSeconds)],
      ['X-Amz-SignedHeaders', [...this.requiredHeaders.keys(), 'host'].sort().join(';')],
      ['partNumber', String(chunkIndex)],
      ['uploadId', uploadId],
      [URL_ID_PARAM, randomBytes(8).toString('hex')],
    ]);
    const host = new URL(this.origin).host;
    const signature = this.sign('PUT', path, query, (name) => (name === 'host' ? host : (this.requiredHeaders.get(name) ?? '')));
    query.append(SIGNATURE_PARAM, signature);
    return { url: `${this.origin}${path}?${query.toString()}`, expiresAtMs: signedAtMs + expiresSeconds * 1000 };
  }

  /** Checks a request against its URL; header values come from the request, as in SigV4. */
  verify(method: string, path: string, query: URLSearchParams, headers: IncomingHttpHeaders): UrlVerification {
    const signature = query.get(SIGNATURE_PARAM);
    const signedAt = parseAmzDate(query.get('X-Amz-Date') ?? '');
    const expiresText = query.get('X-Amz-Expires') ?? '';
    const urlId = query.get(URL_ID_PARAM);
    const signedHeaders = query.get('X-Amz-SignedHeaders');
    const pathMatch = CHUNK_PATH.exec(path);
    if (!signature || signedAt === undefined || !/^\d+$/.test(expiresText) || !urlId || !signedHeaders || !pathMatch) {
      return {
        ok: false,
        reason: 'malformed',
        message: 'Query-string authentication requires the X-Amz-Signature, X-Amz-Date, X-Amz-Expires and X-Amz-SignedHeaders parameters',
      };
    }
    const unsigned = new URLSearchParams([...query].filter(([key]) => key !== SIGNATURE_PARAM));
    const expected = this.sign(method, path, unsigned, (name) => headerValue(headers, name));
    const given = Buffer.from(signature, 'utf8');
    const wanted = Buffer.from(expected, 'utf8');
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      return {
        ok: false,
        reason: 'signature_mismatch',
        message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      };
    }
    const expiresSeconds = Number(expiresText);
    return {
      ok: true,
      url: {
        uploadId: decodeURIComponent(pathMatch[1] ?? ''),
        chunkIndex: Number(pathMatch[2]),
        urlId,
        signedAtMs: signedAt,
        expiresSeconds,
        expiresAtMs: signedAt + expiresSeconds * 1000,
      },
    };
  }

  private sign(method: string, path: string, query: URLSearchParams, header: (name: string) => string): string {
    const canonicalQuery = [...query]
      .map(([k, v]) => [encodeRfc3986(k), encodeRfc3986(v)] as const)
      .sort(([ka, va], [kb, vb]) => (ka === kb ? compare(va, vb) : compare(ka, kb)))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const signedNames = (query.get('X-Amz-SignedHeaders') ?? '').split(';').filter((n) => n.length > 0);
    const canonicalHeaders = signedNames.map((name) => `${name}:${header(name)}\n`).join('');
    const stringToSign = [method.toUpperCase(), path, canonicalQuery, canonicalHeaders, signedNames.join(';')].join('\n');
    return createHmac('sha256', this.secret).update(stringToSign).digest('hex');
  }
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return (Array.isArray(value) ? value.join(',') : (value ?? '')).trim();
}

function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
