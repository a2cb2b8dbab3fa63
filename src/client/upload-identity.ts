// Where an upload's workflow id comes from when the caller gives none: the source's identity. A
// local file is its real path, size and modification time, so starting the same file again
// attaches to its upload, while an edited file is a new upload. A URL is the URL.

import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isUrlSource, uploadFileName } from '../domain/names';
import type { UploadSource } from '../domain/types';

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

/** `upload-<name>-<hash>`: readable in a list, and the same for the same file. */
export function uploadWorkflowId(source: UploadSource, identity: LocalIdentity | undefined): string {
  const key = isUrlSource(source)
    ? `url\n${source.url}`
    : identity
      ? `file\n${identity.realPath}\n${identity.sizeBytes}\n${identity.mtimeMs}`
      : `file\n${source.path}`;
  return `upload-${slug(uploadFileName({ source }))}-${hash(key)}`;
}

/** `batch-<dir or first name>-<hash>` over every source's identity (a directory: path and mtime). */
export async function batchWorkflowId(request: { sources?: UploadSource[]; directory?: string; recursive?: boolean }): Promise<string> {
  if (request.directory !== undefined) {
    const dir = path.resolve(request.directory);
    const mtimeMs = await fs.stat(dir).then((s) => Math.floor(s.mtimeMs), () => 0);
    return `batch-${slug(path.basename(dir))}-${hash(`dir\n${dir}\n${mtimeMs}\n${request.recursive ?? false}`)}`;
  }
  const parts: string[] = [];
  for (const source of request.sources ?? []) {
    parts.push(uploadWorkflowId(source, await localIdentity(source)));
  }
  const first = request.sources?.[0];
  return `batch-${first ? slug(uploadFileName({ source: first })) : 'empty'}-${hash(parts.join('\n'))}`;
}

function slug(name: string): string {
  return name.replace(/[^\w.-]+/g, '_').slice(0, 60) || 'media';
}

function hash(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}
