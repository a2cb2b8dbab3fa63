// What an upload is called: the asset's name and the source's label, from a path or URL.
// Pure string work (workflow code may use it: no node:path).

import type { UploadInput, UploadSource, UrlSource } from './types';

/**
 * Base name of a path, without touching `node:path` (workflow code). A POSIX path splits on `/`
 * only: `\` is an ordinary character in a Linux file name (`back\slash.mp4`). Only a Windows
 * path (drive letter or UNC) splits on `\` as well.
 */
export function baseName(filePath: string): string {
  const separators = isWindowsPath(filePath) ? /[\\/]/ : /\//;
  const parts = filePath.split(separators).filter(Boolean);
  return parts[parts.length - 1] ?? filePath;
}

function isWindowsPath(filePath: string): boolean {
  return /^[a-zA-Z]:[\\/]/.test(filePath) || filePath.startsWith('\\\\');
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
