import { describe, expect, it } from 'vitest';
import { InvalidResponseError } from '../../src/twelvelabs/errors';
import {
  fromWireAssetDetail,
  fromWireAssetsPage,
  fromWireCreateSessionResponse,
  fromWireErrorBody,
  fromWireIncompleteUploadsPage,
  fromWirePresignedUrlsResponse,
  fromWireReportChunksResponse,
  fromWireSessionStatusResponse,
  stripEtagQuotes,
  toWireCreateAssetFields,
  toWireCreateSessionRequest,
  toWireListAssetsQuery,
  toWireReportChunksRequest,
  type WireCreateSessionResponse,
} from '../../src/twelvelabs/wire';

const SESSION: WireCreateSessionResponse = {
  upload_id: '65a1f0c2e4b0a1b2c3d4e5f6',
  asset_id: '65a1f0c2e4b0a1b2c3d4e5f7',
  upload_urls: [
    { chunk_index: 1, url: 'http://127.0.0.1:9100/tl-uploads/x/1?X-Amz-Signature=abc', expires_at: '2026-01-15T10:00:00Z' },
    { chunk_index: 2, url: 'http://127.0.0.1:9100/tl-uploads/x/2?X-Amz-Signature=def', expires_at: '2026-01-15T10:00:00.5+00:00' },
  ],
  upload_headers: { 'Content-Type': 'application/octet-stream' },
  chunk_size: 5242880,
  total_chunks: 20,
  expires_at: '2026-01-16T09:00:00Z',
};

function invalid(fn: () => unknown): InvalidResponseError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidResponseError);
    return e as InvalidResponseError;
  }
  throw new Error('expected InvalidResponseError');
}

describe('M1 response mapping', () => {
  it('maps the documented example to camelCase with normalised timestamps', () => {
    expect(fromWireCreateSessionResponse(SESSION)).toEqual({
      uploadId: '65a1f0c2e4b0a1b2c3d4e5f6',
      assetId: '65a1f0c2e4b0a1b2c3d4e5f7',
      uploadUrls: [
        { chunkIndex: 1, url: SESSION.upload_urls[0]!.url, expiresAt: '2026-01-15T10:00:00.000Z' },
        { chunkIndex: 2, url: SESSION.upload_urls[1]!.url, expiresAt: '2026-01-15T10:00:00.500Z' },
      ],
      uploadHeaders: { 'Content-Type': 'application/octet-stream' },
      chunkSizeBytes: 5242880,
      totalChunks: 20,
      expiresAt: '2026-01-16T09:00:00.000Z',
    });
  });

  it('rejects a response missing what the upload relies on, naming the field', () => {
    for (const field of ['upload_id', 'asset_id', 'chunk_size', 'total_chunks', 'expires_at'] as const) {
      const { [field]: _dropped, ...rest } = SESSION;
      expect(invalid(() => fromWireCreateSessionResponse(rest)).detail).toContain(`response.${field}`);
    }
    expect(invalid(() => fromWireCreateSessionResponse({ ...SESSION, chunk_size: 0 })).detail).toContain('chunk_size');
    expect(invalid(() => fromWireCreateSessionResponse({ ...SESSION, total_chunks: 2.5 })).detail).toContain('total_chunks');
    expect(invalid(() => fromWireCreateSessionResponse({ ...SESSION, expires_at: 'tomorrow' })).detail).toContain('expires_at');
    expect(invalid(() => fromWireCreateSessionResponse(null)).detail).toContain('response');
  });

  it('validates each initial URL but never echoes the URL itself', () => {
    const e = invalid(() =>
      fromWireCreateSessionResponse({ ...SESSION, upload_urls: [{ chunk_index: 1, url: SESSION.upload_urls[0]!.url }] }),
    );
    expect(e.detail).toBe('response.upload_urls[0].expires_at must be an RFC 3339 timestamp');
    expect(e.message).not.toContain('X-Amz-Signature');
    expect(invalid(() => fromWireCreateSessionResponse({ ...SESSION, upload_urls: [{ ...SESSION.upload_urls[0]!, chunk_index: 21 }] })).detail).toContain(
      'exceeds total_chunks',
    );
  });

  it('tolerates absent URLs and headers and ignores unknown keys', () => {
    const { upload_urls: _u, upload_headers: _h, ...rest } = SESSION;
    const s = fromWireCreateSessionResponse({ ...rest, brand_new_field: { x: 1 } });
    expect(s.uploadUrls).toEqual([]);
    expect(s.uploadHeaders).toEqual({});
    expect(s).not.toHaveProperty('brandNewField');
  });
});

describe('M2 response mapping', () => {
  const status = {
    upload_id: 'u1',
    status: 'active',
    uploaded_chunks: [
      { index: 1, status: 'completed', uploaded_at: '2026-01-15T09:02:10Z', updated_at: '2026-01-15T09:02:10Z' },
      { index: 2, status: 'failed', uploaded_at: null, updated_at: '2026-01-15T09:02:11Z', error: 'proof mismatch' },
      { index: 3, status: 'quarantined', uploaded_at: null, updated_at: '2026-01-15T09:00:00Z' },
    ],
    chunks_completed: 1,
    chunks_failed: 1,
    chunks_pending: 18,
    page_info: { limit_per_page: 3, page: 1, total_page: 7, total_results: 20 },
    total_size: 104857600,
    uploaded_size: 5242880,
    created_at: '2026-01-15T09:00:00Z',
    updated_at: '2026-01-15T09:02:11Z',
  };

  it('maps chunk entries to chunkIndex, keeps unknown statuses and leaves null timestamps out', () => {
    const s = fromWireSessionStatusResponse(status);
    expect(s.chunks).toEqual([
      { chunkIndex: 1, status: 'completed', uploadedAt: '2026-01-15T09:02:10.000Z', updatedAt: '2026-01-15T09:02:10.000Z' },
      { chunkIndex: 2, status: 'failed', updatedAt: '2026-01-15T09:02:11.000Z', error: 'proof mismatch' },
      { chunkIndex: 3, status: 'quarantined', updatedAt: '2026-01-15T09:00:00.000Z' },
    ]);
    expect(s.chunks[1]).not.toHaveProperty('uploadedAt');
    expect(s.pageInfo).toEqual({ limitPerPage: 3, page: 1, totalPages: 7, totalResults: 20 });
    expect(s).toMatchObject({ chunksCompleted: 1, chunksFailed: 1, chunksPending: 18, totalSizeBytes: 104857600, uploadedSizeBytes: 5242880 });
  });

  it('keeps an unknown session status', () => {
    expect(fromWireSessionStatusResponse({ ...status, status: 'paused' }).status).toBe('paused');
  });

  it('requires the counters and page_info it is iterated by', () => {
    expect(invalid(() => fromWireSessionStatusResponse({ ...status, chunks_failed: undefined })).detail).toContain('chunks_failed');
    expect(invalid(() => fromWireSessionStatusResponse({ ...status, page_info: undefined })).detail).toContain('page_info');
  });

  it('produces plain JSON that survives a round trip', () => {
    const s = fromWireSessionStatusResponse(status);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});

describe('M3, M4, M5 mapping', () => {
  it('maps incomplete uploads', () => {
    const page = fromWireIncompleteUploadsPage({
      data: [{ upload_id: 'u', status: 'active', total_size: 10, chunk_size: 5, total_chunks: 2, created_at: null }],
      page_info: { limit_per_page: 10, page: 1, total_page: 1, total_results: 1 },
    });
    expect(page.items).toEqual([{ uploadId: 'u', status: 'active', totalSizeBytes: 10, chunkSizeBytes: 5, totalChunks: 2 }]);
    expect(invalid(() => fromWireIncompleteUploadsPage({ data: [] })).detail).toContain('page_info');
  });

  it('maps a completing report including url, and a partial one without', () => {
    expect(fromWireReportChunksResponse({ url: 'http://x/y', asset_id: 'a', processed_chunks: 4, duplicate_chunks: 1, total_completed: 20 })).toEqual({
      url: 'http://x/y',
      assetId: 'a',
      processedChunks: 4,
      duplicateChunks: 1,
      totalCompleted: 20,
    });
    expect(fromWireReportChunksResponse({ asset_id: 'a', processed_chunks: 2, duplicate_chunks: 0, total_completed: 2 })).not.toHaveProperty('url');
  });

  it('maps minted URLs and names the top-level expiry as the session expiry', () => {
    const batch = fromWirePresignedUrlsResponse(
      {
        upload_id: 'u',
        start_index: 11,
        count: 1,
        upload_urls: [{ chunk_index: 11, url: 'http://s/11?sig', expires_at: '2026-01-15T10:30:00Z' }],
        generated_at: '2026-01-15T09:30:00Z',
        expires_at: '2026-01-16T09:00:00Z',
      },
      { uploadId: 'u', start: 11, count: 1 },
    );
    expect(batch).toEqual({
      uploadId: 'u',
      startIndex: 11,
      count: 1,
      uploadUrls: [{ chunkIndex: 11, url: 'http://s/11?sig', expiresAt: '2026-01-15T10:30:00.000Z' }],
      generatedAt: '2026-01-15T09:30:00.000Z',
      sessionExpiresAt: '2026-01-16T09:00:00.000Z',
    });
  });

  it('rejects minted URLs outside the requested range', () => {
    expect(
      invalid(() =>
        fromWirePresignedUrlsResponse(
          { upload_urls: [{ chunk_index: 3, url: 'http://s/3', expires_at: '2026-01-15T10:30:00Z' }] },
          { uploadId: 'u', start: 1, count: 2 },
        ),
      ).detail,
    ).toContain('outside the requested range 1..2');
  });
});

describe('asset mapping', () => {
  it('maps _id to id, keeps user metadata keys verbatim and camel-cases technical metadata', () => {
    const a = fromWireAssetDetail({
      _id: '65a1f0c2e4b0a1b2c3d4e5f7',
      method: 'multipart',
      status: 'ready',
      filename: 'keynote-2026.mp4',
      file_type: 'video/mp4',
      created_at: '2026-01-15T09:00:00Z',
      size: 104857600,
      duration: 12.5,
      hls: { status: 'ready', manifest_url: 'http://h/manifest.m3u8' },
      thumbnail: { status: 'pending' },
      technical_metadata: { file_size_bytes: 104857600, file_mime_type: 'video/mp4', video_streams: [{ avg_fps: 30 }] },
      user_metadata: { event_name: 'keynote', year: 2026, live: true, nested: { no: 1 } },
    });
    expect(a).toEqual({
      id: '65a1f0c2e4b0a1b2c3d4e5f7',
      method: 'multipart',
      status: 'ready',
      filename: 'keynote-2026.mp4',
      fileType: 'video/mp4',
      createdAt: '2026-01-15T09:00:00.000Z',
      sizeBytes: 104857600,
      durationSeconds: 12.5,
      hls: { status: 'ready', manifestUrl: 'http://h/manifest.m3u8' },
      thumbnail: { status: 'pending' },
      technicalMetadata: { fileSizeBytes: 104857600, fileMimeType: 'video/mp4', videoStreams: [{ avgFps: 30 }] },
      userMetadata: { event_name: 'keynote', year: 2026, live: true },
    });
  });

  it('keeps unknown enum values and gives {} metadata when the key is absent', () => {
    const a = fromWireAssetDetail({ _id: 'a', method: 'teleport', status: 'waiting', filename: 'f', file_type: 'x', created_at: '2026-01-15T09:00:00Z' });
    expect(a.method).toBe('teleport');
    expect(a.status).toBe('waiting');
    expect(a.userMetadata).toEqual({});
  });

  it('surfaces a failed asset error message', () => {
    expect(fromWireAssetDetail({ _id: 'a', status: 'failed', error: { message: 'unsupported codec' } }).error).toEqual({ message: 'unsupported codec' });
  });

  it('requires _id and status', () => {
    expect(invalid(() => fromWireAssetDetail({ status: 'ready' })).detail).toContain('_id');
    expect(invalid(() => fromWireAssetsPage({ data: [{ _id: 'a' }], page_info: { limit_per_page: 1, page: 1, total_page: 1, total_results: 1 } })).detail).toContain(
      'response.data[0].status',
    );
  });
});

describe('requests to wire', () => {
  it('maps M1 without inventing optional fields', () => {
    expect(toWireCreateSessionRequest({ filename: 'a.mp4', type: 'video', totalSizeBytes: 10 })).toEqual({ filename: 'a.mp4', type: 'video', total_size: 10 });
    expect(toWireCreateSessionRequest({ filename: 'a.mp4', type: 'audio', totalSizeBytes: 10, enableHls: true, enableThumbnail: false, userMetadata: { k: 1 } })).toEqual({
      filename: 'a.mp4',
      type: 'audio',
      total_size: 10,
      enable_hls: true,
      enable_thumbnail: false,
      user_metadata: { k: 1 },
    });
  });

  it('reports chunks with proof_type etag and unquoted proofs', () => {
    expect(toWireReportChunksRequest([{ chunkIndex: 3, proof: '"9e10"', chunkSizeBytes: 5 }])).toEqual({
      completed_chunks: [{ chunk_index: 3, proof: '9e10', proof_type: 'etag', chunk_size: 5 }],
    });
  });

  it('repeats list filter keys like the SDK', () => {
    expect(toWireListAssetsQuery({ page: 2, pageLimit: 5, assetIds: ['a', 'b'], assetTypes: ['video', 'audio'], filename: 'x' })).toEqual([
      ['page', '2'],
      ['page_limit', '5'],
      ['asset_ids', 'a'],
      ['asset_ids', 'b'],
      ['asset_types', 'video'],
      ['asset_types', 'audio'],
      ['filename', 'x'],
    ]);
  });

  it('sends A1 user_metadata as a JSON string field', () => {
    expect(toWireCreateAssetFields({ method: 'url', url: 'http://x/v.mp4', enableHls: true, userMetadata: { a: 1 } })).toEqual([
      ['method', 'url'],
      ['url', 'http://x/v.mp4'],
      ['enable_hls', 'true'],
      ['user_metadata', '{"a":1}'],
    ]);
  });

  it('strips ETag quotes', () => {
    expect(stripEtagQuotes('"abc"')).toBe('abc');
    expect(stripEtagQuotes('W/"abc"')).toBe('abc');
    expect(stripEtagQuotes('abc')).toBe('abc');
  });
});

describe('error bodies', () => {
  it('maps the flat body and recognises non-bodies', () => {
    expect(fromWireErrorBody({ code: 'parameter_invalid', message: 'm', docs_url: 'https://d' })).toEqual({ code: 'parameter_invalid', message: 'm', docsUrl: 'https://d' });
    expect(fromWireErrorBody({ error: { code: 'x' } })).toBeUndefined();
    expect(fromWireErrorBody('oops')).toBeUndefined();
  });
});
