// The names of our own metrics, in one place. Plain constants with no imports, so the
// deterministic workflow bundle can use them too. The Prometheus exporter adds `_total` to
// counters (countersTotalSuffix), so `tl_upload_bytes_uploaded` is scraped as
// `tl_upload_bytes_uploaded_total`.

export const UploadMetric = {
  /** Bytes of chunks the store accepted (ETag checked). Failed attempts do not count. */
  bytesUploaded: 'tl_upload_bytes_uploaded',
  /** Chunks the store accepted. */
  chunksUploaded: 'tl_upload_chunks_uploaded',
  /** Failed chunk attempts that send the chunk again, by `reason` (see chunkRetryReason). */
  chunkRetries: 'tl_upload_chunk_retries',
  /** Presigned URLs minted after a session's initial set (batches and per-attempt mints). */
  urlRefreshes: 'tl_upload_url_refreshes',
  /** Sessions replaced because TwelveLabs lost, expired or failed the previous one. */
  sessionRestarts: 'tl_upload_session_restarts',
  /** Uploads that ended, by `outcome`: completed, failed or cancelled. */
  uploadsFinished: 'tl_uploads_finished',
  /** Wall time from the workflow's start to the API's `completed`, across continue-as-new. */
  uploadDurationSeconds: 'tl_upload_duration_seconds',
} as const;

/** Buckets for uploadDurationSeconds: seconds to hours (a 4 GiB file on a slow link). */
export const UPLOAD_DURATION_BUCKETS_SECONDS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 43200, 86400];
