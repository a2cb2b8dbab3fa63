// One node:http request handler for everything the emulator serves on its single port:
//   /v1.3/...       the JSON API (auth, rate-limit and 5xx faults, X-Api-Version)
//   /tl-uploads/... the presigned chunk store
//   /tl-assets/...  assembled objects
//   /_emulator/...  the admin namespace (no key, no faults)

import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_PREFIX } from '../twelvelabs/wire';
import { ApiError, apiKeyInvalid, apiNotAllowed } from './api-error';
import type { ApiRoute } from './api-route';
import { ASSET_BUCKET_PATH, type EmulatorState } from './emulator-state';
import { sendJson } from './http-io';
import { armLostReply, isLostReplyEndpoint, LOST_REPLY_KNOB } from './lost-reply';
import { UPLOAD_BUCKET_PATH } from './presigned-url';
import { ADMIN_PATH, handleAdmin } from './routes-admin';
import { ASSET_ROUTES } from './routes-assets';
import { MULTIPART_ROUTES } from './routes-multipart';
import { handleChunkPut, handleObjectGet } from './routes-store';
import { sendS3Error } from './s3-error';
import { replyAfterSave } from './state-file';

/** The multipart routes come first: `/assets/multipart-uploads` would also match `/assets/{id}`. */
const API_ROUTES: readonly ApiRoute[] = [...MULTIPART_ROUTES, ...ASSET_ROUTES];

/** 9.21: the header is documented, its value is not. */
const API_VERSION = '1.3';

export function createRequestHandler(state: EmulatorState): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    dispatch(req, res, url, state).catch((error: unknown) => {
      // A client that hangs up mid-request is normal traffic, not an emulator fault.
      if ((error as NodeJS.ErrnoException).code === 'ECONNRESET' || req.socket.destroyed) {
        res.destroy();
        return;
      }
      // A bug, not a client error: say so loudly, and still answer if the response is open.
      console.error(`emulator: ${req.method} ${url.pathname} failed:`, error);
      if (!res.headersSent) sendJson(res, 500, { code: 'internal_error', message: 'The emulator hit an unexpected error.' });
      else res.destroy();
    });
  };
}

async function dispatch(req: IncomingMessage, res: ServerResponse, url: URL, state: EmulatorState): Promise<void> {
  const path = url.pathname;
  const under = (prefix: string) => path === prefix || path.startsWith(`${prefix}/`);
  if (under(API_PREFIX)) return handleApi(req, res, url, state);
  if (under(UPLOAD_BUCKET_PATH)) return handleStore(req, res, url, state);
  if (under(ASSET_BUCKET_PATH) && (req.method === 'GET' || req.method === 'HEAD')) return handleObjectGet(res, url, state);
  if (under(ADMIN_PATH)) {
    persistBeforeReply(req, res, state);
    return handleAdmin(req, res, url, state);
  }
  sendJson(res, 404, { code: 'not_found', message: `Nothing is served at ${path}.` });
}

async function handleStore(req: IncomingMessage, res: ServerResponse, url: URL, state: EmulatorState): Promise<void> {
  if (req.method !== 'PUT') {
    sendS3Error(res, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
    return;
  }
  armLostReplyFault(res, state, 'S1', () => noteLostPutReply(state, url));
  // Chunk PUTs are saved right after their reply, not before it: waiting would slow the store
  // by half at hundreds of PUTs a second. A kill in those milliseconds forgets the chunk, which
  // then fails at report time and is sent again (2.6); a clean stop saves everything.
  if (state.keepsState) res.once('close', () => void state.saved().catch(() => undefined));
  await handleChunkPut(req, res, url, state);
}

/** A request that may change something is answered only once the change is saved (state-file.ts). */
function persistBeforeReply(req: IncomingMessage, res: ServerResponse, state: EmulatorState): void {
  if (state.keepsState && req.method !== 'GET' && req.method !== 'HEAD') replyAfterSave(res, () => state.saved());
}

/** lost_reply_*: the call is applied, its success reply never arrives (lost-reply.ts). */
function armLostReplyFault(res: ServerResponse, state: EmulatorState, endpoint: string, onLost?: () => void): void {
  if (!isLostReplyEndpoint(endpoint)) return;
  const knob = LOST_REPLY_KNOB[endpoint];
  if (!state.faults.armed(knob)) return;
  armLostReply(res, () => {
    const lost = state.faults.fires(knob);
    if (lost) onLost?.();
    return lost;
  });
}

/** A stored chunk whose ETag never arrived will be PUT again: the session view says why. */
function noteLostPutReply(state: EmulatorState, url: URL): void {
  const [uploadId = '', index = ''] = url.pathname.slice(UPLOAD_BUCKET_PATH.length + 1).split('/');
  const session = state.session(decodeURIComponent(uploadId));
  const chunkIndex = Number(index);
  if (session && Number.isInteger(chunkIndex)) session.touch(chunkIndex).repliesLost += 1;
}

async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, state: EmulatorState): Promise<void> {
  res.setHeader('X-Api-Version', API_VERSION);
  const subPath = url.pathname.slice(API_PREFIX.length);
  const candidates = API_ROUTES.filter((r) => r.pattern.test(subPath));
  const route = candidates.find((r) => r.method === req.method);
  if (!route) {
    if (candidates.length > 0) {
      sendJson(res, 405, { code: 'method_not_allowed', message: `${req.method ?? ''} is not allowed on ${url.pathname}.` });
    } else {
      sendJson(res, 404, { code: 'not_found', message: `No endpoint ${req.method ?? ''} ${url.pathname}.` });
    }
    return;
  }
  state.counters.endpointCalled(route.id);
  try {
    const apiKey = authenticate(req, route, state);
    if (route.faultable) injectApiFault(state, res);
    armLostReplyFault(res, state, route.id);
    persistBeforeReply(req, res, state);
    const params = (route.pattern.exec(subPath) ?? []).slice(1).map(decodePathParam);
    await route.handle({ req, res, url, params, apiKey, state });
  } catch (error) {
    if (error instanceof ApiError) sendJson(res, error.status, error.body(), error.headers);
    else if (error instanceof GatewayFault) sendGatewayPage(res, error.status);
    else throw error;
  }
}

/** 1.2: `x-api-key` only; a valid key without preview access gets 403 on the multipart endpoints. */
function authenticate(req: IncomingMessage, route: ApiRoute, state: EmulatorState): string {
  const key = req.headers['x-api-key'];
  if (typeof key !== 'string' || !state.options.apiKeys.has(key)) throw apiKeyInvalid();
  if (route.previewOnly && state.options.restrictedApiKeys.has(key)) throw apiNotAllowed();
  return key;
}

/** A 502/503 from "the gateway", whose body is HTML rather than JSON (9.13). */
class GatewayFault extends Error {
  constructor(readonly status: 502 | 503) {
    super(`injected gateway ${status}`);
  }
}

/** api_429 and api_5xx, decided before the handler runs, so a faulted call changes nothing. */
function injectApiFault(state: EmulatorState, res: ServerResponse): void {
  const knobs = state.faults.current();
  if (knobs.api_429 > 0) {
    const nowMs = state.nowMs();
    if (state.faults.fires('api_429')) {
      const retryAfterSeconds = Math.max(0, Math.ceil(knobs.retry_after_s));
      const { rateLimit } = state;
      throw new ApiError(429, 'too_many_requests', rateLimit.message(retryAfterSeconds), rateLimit.refused(nowMs, retryAfterSeconds));
    }
    for (const [name, value] of Object.entries(state.rateLimit.admitted(nowMs))) res.setHeader(name, value);
  }
  if (state.faults.fires('api_5xx')) {
    // Mostly the API's own JSON 500; sometimes a gateway page (the client must survive non-JSON).
    const flavour = state.faults.draw();
    if (flavour < 0.7) throw new ApiError(500, 'internal_error', 'An internal error occurred. Please try again later.');
    throw new GatewayFault(flavour < 0.85 ? 502 : 503);
  }
}

function sendGatewayPage(res: ServerResponse, status: 502 | 503): void {
  const title = status === 502 ? '502 Bad Gateway' : '503 Service Temporarily Unavailable';
  const body = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
  res.writeHead(status, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Ids are opaque and URL-encoded by clients (1.3); a malformed escape is just an unknown id. */
function decodePathParam(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
