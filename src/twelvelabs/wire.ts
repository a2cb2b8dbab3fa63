// Wire shapes of the TwelveLabs v1.3 upload API, exactly as they travel (snake_case).
// The contract is ../shared/twelvelabs-api.md; the emulator produces these shapes and the
// client parses them. Section numbers below refer to that contract.
// Enum-typed fields are `Known | (string & {})` because the client must keep unknown values (1.3).

import { InvalidResponseError } from './errors';
import { normalizeTimestamp, type IsoTimestamp } from './timestamps';

export type { IsoTimestamp } from './timestamps';

/** Open enum: the known values autocomplete, unknown ones still type-check. */
export type OpenEnum<T extends string> = T | (string & {});

export type SessionStatus = OpenEnum<'active' | 'completed' | 'failed' | 'expired'>;
export type ChunkStatus = OpenEnum<'completed' | 'pending' | 'failed'>;
export type AssetStatus = OpenEnum<'processing' | 'ready' | 'failed'>;
export type AssetMethod = OpenEnum<'direct' | 'url' | 'multipart' | 'connector'>;
export type MediaType = 'video' | 'audio' | 'image';
export type AssetType = 'video' | 'audio' | 'image' | 'document';
export type DerivedStatus = OpenEnum<'pending' | 'processing' | 'ready' | 'error'>;

/** User metadata values are scalars only (5.5). */
export type MetadataValue = string | number | boolean;
export type UserMetadata = Record<string, MetadataValue>;

/** 1.4: every JSON error body. All fields optional on the wire. */
export interface WireErrorBody {
  code?: string;
  message?: string;
  docs_url?: string;
}

/** 1.5 */
export interface WirePageInfo {
  limit_per_page: number;
  page: number;
  total_page: number;
  total_results: number;
}

/** 2.3 / 3.1 */
export interface WirePresignedUrlChunk {
  chunk_index: number;
  url: string;
  expires_at: string;
}

/** M1 request (3.1) */
export interface WireCreateSessionRequest {
  filename: string;
  type: MediaType;
  total_size: number;
  enable_hls?: boolean;
  enable_thumbnail?: boolean;
  user_metadata?: UserMetadata;
}

/** M1 response 201 (3.1) */
export interface WireCreateSessionResponse {
  upload_id: string;
  asset_id: string;
  upload_urls: WirePresignedUrlChunk[];
  upload_headers: Record<string, string>;
  chunk_size: number;
  total_chunks: number;
  expires_at: string;
}

/** 3.2 */
export interface WireChunkInfo {
  index: number;
  status: ChunkStatus;
  uploaded_at: string | null;
  updated_at: string;
  error?: string;
}

/** M2 response (3.2) */
export interface WireSessionStatusResponse {
  upload_id: string;
  status: SessionStatus;
  uploaded_chunks: WireChunkInfo[];
  chunks_completed: number;
  chunks_failed: number;
  chunks_pending: number;
  page_info: WirePageInfo;
  total_size: number;
  uploaded_size: number;
  created_at: string;
  updated_at: string;
}

/** M3 item (3.3) */
export interface WireIncompleteUploadSummary {
  upload_id: string;
  status: SessionStatus;
  total_size: number;
  chunk_size: number;
  total_chunks: number;
  created_at?: string;
  expires_at?: string;
}

export interface WirePage<T> {
  data: T[];
  page_info: WirePageInfo;
}

/** M4 request entry (3.4) */
export interface WireCompletedChunk {
  chunk_index: number;
  proof: string;
  proof_type: 'etag';
  chunk_size: number;
}

export interface WireReportChunksRequest {
  completed_chunks: WireCompletedChunk[];
}

/** M4 response (3.4) */
export interface WireReportChunksResponse {
  url?: string;
  asset_id: string;
  processed_chunks: number;
  duplicate_chunks: number;
  total_completed: number;
}

/** M5 request (3.5) */
export interface WirePresignedUrlsRequest {
  start: number;
  count: number;
}

/** M5 response (3.5); top-level `expires_at` is the SESSION expiry. */
export interface WirePresignedUrlsResponse {
  upload_id: string;
  start_index: number;
  count: number;
  upload_urls: WirePresignedUrlChunk[];
  generated_at: string;
  expires_at: string;
}

/** 5.6 */
export interface WireAsset {
  _id: string;
  method: AssetMethod;
  status: AssetStatus;
  filename: string;
  file_type: string;
  created_at: string;
  user_metadata?: UserMetadata;
}

export interface WireAssetDetail extends WireAsset {
  hls?: { manifest_url?: string; status: DerivedStatus };
  thumbnail?: { representative_url?: string; status: DerivedStatus };
  technical_metadata?: Record<string, unknown> & { file_size_bytes?: number; file_mime_type?: string };
  size?: number;
  duration?: number;
  error?: { message: string };
}

/** A5/A6 body (5.5); `null` and `""` carry special meanings there. */
export interface WireUserMetadataRequest {
  user_metadata: Record<string, MetadataValue | null>;
}

/** API path prefix under the host (1.1). */
export const API_PREFIX = '/v1.3';

// =============================================================================================
// Domain (camelCase) types and the mapping between them and the wire shapes above.
//
// Rules, applied throughout:
// - Responses are untrusted `unknown` JSON. What the client relies on is validated and a
//   violation throws InvalidResponseError naming the field path (never its value, which may be
//   a presigned URL). Everything else is read leniently: a missing or malformed optional field
//   is left out, unknown keys are ignored, unknown enum strings are kept as they are (1.3).
// - Timestamps become `IsoTimestamp` strings (UTC, `toISOString()` form; see timestamps.ts).
// - Sizes carry their unit in the name (`chunkSizeBytes`); chunks are `chunkIndex`, 1-based.
// - Optional values are omitted, never `undefined`-vs-`null` ambiguous: `null` on the wire and
//   an absent key both map to an absent property. All domain values are plain JSON.
// - User metadata keys are user data and are never case-converted.
// =============================================================================================


/** 1.5 */
export interface PageInfo {
  limitPerPage: number;
  page: number;
  totalPages: number;
  totalResults: number;
}

/** One page of a paginated list (A2, M3). */
export interface Page<T> {
  items: T[];
  pageInfo: PageInfo;
}

/** Paging query (1.5): `page` ≥ 1 (default 1), `pageLimit` 1..50 (default 10). */
export interface PageQuery {
  page?: number;
  pageLimit?: number;
}

/** 2.3: one presigned URL. `url` is a credential: never log it. */
export interface PresignedChunkUrl {
  chunkIndex: number;
  url: string;
  expiresAt: IsoTimestamp;
}

/** M1 request (3.1). */
export interface CreateMultipartUploadRequest {
  filename: string;
  type: MediaType;
  totalSizeBytes: number;
  enableHls?: boolean;
  enableThumbnail?: boolean;
  userMetadata?: UserMetadata;
}

/** M1 response (3.1). Persist it whole before the first PUT (client obligation 8.1). */
export interface MultipartUploadSession {
  uploadId: string;
  assetId: string;
  /** Initial URLs, ascending; may not cover every chunk (mint the rest with M5). */
  uploadUrls: PresignedChunkUrl[];
  /** Send every one of these, verbatim, on every chunk PUT. `{}` when the server sent none. */
  uploadHeaders: Record<string, string>;
  chunkSizeBytes: number;
  totalChunks: number;
  /** Session expiry (creation + 24 h). */
  expiresAt: IsoTimestamp;
}

/** 3.2 ChunkInfo. */
export interface ChunkInfo {
  chunkIndex: number;
  status: ChunkStatus;
  /** When the chunk was reported; only for `completed`. */
  uploadedAt?: IsoTimestamp;
  updatedAt?: IsoTimestamp;
  /** Only for `failed`. */
  error?: string;
}

/** M2 response (3.2): one page of chunk entries plus whole-session counters. */
export interface MultipartUploadStatus {
  uploadId: string;
  status: SessionStatus;
  /** This page's chunk entries. Use the counters for totals, not this array's length. */
  chunks: ChunkInfo[];
  chunksCompleted: number;
  chunksFailed: number;
  chunksPending: number;
  pageInfo: PageInfo;
  totalSizeBytes?: number;
  uploadedSizeBytes?: number;
  createdAt?: IsoTimestamp;
  updatedAt?: IsoTimestamp;
}

/** M3 item (3.3). Carries no filename and no asset id. */
export interface IncompleteUpload {
  uploadId: string;
  status: SessionStatus;
  totalSizeBytes: number;
  chunkSizeBytes: number;
  totalChunks: number;
  createdAt?: IsoTimestamp;
  expiresAt?: IsoTimestamp;
}

/** M4 request entry (3.4). */
export interface CompletedChunkReport {
  chunkIndex: number;
  /** The ETag of the chunk PUT, quotes stripped (putChunk returns it that way). */
  proof: string;
  /** Bytes actually sent for this chunk. */
  chunkSizeBytes: number;
  /** The only proof type there is. Default `etag`. */
  proofType?: 'etag';
}

/** M4 response (3.4). */
export interface ReportChunksResult {
  assetId: string;
  processedChunks: number;
  duplicateChunks: number;
  totalCompleted: number;
  /** Present only once every chunk is reported and the upload completed. Informational. */
  url?: string;
}

/** M5 request (3.5). */
export interface PresignedUrlRange {
  /** First chunk index, ≥ 1. */
  start: number;
  /** How many consecutive indices, 1..50. */
  count: number;
}

/** M5 response (3.5). */
export interface PresignedUrlBatch {
  uploadId: string;
  startIndex: number;
  count: number;
  uploadUrls: PresignedChunkUrl[];
  generatedAt?: IsoTimestamp;
  /** The SESSION expiry, not the URLs' (each URL has its own `expiresAt`). */
  sessionExpiresAt?: IsoTimestamp;
}

/** `hls` / `thumbnail` of an asset (5.6). */
export interface HlsInfo {
  status: DerivedStatus;
  manifestUrl?: string;
}
export interface ThumbnailInfo {
  status: DerivedStatus;
  representativeUrl?: string;
}

/** `technical_metadata` (5.6), keys camel-cased recursively; unknown keys kept. */
export type TechnicalMetadata = Record<string, unknown> & {
  fileSizeBytes?: number;
  fileMimeType?: string;
};

/** Asset (5.6) as returned by A1. */
export interface Asset {
  /** Wire `_id`; the same value multipart responses call `asset_id`. */
  id: string;
  method?: AssetMethod;
  status: AssetStatus;
  filename?: string;
  /** MIME type, e.g. `video/mp4`. */
  fileType?: string;
  createdAt?: IsoTimestamp;
  /** `{}` when the asset has none (the wire leaves the key out). */
  userMetadata: UserMetadata;
}

/** AssetDetail (5.6) as returned by A2 and A3. */
export interface AssetDetail extends Asset {
  hls?: HlsInfo;
  thumbnail?: ThumbnailInfo;
  technicalMetadata?: TechnicalMetadata;
  sizeBytes?: number;
  durationSeconds?: number;
  /** Only when `status` is `failed`. */
  error?: { message: string };
}

interface CreateAssetCommon {
  /** 1..255 characters; default derived by the server from the file or URL. */
  filename?: string;
  enableHls?: boolean;
  enableThumbnail?: boolean;
  userMetadata?: UserMetadata;
}

/** A1 `method=direct`: the file is streamed from disk, never buffered. */
export interface CreateAssetFromFileRequest extends CreateAssetCommon {
  method: 'direct';
  filePath: string;
  /**
   * The file, already open (e.g. by a caller that confines paths to allowed roots): read instead
   * of opening `filePath`, which then only names the part; the client does not close it.
   */
  handle?: import('node:fs/promises').FileHandle;
  /** Content-Type of the file part; default guessed from the extension. */
  contentType?: string;
}

/** A1 `method=url`. */
export interface CreateAssetFromUrlRequest extends CreateAssetCommon {
  method: 'url';
  url: string;
}

export type CreateAssetRequest = CreateAssetFromFileRequest | CreateAssetFromUrlRequest;

/** A2 filters (5.2): values within a filter are ORed, different filters ANDed. */
export interface ListAssetsQuery extends PageQuery {
  assetIds?: string[];
  assetTypes?: OpenEnum<AssetType>[];
  /** Case-insensitive substring. */
  filename?: string;
}

/** A5 body: `null` deletes a key, `""` leaves it unchanged (5.5). A6: both are ignored. */
export type UserMetadataUpdate = Record<string, MetadataValue | null>;

/** 1.4, camelCase. */
export interface ApiErrorBody {
  code?: string;
  message?: string;
  docsUrl?: string;
}

// ---------------------------------------------------------------------------------------------
// Requests: camelCase → wire

export function toWireCreateSessionRequest(r: CreateMultipartUploadRequest): WireCreateSessionRequest {
  const w: WireCreateSessionRequest = { filename: r.filename, type: r.type, total_size: r.totalSizeBytes };
  if (r.enableHls !== undefined) w.enable_hls = r.enableHls;
  if (r.enableThumbnail !== undefined) w.enable_thumbnail = r.enableThumbnail;
  if (r.userMetadata !== undefined) w.user_metadata = r.userMetadata;
  return w;
}

export function toWireReportChunksRequest(chunks: readonly CompletedChunkReport[]): WireReportChunksRequest {
  return {
    completed_chunks: chunks.map((c) => ({
      chunk_index: c.chunkIndex,
      // Both official wrappers send the ETag unquoted; a quoted raw ETag is normalised here.
      proof: stripEtagQuotes(c.proof),
      proof_type: c.proofType ?? 'etag',
      chunk_size: c.chunkSizeBytes,
    })),
  };
}

export function toWirePresignedUrlsRequest(r: PresignedUrlRange): WirePresignedUrlsRequest {
  return { start: r.start, count: r.count };
}

export function toWireUserMetadataRequest(m: UserMetadataUpdate): WireUserMetadataRequest {
  return { user_metadata: m };
}

/** Query pairs for a paginated GET; defaults are left to the server. */
export function toWirePageQuery(q: PageQuery = {}): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (q.page !== undefined) out.push(['page', String(q.page)]);
  if (q.pageLimit !== undefined) out.push(['page_limit', String(q.pageLimit)]);
  return out;
}

/** A2 query pairs; list filters repeat the key, as the SDK does (5.2). */
export function toWireListAssetsQuery(q: ListAssetsQuery = {}): Array<[string, string]> {
  const out = toWirePageQuery(q);
  for (const id of q.assetIds ?? []) out.push(['asset_ids', id]);
  for (const t of q.assetTypes ?? []) out.push(['asset_types', t]);
  if (q.filename !== undefined) out.push(['filename', q.filename]);
  return out;
}

/**
 * A1 text form fields (5.1), in the order they are sent. The `file` part of a direct upload is
 * added by the multipart encoder. `user_metadata` travels as a JSON string inside the form.
 */
export function toWireCreateAssetFields(r: CreateAssetRequest): Array<[string, string]> {
  const out: Array<[string, string]> = [['method', r.method]];
  if (r.method === 'url') out.push(['url', r.url]);
  if (r.filename !== undefined) out.push(['filename', r.filename]);
  if (r.enableHls !== undefined) out.push(['enable_hls', String(r.enableHls)]);
  if (r.enableThumbnail !== undefined) out.push(['enable_thumbnail', String(r.enableThumbnail)]);
  if (r.userMetadata !== undefined) out.push(['user_metadata', JSON.stringify(r.userMetadata)]);
  return out;
}

/** `"abc"` → `abc`; also tolerates a weak-validator prefix `W/"abc"`. */
export function stripEtagQuotes(etag: string): string {
  const t = etag.trim().replace(/^W\//, '');
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

// ---------------------------------------------------------------------------------------------
// Responses: wire → camelCase

type Json = Record<string, unknown>;

function fail(path: string, problem: string): never {
  throw new InvalidResponseError(`${path} ${problem}`);
}

function obj(v: unknown, path: string): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(path, 'must be an object');
  return v as Json;
}

function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) fail(path, 'must be an array');
  return v;
}

function str(o: Json, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') fail(`${path}.${key}`, 'must be a non-empty string');
  return v;
}

function int(o: Json, key: string, path: string, min: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(`${path}.${key}`, 'must be an integer');
  if (v < min) fail(`${path}.${key}`, `must be ≥ ${min}`);
  return v;
}

function time(o: Json, key: string, path: string): IsoTimestamp {
  const v = o[key];
  const t = typeof v === 'string' ? normalizeTimestamp(v) : undefined;
  if (t === undefined) fail(`${path}.${key}`, 'must be an RFC 3339 timestamp');
  return t;
}

function optStr(o: Json, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

function optNum(o: Json, key: string): number | undefined {
  const v = o[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function optTime(o: Json, key: string): IsoTimestamp | undefined {
  const v = o[key];
  return typeof v === 'string' ? normalizeTimestamp(v) : undefined;
}

/** Sets only the defined values, so optional properties are absent rather than `undefined`. */
function withOptional<T extends object>(base: T, optional: Partial<T>): T {
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) (base as Json)[k] = v;
  return base;
}

export function fromWirePageInfo(v: unknown, path = 'page_info'): PageInfo {
  const o = obj(v, path);
  return {
    limitPerPage: int(o, 'limit_per_page', path, 0),
    page: int(o, 'page', path, 0),
    totalPages: int(o, 'total_page', path, 0),
    totalResults: int(o, 'total_results', path, 0),
  };
}

function fromWirePresignedUrl(v: unknown, path: string): PresignedChunkUrl {
  const o = obj(v, path);
  return { chunkIndex: int(o, 'chunk_index', path, 1), url: str(o, 'url', path), expiresAt: time(o, 'expires_at', path) };
}

function fromWireHeaders(v: unknown): Record<string, string> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val === 'string') out[k] = val;
    else if (typeof val === 'number' || typeof val === 'boolean') out[k] = String(val);
  }
  return out;
}

/** M1 201. Requires every field the upload relies on (client obligation 8.1). */
export function fromWireCreateSessionResponse(v: unknown): MultipartUploadSession {
  const o = obj(v, 'response');
  const totalChunks = int(o, 'total_chunks', 'response', 1);
  const uploadUrls = o.upload_urls === undefined || o.upload_urls === null
    ? []
    : arr(o.upload_urls, 'response.upload_urls').map((u, i) => fromWirePresignedUrl(u, `response.upload_urls[${i}]`));
  uploadUrls.forEach((u, i) => {
    if (u.chunkIndex > totalChunks) fail(`response.upload_urls[${i}].chunk_index`, 'exceeds total_chunks');
  });
  return {
    uploadId: str(o, 'upload_id', 'response'),
    assetId: str(o, 'asset_id', 'response'),
    uploadUrls,
    uploadHeaders: fromWireHeaders(o.upload_headers),
    chunkSizeBytes: int(o, 'chunk_size', 'response', 1),
    totalChunks,
    expiresAt: time(o, 'expires_at', 'response'),
  };
}

function fromWireChunkInfo(v: unknown, path: string): ChunkInfo {
  const o = obj(v, path);
  return withOptional<ChunkInfo>(
    { chunkIndex: int(o, 'index', path, 1), status: str(o, 'status', path) },
    { uploadedAt: optTime(o, 'uploaded_at'), updatedAt: optTime(o, 'updated_at'), error: optStr(o, 'error') },
  );
}

/** M2 200. */
export function fromWireSessionStatusResponse(v: unknown): MultipartUploadStatus {
  const o = obj(v, 'response');
  return withOptional<MultipartUploadStatus>(
    {
      uploadId: str(o, 'upload_id', 'response'),
      status: str(o, 'status', 'response'),
      chunks: arr(o.uploaded_chunks, 'response.uploaded_chunks').map((c, i) =>
        fromWireChunkInfo(c, `response.uploaded_chunks[${i}]`),
      ),
      chunksCompleted: int(o, 'chunks_completed', 'response', 0),
      chunksFailed: int(o, 'chunks_failed', 'response', 0),
      chunksPending: int(o, 'chunks_pending', 'response', 0),
      pageInfo: fromWirePageInfo(o.page_info, 'response.page_info'),
    },
    {
      totalSizeBytes: optNum(o, 'total_size'),
      uploadedSizeBytes: optNum(o, 'uploaded_size'),
      createdAt: optTime(o, 'created_at'),
      updatedAt: optTime(o, 'updated_at'),
    },
  );
}

function fromWireIncompleteUpload(v: unknown, path: string): IncompleteUpload {
  const o = obj(v, path);
  return withOptional<IncompleteUpload>(
    {
      uploadId: str(o, 'upload_id', path),
      status: str(o, 'status', path),
      totalSizeBytes: int(o, 'total_size', path, 0),
      chunkSizeBytes: int(o, 'chunk_size', path, 0),
      totalChunks: int(o, 'total_chunks', path, 0),
    },
    { createdAt: optTime(o, 'created_at'), expiresAt: optTime(o, 'expires_at') },
  );
}

function fromWirePage<T>(v: unknown, item: (v: unknown, path: string) => T): Page<T> {
  const o = obj(v, 'response');
  return {
    items: arr(o.data, 'response.data').map((d, i) => item(d, `response.data[${i}]`)),
    pageInfo: fromWirePageInfo(o.page_info, 'response.page_info'),
  };
}

/** M3 200. */
export function fromWireIncompleteUploadsPage(v: unknown): Page<IncompleteUpload> {
  return fromWirePage(v, fromWireIncompleteUpload);
}

/** M4 200. */
export function fromWireReportChunksResponse(v: unknown): ReportChunksResult {
  const o = obj(v, 'response');
  return withOptional<ReportChunksResult>(
    {
      assetId: str(o, 'asset_id', 'response'),
      processedChunks: int(o, 'processed_chunks', 'response', 0),
      duplicateChunks: int(o, 'duplicate_chunks', 'response', 0),
      totalCompleted: int(o, 'total_completed', 'response', 0),
    },
    { url: optStr(o, 'url') || undefined },
  );
}

/** M5 200. `expected` fills fields the server left out and checks the URLs cover the range. */
export function fromWirePresignedUrlsResponse(v: unknown, expected: PresignedUrlRange & { uploadId: string }): PresignedUrlBatch {
  const o = obj(v, 'response');
  const uploadUrls = arr(o.upload_urls, 'response.upload_urls').map((u, i) =>
    fromWirePresignedUrl(u, `response.upload_urls[${i}]`),
  );
  const end = expected.start + expected.count - 1;
  uploadUrls.forEach((u, i) => {
    if (u.chunkIndex < expected.start || u.chunkIndex > end) {
      fail(`response.upload_urls[${i}].chunk_index`, `is outside the requested range ${expected.start}..${end}`);
    }
  });
  return withOptional<PresignedUrlBatch>(
    {
      uploadId: optStr(o, 'upload_id') || expected.uploadId,
      startIndex: optNum(o, 'start_index') ?? expected.start,
      count: optNum(o, 'count') ?? uploadUrls.length,
      uploadUrls,
    },
    { generatedAt: optTime(o, 'generated_at'), sessionExpiresAt: optTime(o, 'expires_at') },
  );
}

function fromWireUserMetadata(v: unknown): UserMetadata {
  const out: UserMetadata = {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [k, val] of Object.entries(v)) {
    // Only scalars are legal (5.5); anything else is dropped rather than crashing a listing.
    if (typeof val === 'string' || typeof val === 'number' || typeof val === 'boolean') out[k] = val;
  }
  return out;
}

function snakeToCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function camelizeDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelizeDeep);
  if (v === null || typeof v !== 'object') return v;
  const out: Json = {};
  for (const [k, val] of Object.entries(v)) out[snakeToCamel(k)] = camelizeDeep(val);
  return out;
}

function fromWireDerived<K extends string>(v: unknown, urlKey: string, urlName: K): ({ status: DerivedStatus } & Partial<Record<K, string>>) | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Json;
  const status = typeof o.status === 'string' ? o.status : 'pending';
  const url = optStr(o, urlKey);
  return (url !== undefined ? { status, [urlName]: url } : { status }) as { status: DerivedStatus } & Partial<Record<K, string>>;
}

function fromWireAssetFields(o: Json, path: string): Asset {
  return withOptional<Asset>(
    { id: str(o, '_id', path), status: str(o, 'status', path), userMetadata: fromWireUserMetadata(o.user_metadata) },
    {
      method: optStr(o, 'method'),
      filename: optStr(o, 'filename'),
      fileType: optStr(o, 'file_type'),
      createdAt: optTime(o, 'created_at'),
    },
  );
}

/** A1 201 (`Asset`). Any extra AssetDetail fields are read too. */
export function fromWireAsset(v: unknown, path = 'response'): AssetDetail {
  return fromWireAssetDetail(v, path);
}

/** A3 200 / A2 items (`AssetDetail`). */
export function fromWireAssetDetail(v: unknown, path = 'response'): AssetDetail {
  const o = obj(v, path);
  const base: AssetDetail = fromWireAssetFields(o, path);
  const tm = o.technical_metadata;
  const err = o.error;
  return withOptional<AssetDetail>(base, {
    hls: fromWireDerived(o.hls, 'manifest_url', 'manifestUrl'),
    thumbnail: fromWireDerived(o.thumbnail, 'representative_url', 'representativeUrl'),
    technicalMetadata:
      tm !== null && typeof tm === 'object' && !Array.isArray(tm) ? (camelizeDeep(tm) as TechnicalMetadata) : undefined,
    sizeBytes: optNum(o, 'size'),
    durationSeconds: optNum(o, 'duration'),
    error:
      err !== null && typeof err === 'object' && !Array.isArray(err)
        ? { message: optStr(err as Json, 'message') ?? '' }
        : undefined,
  });
}

/** A2 200. */
export function fromWireAssetsPage(v: unknown): Page<AssetDetail> {
  return fromWirePage(v, fromWireAssetDetail);
}

/** 1.4 error body; undefined when the body is not a JSON object with any of the known keys. */
export function fromWireErrorBody(v: unknown): ApiErrorBody | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Json;
  const body = withOptional<ApiErrorBody>({}, {
    code: optStr(o, 'code'),
    message: optStr(o, 'message'),
    docsUrl: optStr(o, 'docs_url'),
  });
  return Object.keys(body).length > 0 ? body : undefined;
}
