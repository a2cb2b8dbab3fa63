// What the security tests inspect: every run of a workflow's history exactly as Temporal stores
// it (raw events, no codec), its bytes, and the payloads in it decoded with a codec.

import type { Client } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;

/** Every run's history (following continue-as-new), fetched raw: payloads as the server has them. */
export async function rawHistories(client: Client, workflowId: string, firstRunId: string): Promise<History[]> {
  const histories: History[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const events: temporal.api.history.v1.IHistoryEvent[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page: temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse = await client.workflowService.getWorkflowExecutionHistory({
        namespace: 'default',
        execution: { workflowId, runId },
        nextPageToken,
      });
      events.push(...(page.history?.events ?? []));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    histories.push({ events });
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return histories;
}

/** The histories serialized as the server stores them: what a database dump would show. */
export function historyBytes(histories: History[]): Buffer {
  return Buffer.concat(histories.map((h) => temporal.api.history.v1.History.encode(h).finish()));
}

/** Every payload object anywhere in the histories (inputs, results, failures, heartbeats, ...). */
export function payloadsIn(value: unknown, found: Payload[] = []): Payload[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return found;
  const record = value as Record<string, unknown>;
  const metadata = record.metadata as Record<string, unknown> | undefined;
  if (metadata && typeof metadata === 'object' && metadata.encoding instanceof Uint8Array) {
    found.push(record as Payload);
    return found;
  }
  for (const child of Object.values(record)) payloadsIn(child, found);
  return found;
}

/** The text of every payload in the histories after decoding with `codec`. */
export async function decodedPayloadText(histories: History[], codec: PayloadCodec): Promise<string> {
  const decoded = await codec.decode(payloadsIn(histories));
  return decoded.map((p) => Buffer.from(p.data ?? []).toString('utf8')).join('\n');
}

/** Where `needle` occurs in `haystack`, as text and as base64 (a secret may hide either way). */
export function occurrences(haystack: Buffer | string, needle: string): string[] {
  const bytes = Buffer.isBuffer(haystack) ? haystack : Buffer.from(haystack);
  const forms = { text: needle, base64: Buffer.from(needle).toString('base64') };
  return Object.entries(forms).flatMap(([form, value]) => (bytes.includes(value) ? [form] : []));
}
