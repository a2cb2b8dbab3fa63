// The WAN profile: the pacing arithmetic on a fake clock, and a real emulator over loopback that
// really holds PUT bodies to each connection's bandwidth and answers each PUT a round trip late.
// Timing assertions are lower bounds only: a slow machine can make a PUT slower, never faster.

import net from 'node:net';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator';
import { CliUsageError, parseCliArgs } from '../../src/emulator/cli-args';
import { InvalidEmulatorOptions, resolveOptions } from '../../src/emulator/options';
import { ConnectionPacer, WanLink } from '../../src/emulator/wan-link';
import { busyUntilAfter, MAX_BURST_MS, NO_WAN, pacingSliceBytes } from '../../src/emulator/wan-profile';
import { bytes, createSession, md5, mintUrls, start } from './support';

const MIB = 1024 * 1024;

describe('WAN pacing arithmetic', () => {
  it('sends bytes back to back at the rate: 1 MB at 10 MB/s is 100 ms after the previous send', () => {
    expect(busyUntilAfter(1000, 1000, 1_000_000, 10_000_000)).toBe(1100);
    // Still busy with earlier bytes: the new ones queue behind them.
    expect(busyUntilAfter(1100, 1050, 500_000, 10_000_000)).toBe(1150);
  });

  it('banks no more than MAX_BURST_MS of an idle connection', () => {
    // Idle since t=0, asked at t=5000: the budget starts MAX_BURST_MS back, not at 0.
    expect(busyUntilAfter(0, 5000, 1_000_000, 10_000_000)).toBe(5000 - MAX_BURST_MS + 100);
    // A timer that fired 3 ms late is caught up in full.
    expect(busyUntilAfter(997, 1000, 1_000_000, 10_000_000)).toBe(1097);
  });

  it('slices a body into 1/20 s of data, so idle detection keeps seeing progress', () => {
    expect(pacingSliceBytes(20_000_000)).toBe(1_000_000);
    expect(pacingSliceBytes(10)).toBe(1);
  });

  it('a pacer holds a steady stream to its rate however it is cut up', () => {
    let nowMs = 0;
    const pacer = new ConnectionPacer(20_000_000, () => nowMs);
    let heldMs = 0;
    // 20 MB handed over in 64 KiB reads, each released when its hold is over.
    for (let sent = 0; sent < 20_000_000; sent += 65_536) {
      const holdMs = pacer.reserve(Math.min(65_536, 20_000_000 - sent));
      if (holdMs > 0) {
        nowMs += holdMs;
        heldMs += holdMs;
      }
    }
    // One second for 20 MB at 20 MB/s, less the burst an idle connection starts with.
    expect(nowMs).toBeCloseTo(1000 - MAX_BURST_MS, 6);
    expect(heldMs).toBeCloseTo(1000 - MAX_BURST_MS, 6);
  });

  it('keys budgets by connection: two sockets are paced independently, one socket keeps its own', () => {
    const link = new WanLink({ putLatencyMs: 0, connectionBytesPerSecond: 10_000_000 });
    const [a, b] = [new net.Socket(), new net.Socket()];
    expect(link.pacerFor(a)).toBe(link.pacerFor(a));
    expect(link.pacerFor(a)).not.toBe(link.pacerFor(b));
    // A second of data booked on a does not delay b's first bytes beyond their own time.
    link.pacerFor(a)!.reserve(10_000_000);
    expect(link.pacerFor(b)!.reserve(1_000_000)).toBeLessThanOrEqual(100);
    expect(new WanLink(NO_WAN).pacerFor(a)).toBeUndefined();
  });
});

describe('WAN options', () => {
  it('come from the emulator flags, MB/s as 10^6 bytes per second', () => {
    const command = parseCliArgs(['--api-key', 'k', '--wan-latency-ms', '60', '--wan-mb-per-s', '2.5'], {});
    expect(command).toMatchObject({ help: false, options: { wan: { putLatencyMs: 60, connectionBytesPerSecond: 2_500_000 } } });
    expect(resolveOptions({}).wan).toEqual(NO_WAN);
  });

  it('reject what cannot be paced, naming the flag or field', () => {
    expect(() => parseCliArgs(['--api-key', 'k', '--wan-mb-per-s', 'fast'], {})).toThrow(CliUsageError);
    expect(() => parseCliArgs(['--api-key', 'k', '--wan-mb-per-s', '-1'], {})).toThrow(/--wan-mb-per-s/);
    expect(() => parseCliArgs(['--api-key', 'k', '--wan-latency-ms', '1.5'], {})).toThrow(/--wan-latency-ms/);
    expect(() => resolveOptions({ wan: { putLatencyMs: -1 } })).toThrow(InvalidEmulatorOptions);
    expect(() => resolveOptions({ wan: { connectionBytesPerSecond: 0.5 } })).toThrow(/connectionBytesPerSecond/);
  });
});

/** One PUT on `client`'s single connection; resolves with the status, ETag and seconds taken. */
async function timedPut(client: Client, url: string, data: Buffer): Promise<{ status: number; etag: string; seconds: number }> {
  const target = new URL(url);
  const startedAt = performance.now();
  const response = await client.request({
    method: 'PUT',
    path: `${target.pathname}${target.search}`,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(data.length) },
    body: data,
  });
  await response.body.text();
  const seconds = (performance.now() - startedAt) / 1000;
  return { status: response.statusCode, etag: String(response.headers.etag ?? '').replace(/"/g, ''), seconds };
}

describe('an emulator with a WAN profile', () => {
  const CHUNK = 2 * MIB;
  /** 2 MiB at 10 MB/s: 209.7 ms, less the 10 ms burst an idle connection may start with. */
  const PACED_SECONDS = (CHUNK / 10_000_000) - MAX_BURST_MS / 1000;
  let emu: RunningEmulator;
  const clients: Client[] = [];
  const connection = () => {
    const client = new Client(emu.origin, { pipelining: 1 });
    clients.push(client);
    return client;
  };
  beforeAll(async () => {
    emu = await start({ chunkSizeBytes: CHUNK, wan: { connectionBytesPerSecond: 10_000_000 } });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await emu.close();
  });

  async function urls(count: number): Promise<{ urls: string[]; data: Buffer }> {
    const session = await createSession(emu, count * CHUNK);
    const minted = await mintUrls(emu, session.upload_id, 1, count);
    return { urls: minted.upload_urls.map((u) => u.url), data: bytes(CHUNK, 3) };
  }

  it('holds a 2 MiB PUT to 10 MB/s, and stores it intact', async () => {
    const { urls: [url], data } = await urls(1);
    const result = await timedPut(connection(), url!, data);
    expect(result.status).toBe(200);
    expect(result.etag).toBe(md5(data));
    expect(result.seconds).toBeGreaterThanOrEqual(PACED_SECONDS);
  });

  it('paces each of two parallel connections at the full rate', async () => {
    const { urls: [first, second], data } = await urls(2);
    const results = await Promise.all([timedPut(connection(), first!, data), timedPut(connection(), second!, data)]);
    for (const result of results) {
      expect(result.status).toBe(200);
      expect(result.seconds).toBeGreaterThanOrEqual(PACED_SECONDS);
    }
  });

  it('gives a connection that sat idle no banked credit for its next PUT', async () => {
    const { urls: [first, second], data } = await urls(2);
    const client = connection();
    expect((await timedPut(client, first!, data)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const again = await timedPut(client, second!, data);
    expect(again.status).toBe(200);
    expect(again.seconds).toBeGreaterThanOrEqual(PACED_SECONDS);
  });
});

describe('an emulator with a per-PUT latency', () => {
  const LATENCY_MS = 250;
  let emu: RunningEmulator;
  let client: Client;
  beforeAll(async () => {
    emu = await start({ chunkSizeBytes: 1024, wan: { putLatencyMs: LATENCY_MS } });
    client = new Client(emu.origin, { pipelining: 1 });
  });
  afterAll(async () => {
    await client.close();
    await emu.close();
  });

  it('answers a PUT one round trip late, once per PUT, refusals included', async () => {
    const session = await createSession(emu, 2048);
    const { upload_urls } = await mintUrls(emu, session.upload_id, 1, 2);
    const data = bytes(1024, 5);
    const stored = await timedPut(client, upload_urls[0]!.url, data);
    expect(stored.status).toBe(200);
    expect(stored.seconds).toBeGreaterThanOrEqual(LATENCY_MS / 1000);
    // A used URL is refused after the body is read: that answer crosses the WAN too.
    const refused = await timedPut(client, upload_urls[0]!.url, data);
    expect(refused.status).toBe(403);
    expect(refused.seconds).toBeGreaterThanOrEqual(LATENCY_MS / 1000);
    const counters = await emu.counters();
    expect(counters.puts_by_status).toMatchObject({ 200: 1, 403: 1 });
  });
});
