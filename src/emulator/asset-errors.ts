// A1's media-content error codes (contract 5.8) on demand. The emulator analyses no media, so
// the codes it cannot decide from the request (duration, resolution, broken or live media, the
// audio format, the per-type size limits, a broken file behind a URL) are queued by a test
// (POST /_emulator/faults/asset-error): the next asset created (A1 direct or url: 400 with the
// code) or assembled (M4's completing report: the asset ends `failed` with "<code>: <message>")
// gets the queued code. Codes the emulator decides for real (content type, boundary, malformed
// form, parameters, unsupported type, size limits, unreachable URL) may be queued as well.

import { ASSET_UPLOAD_CODES, type AssetUploadCode, isAssetUploadCode } from '../twelvelabs/asset-upload-codes';

/** The seed's message for each code, its placeholders filled with plausible values. */
const MESSAGES: Record<AssetUploadCode, string> = {
  content_type_invalid: 'The content type application/json is not supported. Please use multipart/form-data.',
  multipart_boundary_missing: 'Multipart boundary is missing. Please provide the boundary in the Content-Type header.',
  invalid_multipart: 'Invalid multipart form. Please check your implementation and try again.',
  parameter_not_provided: 'The file parameter is required but was not provided. file is required when method is direct.',
  parameter_invalid: 'The file parameter is invalid. Unable to process the uploaded file. Please try uploading again.',
  media_url_unsupported_format: 'The file at the provided URL is not a supported media format. Detected format: text/html. Please provide a valid asset file.',
  media_url_not_accessible: 'Cannot access the media URL. The server responded with an error. Please verify the URL is correct and publicly accessible.',
  media_url_file_broken: 'Cannot read the media file at the specified URL. Please verify the file is valid and try again.',
  media_filesize_too_large: 'The media file is too large. Please upload a file smaller than 200MB. The current size is 250MB.',
  video_file_broken: 'Unable to process video file. Please check if the file is valid and try again.',
  video_file_live: 'Live video streams are not supported. Please provide a URL that is not a live stream.',
  video_resolution_too_low: 'The resolution of the video is too low. Please upload a video with a resolution between 360x360 and 5184x2916. Current resolution is 320x240.',
  video_resolution_too_high: 'The resolution of the video is too high. Please upload a video with a resolution between 360x360 and 5184x2916. Current resolution is 7680x4320.',
  video_resolution_invalid_aspect_ratio: 'The aspect ratio of the video is invalid. Please upload a video with an aspect ratio between 1:1 and 2.4:1. Current resolution is 3840x480.',
  video_duration_too_short: 'The video is too short. Please use a video with a duration of at least 4 seconds. Current duration is 1.5 seconds.',
  video_duration_too_long: 'The video is too long. Please use a video with a duration between 4 and 7200 seconds. Current duration is 9000 seconds.',
  video_filesize_too_large: 'The video is too large. Please use a video with a size less than 2GB. The current size is 3GB.',
  audio_file_broken: 'Unable to process audio file. Please check if the file is valid and try again.',
  audio_duration_too_short: 'The audio is too short. Please use an audio file with a duration of at least 4 seconds. Current duration is 1 seconds.',
  audio_duration_too_long: 'The audio is too long. Please use an audio file with a duration between 4 and 7200 seconds. Current duration is 9000 seconds.',
  audio_filesize_too_large: 'The audio is too large. Please use an audio file with a size less than 2GB. The current size is 3GB.',
  audio_format_unsupported: 'The audio format wma is not supported. Please use one of the following formats: mp3, wav, m4a, aac, flac, ogg.',
};

export interface QueuedAssetError {
  code: AssetUploadCode;
  message: string;
}

/** Codes waiting for the next assets, in order. */
export class AssetErrorQueue {
  private readonly queued: AssetUploadCode[] = [];

  /** Queues `code` for the next `count` assets; throws for a code that is not documented. */
  add(code: string, count = 1): void {
    if (!isAssetUploadCode(code)) throw new RangeError(`'${code}' is not a documented asset-upload code (one of ${Object.keys(ASSET_UPLOAD_CODES).join(', ')})`);
    for (let i = 0; i < count; i++) this.queued.push(code);
  }

  /** The error the next asset gets, if one is queued. */
  take(): QueuedAssetError | undefined {
    const code = this.queued.shift();
    return code === undefined ? undefined : { code, message: MESSAGES[code] };
  }

  clear(): void {
    this.queued.length = 0;
  }
}
