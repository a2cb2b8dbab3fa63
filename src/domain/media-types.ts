// Which media type a file name names, from its extension: shared by the workflows (M1's `type`),
// the activities (what a folder listing counts as media) and the CLI.

import type { MediaType } from '../twelvelabs/wire';

const EXTENSION_MEDIA: Record<string, MediaType> = {
  mp4: 'video', mov: 'video', mkv: 'video', webm: 'video', avi: 'video', m4v: 'video', mpg: 'video', mpeg: 'video', ts: 'video', flv: 'video', wmv: 'video', '3gp': 'video',
  mp3: 'audio', wav: 'audio', m4a: 'audio', aac: 'audio', flac: 'audio', ogg: 'audio', opus: 'audio', wma: 'audio',
  jpg: 'image', jpeg: 'image', png: 'image', gif: 'image', webp: 'image', bmp: 'image', tif: 'image', tiff: 'image', heic: 'image',
};

/** `type` for M1, from the file name; video when the extension says nothing. */
export function mediaTypeFor(fileName: string): MediaType {
  return knownMediaType(fileName) ?? 'video';
}

/** The media type a file name's extension names, or undefined when it names none (not media). */
export function knownMediaType(fileName: string): MediaType | undefined {
  const dot = fileName.lastIndexOf('.');
  return (dot >= 0 && EXTENSION_MEDIA[fileName.slice(dot + 1).toLowerCase()]) || undefined;
}
