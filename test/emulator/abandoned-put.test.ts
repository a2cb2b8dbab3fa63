// A PUT whose client is gone is abandoned, not failed by the store: even when its whole body had
// already been parsed while a throttled write was still running (what a SIGKILLed uploader leaves).

import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator';
import { bytes, createSession, start } from './support';

const CHUNK = 32 * 1024;

describe('abandoned chunk PUT', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({ chunkSizeBytes: CHUNK });
  });
  afterAll(async () => {
    await emu.close();
  });

  it('counts a PUT whose client resets after sending the whole body as aborted, with the bytes read so far', async () => {
    await emu.setFaults({ put_throttle_bps: 8 * 1024 });
    const session = await createSession(emu, 2 * CHUNK);
    const url = new URL(session.upload_urls[0]!.url);
    const before = await emu.counters();
    const socket = net.connect(emu.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(`PUT ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${CHUNK}\r\n\r\n`);
    socket.write(bytes(CHUNK, 7));
    await waitUntil(async () => (await emu.counters()).bytes_received > before.bytes_received);
    socket.resetAndDestroy();
    await waitUntil(async () => (await emu.counters()).puts_aborted > before.puts_aborted);

    const after = await emu.counters();
    expect(after.puts_by_status).toEqual(before.puts_by_status); // nobody is left to answer
    expect(after.bytes_aborted - before.bytes_aborted).toBe(after.bytes_received - before.bytes_received);
    expect(after.bytes_stored).toBe(before.bytes_stored);
    const chunk = (await emu.sessionView(session.upload_id))?.chunks[0];
    expect(chunk).toMatchObject({ index: 1, put_count: 0, aborted_bytes: after.bytes_aborted - before.bytes_aborted });
    await emu.setFaults({});
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}
