// Limits from the contract (section 6). "MB"/"GB" are binary units, as the API reference
// writes 4 GB as 4 294 967 296.
export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;

/** Largest multipart upload (M1 `total_size`). */
export const MAX_MULTIPART_BYTES = 4 * GIB;
/** Largest local video/audio file for a direct upload (A1 `method=direct`). */
export const MAX_DIRECT_BYTES = 200 * MIB;
/** Largest video/audio file behind a URL (A1 `method=url`). */
export const MAX_URL_BYTES = 4 * GIB;
/** Largest image. */
export const MAX_IMAGE_BYTES = 5 * MIB;
/** At most this many URLs per M5 call, and chunks per M4 report. */
export const MAX_URLS_PER_REQUEST = 50;
export const MAX_CHUNKS_PER_REPORT = 50;
/** Paging (1.5). */
export const DEFAULT_PAGE_LIMIT = 10;
export const MAX_PAGE_LIMIT = 50;
/** Lifetimes (2.1, 2.3). */
export const URL_TTL_MS = 60 * 60 * 1000;
export const SESSION_TTL_MS = 24 * 60 * 60 * 1000;
