// Keeps credentials out of anything that can leave the process: error messages, causes, logs and
// Temporal failure payloads. Two credentials exist: the API key (contract 1.2) and the presigned
// chunk URL, whose query string is itself the authorization (contract 4.1).

const REDACTED = '[redacted]';

// Signed-URL query parameters and key-like headers, caught even when we do not know the value.
const GENERIC_PATTERNS: RegExp[] = [
  /(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s"'<>]+/gi,
  /(x-api-key["']?\s*[:=]\s*["']?)[^\s"',;}]+/gi,
];

/** Replaces every occurrence of each secret, plus generic credential patterns, in `text`. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  // Longest first, so a URL is removed whole before its query string is looked for.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  for (const pattern of GENERIC_PATTERNS) out = out.replace(pattern, `$1${REDACTED}`);
  return out;
}

/** The secrets a presigned URL carries: the URL itself and its query string. */
export function presignedUrlSecrets(url: string): string[] {
  const q = url.indexOf('?');
  return q < 0 ? [url] : [url, url.slice(q + 1), url.slice(q)];
}

/** The part of a presigned URL that is safe to show: origin and path, never the query. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    const q = url.search(/[?#]/);
    return q < 0 ? url : url.slice(0, q);
  }
}

/**
 * A copy of a caught error (typically from undici or the file system) that keeps only its name,
 * `code` and redacted message, recursively for a few levels of `cause`. The original may hold
 * request options, headers or sockets, so it must not travel inside our typed errors.
 */
export class SanitizedCause extends Error {
  readonly code: string | undefined;

  constructor(original: unknown, secrets: readonly string[], depth = 0) {
    const e = original instanceof Error ? original : undefined;
    const message = e ? e.message : typeof original === 'string' ? original : String(original);
    const cause =
      e && e.cause !== undefined && depth < 3 ? new SanitizedCause(e.cause, secrets, depth + 1) : undefined;
    super(redact(message, secrets), cause ? { cause } : undefined);
    this.name = e?.name ?? 'Error';
    const code = e ? (e as { code?: unknown }).code : undefined;
    this.code = typeof code === 'string' ? code : undefined;
  }

  toJSON(): { name: string; code?: string; message: string } {
    return { name: this.name, ...(this.code ? { code: this.code } : {}), message: this.message };
  }
}
