// The ETag a stored chunk gets. S3 answers the MD5 of the body, except under some encryption modes
// (SSE-KMS, SSE-C), where the ETag still looks like an MD5 (32 hex digits) but is not one. The
// 'not-md5' mode answers like such a store, so clients can be tested against it.

import { createHash } from 'node:crypto';

export type EtagMode = 'md5' | 'not-md5';

export function chunkEtag(md5: Buffer, mode: EtagMode): string {
  if (mode === 'md5') return md5.toString('hex');
  // Deterministic per body (as a real store's is), MD5-shaped, and never the body's MD5.
  return createHash('md5').update('sse-kms:').update(md5).digest('hex');
}
