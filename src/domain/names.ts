// What an upload is called: the asset's name and the source's label, from a path or URL.
// Pure string work (workflow code may use it: no node:path).

import type { UploadInput, UploadSource, UrlSource } from './types';

/** Base name of a POSIX or Windows path, without touching `node:path` (workflow code). */
export function baseName(filePath: string): string {
  const parts = filePath.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? filePath;
}

export function isUrlSource(source: UploadSource): source is UrlSource {
  return typeof (source as UrlSource).url === 'string';
}

/** The path or URL, for people. */
export function sourceLabel(source: UploadSource): string {
  return isUrlSource(source) ? source.url : source.path;
}

/** The asset's name: as given, else the file's base name, else the URL's last path segment. */
export function uploadFileName(input: Pick<UploadInput, 'source' | 'filename'>): string {
  if (input.filename) return input.filename;
  if (!isUrlSource(input.source)) return baseName(input.source.path);
  const urlPath = input.source.url.replace(/[?#].*$/, '').replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  const last = urlPath.split('/').filter(Boolean).pop();
  return last ? safeDecode(last) : 'media';
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
