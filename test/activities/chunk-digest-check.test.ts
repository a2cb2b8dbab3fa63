// When a chunk PUT hashes what it sends: only where bytes can change in transit unnoticed.

import { describe, expect, it } from 'vitest';
import { shouldVerifyDigest } from '../../src/domain/chunk-digest-check';
import { ConfigError, workerTuning } from '../../src/config';

describe('chunk digest check', () => {
  it("'auto' hashes only for plain http to another host", () => {
    expect(shouldVerifyDigest('auto', 'http://store.lan:9000/b/k?X-Amz-Signature=s')).toBe(true);
    expect(shouldVerifyDigest('auto', 'http://10.0.0.7/b/k')).toBe(true);
    expect(shouldVerifyDigest('auto', 'https://bucket.s3.amazonaws.com/k?sig=1')).toBe(false);
    expect(shouldVerifyDigest('auto', 'http://127.0.0.1:4000/store/u/1')).toBe(false);
    expect(shouldVerifyDigest('auto', 'http://127.8.9.10/x')).toBe(false);
    expect(shouldVerifyDigest('auto', 'http://localhost:4000/x')).toBe(false);
    expect(shouldVerifyDigest('auto', 'http://[::1]:4000/x')).toBe(false);
  });

  it("'always' and 'never' ignore the transport", () => {
    expect(shouldVerifyDigest('always', 'https://bucket.s3.amazonaws.com/k')).toBe(true);
    expect(shouldVerifyDigest('always', 'http://127.0.0.1:4000/x')).toBe(true);
    expect(shouldVerifyDigest('never', 'http://store.lan/x')).toBe(false);
  });

  it('is configured with TL_CHUNK_DIGEST_CHECK, always by default (the ETag check is promised)', () => {
    expect(workerTuning({}).chunkDigestCheck).toBe('always');
    expect(workerTuning({ TL_CHUNK_DIGEST_CHECK: 'auto' }).chunkDigestCheck).toBe('auto');
    expect(workerTuning({ TL_CHUNK_DIGEST_CHECK: 'always' }).chunkDigestCheck).toBe('always');
    expect(() => workerTuning({ TL_CHUNK_DIGEST_CHECK: 'sometimes' })).toThrow(ConfigError);
  });
});
