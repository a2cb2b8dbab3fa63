// Every fault knob fires, is counted, and is reproducible from its seed; the admin namespace is
// never faulted.

import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_FAULTS, parseFaultSpec, type RunningEmulator } from '../../src/emulator';
import { admin, bytes, call, createSession, entry, md5, mintUrls, put, report, start } from './support';

const CHUNK = 1024;

describe('fault injection', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({ chunkSizeBytes: CHUNK, seed: 7 });
  });
  beforeEach(async () => {
    await emu.setFaults({});
    await emu.resetCounters();
  });
  afterAll(async () => {
    await emu.close();
  });

  async function freshUrl() {
    const session = await createSession(emu, 4 * CHUNK);
    const { upload_urls } = await mintUrls(emu, session.upload_id, 1, 1);
    return { session, url: upload_urls[0]!.url };
  }

  describe('the spec string and the knob object', () => {
    it('parses the CLI form and rejects unknown knobs and bad values', () => {
      expect(parseFaultSpec('put_500=0.05,put_reset=0.02, api_429=0.1,retry_after_s=1')).toEqual({
        put_500: 0.05,
        put_reset: 0.02,
        api_429: 0.1,
        retry_after_s: 1,
      });
      expect(parseFaultSpec('')).toEqual({});
      expect(() => parseFaultSpec('put_700=0.1')).toThrow(/unknown fault knob 'put_700'/);
      expect(() => parseFaultSpec('put_500=lots')).toThrow(/needs a number/);
      expect(() => parseFaultSpec('put_500=1.5')).toThrow(/probability/);
      expect(() => parseFaultSpec('put_500')).toThrow(/knob=value/);
    });

    it('replaces the knobs with PUT, merges with PATCH, and rejects bad ones with 400', async () => {
      const replaced = await admin(emu, 'PUT', '/_emulator/faults', { put_500: 0.5, put_slow_ms: 10 });
      expect(replaced.status).toBe(200);
      expect(replaced.json).toEqual({ ...DEFAULT_FAULTS, put_500: 0.5, put_slow_ms: 10 });
      const merged = await admin(emu, 'PATCH', '/_emulator/faults', { api_429: 1 });
      expect(merged.json).toEqual({ ...DEFAULT_FAULTS, put_500: 0.5, put_slow_ms: 10, api_429: 1 });
      expect((await admin(emu, 'GET', '/_emulator/faults')).json).toEqual(merged.json);
      const bad = await admin(emu, 'PUT', '/_emulator/faults', { nonsense: 1 });
      expect(bad.status).toBe(400);
      expect(bad.json.message).toMatch(/unknown fault knob/);
      expect((await admin(emu, 'PUT', '/_emulator/faults', { put_500: 2 })).status).toBe(400);
      expect(await emu.setFaults({})).toEqual(DEFAULT_FAULTS);
    });

    it('takes faults at start', async () => {
      const faulty = await start({ faults: { api_429: 1 } });
      try {
        expect((await call(faulty, 'POST', '/assets/multipart-uploads', { body: {} })).status).toBe(429);
      } finally {
        await faulty.close();
      }
    });
  });

  describe('chunk PUT faults', () => {
    it('put_500 answers 500 InternalError after reading the body, and leaves the URL usable', async () => {
      const { url } = await freshUrl();
      await emu.setFaults({ put_500: 1 });
      const data = bytes(CHUNK);
      const failed = await put(url, data);
      expect(failed.status).toBe(500);
      expect(failed.headers['content-type']).toBe('application/xml');
      expect(failed.text).toContain('<Code>InternalError</Code>');
      const counters = await emu.counters();
      expect(counters.faults_injected.put_500).toBe(1);
      expect(counters.bytes_received).toBe(CHUNK);
      expect(counters.bytes_stored).toBe(0);
      await emu.setFaults({});
      expect((await put(url, data)).status).toBe(200);
    });

    it('reseed starts the dice again: the same seed gives the same faults to the same sequence of PUTs', async () => {
      await emu.setFaults({ put_500: 0.5 });
      const data = bytes(CHUNK);
      const statuses = async () => {
        const seen: number[] = [];
        // A fresh URL for each (they work once); minting rolls no dice.
        for (let i = 0; i < 16; i++) seen.push((await put((await freshUrl()).url, data)).status);
        return seen;
      };
      expect((await admin(emu, 'POST', '/_emulator/faults/reseed', { seed: 3 })).status).toBe(200);
      const first = await statuses();
      expect(first).toContain(500);
      expect(first).toContain(200);
      expect((await admin(emu, 'POST', '/_emulator/faults/reseed', { seed: 3 })).status).toBe(200);
      expect(await statuses()).toEqual(first);
      expect((await admin(emu, 'POST', '/_emulator/faults/reseed', { seed: -1 })).status).toBe(400);
      expect((await admin(emu, 'POST', '/_emulator/faults/reseed', {})).status).toBe(400);
    });

    it('put_503 answers 503 SlowDown', async () => {
      const { url } = await freshUrl();
      await emu.setFaults({ put_503: 1 });
      const failed = await put(url, bytes(CHUNK));
      expect(failed.status).toBe(503);
      expect(failed.text).toContain('<Code>SlowDown</Code>');
      expect((await emu.counters()).faults_injected.put_503).toBe(1);
    });

    it('put_reset destroys the socket mid-body and stores nothing', async () => {
      const big = 4 * 1024 * 1024;
      const own = await start({ chunkSizeBytes: big, faults: { put_reset: 1 } });
      try {
        const session = await createSession(own, big);
        const url = session.upload_urls[0]!.url;
        await expect(put(url, bytes(big))).rejects.toThrow();
        const counters = await own.counters();
        expect(counters.puts_reset).toBe(1);
        expect(counters.faults_injected.put_reset).toBe(1);
        expect(counters.puts_by_status).toEqual({});
        // the socket went down halfway: at least half the body was read, not all of it
        expect(counters.bytes_received).toBeGreaterThanOrEqual(big / 2);
        expect(counters.bytes_received).toBeLessThan(big);
        expect((await own.sessionView(session.upload_id))?.chunks).toEqual([]);
        await own.setFaults({});
        expect((await put(url, bytes(big))).status).toBe(200);
      } finally {
        await own.close();
      }
    });

    it('put_slow delays the response by put_slow_ms', async () => {
      const { url } = await freshUrl();
      await emu.setFaults({ put_slow: 1, put_slow_ms: 400 });
      const started = Date.now();
      expect((await put(url, bytes(CHUNK))).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(390);
      expect((await emu.counters()).faults_injected.put_slow).toBe(1);
    });

    it('put_slow_at_once: the body is read at once, unthrottled, and the answer comes put_slow_ms after the request', async () => {
      const { url } = await freshUrl();
      // A throttle that would take 10 s for this body: the at-once model does not apply it.
      await emu.setFaults({ put_slow: 1, put_slow_ms: 400, put_slow_at_once: 1, put_throttle_bps: CHUNK / 10 });
      const started = Date.now();
      expect((await put(url, bytes(CHUNK))).status).toBe(200);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(390);
      expect(elapsed).toBeLessThan(5_000);
      await emu.setFaults({});
    });

    it('put_throttle_bps caps the read rate of every PUT body', async () => {
      const { url } = await freshUrl();
      await emu.setFaults({ put_throttle_bps: 4096 });
      const started = Date.now();
      expect((await put(url, bytes(CHUNK * 2))).status).toBe(200);
      // 2048 bytes at 4096 B/s: about half a second
      expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    });

    it('url_expired answers 403 "Request has expired" for a URL that is not', async () => {
      const { url } = await freshUrl();
      await emu.setFaults({ url_expired: 1 });
      const failed = await put(url, bytes(CHUNK));
      expect(failed.status).toBe(403);
      expect(failed.text).toContain('<Message>Request has expired</Message>');
      expect((await emu.counters()).faults_injected.url_expired).toBe(1);
    });
  });

  describe('API faults', () => {
    it('api_429 answers 429 too_many_requests with Retry-After and the X-Ratelimit headers', async () => {
      const session = await createSession(emu, 10);
      await emu.setFaults({ api_429: 1, retry_after_s: 2 });
      const limited = await call(emu, 'GET', `/assets/multipart-uploads/${session.upload_id}`);
      expect(limited.status).toBe(429);
      expect(limited.json.code).toBe('too_many_requests');
      expect(limited.headers['retry-after']).toBe('2');
      expect(limited.headers['x-ratelimit-remaining']).toBe('0');
      expect(Number(limited.headers['x-ratelimit-limit'])).toBeGreaterThan(0);
      expect(Number(limited.headers['x-ratelimit-used'])).toBeGreaterThan(0);
      expect(Number(limited.headers['x-ratelimit-reset'])).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 1);
      for (const [method, path] of [
        ['POST', '/assets/multipart-uploads'],
        ['POST', `/assets/multipart-uploads/${session.upload_id}`],
        ['POST', `/assets/multipart-uploads/${session.upload_id}/presigned-urls`],
        ['POST', '/assets'],
      ] as const) {
        expect((await call(emu, method, path, { body: {} })).status, path).toBe(429);
      }
      // endpoints outside the faulted set, the store and the admin namespace are untouched
      expect((await call(emu, 'GET', '/assets')).status).toBe(200);
      expect((await admin(emu, 'GET', '/_emulator/counters')).status).toBe(200);
      expect((await emu.counters()).faults_injected.api_429).toBe(5);
      // a faulted call changes nothing
      const before = (await emu.counters()).sessions_created;
      await call(emu, 'POST', '/assets/multipart-uploads', { body: { filename: 'a.mp4', type: 'video', total_size: 1 } });
      expect((await emu.counters()).sessions_created).toBe(before);
    });

    it('reports X-Ratelimit-* usage on admitted calls while api_429 is on, and none while it is off', async () => {
      const session = await createSession(emu, 10);
      expect((await call(emu, 'GET', `/assets/multipart-uploads/${session.upload_id}`)).headers['x-ratelimit-limit']).toBeUndefined();
      await emu.setFaults({ api_429: 0.5 });
      const admitted = [];
      for (let i = 0; i < 20; i++) {
        const result = await call(emu, 'GET', `/assets/multipart-uploads/${session.upload_id}`);
        if (result.status === 200) admitted.push(result.headers);
      }
      expect(admitted.length).toBeGreaterThan(0);
      expect(admitted.length).toBeLessThan(20);
      for (const headers of admitted) {
        expect(Number(headers['x-ratelimit-remaining'])).toBeGreaterThan(0);
        expect(Number(headers['x-ratelimit-used']) + Number(headers['x-ratelimit-remaining'])).toBe(Number(headers['x-ratelimit-limit']));
      }
      // usage grows within one window (the filter keeps the test honest across a window boundary)
      const lastWindow = admitted[admitted.length - 1]!['x-ratelimit-reset'];
      const used = admitted.filter((h) => h['x-ratelimit-reset'] === lastWindow).map((h) => Number(h['x-ratelimit-used']));
      expect(used).toEqual([...used].sort((a, b) => a - b));
      expect(new Set(used).size).toBe(used.length);
    });

    it('api_5xx answers mostly 500 internal_error JSON and sometimes a 502/503 HTML page', async () => {
      await emu.setFaults({ api_5xx: 1 });
      const statuses = new Map<number, number>();
      for (let i = 0; i < 40; i++) {
        const result = await call(emu, 'POST', '/assets/multipart-uploads', { body: {} });
        statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
        if (result.status === 500) expect(result.json.code).toBe('internal_error');
        else {
          expect([502, 503]).toContain(result.status);
          expect(result.headers['content-type']).toBe('text/html');
          expect(result.text).toContain('<html>');
        }
      }
      expect(statuses.get(500) ?? 0).toBeGreaterThan(20);
      expect((statuses.get(502) ?? 0) + (statuses.get(503) ?? 0)).toBeGreaterThan(0);
      expect((await emu.counters()).faults_injected.api_5xx).toBe(40);
      expect((await admin(emu, 'GET', '/_emulator/clock')).status).toBe(200);
    });

    it('chunk_failed marks a valid chunk failed at report time; a later report completes it', async () => {
      const data = bytes(CHUNK);
      const session = await createSession(emu, CHUNK);
      const uploaded = await put(session.upload_urls[0]!.url, data);
      await emu.setFaults({ chunk_failed: 1 });
      const failed = await report(emu, session.upload_id, [entry(1, data)]);
      expect(failed.json).toMatchObject({ processed_chunks: 0, duplicate_chunks: 0, total_completed: 0 });
      const status = await call(emu, 'GET', `/assets/multipart-uploads/${session.upload_id}`);
      expect(status.json.uploaded_chunks[0]).toMatchObject({ status: 'failed', error: expect.any(String) });
      expect((await emu.counters()).faults_injected.chunk_failed).toBe(1);
      await emu.setFaults({});
      const done = await report(emu, session.upload_id, [entry(1, data, uploaded.etag.replace(/"/g, ''))]);
      expect(done.json).toMatchObject({ processed_chunks: 1, total_completed: 1, url: expect.any(String) });
      expect(md5(data)).toBe(uploaded.etag.replace(/"/g, ''));
    });
  });

  it('asset_failed ends an upload in failed with a media error instead of ready', async () => {
    await emu.setFaults({ asset_failed: 1 });
    const data = bytes(CHUNK);
    const session = await createSession(emu, CHUNK);
    const uploaded = await put(session.upload_urls[0]!.url, data);
    const done = await report(emu, session.upload_id, [entry(1, data, uploaded.etag.replace(/"/g, ''))]);
    expect(done.json.url).toBeDefined(); // the upload itself completed
    const asset = await call(emu, 'GET', `/assets/${session.asset_id}`);
    expect(asset.json).toMatchObject({ status: 'failed', error: { message: expect.stringMatching(/^(video|audio)_\w+: /) } });
    expect((await call(emu, 'GET', `/assets/multipart-uploads/${session.upload_id}`)).json.status).toBe('completed');
    expect((await emu.counters()).faults_injected.asset_failed).toBe(1);
  });

  it('replays the same fault sequence from the same seed', async () => {
    async function statuses(seed: number): Promise<number[]> {
      const seeded = await start({ chunkSizeBytes: CHUNK, seed, faults: { put_500: 0.5 } });
      try {
        const session = await createSession(seeded, 20 * CHUNK);
        const { upload_urls } = await mintUrls(seeded, session.upload_id, 1, 20);
        const out: number[] = [];
        for (const { url } of upload_urls) out.push((await put(url, bytes(CHUNK))).status);
        return out;
      } finally {
        await seeded.close();
      }
    }
    const first = await statuses(1234);
    expect(await statuses(1234)).toEqual(first);
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await statuses(99)).not.toEqual(first);
  });

  it('never applies to the admin namespace', async () => {
    await emu.setFaults({ api_429: 1, api_5xx: 1 });
    for (const path of ['/_emulator/counters', '/_emulator/faults', '/_emulator/clock', '/_emulator/health']) {
      const response = await request(`${emu.origin}${path}`);
      expect(response.statusCode, path).toBe(200);
      await response.body.text();
    }
  });
});
