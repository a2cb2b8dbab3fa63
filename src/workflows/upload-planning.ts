// Pure decisions of uploadWorkflow: input checks, defaults, which route a source takes, and the
// one-line summaries the Web UI shows. No I/O, no clocks.

import { MAX_DIRECT_BYTES, MAX_MULTIPART_BYTES } from '../twelvelabs/limits';
import { inputProblems as multipartInputProblems } from './planning';
import { formatBytes } from '../domain/bytes';
import { CREATE_TOKEN_KEY } from '../domain/create-token';
import { mediaSizeProblem } from '../domain/media-types';
import type { MediaType } from '../twelvelabs/wire';
import type { UploadInput, UploadRoute, UploadSource, UrlSource } from '../domain/types';

export interface UploadOptions {
  directMaxBytes: number;
  reconcileDelayMs: number;
  waitForReady: boolean;
  readyTimeoutMs: number;
  readyPollIntervalMs: number;
}

export const DEFAULT_UPLOAD_OPTIONS: UploadOptions = {
  directMaxBytes: MAX_DIRECT_BYTES,
  // A request still being processed must have time to show up in the asset list.
  reconcileDelayMs: 10_000,
  waitForReady: true,
  readyTimeoutMs: 2 * 60 * 60_000,
  readyPollIntervalMs: 5_000,
};

/** The asset list is searched from this long before the attempt began (clock skew, whole seconds). */
export const RECONCILE_CLOCK_MARGIN_MS = 5 * 60_000;
/** Create calls per upload; each one after the first follows a reconciliation that found nothing. */
export const MAX_CREATE_ATTEMPTS = 3;

export type CreateStep = { kind: 'adopt' } | { kind: 'create-again' } | { kind: 'give-up'; message: string };

/**
 * After a create whose outcome is unknown and the search for its asset: adopt what was found,
 * else create again, but only MAX_CREATE_ATTEMPTS times in all (a counterpart that never answers
 * must end in a failure a person can act on).
 */
export function afterUnknownOutcome(params: { attempt: number; found: boolean; fileName: string }): CreateStep {
  if (params.found) return { kind: 'adopt' };
  if (params.attempt < MAX_CREATE_ATTEMPTS) return { kind: 'create-again' };
  return {
    kind: 'give-up',
    message:
      `${params.attempt} attempts to create the asset ${params.fileName} ended without a clear answer, and no asset of this ` +
      `upload appeared; check \`tl-upload assets list --filename ${params.fileName}\` before uploading it again`,
  };
}

/** Whether the upload waits for the asset: it was asked to, and the asset is not ready yet. */
export function needsReadinessWait(waitForReady: boolean, status: string): boolean {
  return waitForReady && status !== 'ready';
}

export function uploadInputProblems(input: unknown): string[] {
  if (typeof input !== 'object' || input === null) return ['the input must be an object'];
  const value = input as Partial<UploadInput>;
  const problems: string[] = [];
  const source = value.source as Partial<UploadSource> | undefined;
  if (typeof source !== 'object' || source === null) {
    problems.push('source must be { path } or { url }');
  } else if ('url' in source) {
    if (!isHttpUrl((source as UrlSource).url)) problems.push('source.url must be an http(s) URL');
  } else if (typeof (source as { path?: unknown }).path !== 'string' || (source as { path: string }).path === '') {
    problems.push('source.path must be a non-empty string');
  }
  // The options shared with the multipart route are checked by the same rules.
  const shared = multipartInputProblems({
    source: { path: 'x' },
    filename: value.filename,
    mediaType: value.mediaType,
    userMetadata: value.userMetadata,
    fileTaskQueue: value.fileTaskQueue,
    ...(value.multipart ?? {}),
  }, false);
  problems.push(...shared);
  if (typeof value.userMetadata === 'object' && value.userMetadata !== null && CREATE_TOKEN_KEY in value.userMetadata) {
    problems.push(`userMetadata.${CREATE_TOKEN_KEY} is reserved: uploads use it to find the asset a lost reply had created`);
  }
  const integer = (name: keyof UploadInput, min: number, max: number) => {
    const v = value[name];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)) {
      problems.push(`${name} must be an integer from ${min} to ${max}`);
    }
  };
  integer('directMaxBytes', 1, MAX_DIRECT_BYTES);
  integer('readyTimeoutMs', 1_000, 7 * 24 * 60 * 60_000);
  integer('readyPollIntervalMs', 100, 10 * 60_000);
  integer('reconcileDelayMs', 0, 10 * 60_000);
  if (value.waitForReady !== undefined && typeof value.waitForReady !== 'boolean') problems.push('waitForReady must be a boolean');
  return problems;
}

export function resolveUploadOptions(input: UploadInput): UploadOptions {
  return {
    directMaxBytes: input.directMaxBytes ?? DEFAULT_UPLOAD_OPTIONS.directMaxBytes,
    reconcileDelayMs: input.reconcileDelayMs ?? DEFAULT_UPLOAD_OPTIONS.reconcileDelayMs,
    waitForReady: input.waitForReady ?? DEFAULT_UPLOAD_OPTIONS.waitForReady,
    readyTimeoutMs: input.readyTimeoutMs ?? DEFAULT_UPLOAD_OPTIONS.readyTimeoutMs,
    readyPollIntervalMs: input.readyPollIntervalMs ?? DEFAULT_UPLOAD_OPTIONS.readyPollIntervalMs,
  };
}

export type RouteDecision = { route: UploadRoute } | { refused: string };

/**
 * Which route a local file takes: direct up to `directMaxBytes` (the API's 200 MB direct limit
 * by default), multipart up to 4 GiB, and nothing above (the API takes no larger file). An image
 * goes direct up to 5 MB and never as multipart: the documents allow it video and audio only.
 */
export function chooseFileRoute(sizeBytes: number, directMaxBytes: number, mediaType: MediaType = 'video'): RouteDecision {
  const sizeProblem = mediaSizeProblem(mediaType, sizeBytes);
  if (sizeProblem) return { refused: sizeProblem };
  if (mediaType === 'image') return { route: 'direct' };
  if (sizeBytes > MAX_MULTIPART_BYTES) {
    return {
      refused:
        `the file has ${sizeBytes} bytes; TwelveLabs accepts at most ${MAX_MULTIPART_BYTES} bytes (4 GiB) per upload: ` +
        'split or re-encode it',
    };
  }
  return { route: sizeBytes <= Math.min(directMaxBytes, MAX_DIRECT_BYTES) ? 'direct' : 'multipart' };
}

/** The Web UI's one-line summary of an upload, as it starts. */
export function uploadStartSummary(fileName: string, sizeBytes: number | undefined): string {
  return `Upload ${fileName}${sizeBytes !== undefined ? ` (${formatBytes(sizeBytes)})` : ''} to TwelveLabs`;
}

function isHttpUrl(value: unknown): boolean {
  return typeof value === 'string' && /^https?:\/\/[^\s/?#]+[^\s]*$/i.test(value);
}

