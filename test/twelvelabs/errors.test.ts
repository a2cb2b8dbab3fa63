import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ChunkPutError, InvalidResponseError, TwelveLabsApiError } from '../../src/twelvelabs/errors';
import { displayUrl, presignedUrlSecrets, redact, SanitizedCause } from '../../src/twelvelabs/redact';

const KEY = 'tlk_SECRET0123456789';
const URL_ = 'http://127.0.0.1:9100/tl-uploads/u1/3?X-Amz-Date=20260115T090000Z&X-Amz-Signature=0123abcd';

function everythingVisible(e: Error): string {
  return [String(e), e.message, e.stack, JSON.stringify(e), inspect(e, { depth: 10, showHidden: true }), JSON.stringify((e as { cause?: unknown }).cause)].join('\n');
}

describe('TwelveLabsApiError flags', () => {
  const base = { operation: 'op', method: 'POST', path: '/assets/multipart-uploads' } as const;

  it('retries 408, 429, 5xx and transport failures, not other 4xx', () => {
    const http = (status: number) => new TwelveLabsApiError({ ...base, kind: 'http', status, ambiguous: false, idempotent: true });
    expect([400, 401, 403, 404, 409, 408, 429, 500, 502, 503, 504].map((s) => http(s).retryable)).toEqual([
      false, false, false, false, false, true, true, true, true, true, true,
    ]);
    expect(new TwelveLabsApiError({ ...base, kind: 'network', ambiguous: true, idempotent: true }).retryable).toBe(true);
    expect(new TwelveLabsApiError({ ...base, kind: 'timeout', ambiguous: true, idempotent: true }).retryable).toBe(true);
    expect(new TwelveLabsApiError({ ...base, kind: 'aborted', ambiguous: true, idempotent: true }).retryable).toBe(false);
  });

  it('is safe to retry a non-idempotent call only when the request certainly had no effect', () => {
    const m1 = (over: Partial<ConstructorParameters<typeof TwelveLabsApiError>[0]>) =>
      new TwelveLabsApiError({ ...base, kind: 'network', ambiguous: true, idempotent: false, ...over });
    expect(m1({}).safeToRetry).toBe(false);
    expect(m1({ ambiguous: false }).safeToRetry).toBe(true);
    expect(m1({ kind: 'http', status: 429, ambiguous: false }).safeToRetry).toBe(true);
    expect(m1({ kind: 'http', status: 502, ambiguous: true }).safeToRetry).toBe(false);
    expect(m1({ idempotent: true }).safeToRetry).toBe(true);
  });

  it('serialises to plain data only', () => {
    const e = new TwelveLabsApiError({
      ...base,
      kind: 'http',
      status: 429,
      code: 'too_many_requests',
      serverMessage: 'slow down',
      retryAfterMs: 2000,
      ambiguous: false,
      idempotent: false,
    });
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      name: 'TwelveLabsApiError',
      message: e.message,
      kind: 'http',
      status: 429,
      code: 'too_many_requests',
      serverMessage: 'slow down',
      retryable: true,
      safeToRetry: true,
      retryAfterMs: 2000,
      ambiguous: false,
      idempotent: false,
      operation: 'op',
      method: 'POST',
      path: '/assets/multipart-uploads',
    });
    expect(e.message).toContain('retry after 2000 ms');
  });

  it('keeps the API key out of the cause chain', () => {
    const original = new Error(`request failed with headers {"x-api-key":"${KEY}"}`, { cause: new Error(`inner ${KEY}`) });
    const e = new TwelveLabsApiError({ ...base, kind: 'network', ambiguous: true, idempotent: false, cause: new SanitizedCause(original, [KEY]) });
    expect(everythingVisible(e)).not.toContain(KEY);
    expect(e.message).toContain('[redacted]');
  });
});

describe('ChunkPutError', () => {
  it('shows the chunk path but never the presigned query', () => {
    const cause = new SanitizedCause(new Error(`socket hang up while PUT ${URL_}`), presignedUrlSecrets(URL_));
    const e = new ChunkPutError({ reason: 'network', chunkUrl: displayUrl(URL_), retryable: true, needsFreshUrl: true, cause });
    const all = everythingVisible(e);
    expect(all).toContain('http://127.0.0.1:9100/tl-uploads/u1/3');
    expect(all).not.toContain('0123abcd');
    expect(all).not.toContain('X-Amz-Date=2026');
    expect(e.toJSON()).toMatchObject({ name: 'ChunkPutError', reason: 'network', retryable: true, needsFreshUrl: true });
  });
});

describe('InvalidResponseError', () => {
  it('carries the field path and context', () => {
    const e = new InvalidResponseError('response.upload_id must be a non-empty string').withContext({ operation: 'createMultipartUpload', status: 201 });
    expect(e.message).toBe('TwelveLabs createMultipartUpload returned an invalid response (HTTP 201): response.upload_id must be a non-empty string');
    expect(e.toJSON()).toMatchObject({ name: 'InvalidResponseError', operation: 'createMultipartUpload', status: 201, retryable: false });
  });
});

describe('redact', () => {
  it('removes known secrets and generic signature and key patterns', () => {
    expect(redact(`a ${KEY} b`, [KEY])).toBe('a [redacted] b');
    expect(redact('u?X-Amz-Signature=ff00&X-Amz-Credential=AK/2026')).toBe('u?X-Amz-Signature=[redacted]&X-Amz-Credential=[redacted]');
    expect(redact('x-api-key: abc123')).toBe('x-api-key: [redacted]');
  });
  it('displays a URL without its query', () => {
    expect(displayUrl(URL_)).toBe('http://127.0.0.1:9100/tl-uploads/u1/3');
    expect(displayUrl('not a url?sig=1')).toBe('not a url');
  });
});
