// File type and asset type from a filename or a Content-Type. The emulator does no media
// analysis (9.34); the extension and the declared type are all it knows.

import type { AssetType } from '../twelvelabs/wire';

const MIME_BY_EXTENSION: Readonly<Record<string, string>> = {
  mp4: 'video/mp4',
  m4v: 'video/x-m4v',
  mov: 'video/quicktime',
  mkv: 'video/x-matroska',
  webm: 'video/webm',
  avi: 'video/x-msvideo',
  wmv: 'video/x-ms-wmv',
  flv: 'video/x-flv',
  mpg: 'video/mpeg',
  mpeg: 'video/mpeg',
  ts: 'video/mp2t',
  '3gp': 'video/3gpp',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  opus: 'audio/opus',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  heic: 'image/heic',
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
};

const GENERIC_MIME = 'application/octet-stream';

/** MIME type from a filename's extension; undefined when unknown. */
export function mimeFromFilename(filename: string): string | undefined {
  const dot = filename.lastIndexOf('.');
  if (dot < 0) return undefined;
  return MIME_BY_EXTENSION[filename.slice(dot + 1).toLowerCase()];
}

/**
 * The file type an asset reports: a specific declared Content-Type wins, then the extension,
 * then the generic binary type.
 */
export function resolveFileType(filename: string, declaredContentType: string | undefined): string {
  const declared = declaredContentType?.split(';')[0]?.trim().toLowerCase();
  if (declared && declared !== GENERIC_MIME && assetTypeOfMime(declared) !== undefined) return declared;
  return mimeFromFilename(filename) ?? declared ?? GENERIC_MIME;
}

/** 5.2: video/*, audio/*, image/*, or `document` for PDF, text and Markdown. */
export function assetTypeOfMime(mime: string): AssetType | undefined {
  if (mime.startsWith('video/')) return 'video';
  if (mime.startsWith('audio/')) return 'audio';
  if (mime.startsWith('image/')) return 'image';
  if (mime === 'application/pdf' || mime === 'text/plain' || mime === 'text/markdown') return 'document';
  return undefined;
}
