// Typed client for the TwelveLabs v1.3 upload API: multipart sessions (M1–M5) and assets (A1–A7),
// contract sections 3 and 5. One method per endpoint, camelCase in and out (mapping in wire.ts),
// typed failures (errors.ts). The presigned chunk PUT lives in chunk-put.ts.
//
// The client NEVER retries. Its callers are Temporal activities whose retry policy (and the
// workflow's view of what already happened) decide; a hidden retry would double-count attempts
// and, for M1 and A1, could create duplicate sessions or assets (contract 8.2). Each error says
// whether a retry is sensible (`retryable`), whether the request may have taken effect
// (`ambiguous`) and whether both together make it safe (`safeToRetry`).

import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Dispatcher } from 'undici';
import { CallFailures } from './api-failure';
import { buildApiRequest, type ApiRequest, type CallSpec } from './api-request';
import { isSuccessStatus, readSuccess } from './api-response';
import { getSharedDispatcher } from './dispatcher';
import { InvalidRequestError } from './errors';
import { MAX_CHUNKS_PER_REPORT, MAX_DIRECT_BYTES, MAX_MULTIPART_BYTES, MAX_PAGE_LIMIT, MAX_URLS_PER_REQUEST } from './limits';
import { encodeMultipartForm, guessContentType } from './multipart-form';
import { iteratePages } from './paging';
import { deadline } from './transport';
import {
  API_PREFIX,
  fromWireAsset,
  fromWireAssetDetail,
  fromWireAssetsPage,
  fromWireCreateSessionResponse,
  fromWireIncompleteUploadsPage,
  fromWirePresignedUrlsResponse,
  fromWireReportChunksResponse,
  fromWireSessionStatusResponse,
  toWireCreateAssetFields,
  toWireCreateSessionRequest,
  toWireListAssetsQuery,
  toWirePageQuery,
  toWirePresignedUrlsRequest,
  toWireReportChunksRequest,
  toWireUserMetadataRequest,
  type AssetDetail,
  type CompletedChunkReport,
  type CreateAssetRequest,
  type CreateMultipartUploadRequest,
  type IncompleteUpload,
  type ListAssetsQuery,
  type MultipartUploadSession,
  type MultipartUploadStatus,
  type Page,
  type PageQuery,
  type PresignedUrlBatch,
  type PresignedUrlRange,
  type ReportChunksResult,
  type UserMetadataUpdate,
} from './wire';

/** Production base URL (contract 1.1). Always configured explicitly; never assumed. */
export const TWELVELABS_PRODUCTION_BASE_URL = `https://api.twelvelabs.io${API_PREFIX}`;

export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
export const DEFAULT_UPLOAD_TIMEOUT_MS = 30 * 60_000;
export const DEFAULT_USER_AGENT = `twelvelabs-temporal-uploads/0.1.0 node/${process.versions.node}`;

export interface TwelveLabsClientOptions {
  /** API base including the version prefix, e.g. `http://127.0.0.1:9100/v1.3`. Required. */
  baseUrl: string;
  /** Sent as `x-api-key` on API calls only; never on chunk PUTs, never in errors or logs. */
  apiKey: string;
  /** Default: the process-wide shared keep-alive Agent (dispatcher.ts). */
  dispatcher?: Dispatcher;
  /** End-to-end limit per API call. Default 60 s. A call can override it with `timeoutMs`. */
  requestTimeoutMs?: number;
  /** End-to-end limit for a direct file upload (A1 `direct`). Default 30 min. */
  uploadTimeoutMs?: number;
  /** Default `twelvelabs-temporal-uploads/<version> node/<version>`. */
  userAgent?: string;
}

/** Per-call options accepted by every method. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Overrides the client's `requestTimeoutMs` (or `uploadTimeoutMs`) for this call. */
  timeoutMs?: number;
  /** A1 `direct` only: called as the file's bytes are streamed out (total file bytes sent so far). */
  onUploadProgress?: (bytesSent: number) => void;
}

export interface ChunkStatusIterationOptions extends CallOptions {
  /** Chunk entries per page, 1..50. Default 50 (fewest requests). */
  pageLimit?: number;
}

export interface DeleteAssetOptions extends CallOptions {
  /** Delete even when indexed assets reference it (otherwise 409). Default false. */
  force?: boolean;
}

export class TwelveLabsClient {
  readonly baseUrl: string;
  readonly requestTimeoutMs: number;
  readonly uploadTimeoutMs: number;
  readonly userAgent: string;
  readonly #apiKey: string;
  readonly #dispatcher: Dispatcher | undefined;
  readonly #origin: string;
  readonly #basePath: string;

  constructor(options: TwelveLabsClientOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new InvalidRequestError('TwelveLabsClient', 'baseUrl', 'not an absolute URL');
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new InvalidRequestError('TwelveLabsClient', 'baseUrl', 'must be http or https');
    }
    if (typeof options.apiKey !== 'string' || options.apiKey === '') {
      throw new InvalidRequestError('TwelveLabsClient', 'apiKey', 'must be a non-empty string');
    }
    this.#origin = base.origin;
    this.#basePath = base.pathname.replace(/\/+$/, '');
    this.baseUrl = `${this.#origin}${this.#basePath}`;
    this.#apiKey = options.apiKey;
    this.#dispatcher = options.dispatcher;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.uploadTimeoutMs = options.uploadTimeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS;
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  }

  /** Keeps the key out of `console.log(client)` and `util.inspect`. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `TwelveLabsClient { baseUrl: '${this.baseUrl}' }`;
  }

  toJSON(): Record<string, unknown> {
    return { baseUrl: this.baseUrl, requestTimeoutMs: this.requestTimeoutMs, uploadTimeoutMs: this.uploadTimeoutMs };
  }

  // -------------------------------------------------------------------------------------------
  // Multipart sessions

  /**
   * M1. Creates a session and reserves its asset. NOT idempotent: never retry a failure whose
   * `ambiguous` is true without reconciling first (contract 8.2); `safeToRetry` encodes this.
   */
  async createMultipartUpload(request: CreateMultipartUploadRequest, options: CallOptions = {}): Promise<MultipartUploadSession> {
    const op = 'createMultipartUpload';
    if (typeof request.filename !== 'string' || request.filename.length < 1 || request.filename.length > 255) {
      throw new InvalidRequestError(op, 'filename', 'must be 1–255 characters');
    }
    if (!['video', 'audio', 'image'].includes(request.type)) {
      throw new InvalidRequestError(op, 'type', 'must be video, audio or image');
    }
    requireInt(op, 'totalSizeBytes', request.totalSizeBytes, 1, MAX_MULTIPART_BYTES);
    return this.#call(
      {
        operation: op,
        method: 'POST',
        path: '/assets/multipart-uploads',
        json: toWireCreateSessionRequest(request),
        idempotent: false,
        parse: fromWireCreateSessionResponse,
      },
      options,
    );
  }

  /** M2. One page of chunk entries plus whole-session counters. Works in every session state. */
  async getMultipartUploadStatus(
    uploadId: string,
    options: PageQuery & CallOptions = {},
  ): Promise<MultipartUploadStatus> {
    const op = 'getMultipartUploadStatus';
    return this.#call(
      {
        operation: op,
        method: 'GET',
        path: `/assets/multipart-uploads/${encodeId(op, 'uploadId', uploadId)}`,
        query: toWirePageQuery(validPageQuery(op, options)),
        idempotent: true,
        parse: fromWireSessionStatusResponse,
      },
      options,
    );
  }

  /**
   * M2, every page: yields each non-empty page of chunk statuses in order, ending on an empty
   * page or once `page ≥ totalPages`. Each yielded page carries the session counters as of its
   * own request.
   */
  iterateChunkStatuses(uploadId: string, options: ChunkStatusIterationOptions = {}): AsyncGenerator<MultipartUploadStatus, void, undefined> {
    const { pageLimit = MAX_PAGE_LIMIT, ...call } = options;
    return iteratePages(
      (page) => this.getMultipartUploadStatus(uploadId, { ...call, page, pageLimit }),
      (p) => ({ itemCount: p.chunks.length, totalPages: p.pageInfo.totalPages }),
    );
  }

  /** M3, one page. Only `active` sessions of this key; no filename and no asset id (3.3). */
  async listIncompleteUploads(options: PageQuery & CallOptions = {}): Promise<Page<IncompleteUpload>> {
    const op = 'listIncompleteUploads';
    return this.#call(
      {
        operation: op,
        method: 'GET',
        path: '/assets/multipart-uploads',
        query: toWirePageQuery(validPageQuery(op, options)),
        idempotent: true,
        parse: fromWireIncompleteUploadsPage,
      },
      options,
    );
  }

  /** M3, every page: yields each incomplete upload. */
  async *iterateIncompleteUploads(options: { pageLimit?: number } & CallOptions = {}): AsyncGenerator<IncompleteUpload, void, undefined> {
    const { pageLimit = MAX_PAGE_LIMIT, ...call } = options;
    const pages = iteratePages(
      (page) => this.listIncompleteUploads({ ...call, page, pageLimit }),
      (p) => ({ itemCount: p.items.length, totalPages: p.pageInfo.totalPages }),
    );
    for await (const page of pages) yield* page.items;
  }

  /**
   * M4. Reports up to 50 uploaded chunks, in any order. Idempotent: re-reported chunks count as
   * duplicates. If `processedChunks + duplicateChunks < chunks.length`, some were rejected:
   * read M2 for the failed ones.
   */
  async reportChunks(uploadId: string, chunks: readonly CompletedChunkReport[], options: CallOptions = {}): Promise<ReportChunksResult> {
    const op = 'reportChunks';
    if (!Array.isArray(chunks) || chunks.length < 1 || chunks.length > MAX_CHUNKS_PER_REPORT) {
      throw new InvalidRequestError(op, 'chunks', `must hold 1–${MAX_CHUNKS_PER_REPORT} entries`);
    }
    chunks.forEach((c, i) => {
      requireInt(op, `chunks[${i}].chunkIndex`, c.chunkIndex, 1);
      requireInt(op, `chunks[${i}].chunkSizeBytes`, c.chunkSizeBytes, 1);
      if (typeof c.proof !== 'string' || c.proof.trim() === '') {
        throw new InvalidRequestError(op, `chunks[${i}].proof`, 'must be the non-empty ETag of the chunk PUT');
      }
    });
    return this.#call(
      {
        operation: op,
        method: 'POST',
        path: `/assets/multipart-uploads/${encodeId(op, 'uploadId', uploadId)}`,
        json: toWireReportChunksRequest(chunks),
        idempotent: true,
        parse: fromWireReportChunksResponse,
      },
      options,
    );
  }

  /** M5. Mints URLs for chunks `start .. start+count−1` (count 1..50), each valid for 1 h. */
  async requestPresignedUrls(uploadId: string, range: PresignedUrlRange, options: CallOptions = {}): Promise<PresignedUrlBatch> {
    const op = 'requestPresignedUrls';
    requireInt(op, 'start', range.start, 1);
    requireInt(op, 'count', range.count, 1, MAX_URLS_PER_REQUEST);
    const encoded = encodeId(op, 'uploadId', uploadId);
    return this.#call(
      {
        operation: op,
        method: 'POST',
        path: `/assets/multipart-uploads/${encoded}/presigned-urls`,
        json: toWirePresignedUrlsRequest(range),
        idempotent: true,
        parse: (json) => fromWirePresignedUrlsResponse(json, { ...range, uploadId }),
      },
      options,
    );
  }

  // -------------------------------------------------------------------------------------------
  // Assets

  /**
   * A1. Creates an asset from a local file (`method: 'direct'`, streamed from disk as
   * multipart/form-data with a known Content-Length, default timeout `uploadTimeoutMs`) or from a
   * URL (`method: 'url'`). NOT idempotent: each call creates an asset.
   */
  async createAsset(request: CreateAssetRequest, options: CallOptions = {}): Promise<AssetDetail> {
    const op = 'createAsset';
    if (request.filename !== undefined && (request.filename.length < 1 || request.filename.length > 255)) {
      throw new InvalidRequestError(op, 'filename', 'must be 1–255 characters');
    }
    // A name that the part header can only carry percent-escaped ("%22" for a quote) is also sent
    // as the `filename` field: servers differ in whether they decode those escapes.
    const partFilename = request.method === 'direct' ? (request.filename ?? basename(request.filePath)) : undefined;
    const fields = toWireCreateAssetFields(
      request.filename === undefined && partFilename !== undefined && /["\r\n]/.test(partFilename)
        ? { ...request, filename: partFilename }
        : request,
    );
    const spec = { operation: op, method: 'POST', path: '/assets', idempotent: false, parse: fromWireAsset } as const;
    if (request.method === 'url') {
      if (typeof request.url !== 'string' || request.url === '') throw new InvalidRequestError(op, 'url', 'must be a non-empty string');
      return this.#call({ ...spec, form: encodeMultipartForm(fields) }, options);
    }
    if (request.method !== 'direct') throw new InvalidRequestError(op, 'method', "must be 'direct' or 'url' (use createMultipartUpload for parts)");
    const contentType = request.contentType ?? guessContentType(request.filename ?? request.filePath);
    if (/[\r\n]/.test(contentType)) throw new InvalidRequestError(op, 'contentType', 'must not contain line breaks');

    let handle: FileHandle;
    try {
      handle = request.handle ?? (await open(request.filePath, 'r'));
    } catch (err) {
      throw fileProblem(op, err);
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new InvalidRequestError(op, 'filePath', 'is not a regular file');
      if (stat.size === 0) throw new InvalidRequestError(op, 'filePath', 'is an empty file');
      if (stat.size > MAX_DIRECT_BYTES) {
        throw new InvalidRequestError(op, 'filePath', `is ${stat.size} bytes; direct uploads take at most ${MAX_DIRECT_BYTES} (use a multipart upload)`);
      }
      const form = encodeMultipartForm(fields, {
        name: 'file',
        filename: partFilename ?? basename(request.filePath),
        contentType,
        handle,
        sizeBytes: stat.size,
        ...(options.onUploadProgress ? { onProgress: options.onUploadProgress } : {}),
      });
      return await this.#call({ ...spec, form, defaultTimeoutMs: this.uploadTimeoutMs }, options);
    } finally {
      if (!request.handle) await handle.close().catch(() => {});
    }
  }

  /** A2, one page. Newest first. */
  async listAssets(query: ListAssetsQuery & CallOptions = {}): Promise<Page<AssetDetail>> {
    const op = 'listAssets';
    validPageQuery(op, query);
    return this.#call(
      { operation: op, method: 'GET', path: '/assets', query: toWireListAssetsQuery(query), idempotent: true, parse: fromWireAssetsPage },
      query,
    );
  }

  /** A2, every page: yields each matching asset. */
  async *iterateAssets(query: Omit<ListAssetsQuery, 'page'> & CallOptions = {}): AsyncGenerator<AssetDetail, void, undefined> {
    const { pageLimit = MAX_PAGE_LIMIT, ...rest } = query;
    const pages = iteratePages(
      (page) => this.listAssets({ ...rest, page, pageLimit }),
      (p) => ({ itemCount: p.items.length, totalPages: p.pageInfo.totalPages }),
    );
    for await (const page of pages) yield* page.items;
  }

  /** A3. */
  async getAsset(assetId: string, options: CallOptions = {}): Promise<AssetDetail> {
    const op = 'getAsset';
    return this.#call(
      { operation: op, method: 'GET', path: `/assets/${encodeId(op, 'assetId', assetId)}`, idempotent: true, parse: fromWireAssetDetail },
      options,
    );
  }

  /** A4. 409 when referenced and not `force`; a repeated delete gets 404. */
  async deleteAsset(assetId: string, options: DeleteAssetOptions = {}): Promise<void> {
    const op = 'deleteAsset';
    await this.#call(
      {
        operation: op,
        method: 'DELETE',
        path: `/assets/${encodeId(op, 'assetId', assetId)}`,
        query: options.force !== undefined ? [['force', String(options.force)]] : [],
        idempotent: true,
      },
      options,
    );
  }

  /** A5 (PATCH, merge): a value sets the key, `null` deletes it, `""` leaves it unchanged. */
  async updateUserMetadata(assetId: string, metadata: UserMetadataUpdate, options: CallOptions = {}): Promise<void> {
    await this.#metadataCall('updateUserMetadata', 'PATCH', assetId, metadata, options);
  }

  /** A6 (PUT, replace): the result is exactly the given keys, minus `null`/`""` values. */
  async replaceUserMetadata(assetId: string, metadata: UserMetadataUpdate, options: CallOptions = {}): Promise<void> {
    await this.#metadataCall('replaceUserMetadata', 'PUT', assetId, metadata, options);
  }

  /** A7: removes every key. */
  async deleteUserMetadata(assetId: string, options: CallOptions = {}): Promise<void> {
    const op = 'deleteUserMetadata';
    await this.#call(
      { operation: op, method: 'DELETE', path: `/assets/${encodeId(op, 'assetId', assetId)}/user-metadata`, idempotent: true },
      options,
    );
  }

  async #metadataCall(op: string, method: 'PATCH' | 'PUT', assetId: string, metadata: UserMetadataUpdate, options: CallOptions): Promise<void> {
    if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
      throw new InvalidRequestError(op, 'metadata', 'must be an object');
    }
    for (const [k, v] of Object.entries(metadata)) {
      if (v !== null && !['string', 'number', 'boolean'].includes(typeof v)) {
        throw new InvalidRequestError(op, `metadata.${k}`, 'must be a string, number, boolean or null (stringify nested values)');
      }
    }
    await this.#call(
      {
        operation: op,
        method,
        path: `/assets/${encodeId(op, 'assetId', assetId)}/user-metadata`,
        json: toWireUserMetadataRequest(metadata),
        idempotent: true,
      },
      options,
    );
  }

  // -------------------------------------------------------------------------------------------
  // Transport

  async #call<T>(spec: CallSpec<T>, options: CallOptions): Promise<T> {
    const request = buildApiRequest(spec, { apiKey: this.#apiKey, userAgent: this.userAgent });
    const failures = new CallFailures(spec, request.displayPath, [this.#apiKey]);
    if (options.signal?.aborted) throw failures.of('aborted', false);
    const dl = deadline(options.signal, options.timeoutMs ?? spec.defaultTimeoutMs ?? this.requestTimeoutMs);
    const brokeOff = (responseStarted: boolean) => (err: unknown) =>
      failures.transport(err, { timedOut: dl.timedOut(), aborted: options.signal?.aborted === true, responseStarted });
    try {
      const res = await this.#send(request, spec.method, dl.signal).catch((err: unknown) => {
        throw brokeOff(false)(err);
      });
      // A 2xx whose body breaks off: the call took effect, only the answer was lost.
      if (isSuccessStatus(res.statusCode)) return await readSuccess(res, spec, brokeOff(true));
      throw await failures.status(res);
    } finally {
      dl.dispose();
    }
  }

  #send(request: ApiRequest, method: CallSpec<unknown>['method'], signal: AbortSignal | undefined): Promise<Dispatcher.ResponseData> {
    return (this.#dispatcher ?? getSharedDispatcher()).request({
      origin: this.#origin,
      path: `${this.#basePath}${request.displayPath}`,
      method,
      headers: request.headers,
      body: request.body,
      ...(signal ? { signal } : {}),
    });
  }
}

function encodeId(operation: string, name: string, id: string): string {
  if (typeof id !== 'string' || id === '') throw new InvalidRequestError(operation, name, 'must be a non-empty string');
  return encodeURIComponent(id);
}

function requireInt(operation: string, name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidRequestError(operation, name, `must be an integer in ${min}..${max === Number.MAX_SAFE_INTEGER ? '∞' : max}`);
  }
}

function validPageQuery(operation: string, q: PageQuery): PageQuery {
  if (q.page !== undefined) requireInt(operation, 'page', q.page, 1);
  if (q.pageLimit !== undefined) requireInt(operation, 'pageLimit', q.pageLimit, 1, MAX_PAGE_LIMIT);
  return { ...(q.page !== undefined ? { page: q.page } : {}), ...(q.pageLimit !== undefined ? { pageLimit: q.pageLimit } : {}) };
}

function fileProblem(operation: string, err: unknown): InvalidRequestError {
  const code = (err as { code?: unknown } | null)?.code;
  const problem =
    code === 'ENOENT' ? 'file not found' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : `cannot be opened (${String(code ?? err)})`;
  return new InvalidRequestError(operation, 'filePath', problem);
}
