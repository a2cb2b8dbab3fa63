// Which media type a file name names, from its extension: shared by the workflows (M1's `type`),
// the activities (what a folder listing counts as media) and the CLI. And what each media type
// may be sent as, from the TwelveLabs documents (contract section 6).

import { MAX_IMAGE_BYTES } from '../twelvelabs/limits';
import type { MediaType } from '../twelvelabs/wire';

/** "Create a multipart upload session ... Supported content: Video and audio" (the documents). */
export const MULTIPART_MEDIA_TYPES: readonly MediaType[] = ['video', 'audio'];

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

/** The media type an upload sends: as given, else from the asset's file name. */
export function uploadMediaType(given: MediaType | undefined, fileName: string): MediaType {
  return given ?? mediaTypeFor(fileName);
}

/**
 * Why a file of this type and size cannot be uploaded at all, or undefined. Images: "Up to 5 MB"
 * (the documents), and never as a multipart session, which takes video and audio only.
 */
export function mediaSizeProblem(mediaType: MediaType, sizeBytes: number): string | undefined {
  if (mediaType === 'image' && sizeBytes > MAX_IMAGE_BYTES) {
    return (
      `the image has ${sizeBytes} bytes; TwelveLabs accepts images of at most ${MAX_IMAGE_BYTES} bytes (5 MB): ` +
      'scale it down or compress it'
    );
  }
  return undefined;
}

/** Why a multipart session cannot carry this media type, or undefined. */
export function multipartMediaTypeProblem(mediaType: MediaType): string | undefined {
  return MULTIPART_MEDIA_TYPES.includes(mediaType)
    ? undefined
    : `a multipart upload takes ${MULTIPART_MEDIA_TYPES.join(' or ')} only, not ${mediaType}: upload an image (up to 5 MB) directly`;
}
