// The activities of the upload workflows, built by a factory so that the worker (and tests)
// hand in a client pointed at the real API or the emulator. Every activity's errors leave
// through failures.ts, which decides what Temporal retries.

import type { Client } from '@temporalio/client';
import type { AllowedRoots } from '../security/file-roots';
import type { TwelveLabsClient } from '../twelvelabs/client';
import { assetActivities } from './assets';
import { batchListingActivities } from './batch-listing';
import { chunkUploadActivities } from './chunk-upload';
import type { ChunkDigestCheck } from '../domain/chunk-digest-check';
import { directUploadActivities } from './direct-upload';
import { earlierUploadActivities } from './earlier-uploads';
import { toActivityFailure } from './failures';
import { fileActivities } from './files';
import { fileRunActivities } from './file-runs';
import { laneProgressActivities } from './lane-progress';
import { previousSessionActivities } from './previous-session';
import { reportingActivities } from './reporting';
import { sessionActivities } from './session';
import { sessionCleanupActivities } from './session-cleanup';
import { urlActivities } from './urls';

export interface ActivityDeps {
  /** Holds the API key; the key never enters an activity's input or result. */
  client: TwelveLabsClient;
  /** The only directories source files may be read from (symlinks and `..` resolved). */
  allowedRoots: AllowedRoots;
  /** When chunk PUTs verify the store's ETag against a local MD5; default 'always' (chunk-upload.ts). */
  chunkDigestCheck?: ChunkDigestCheck;
  /**
   * Reads an earlier run's multipart child after a Reset (previous-session.ts) and the lanes'
   * heartbeats before a cancel (lane-progress.ts): a client on the
   * worker's connection, namespace and data converter (`new Client({ connection, namespace, dataConverter })`).
   */
  temporal: Client;
}

export function createActivities(deps: ActivityDeps) {
  return withTypedFailures({
    ...sessionActivities(deps.client, deps.allowedRoots),
    ...sessionCleanupActivities(deps.client),
    ...urlActivities(deps.client),
    ...reportingActivities(deps.client),
    ...chunkUploadActivities(deps.client, deps.allowedRoots, { digestCheck: deps.chunkDigestCheck }),
    ...fileActivities(deps.allowedRoots),
    ...directUploadActivities(deps.client, deps.allowedRoots),
    ...batchListingActivities(deps.allowedRoots),
    ...fileRunActivities(deps.client, deps.allowedRoots),
    ...earlierUploadActivities(deps.temporal),
    ...assetActivities(deps.client),
    ...previousSessionActivities(deps.temporal, deps.client, deps.allowedRoots),
    ...laneProgressActivities(deps.temporal),
  });
}

/** Wraps each activity so whatever it throws becomes a typed ApplicationFailure. */
function withTypedFailures<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        throw toActivityFailure(err);
      }
    };
  }
  return wrapped as T;
}
