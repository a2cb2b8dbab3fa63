// Where an upload's workflow id comes from when the caller gives none: the source's identity. A
// file is its real path, size and modification time, so starting the same file again attaches to
// its upload, while an edited file is a new upload. A URL is the URL. When the file is not on
// this host (paths are paths on the worker's host), the worker that has it is asked: a name from
// the path alone would answer a new version of the file with the old version's asset.

import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { WorkflowFailedError, type WorkflowClient } from '@temporalio/client';
import { ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import { isUrlSource, uploadFileName } from '../domain/names';
import type { UploadSource } from '../domain/types';
import { SOURCE_IDENTITY_WORKFLOW_TYPE } from '../domain/workflow-messages';
import type { sourceIdentityWorkflow } from '../workflows/source-identity';
import { UnavailableError } from './errors';
import { helperSearchAttributes } from './helper-workflows';

/** `https://…` and `http://…` are URLs; anything else is a local path, made absolute. */
export function toUploadSource(arg: string | UploadSource): UploadSource {
  if (typeof arg !== 'string') return arg;
  return /^https?:\/\//i.test(arg) ? { url: arg } : { path: path.resolve(arg) };
}

export interface LocalIdentity {
  realPath: string;
  sizeBytes: number;
  mtimeMs: number;
}

/** The file's identity as this host sees it; undefined when it cannot be read here. */
export async function localIdentity(source: UploadSource): Promise<LocalIdentity | undefined> {
  if (isUrlSource(source)) return undefined;
  try {
    const realPath = await fs.realpath(source.path);
    const stat = await fs.stat(realPath);
    return stat.isFile() ? { realPath, sizeBytes: stat.size, mtimeMs: Math.floor(stat.mtimeMs) } : undefined;
  } catch {
    return undefined;
  }
}

/** Workflow ids of identity checks start with this (list commands may hide them). */
export const SOURCE_IDENTITY_WORKFLOW_PREFIX = 'source-identity-';

export interface WorkerIdentityOptions {
  workflow: WorkflowClient;
  /** The queue the workers poll. */
  taskQueue: string;
  /** The queue of the host that has the file, when the upload names one. */
  fileTaskQueue?: string;
  /** No worker answered within this: the file cannot be named, so nothing starts. */
  timeoutMs: number;
}

/**
 * The file's identity: from this host when it can see the file, else from the worker's host
 * (sourceIdentityWorkflow). Undefined for a URL, and for a file the worker cannot read either:
 * its upload then fails with the reason (missing, outside the roots, ...), named by its path.
 */
export async function sourceIdentity(source: UploadSource, options: WorkerIdentityOptions): Promise<LocalIdentity | undefined> {
  if (isUrlSource(source)) return undefined;
  return (await localIdentity(source)) ?? (await workerIdentity(source.path, options));
}

/** Asks the worker that has the file for its identity. */
async function workerIdentity(filePath: string, options: WorkerIdentityOptions): Promise<LocalIdentity | undefined> {
  try {
    return await options.workflow.execute<typeof sourceIdentityWorkflow>(SOURCE_IDENTITY_WORKFLOW_TYPE, {
      taskQueue: options.taskQueue,
      workflowId: `${SOURCE_IDENTITY_WORKFLOW_PREFIX}${randomUUID()}`,
      args: [{ path: filePath, ...(options.fileTaskQueue !== undefined ? { fileTaskQueue: options.fileTaskQueue } : {}) }],
      // No worker, no answer: fail in bounded time instead of waiting forever.
      workflowExecutionTimeout: options.timeoutMs,
      typedSearchAttributes: helperSearchAttributes(), // out of the Web UI's default list
      staticSummary: `Identify ${filePath} on the worker's host`,
    });
  } catch (err) {
    const cause = err instanceof WorkflowFailedError ? err.cause : undefined;
    if (cause instanceof ApplicationFailure) return undefined; // the upload reports what is wrong with the file
    if (cause instanceof TimeoutFailure) {
      const queue = options.fileTaskQueue ?? options.taskQueue;
      throw new UnavailableError(
        `${filePath} is not on this host, and no worker on task queue ${queue} told its size and modification time within ` +
          `${Math.round(options.timeoutMs / 1000)} s (an upload is named after them): is a worker running (npm run worker)?`,
      );
    }
    throw err;
  }
}

/** `upload-<name>-<hash>`: readable in a list, and the same for the same file. */
export function uploadWorkflowId(source: UploadSource, identity: LocalIdentity | undefined): string {
  const key = isUrlSource(source)
    ? `url\n${source.url}`
    : identity
      ? `file\n${identity.realPath}\n${identity.sizeBytes}\n${identity.mtimeMs}`
      : `file\n${source.path}`;
  return `upload-${slug(uploadFileName({ source }))}-${hash(key)}`;
}

/**
 * `batch-<dir, list or first name>-<hash>` over what the batch is: the directory (and whether it is
 * recursive), the list file, or the sources, never their contents. Running the same batch again
 * is the same id: a re-run, which uploads only what is new, changed or failed (each file's own
 * upload is named after its version, so an edited file is noticed).
 */
export function batchWorkflowId(request: { sources?: UploadSource[]; directory?: string; recursive?: boolean; list?: string }): string {
  if (request.directory !== undefined) {
    const dir = path.resolve(request.directory);
    return `batch-${slug(path.basename(dir))}-${hash(`dir\n${dir}\n${request.recursive ?? false}`)}`;
  }
  if (request.list !== undefined) {
    const list = path.resolve(request.list);
    return `batch-${slug(path.basename(list))}-${hash(`list\n${list}`)}`;
  }
  const keys = (request.sources ?? []).map((s) => (isUrlSource(s) ? `url\n${s.url}` : `file\n${s.path}`));
  const first = request.sources?.[0];
  return `batch-${first ? slug(uploadFileName({ source: first })) : 'empty'}-${hash(keys.join('\n'))}`;
}

function slug(name: string): string {
  return name.replace(/[^\w.-]+/g, '_').slice(0, 60) || 'media';
}

function hash(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}
