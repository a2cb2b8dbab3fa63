// Histories kept from chaos runs and fixtures are scrubbed of credentials: presigned URLs (their
// X-Amz-* query parameters), API keys and bearer tokens, inside base64 payloads and in plain text.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { scrubHistoryJson, scrubText } from '../../src/dev/history-scrub';
import { keepFailedReplay } from '../../scripts/chaos/run-chaos';
import { workflowBundle } from '../support/harness';

const SIGNATURE = '9f2c4b7a1e0d3c5b8a6f4e2d1c0b9a8f7e6d5c4b3a291807f6e5d4c3b2a19080';
const PRESIGNED =
  'http://127.0.0.1:9100/store/u1/chunk-1?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEMULATOR%2F20261208%2Fus-east-1%2Fs3%2Faws4_request' +
  `&X-Amz-Date=20261208T020000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Security-Token=FwoGZXIvYXdzEJr&partNumber=1&X-Amz-Signature=${SIGNATURE}`;
const API_KEY = 'tlk_3XYZ0S1Q2W3E4R5T6Y7U8I9O0P';
const SECRETS = [SIGNATURE, 'AKIAEMULATOR', 'FwoGZXIvYXdzEJr', API_KEY, 'Bearer-token-value', 'hunter2'];

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
const decodedPayloads = (json: string) => [...json.matchAll(/"data":\s*"([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1]!, 'base64').toString('utf8'));

describe('scrubText', () => {
  it('replaces every X-Amz-* query value of a presigned URL and keeps the rest of the URL', () => {
    const clean = scrubText(PRESIGNED);
    for (const secret of [SIGNATURE, 'AKIAEMULATOR', 'FwoGZXIvYXdzEJr']) expect(clean).not.toContain(secret);
    expect(clean).toContain('http://127.0.0.1:9100/store/u1/chunk-1?X-Amz-Algorithm=scrubbed&X-Amz-Credential=scrubbed');
    expect(clean).toContain('partNumber=1&X-Amz-Signature=scrubbed');
  });

  it('replaces API keys, bearer tokens and credential-named JSON fields, not ordinary fields', () => {
    const text = JSON.stringify({ apiKey: 'hunter2', headers: { 'x-api-key': API_KEY }, createToken: 'run:abc', uploadId: 'u1' });
    const clean = scrubText(`${text} failed: Authorization: Bearer Bearer-token-value; x-api-key=${API_KEY}`);
    for (const secret of SECRETS) expect(clean).not.toContain(secret);
    // The create token is an idempotency key the workflow compares, not a credential.
    expect(clean).toContain('"createToken":"run:abc"');
    expect(clean).toContain('"uploadId":"u1"');
  });
});

describe('scrubHistoryJson', () => {
  it('scrubs inside base64 payloads and in failure messages, and the JSON still parses', () => {
    const history = {
      events: [
        { eventId: '1', activityTaskScheduledEventAttributes: { input: { payloads: [{ metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: b64({ chunks: [{ chunkIndex: 1, url: PRESIGNED }] }) }] } } },
        { eventId: '2', activityTaskFailedEventAttributes: { failure: { message: `PUT ${PRESIGNED} failed; x-api-key: ${API_KEY}` } } },
        { eventId: '3', activityTaskCompletedEventAttributes: { result: { payloads: [{ data: b64({ processed: 1, accepted: [[1, 1]] }) }] } } },
      ],
    };
    const clean = scrubHistoryJson(JSON.stringify(history, null, 2));
    for (const secret of SECRETS) expect(clean).not.toContain(secret);
    const payloads = decodedPayloads(clean);
    for (const secret of SECRETS) for (const payload of payloads) expect(payload).not.toContain(secret);
    expect(JSON.parse(payloads[0]!).chunks[0].chunkIndex).toBe(1);
    // A payload without a secret is left byte for byte.
    expect(payloads[1]).toBe(JSON.stringify({ processed: 1, accepted: [[1, 1]] }));
    expect(JSON.parse(clean).events).toHaveLength(3);
  });
});

describe('a chaos run keeps a history that failed to replay', () => {
  it('as a scrubbed file that still replays on the workflow code', async () => {
    // A real recorded history with a real-shaped presigned URL and a key put back into a payload.
    const fixtures = path.resolve(__dirname, '../fixtures/histories');
    const file = 'multipart-two-lane-results-before-one-report.json';
    const workflowId = (JSON.parse(fs.readFileSync(path.join(fixtures, 'index.json'), 'utf8')) as Record<string, string>)[file]!;
    const recorded = JSON.parse(fs.readFileSync(path.join(fixtures, file), 'utf8')) as { events: Array<Record<string, any>> };
    const lane = recorded.events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'uploadChunk')!;
    const payload = lane.activityTaskScheduledEventAttributes.input.payloads[0];
    const input = JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8'));
    input.chunks[0].url = PRESIGNED;
    input.uploadHeaders = { ...input.uploadHeaders, 'x-api-key': API_KEY };
    payload.data = b64(input);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-kept-'));
    try {
      const saved = keepFailedReplay(dir, workflowId, 'run/1', historyFromJSON(recorded));
      expect(path.dirname(saved)).toBe(dir);
      const text = fs.readFileSync(saved, 'utf8');
      for (const secret of SECRETS) {
        expect(text).not.toContain(secret);
        for (const decoded of decodedPayloads(text)) expect(decoded).not.toContain(secret);
      }
      await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, historyFromJSON(JSON.parse(text)), workflowId)).resolves.toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
