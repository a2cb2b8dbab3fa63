// Scrubs a workflow history (JSON, as `temporal workflow show --output json` prints it) before it
// is kept on disk: presigned URLs are credentials (anyone holding one can write that chunk), and so
// is anything that looks like an API key or a bearer token. Payloads are base64 JSON, so they are
// decoded, scrubbed and encoded again; failure messages and details in plain text are scrubbed too.
// The history still replays: no workflow decision reads a signature or a key.

import { historyToJSON, type History } from '@temporalio/common/lib/proto-utils';
import { redact } from '../twelvelabs/redact';

const SCRUBBED = 'scrubbed';

/** `X-Amz-Signature=…`, `X-Amz-Credential=…`, `X-Amz-Security-Token=…` and the other SigV4 query parameters. */
const AMZ_QUERY = /(X-Amz-[A-Za-z-]+)=([^&"'\s\\]+)/gi;
/** `"apiKey": "…"`, `"x-api-key": "…"`, `"authorization": "…"`, `"secret…": "…"`, `"token": "…"` in JSON text (escaped quotes too). */
const CREDENTIAL_FIELD = /((?:\\?")(?:x-api-key|api[-_]?key|authorization|secret[A-Za-z_-]*|password|token|accessToken|sessionToken|credentials?)(?:\\?")\s*:\s*\\?")((?:[^"\\]|\\(?!"))*)(\\?")/gi;
/** `x-api-key: …` or `Authorization: Bearer …` as a header line in a message. */
const CREDENTIAL_HEADER = /\b(x-api-key|authorization)(\s*[:=]\s*)(?:bearer\s+)?[^\s"',;\\]+/gi;
/** A TwelveLabs API key (`tlk_…`) wherever it appears. */
const TWELVELABS_KEY = /\btlk_[A-Za-z0-9]{8,}\b/g;

/**
 * Scrubs credentials from one piece of text (a decoded payload, a message, a whole file): the
 * client's redaction (src/twelvelabs/redact.ts), then every X-Amz-* value and key-like fields.
 */
export function scrubText(text: string): string {
  return redact(text)
    .replace(AMZ_QUERY, (_whole, name: string) => `${name}=${SCRUBBED}`)
    .replace(CREDENTIAL_FIELD, (_whole, open: string, _value: string, close: string) => `${open}${SCRUBBED}${close}`)
    .replace(CREDENTIAL_HEADER, (_whole, name: string, sep: string) => `${name}${sep}${SCRUBBED}`)
    .replace(TWELVELABS_KEY, `tlk_${SCRUBBED}`);
}

/** Scrubs a history's JSON text, including inside its base64 payloads. */
export function scrubHistoryJson(json: string): string {
  const payloadsScrubbed = json.replace(/"data":\s*"([A-Za-z0-9+/=]+)"/g, (whole, b64: string) => {
    const text = Buffer.from(b64, 'base64').toString('utf8');
    const clean = scrubText(text);
    return clean === text ? whole : `"data": "${Buffer.from(clean, 'utf8').toString('base64')}"`;
  });
  return scrubText(payloadsScrubbed);
}

/** A fetched history as scrubbed JSON, ready to keep (replays with historyFromJSON or scripts/chaos/replay-history.ts). */
export function scrubbedHistoryJson(history: History): string {
  return scrubHistoryJson(historyToJSON(history));
}
