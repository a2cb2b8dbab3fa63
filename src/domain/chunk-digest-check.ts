// When a chunk's ETag is compared with the MD5 of the bytes sent: the worker's setting
// (TL_CHUNK_DIGEST_CHECK), read by the config and by the chunk lanes.

/**
 * When uploadChunk compares the store's ETag with an MD5 of the bytes it read. The comparison can
 * only catch bytes changed on the way; over TLS (every record is MAC-checked) and over loopback
 * (a kernel memory copy) that cannot happen unnoticed, and the hash is the largest CPU cost of a
 * chunk (docs/BENCHMARKS.md). 'always' is the default because the product promises the check
 * (and it also catches a store whose ETag is not the MD5 of what it received); 'auto' hashes only
 * for plain http to another host, for operators who trust TLS and loopback and want the CPU back.
 */
export type ChunkDigestCheck = 'auto' | 'always' | 'never';

/** Whether bytes sent to `url` can be altered in transit without the transport noticing. */
export function shouldVerifyDigest(check: ChunkDigestCheck, url: string): boolean {
  if (check !== 'auto') return check === 'always';
  const { protocol, hostname } = new URL(url);
  if (protocol !== 'http:') return false;
  const host = hostname.replace(/^\[|\]$/g, '');
  return !(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host));
}
