// M1–M5: the multipart upload endpoints (contract section 3).

import type {
  MediaType,
  WireCreateSessionResponse,
  WirePresignedUrlChunk,
  WirePresignedUrlsResponse,
  WireReportChunksResponse,
  WireSessionStatusResponse,
} from '../twelvelabs/wire';
import { MAX_URLS_PER_REQUEST } from '../twelvelabs/limits';
import { ApiError, parameterInvalid, parameterNotProvided, resourceNotExist } from './api-error';
import { type ApiRequest, type ApiRoute, param } from './api-route';
import { AssetRecord } from './asset';
import {
  checkFilename,
  checkUnknownKeys,
  isAbsent,
  type JsonObject,
  objectBody,
  optionalBoolean,
  requiredInteger,
  requiredString,
} from './body-fields';
import { toWireTimestamp } from './clock';
import { isPlainObject, readJsonBody, sendJson } from './http-io';
import { newObjectId } from './ids';
import { mimeFromFilename } from './media-types';
import { reportEntryLimit } from './options';
import { pageWindow, parsePageRequest } from './paging';
import type { EmulatorState } from './emulator-state';
import { type StoredChunk, UploadSession } from './upload-session';
import { parseCreationMetadata } from './user-metadata';

const MEDIA_TYPES: readonly MediaType[] = ['video', 'audio', 'image'];
const SESSIONS = 'multipart_uploads';

/** M1: creates a session and reserves its asset. */
async function createSession({ req, res, apiKey, state }: ApiRequest): Promise<void> {
  const body = objectBody(await readJsonBody(req));
  const { options } = state;
  checkUnknownKeys(
    body,
    ['filename', 'type', 'total_size', 'enable_hls', 'enable_thumbnail', 'user_metadata'],
    options.strictUnknownKeys,
  );
  const filename = checkFilename(requiredString(body, 'filename'));
  const type = requiredString(body, 'type') as MediaType;
  if (!MEDIA_TYPES.includes(type)) throw parameterInvalid('type', `must be one of ${MEDIA_TYPES.join(', ')}`);
  const totalSizeBytes = requiredInteger(body, 'total_size', 1, options.maxMultipartBytes);
  const enableHls = optionalBoolean(body, 'enable_hls');
  const enableThumbnail = optionalBoolean(body, 'enable_thumbnail');
  const userMetadata = isAbsent(body, 'user_metadata') ? {} : parseCreationMetadata(body.user_metadata);

  const chunkSizeBytes = options.chunkSizeFor(totalSizeBytes);
  if (!Number.isInteger(chunkSizeBytes) || chunkSizeBytes < 1) {
    throw new Error(`chunkSizeBytes option returned ${chunkSizeBytes} for total_size ${totalSizeBytes}`);
  }
  const nowMs = state.nowMs();
  const sequence = state.nextSequence();
  const session = new UploadSession({
    uploadId: newObjectId(),
    assetId: newObjectId(),
    apiKey,
    filename,
    totalSizeBytes,
    chunkSizeBytes,
    createdAtMs: nowMs,
    expiresAtMs: nowMs + options.sessionTtlMs,
    sequence,
  });
  const asset = new AssetRecord({
    id: session.assetId,
    apiKey,
    method: 'multipart',
    filename,
    fileType: mimeFromFilename(filename) ?? 'application/octet-stream',
    // 5.2: the multipart `type` wins over the extension.
    assetType: type,
    createdAtMs: nowMs,
    sequence,
    userMetadata,
    enableHls,
    enableThumbnail,
    uploadId: session.uploadId,
  });
  await state.files.createSessionDir(session.uploadId);
  state.addSession(session, asset);

  const initialCount = options.initialUrls === 'all' ? session.totalChunks : Math.min(session.totalChunks, options.initialUrls);
  const response: WireCreateSessionResponse = {
    upload_id: session.uploadId,
    asset_id: session.assetId,
    upload_urls: mintRange(state, session, 1, initialCount, nowMs),
    upload_headers: { ...options.uploadHeaders },
    chunk_size: session.chunkSizeBytes,
    total_chunks: session.totalChunks,
    expires_at: toWireTimestamp(session.expiresAtMs),
  };
  sendJson(res, 201, response);
}

/** M2: status with a page of `uploaded_chunks`; the counters always cover the whole session. */
async function sessionStatus(request: ApiRequest): Promise<void> {
  const page = parsePageRequest(request.url.searchParams);
  const session = ownedSession(request);
  const touched =
    request.state.options.chunkListMode === 'touched' ? session.touchedChunks().map(([index]) => index) : undefined;
  const listedCount = touched ? touched.length : session.totalChunks;
  const { start, end, pageInfo } = pageWindow(page, listedCount);
  const chunks = [];
  for (let i = start; i < end; i++) chunks.push(session.chunkInfo(touched ? (touched[i] ?? 0) : i + 1));
  // The assembly_active_s fault: a completed upload still shows `active` for a while.
  const assemblingUntilMs = session.updatedAtMs + request.state.faults.current().assembly_active_s * 1000;
  const shownState = session.state === 'completed' && request.state.nowMs() < assemblingUntilMs ? 'active' : session.state;
  const response: WireSessionStatusResponse = {
    upload_id: session.uploadId,
    status: shownState,
    uploaded_chunks: chunks,
    chunks_completed: session.chunksCompleted,
    chunks_failed: session.chunksFailed,
    chunks_pending: session.totalChunks - session.chunksCompleted - session.chunksFailed,
    page_info: pageInfo,
    total_size: session.totalSizeBytes,
    uploaded_size: session.uploadedSizeBytes,
    created_at: toWireTimestamp(session.createdAtMs),
    updated_at: toWireTimestamp(session.updatedAtMs),
  };
  sendJson(request.res, 200, response);
}

/** M3: the caller's active sessions, newest first (9.16). */
async function listIncomplete({ url, res, apiKey, state }: ApiRequest): Promise<void> {
  const page = parsePageRequest(url.searchParams);
  const active = state
    .sessionsOf(apiKey)
    .filter((s) => s.state === 'active')
    .sort((a, b) => b.sequence - a.sequence);
  const { start, end, pageInfo } = pageWindow(page, active.length);
  sendJson(res, 200, { data: active.slice(start, end).map((s) => s.summary()), page_info: pageInfo });
}

interface ReportEntry {
  chunkIndex: number;
  /** Normalised: quotes stripped, lowercase (9.9). */
  proof: string;
  chunkSizeBytes: number;
}

/** M4: reports chunks, in the exact processing order of 3.4. */
async function reportChunks(request: ApiRequest): Promise<void> {
  const { state, res } = request;
  // Step 1, part a: the shape of every entry, before anything else.
  const entries = parseReportEntries(objectBody(await readJsonBody(request.req)), state.options.strictUnknownKeys);
  const session = ownedSession(request);
  // Step 1, part b: the checks that need the session's geometry. Still nothing has changed.
  const limit = reportEntryLimit(state.options, session.totalChunks);
  if (entries.length > limit) throw parameterInvalid('completed_chunks', `at most ${limit} entries per request`);
  entries.forEach((entry, i) => {
    const label = `completed_chunks[${i}]`;
    if (entry.chunkIndex < 1 || entry.chunkIndex > session.totalChunks) {
      throw parameterInvalid(`${label}.chunk_index`, `must be between 1 and ${session.totalChunks}, got ${entry.chunkIndex}`);
    }
    const expected = session.expectedChunkBytes(entry.chunkIndex);
    if (entry.chunkSizeBytes !== expected) {
      throw parameterInvalid(`${label}.chunk_size`, `chunk ${entry.chunkIndex} must be ${expected} bytes, got ${entry.chunkSizeBytes}`);
    }
  });

  // Step 2: session state. A completion already under way finishes first.
  if (session.finalizing) await session.finalizing;
  assertReportable(session);
  if (session.state === 'completed') {
    // A replay of a lost final report must succeed again, url included (9.6).
    state.counters.add('reports');
    state.counters.add('duplicate_chunks', entries.length);
    sendJson(res, 200, reportResponse(request, session, 0, entries.length));
    return;
  }

  // Step 3: each entry in array order.
  const nowMs = state.nowMs();
  let processed = 0;
  let duplicates = 0;
  for (const entry of entries) {
    const record = session.record(entry.chunkIndex);
    if (record?.status === 'completed') {
      duplicates += 1;
      continue;
    }
    const verdict = verifyAgainstStore(state, session, entry);
    if ('error' in verdict) session.markChunkFailed(entry.chunkIndex, verdict.error, nowMs);
    else {
      session.markChunkCompleted(entry.chunkIndex, verdict.stored, nowMs);
      processed += 1;
    }
  }
  state.counters.add('reports');
  state.counters.add('duplicate_chunks', duplicates);

  // Step 4: the last unique chunk completes the upload.
  if (session.chunksCompleted === session.totalChunks) await state.completeUpload(session);
  sendJson(res, 200, reportResponse(request, session, processed, duplicates));
}

/** 3.4 step 3 / 9.7: the latest successful PUT must exist, match the proof and have the right length. */
function verifyAgainstStore(
  state: EmulatorState,
  session: UploadSession,
  entry: ReportEntry,
): { stored: StoredChunk } | { error: string } {
  const index = entry.chunkIndex;
  const stored = session.record(index)?.latest;
  const expected = session.expectedChunkBytes(index);
  if (!stored) return { error: `chunk ${index} has no successful upload; upload it with a fresh presigned URL` };
  if (stored.etag !== entry.proof) return { error: `proof does not match the stored ETag for chunk ${index}` };
  if (stored.sizeBytes !== expected) return { error: `chunk ${index} was stored with ${stored.sizeBytes} bytes, expected ${expected}` };
  if (state.faults.current().chunk_always_failed === index) {
    return { error: `chunk ${index} failed verification: checksum mismatch in the assembled part; upload it again with a fresh presigned URL` };
  }
  if (state.faults.fires('chunk_failed')) {
    return { error: `chunk ${index} could not be verified; upload it again with a fresh presigned URL` };
  }
  return { stored };
}

function parseReportEntries(body: JsonObject, strict: boolean): ReportEntry[] {
  checkUnknownKeys(body, ['completed_chunks'], strict);
  if (isAbsent(body, 'completed_chunks')) throw parameterNotProvided('completed_chunks');
  const list = body.completed_chunks;
  if (!Array.isArray(list)) throw parameterInvalid('completed_chunks', 'expected an array');
  if (list.length === 0) throw parameterInvalid('completed_chunks', 'must contain at least one entry');
  return list.map((item: unknown, i): ReportEntry => {
    const label = `completed_chunks[${i}]`;
    if (!isPlainObject(item)) throw parameterInvalid(label, 'expected an object');
    checkUnknownKeys(item, ['chunk_index', 'proof', 'proof_type', 'chunk_size'], strict, `${label}.`);
    const chunkIndex = requiredInteger(item, 'chunk_index', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, `${label}.chunk_index`);
    const proof = requiredString(item, 'proof', `${label}.proof`);
    const normalisedProof = proof.replace(/^"(.*)"$/, '$1').toLowerCase();
    if (normalisedProof.length === 0) throw parameterInvalid(`${label}.proof`, 'must not be empty');
    const proofType = requiredString(item, 'proof_type', `${label}.proof_type`);
    if (proofType !== 'etag') throw parameterInvalid(`${label}.proof_type`, `must be 'etag', got '${proofType}'`);
    const chunkSizeBytes = requiredInteger(item, 'chunk_size', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, `${label}.chunk_size`);
    return { chunkIndex, proof: normalisedProof, chunkSizeBytes };
  });
}

function reportResponse(
  { state }: ApiRequest,
  session: UploadSession,
  processed: number,
  duplicates: number,
): WireReportChunksResponse {
  const response: WireReportChunksResponse = {
    asset_id: session.assetId,
    processed_chunks: processed,
    duplicate_chunks: duplicates,
    total_completed: session.chunksCompleted,
  };
  const asset = state.asset(session.assetId);
  // `url` appears only once the upload is complete (3.4).
  if (session.state === 'completed' && asset) return { url: state.assetObjectUrl(asset), ...response };
  return response;
}

/** M5: fresh URLs for a strict range of at most 50 chunks. */
async function presignedUrls(request: ApiRequest): Promise<void> {
  const { state, res } = request;
  const body = objectBody(await readJsonBody(request.req));
  checkUnknownKeys(body, ['start', 'count'], state.options.strictUnknownKeys);
  const start = requiredInteger(body, 'start', 1, Number.MAX_SAFE_INTEGER);
  const count = requiredInteger(body, 'count', 1, MAX_URLS_PER_REQUEST);
  const session = ownedSession(request);
  const last = start + count - 1;
  if (last > session.totalChunks) {
    // 9.25: no clamping, so a client's range is always exactly what it asked for.
    throw parameterInvalid('count', `start + count - 1 = ${last} exceeds total_chunks ${session.totalChunks}`);
  }
  assertReportable(session);
  if (session.state === 'completed') {
    throw new ApiError(400, 'upload_session_not_active', `Upload session ${session.uploadId} is already completed.`);
  }
  const nowMs = state.nowMs();
  state.counters.add('presigned_url_requests');
  const response: WirePresignedUrlsResponse = {
    upload_id: session.uploadId,
    start_index: start,
    count,
    upload_urls: mintRange(state, session, start, count, nowMs),
    generated_at: toWireTimestamp(nowMs),
    // The top-level expiry is the session's (9.26).
    expires_at: toWireTimestamp(session.expiresAtMs),
  };
  sendJson(res, 200, response);
}

/** Expired and failed sessions refuse reports and URL requests (9.5, 9.6). */
function assertReportable(session: UploadSession): void {
  if (session.state === 'expired') {
    throw new ApiError(400, 'upload_session_expired', `Upload session ${session.uploadId} has expired; start a new session.`);
  }
  if (session.state === 'failed') {
    throw new ApiError(
      400,
      'upload_session_failed',
      `Upload session ${session.uploadId} has failed (${session.failureReason ?? 'unknown reason'}); start a new session.`,
    );
  }
}

/** The caller's session with expiry applied; other accounts' sessions do not exist for it. */
function ownedSession(request: ApiRequest): UploadSession {
  const uploadId = param(request, 0);
  const session = request.state.session(uploadId);
  if (!session || session.apiKey !== request.apiKey) throw resourceNotExist(uploadId, SESSIONS);
  return session;
}

function mintRange(state: EmulatorState, session: UploadSession, start: number, count: number, nowMs: number): WirePresignedUrlChunk[] {
  const urls: WirePresignedUrlChunk[] = [];
  for (let index = start; index < start + count; index++) urls.push(state.mintUrl(session, index, nowMs));
  return urls;
}

const SESSION_PATH = /^\/assets\/multipart-uploads$/;
const ONE_SESSION_PATH = /^\/assets\/multipart-uploads\/([^/]+)$/;

export const MULTIPART_ROUTES: readonly ApiRoute[] = [
  { id: 'M1', method: 'POST', pattern: SESSION_PATH, previewOnly: true, faultable: true, handle: createSession },
  { id: 'M3', method: 'GET', pattern: SESSION_PATH, previewOnly: true, faultable: false, handle: listIncomplete },
  { id: 'M2', method: 'GET', pattern: ONE_SESSION_PATH, previewOnly: true, faultable: true, handle: sessionStatus },
  { id: 'M4', method: 'POST', pattern: ONE_SESSION_PATH, previewOnly: true, faultable: true, handle: reportChunks },
  {
    id: 'M5',
    method: 'POST',
    pattern: /^\/assets\/multipart-uploads\/([^/]+)\/presigned-urls$/,
    previewOnly: true,
    faultable: true,
    handle: presignedUrls,
  },
];
