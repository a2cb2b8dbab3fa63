// The TwelveLabs v1.3 upload API emulator, in process: `startEmulator(options)` serves the API,
// the presigned chunk store and the admin namespace on one loopback port, and returns a handle
// whose methods mirror the admin endpoints.

import { createServer } from 'node:http';
import { mkdir, mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { API_PREFIX } from '../twelvelabs/wire';
import type { CounterSnapshot } from './counters';
import type { CreatedAssetView } from './creation-ledger';
import { LOST_REPLY_KNOB, type LostReplyEndpoint } from './lost-reply';
import { EmulatorState } from './emulator-state';
import type { FaultKnobs, ProbabilityKnob } from './faults';
import { ObjectFiles, removeQuietly } from './object-files';
import { type EmulatorOptions, resolveOptions } from './options';
import { failActiveSession, sessionAdminView, type SessionAdminView } from './routes-admin';
import { createRequestHandler } from './server';
import { readSnapshot } from './state-file';

export type { CounterSnapshot } from './counters';
export type { CreatedAssetView } from './creation-ledger';
export { lostRepliesEverywhere, LOST_REPLY_KNOB, type LostReplyEndpoint } from './lost-reply';
export { DEFAULT_FAULTS, parseFaultSpec, type FaultKnobs, type ProbabilityKnob } from './faults';
export { DEFAULT_API_KEY, defaultChunkSizeBytes, type EmulatorOptions } from './options';
export type { SessionAdminView } from './routes-admin';

export interface RunningEmulator {
  /** `http://127.0.0.1:<port>/v1.3` (or publicOrigin + /v1.3): what a client uses as its base URL. */
  readonly baseUrl: string;
  /** `http://127.0.0.1:<port>` (or publicOrigin): root of the store and of /_emulator. */
  readonly origin: string;
  readonly port: number;
  /** Where chunks and asset files are kept. */
  readonly dataDir: string;
  /** Moves the emulator clock forward; returns the new emulator time as ISO 8601. */
  advanceClock(ms: number): Promise<string>;
  /** Replaces every fault knob; knobs not given go back to their defaults, so `{}` turns faults off. */
  setFaults(knobs: Partial<FaultKnobs>): Promise<FaultKnobs>;
  faults(): Promise<FaultKnobs>;
  /** The next `count` successful replies of `endpoint` (M1…M5, S1, A1, A4…A7) are lost (POST /_emulator/faults/lose-next). */
  loseNextReplies(endpoint: LostReplyEndpoint, count?: number): Promise<void>;
  /**
   * The next `count` assets get A1 error `code` (contract 5.8): A1 answers 400 with it, an
   * assembled multipart asset ends `failed` with it (POST /_emulator/faults/asset-error).
   */
  failNextAssets(code: string, count?: number): Promise<void>;
  /** The next `count` rolls of a probability knob fire (e.g. `api_5xx`: a failure before the call is applied). */
  fireNext(knob: ProbabilityKnob, count?: number): Promise<void>;
  counters(): Promise<CounterSnapshot>;
  resetCounters(): Promise<void>;
  /** Every asset (and its session, for M1) the emulator created, deleted ones included (GET /_emulator/created). */
  created(): Promise<CreatedAssetView[]>;
  /** Size and SHA-256 of an asset's assembled object; undefined until there is one. */
  objectInfo(assetId: string): Promise<{ size: number; sha256: string } | undefined>;
  /** Moves an active session to `failed` (its asset fails too); throws if it is not active. */
  failSession(uploadId: string, reason?: string): Promise<void>;
  /** Marks an asset as used by an index, so A4 without force answers 409 (9.28). */
  markAssetReferenced(assetId: string, referenced?: boolean): Promise<void>;
  /** The internal view of a session (GET /_emulator/sessions/<id>); undefined when unknown. */
  sessionView(uploadId: string): Promise<SessionAdminView | undefined>;
  /** Stops listening, drops every connection (keep-alive included) and removes an owned data dir. */
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const resolved = resolveOptions(options);
  const ownsDataDir = resolved.dataDir === undefined;
  const dataDir = resolved.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'tl-emulator-')));
  await mkdir(dataDir, { recursive: true });

  // requestTimeout 0: a throttled chunk PUT may legitimately take minutes; the store has its own
  // idle timeout (bodyIdleTimeoutMs) for bodies that stall.
  const server = createServer({ requestTimeout: 0, keepAliveTimeout: 5_000 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = resolved.publicOrigin ?? `http://${urlHost(resolved.host)}:${port}`;
  // A data dir of its own (given) is kept across restarts; a temp dir lives as long as the process.
  const restored = ownsDataDir ? undefined : await readSnapshot(dataDir);
  const state = new EmulatorState(resolved, origin, new ObjectFiles(dataDir), restored);
  if (!ownsDataDir) state.keepStateIn(dataDir);
  server.on('request', createRequestHandler(state));

  let closing: Promise<void> | undefined;
  return {
    baseUrl: `${origin}${API_PREFIX}`,
    origin,
    port,
    dataDir,
    async advanceClock(ms) {
      const nowMs = state.clock.advance(ms);
      await state.saved();
      return new Date(nowMs).toISOString();
    },
    async setFaults(knobs) {
      return state.faults.replace(knobs);
    },
    async faults() {
      return state.faults.current();
    },
    async loseNextReplies(endpoint, count = 1) {
      state.faults.fireNext(LOST_REPLY_KNOB[endpoint], count);
    },
    async failNextAssets(code, count = 1) {
      state.assetErrors.add(code, count);
    },
    async fireNext(knob, count = 1) {
      state.faults.fireNext(knob, count);
    },
    async counters() {
      return state.counters.snapshot(state.faults.firedCounts());
    },
    async resetCounters() {
      state.counters.reset();
      state.faults.resetCounts();
    },
    async created() {
      return state.creations.list();
    },
    async objectInfo(assetId) {
      return state.objectInfo(assetId);
    },
    async failSession(uploadId, reason) {
      failActiveSession(state, uploadId, reason);
      await state.saved();
    },
    async markAssetReferenced(assetId, referenced = true) {
      const asset = state.asset(assetId);
      if (!asset) throw new Error(`markAssetReferenced: no asset ${assetId}`);
      asset.referenced = referenced;
      await state.saved();
    },
    async sessionView(uploadId) {
      const session = state.session(uploadId);
      return session ? sessionAdminView(session) : undefined;
    },
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        await state.saved().catch((error: unknown) => console.error(`emulator: could not save its state in ${dataDir}:`, error));
        await state.close();
        if (ownsDataDir) await removeQuietly(dataDir);
      })();
      return closing;
    },
  };
}

/** The host as it appears in URLs: a wildcard bind is reached over loopback; IPv6 needs brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
