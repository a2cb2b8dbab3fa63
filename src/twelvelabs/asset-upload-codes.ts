// The documented error codes of asset creation (A1, contract 5.8, seed 003), each with the typed
// reason it becomes, its class and what a person should do about it. One table for the client
// (errors.ts), the workflow failure types (domain/types.ts) and the emulator. Pure data: workflow
// code imports it.

/**
 * What a code is about:
 * - `validation`: the request itself (form framing, a missing or invalid field, the asset type);
 * - `media`: the media's content (broken, live, resolution, duration, audio format);
 * - `url`: TwelveLabs could not fetch or read the file at a URL;
 * - `size`: the file is above a size limit.
 */
export type AssetUploadErrorClass = 'validation' | 'media' | 'url' | 'size';

interface AssetUploadCodeInfo {
  /** The typed reason: the failure type of the upload (FailureType) and of the client's error. */
  reason: string;
  errorClass: AssetUploadErrorClass;
  /** What to do, as a sentence a person can act on. */
  advice: string;
}

const CLIENT_BUG = 'the client built a request TwelveLabs cannot read: report it with the workflow id (a retry sends the same request)';

export const ASSET_UPLOAD_CODES = {
  content_type_invalid: { reason: 'UploadContentTypeInvalid', errorClass: 'validation', advice: `the request was not multipart/form-data; ${CLIENT_BUG}` },
  multipart_boundary_missing: { reason: 'UploadBoundaryMissing', errorClass: 'validation', advice: `the request's Content-Type had no boundary; ${CLIENT_BUG}` },
  invalid_multipart: { reason: 'UploadFormMalformed', errorClass: 'validation', advice: `the multipart body was malformed; ${CLIENT_BUG}` },
  parameter_not_provided: { reason: 'UploadParameterMissing', errorClass: 'validation', advice: `a required field (file or url) was missing; ${CLIENT_BUG}` },
  parameter_invalid: {
    reason: 'UploadParameterInvalid',
    errorClass: 'validation',
    advice: 'TwelveLabs refused a field of the request (the message names it): check that the file is a supported video, audio or image format with a matching extension, that an image meets the minimum dimensions, and the file name and metadata',
  },
  media_url_unsupported_format: {
    reason: 'MediaUrlUnsupportedFormat',
    errorClass: 'url',
    advice: 'the URL does not lead to a supported media file: give a direct link to the video, audio or image itself (not a web page or a player)',
  },
  media_url_not_accessible: {
    reason: 'MediaUrlNotAccessible',
    errorClass: 'url',
    advice: 'TwelveLabs could not fetch the URL: check that it is correct, public (no login, no private network) and not expired, or upload the file itself',
  },
  media_url_file_broken: {
    reason: 'MediaUrlFileBroken',
    errorClass: 'url',
    advice: 'TwelveLabs fetched the URL but cannot read the file: check that the file plays, re-encode it if needed, or upload it directly',
  },
  media_filesize_too_large: {
    reason: 'MediaFileTooLarge',
    errorClass: 'size',
    advice: 'the file is above TwelveLabs\' size limit (the message names it): upload files over 200 MB as multipart (the default route does), keep images under 5 MB, or compress the file',
  },
  video_file_broken: { reason: 'VideoFileBroken', errorClass: 'media', advice: 'TwelveLabs cannot process the video: check that it plays, and re-encode it (for example to H.264 MP4)' },
  video_file_live: { reason: 'VideoFileLive', errorClass: 'media', advice: 'live streams are not accepted: record the stream to a file and upload that' },
  video_resolution_too_low: { reason: 'VideoResolutionTooLow', errorClass: 'media', advice: 'the video\'s resolution is below the minimum the message names: upload a higher-resolution version' },
  video_resolution_too_high: { reason: 'VideoResolutionTooHigh', errorClass: 'media', advice: 'the video\'s resolution is above the maximum the message names: scale it down and upload it again' },
  video_resolution_invalid_aspect_ratio: {
    reason: 'VideoAspectRatioInvalid',
    errorClass: 'media',
    advice: 'the video\'s aspect ratio is outside the accepted range (between 1:1 and the maximum the message names): crop or pad it',
  },
  video_duration_too_short: { reason: 'VideoDurationTooShort', errorClass: 'media', advice: 'the video is shorter than the minimum duration the message names: upload a longer video' },
  video_duration_too_long: { reason: 'VideoDurationTooLong', errorClass: 'media', advice: 'the video is longer than the maximum duration the message names: split it into shorter parts' },
  video_filesize_too_large: { reason: 'VideoFileTooLarge', errorClass: 'size', advice: 'the video is above the size limit the message names: compress it or split it' },
  audio_file_broken: { reason: 'AudioFileBroken', errorClass: 'media', advice: 'TwelveLabs cannot process the audio: check that it plays, and re-encode it (for example to MP3 or WAV)' },
  audio_duration_too_short: { reason: 'AudioDurationTooShort', errorClass: 'media', advice: 'the audio is shorter than the minimum duration the message names: upload a longer recording' },
  audio_duration_too_long: { reason: 'AudioDurationTooLong', errorClass: 'media', advice: 'the audio is longer than the maximum duration the message names: split it into shorter parts' },
  audio_filesize_too_large: { reason: 'AudioFileTooLarge', errorClass: 'size', advice: 'the audio is above the size limit the message names: compress it or split it' },
  audio_format_unsupported: {
    reason: 'AudioFormatUnsupported',
    errorClass: 'media',
    advice: 'the audio format is not supported (the message lists those that are): convert the file to one of them',
  },
} as const satisfies Record<string, AssetUploadCodeInfo>;

export type AssetUploadCode = keyof typeof ASSET_UPLOAD_CODES;
export type AssetUploadReason = (typeof ASSET_UPLOAD_CODES)[AssetUploadCode]['reason'];

export function isAssetUploadCode(code: string | undefined): code is AssetUploadCode {
  return code !== undefined && Object.prototype.hasOwnProperty.call(ASSET_UPLOAD_CODES, code);
}

/** Every reason by name, for FailureType (`{ VideoDurationTooShort: 'VideoDurationTooShort', ... }`). */
export const ASSET_UPLOAD_FAILURE_TYPES = Object.fromEntries(
  Object.values(ASSET_UPLOAD_CODES).map(({ reason }) => [reason, reason]),
) as { readonly [R in AssetUploadReason]: R };

/**
 * The documented code an asset's processing error starts with (`video_duration_too_short: ...`),
 * for assets that fail after their bytes were accepted (a multipart upload's asset).
 */
export function assetUploadCodeOf(errorText: string | undefined): AssetUploadCode | undefined {
  const code = /^\s*([a-z_]+)\s*:/.exec(errorText ?? '')?.[1];
  return isAssetUploadCode(code) ? code : undefined;
}
