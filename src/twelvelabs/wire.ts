// Wire shapes of the TwelveLabs v1.3 upload API, exactly as they travel (snake_case).
// The contract is ../shared/twelvelabs-api.md; the emulator produces these shapes and the
// client parses them. Section numbers below refer to that contract.
// Enum-typed fields are `Known | (string & {})` because the client must keep unknown values (1.3).

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
