// The admin namespace /_emulator/...: clock, faults, counters and test hooks, for tests and for
// people driving the emulator from another process. No API key, never any fault injection.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './api-error';
import { toWireTimestamp } from './clock';
import type { EmulatorState } from './emulator-state';
import { InvalidFaultSpec, parseFaultObject } from './faults';
import { isPlainObject, readJsonBody, sendJson } from './http-io';
import { isLostReplyEndpoint, LOST_REPLY_KNOB } from './lost-reply';
import type { UploadSession } from './upload-session';

export const ADMIN_PATH = '/_emulator';

/** GET /_emulator/sessions/<upload_id>: what the store holds, beyond what M2 shows. */
export interface SessionAdminView {
  upload_id: string;
  asset_id: string;
  status: string;
  failure_reason: string | null;
  total_size: number;
  chunk_size: number;
  total_chunks: number;
  chunks_completed: number;
  chunks_failed: number;
  uploaded_size: number;
  created_at: string;
  updated_at: string;
  expires_at: string;
  /** Only chunks that were PUT or reported, ascending. */
  chunks: Array<{
    index: number;
    status: string;
    /** Successful PUTs of this index. */
    put_count: number;
    /** Body bytes of abandoned PUTs of this index. */
    aborted_bytes: number;
    /** Successful PUTs of this index whose reply was lost on purpose (lost_reply_put). */
    replies_lost: number;
    stored_size: number | null;
    stored_etag: string | null;
    accepted_etag: string | null;
    error: string | null;
    /** Every PUT whose body the store began to read (wall-clock ms; ended_at_ms null while it runs). */
    puts: Array<{ started_at_ms: number; ended_at_ms: number | null; outcome: string | null; bytes: number }>;
  }>;
}

export function sessionAdminView(session: UploadSession): SessionAdminView {
  return {
    upload_id: session.uploadId,
    asset_id: session.assetId,
    status: session.state,
    failure_reason: session.failureReason ?? null,
    total_size: session.totalSizeBytes,
    chunk_size: session.chunkSizeBytes,
    total_chunks: session.totalChunks,
    chunks_completed: session.chunksCompleted,
    chunks_failed: session.chunksFailed,
    uploaded_size: session.uploadedSizeBytes,
    created_at: toWireTimestamp(session.createdAtMs),
    updated_at: toWireTimestamp(session.updatedAtMs),
    expires_at: toWireTimestamp(session.expiresAtMs),
    chunks: session.touchedChunks().map(([index, record]) => ({
      index,
      status: record.status,
      put_count: record.putCount,
      aborted_bytes: record.abortedBytes,
      replies_lost: record.repliesLost ?? 0,
      stored_size: record.latest?.sizeBytes ?? null,
      stored_etag: record.latest?.etag ?? null,
      accepted_etag: record.accepted?.etag ?? null,
      error: record.error ?? null,
      puts: session.putsOf(index).map((p) => ({ started_at_ms: p.startedAtMs, ended_at_ms: p.endedAtMs ?? null, outcome: p.outcome ?? null, bytes: p.bytes })),
    })),
  };
}

/** Advances the clock from `{ms}` or `{seconds}`. */
function advanceFromBody(state: EmulatorState, body: unknown): number {
  const object = isPlainObject(body) ? body : {};
  const ms = typeof object.ms === 'number' ? object.ms : typeof object.seconds === 'number' ? object.seconds * 1000 : undefined;
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
    throw adminError(400, 'body must be {"ms": n} or {"seconds": n} with n ≥ 0');
  }
  return state.clock.advance(ms);
}

interface AdminRoute {
  method: string;
  /** Matched against the path below /_emulator. */
  pattern: RegExp;
  handle(req: IncomingMessage, state: EmulatorState, params: string[]): Promise<unknown> | unknown;
}

const ADMIN_ROUTES: readonly AdminRoute[] = [
  { method: 'GET', pattern: /^\/health$/, handle: () => ({ ok: true }) },
  { method: 'GET', pattern: /^\/clock$/, handle: (_req, state) => clockView(state) },
  {
    method: 'POST',
    pattern: /^\/clock\/advance$/,
    handle: async (req, state) => {
      advanceFromBody(state, await readJsonBody(req));
      return clockView(state);
    },
  },
  { method: 'GET', pattern: /^\/faults$/, handle: (_req, state) => state.faults.current() },
  { method: 'PUT', pattern: /^\/faults$/, handle: async (req, state) => state.faults.replace(parseFaults(await readJsonBody(req))) },
  { method: 'PATCH', pattern: /^\/faults$/, handle: async (req, state) => state.faults.merge(parseFaults(await readJsonBody(req))) },
  {
    method: 'POST',
    pattern: /^\/faults\/lose-next$/,
    handle: async (req, state) => loseNextFromBody(state, await readJsonBody(req)),
  },
  {
    method: 'POST',
    pattern: /^\/faults\/asset-error$/,
    handle: async (req, state) => assetErrorFromBody(state, await readJsonBody(req)),
  },
  {
    method: 'POST',
    pattern: /^\/faults\/reseed$/,
    handle: async (req, state) => {
      const body = await readJsonBody(req);
      const seed = isPlainObject(body) ? body.seed : undefined;
      if (typeof seed !== 'number') throw adminError(400, 'body must be {"seed": n}');
      try {
        state.faults.reseed(seed);
      } catch (err) {
        throw adminError(400, (err as Error).message);
      }
      return { seed };
    },
  },
  { method: 'GET', pattern: /^\/counters$/, handle: (_req, state) => state.counters.snapshot(state.faults.firedCounts()) },
  {
    method: 'POST',
    pattern: /^\/counters\/reset$/,
    handle: (_req, state) => {
      state.counters.reset();
      state.faults.resetCounts();
      return state.counters.snapshot(state.faults.firedCounts());
    },
  },
  { method: 'GET', pattern: /^\/created$/, handle: (_req, state) => ({ assets: state.creations.list() }) },
  {
    method: 'GET',
    pattern: /^\/objects\/([^/]+)$/,
    handle: (_req, state, [assetId = '']) => {
      const info = state.objectInfo(assetId);
      if (!info) throw adminError(404, `asset ${assetId} has no assembled object (yet)`);
      return info;
    },
  },
  {
    method: 'POST',
    pattern: /^\/assets\/([^/]+)\/referenced$/,
    handle: async (req, state, [assetId = '']) => {
      const body = await readJsonBody(req);
      const referenced = isPlainObject(body) && typeof body.referenced === 'boolean' ? body.referenced : true;
      const asset = state.asset(assetId);
      if (!asset) throw adminError(404, `no asset ${assetId}`);
      asset.referenced = referenced;
      return { asset_id: asset.id, referenced };
    },
  },
  {
    method: 'POST',
    pattern: /^\/sessions\/([^/]+)\/fail$/,
    handle: async (req, state, [uploadId = '']) => {
      const body = await readJsonBody(req);
      const reason = isPlainObject(body) && typeof body.reason === 'string' ? body.reason : undefined;
      return sessionAdminView(failActiveSession(state, uploadId, reason));
    },
  },
  {
    method: 'GET',
    pattern: /^\/sessions\/([^/]+)$/,
    handle: (_req, state, [uploadId = '']) => {
      const session = state.session(uploadId);
      if (!session) throw adminError(404, `no upload session ${uploadId}`);
      return sessionAdminView(session);
    },
  },
];

/** Moves an active session to failed (to test session restarts); errors for any other state. */
export function failActiveSession(state: EmulatorState, uploadId: string, reason?: string): UploadSession {
  const session = state.session(uploadId);
  if (!session) throw adminError(404, `no upload session ${uploadId}`);
  if (session.state !== 'active') throw adminError(409, `upload session ${uploadId} is ${session.state}, not active`);
  state.failSession(session, reason ?? 'The upload session was failed through the emulator admin API.');
  return session;
}

export async function handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL, state: EmulatorState): Promise<void> {
  const subPath = url.pathname.slice(ADMIN_PATH.length);
  const candidates = ADMIN_ROUTES.filter((r) => r.pattern.test(subPath));
  const route = candidates.find((r) => r.method === req.method);
  try {
    if (!route) {
      throw candidates.length > 0
        ? adminError(405, `${req.method ?? ''} is not allowed on ${url.pathname}`)
        : adminError(404, `no admin endpoint ${url.pathname}`);
    }
    const params = (route.pattern.exec(subPath) ?? []).slice(1).map((p) => decodeURIComponent(p));
    sendJson(res, 200, await route.handle(req, state, params));
  } catch (error) {
    if (error instanceof ApiError) sendJson(res, error.status, error.body());
    else throw error;
  }
}

function clockView(state: EmulatorState): { now: string; now_ms: number } {
  const nowMs = state.nowMs();
  return { now: new Date(nowMs).toISOString(), now_ms: nowMs };
}

/** `{"endpoint": "M1", "count": 1}`: the next `count` successful replies of that endpoint are lost. */
function loseNextFromBody(state: EmulatorState, body: unknown): { endpoint: string; count: number } {
  const object = isPlainObject(body) ? body : {};
  const endpoint = typeof object.endpoint === 'string' ? object.endpoint : '';
  const count = object.count === undefined ? 1 : object.count;
  if (!isLostReplyEndpoint(endpoint)) {
    throw adminError(400, `endpoint must be one of ${Object.keys(LOST_REPLY_KNOB).join(', ')}, got '${endpoint}'`);
  }
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw adminError(400, 'count must be an integer ≥ 0');
  state.faults.fireNext(LOST_REPLY_KNOB[endpoint], count);
  return { endpoint, count };
}

/** `{"code": "video_duration_too_short", "count": 1}`: the next `count` assets get that A1 error code. */
function assetErrorFromBody(state: EmulatorState, body: unknown): { code: string; count: number } {
  const object = isPlainObject(body) ? body : {};
  const code = typeof object.code === 'string' ? object.code : '';
  const count = object.count === undefined ? 1 : object.count;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > 10_000) throw adminError(400, 'count must be an integer from 0 to 10000');
  try {
    state.assetErrors.add(code, count);
  } catch (error) {
    throw adminError(400, (error as Error).message);
  }
  return { code, count };
}

function parseFaults(body: unknown) {
  try {
    return parseFaultObject(body ?? {});
  } catch (error) {
    if (error instanceof InvalidFaultSpec) throw adminError(400, error.message);
    throw error;
  }
}

function adminError(status: number, message: string): ApiError {
  return new ApiError(status, 'emulator_admin_error', message);
}
