// A1: POST /assets with multipart/form-data (contract 5.1). The file part streams to disk as it
// arrives; `method=url` downloads from an allowed (loopback) host, also straight to disk.

import path from 'node:path';
import { request as httpRequest } from 'undici';
import type { AssetType, UserMetadata } from '../twelvelabs/wire';
import { ApiError, parameterInvalid, parameterNotProvided, parameterUnknown } from './api-error';
import type { ApiRequest, ApiRoute } from './api-route';
import { AssetRecord } from './asset';
import { checkFilename } from './body-fields';
import type { EmulatorState } from './emulator-state';
import { HashingFileSink } from './hashing-file-sink';
import { sendJson } from './http-io';
import { newObjectId } from './ids';
import { assetTypeOfMime, resolveFileType } from './media-types';
import { type FormPartHeaders, MalformedMultipart, MultipartFormParser } from './multipart-form';
import { parseCreationMetadata } from './user-metadata';

const KNOWN_FIELDS = ['method', 'file', 'url', 'filename', 'enable_hls', 'enable_thumbnail', 'user_metadata'];
const MAX_TEXT_FIELD_BYTES = 64 * 1024;
const URL_FETCH_TIMEOUT_MS = 30_000;

/** What the form carried once the body has been read. */
interface ParsedForm {
  fields: Map<string, string>;
  file: { sink: HashingFileSink; headers: FormPartHeaders } | undefined;
}

async function createAsset(request: ApiRequest): Promise<void> {
  const { req, res, state, apiKey } = request;
  const boundary = multipartBoundary(req.headers['content-type']);
  const assetId = newObjectId();
  const objectPath = path.join(await state.files.createAssetDir(assetId), 'object');
  let form: ParsedForm | undefined;
  try {
    form = await readForm(request, boundary, objectPath);
    const input = parseFields(form.fields, state.options.strictUnknownKeys);
    if (input.method === 'url' && form.file) {
      // A stray file part beside method=url is ignored; its bytes must not mix with the download.
      await form.file.sink.discard();
      form.file = undefined;
    }
    const object =
      input.method === 'direct'
        ? await finishDirectUpload(state, form, input.filename)
        : await downloadFromUrl(state, input.url ?? '', objectPath, input.filename);
    // A code queued for this asset (asset-errors.ts): refused as the real API refuses such media.
    const queued = state.assetErrors.take();
    if (queued) throw new ApiError(400, queued.code, queued.message);
    const nowMs = state.nowMs();
    const asset = new AssetRecord({
      id: assetId,
      apiKey,
      method: input.method,
      filename: object.filename,
      fileType: object.fileType,
      assetType: object.assetType,
      createdAtMs: nowMs,
      sequence: state.nextSequence(),
      userMetadata: input.userMetadata,
      enableHls: input.enableHls,
      enableThumbnail: input.enableThumbnail,
    });
    asset.received(
      { sizeBytes: object.sizeBytes, sha256: object.sha256, filePaths: [objectPath] },
      nowMs,
      state.injectedValidationError(),
    );
    state.addAsset(asset);
    // 1.3.4 behaviour: the asset always starts in `processing`, even with no ready delay.
    sendJson(res, 201, { ...asset.toWire(nowMs, state.options.assetReadyDelayMs), status: 'processing' });
  } catch (error) {
    await form?.file?.sink.discard();
    await state.files.removeAsset(assetId);
    throw error;
  }
}

function multipartBoundary(contentType: string | undefined): string {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType.trim())) {
    throw new ApiError(400, 'content_type_invalid', 'The Content-Type of the request must be multipart/form-data.');
  }
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) {
    throw new ApiError(400, 'multipart_boundary_missing', 'The multipart/form-data Content-Type has no boundary.');
  }
  return boundary;
}

/** Reads the whole body: text fields into memory (small), the `file` part onto disk. */
async function readForm({ req, state }: ApiRequest, boundary: string, objectPath: string): Promise<ParsedForm> {
  const parser = newParser(boundary);
  const form: ParsedForm = { fields: new Map(), file: undefined };
  let field: { name: string; parts: Buffer[]; sizeBytes: number } | undefined;
  let inFile = false;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      for (const event of parser.push(chunk)) {
        switch (event.type) {
          case 'part_start': {
            const { headers } = event;
            // The part named `file` is the file even without a filename parameter.
            if (headers.name === 'file' && !form.file) {
              // The tighter image cap is checked again once the final type is known.
              form.file = { sink: new HashingFileSink(objectPath, state.options.maxDirectBytes), headers };
              inFile = true;
            } else if (headers.filename !== undefined) {
              throw parameterInvalid(headers.name, 'only one file part, named file, is accepted');
            } else {
              field = { name: headers.name, parts: [], sizeBytes: 0 };
            }
            break;
          }
          case 'part_data':
            if (inFile) await form.file?.sink.write(event.data);
            else if (field) {
              field.sizeBytes += event.data.length;
              if (field.sizeBytes > MAX_TEXT_FIELD_BYTES) throw parameterInvalid(field.name, `longer than ${MAX_TEXT_FIELD_BYTES} bytes`);
              field.parts.push(Buffer.from(event.data));
            }
            break;
          case 'part_end':
            if (field) form.fields.set(field.name, Buffer.concat(field.parts).toString('utf8'));
            field = undefined;
            inFile = false;
            break;
          case 'form_end':
            break;
        }
      }
    }
    parser.finish();
  } catch (error) {
    if (error instanceof MalformedMultipart) {
      throw new ApiError(400, 'invalid_multipart', `The multipart/form-data body is malformed: ${error.message}.`);
    }
    throw error;
  }
  return form;
}

function newParser(boundary: string): MultipartFormParser {
  try {
    return new MultipartFormParser(boundary);
  } catch (error) {
    throw new ApiError(400, 'multipart_boundary_missing', `The multipart boundary is invalid: ${String(error)}.`);
  }
}

interface AssetInput {
  method: 'direct' | 'url';
  url: string | undefined;
  filename: string | undefined;
  enableHls: boolean;
  enableThumbnail: boolean;
  userMetadata: UserMetadata;
}

function parseFields(fields: Map<string, string>, strict: boolean): AssetInput {
  if (strict) {
    for (const name of fields.keys()) if (!KNOWN_FIELDS.includes(name)) throw parameterUnknown(name);
  }
  const method = fields.get('method');
  if (method === undefined || method === '') throw parameterNotProvided('method');
  if (method === 'multipart') {
    throw parameterInvalid('method', "multipart uploads use POST /assets/multipart-uploads, not method 'multipart'");
  }
  if (method !== 'direct' && method !== 'url') {
    // The real API answers with its validator's text here (5.8).
    throw new ApiError(400, 'parameter_invalid', "Key: 'CreateAssetRequest.Method' Error:Field validation for 'Method' failed on the 'oneof' tag");
  }
  const filenameField = fields.get('filename');
  const filename = filenameField === undefined ? undefined : checkFilename(filenameField);
  const url = fields.get('url');
  if (method === 'url' && (url === undefined || url === '')) throw parameterNotProvided('url');
  const metadataText = fields.get('user_metadata');
  return {
    method,
    url,
    filename,
    enableHls: formBoolean(fields, 'enable_hls'),
    enableThumbnail: formBoolean(fields, 'enable_thumbnail'),
    userMetadata: metadataText === undefined || metadataText === '' ? {} : parseMetadataField(metadataText),
  };
}

/** user_metadata travels as a JSON-encoded string in the form (5.1). */
function parseMetadataField(text: string): UserMetadata {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw parameterInvalid('user_metadata', 'expected a JSON-encoded object');
  }
  return parseCreationMetadata(value);
}

function formBoolean(fields: Map<string, string>, name: string): boolean {
  const value = fields.get(name);
  if (value === undefined || value === '') return false;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw parameterInvalid(name, `expected "true" or "false", got '${value}'`);
}

interface ReceivedObject {
  filename: string;
  fileType: string;
  assetType: AssetType;
  sizeBytes: number;
  sha256: string;
}

async function finishDirectUpload(state: EmulatorState, form: ParsedForm, filenameField: string | undefined): Promise<ReceivedObject> {
  if (!form.file) throw parameterNotProvided('file');
  const { sink, headers } = form.file;
  const filename = filenameField ?? (headers.filename || 'upload');
  const fileType = resolveFileType(headers.filename || filename, headers.contentType);
  const assetType = assetTypeOfMime(fileType);
  if (!assetType) throw parameterInvalid('file', `unsupported asset type '${fileType}'`);
  const limitBytes = assetType === 'image' ? state.options.maxImageBytes : state.options.maxDirectBytes;
  if (sink.overLimit || sink.sizeBytes > limitBytes) throw fileTooLarge(limitBytes, sink.sizeBytes);
  if (sink.sizeBytes === 0) throw parameterInvalid('file', 'the file is empty');
  const sha256 = await sink.close();
  return { filename, fileType, assetType, sizeBytes: sink.sizeBytes, sha256 };
}

/** Fetches a `method=url` asset: only allowed hosts (the sandbox has no internet, 5.1), streamed to disk. */
async function downloadFromUrl(
  state: EmulatorState,
  urlText: string,
  objectPath: string,
  filenameField: string | undefined,
): Promise<ReceivedObject> {
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw parameterInvalid('url', `'${urlText}' is not a valid URL`);
  }
  const notAccessible = (why: string) =>
    new ApiError(400, 'media_url_not_accessible', `The media URL ${urlText} is not accessible: ${why}.`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw notAccessible('only http and https URLs are supported');
  if (!state.options.allowedUrlHosts.has(url.hostname.toLowerCase())) {
    throw notAccessible('the emulator only fetches from loopback hosts');
  }
  let response: Awaited<ReturnType<typeof httpRequest>>;
  try {
    response = await httpRequest(url, { method: 'GET', headersTimeout: URL_FETCH_TIMEOUT_MS, bodyTimeout: URL_FETCH_TIMEOUT_MS });
  } catch (error) {
    throw notAccessible(error instanceof Error ? error.message : String(error));
  }
  const { statusCode, headers, body } = response;
  // Destroying an undici body emits an AbortError; the download is being abandoned on purpose.
  body.on('error', () => undefined);
  if (statusCode < 200 || statusCode > 299) {
    body.destroy();
    throw notAccessible(`the server answered HTTP ${statusCode}`);
  }
  const urlFilename = decodeURIComponent(url.pathname.split('/').filter((s) => s.length > 0).pop() ?? '');
  const filename = filenameField ?? (urlFilename || 'asset');
  const declaredType = typeof headers['content-type'] === 'string' ? headers['content-type'] : undefined;
  const fileType = resolveFileType(urlFilename || filename, declaredType);
  const assetType = assetTypeOfMime(fileType);
  if (!assetType) {
    body.destroy();
    throw new ApiError(400, 'media_url_unsupported_format', `The file at ${urlText} is not a supported media format (${fileType}).`);
  }
  const limitBytes = assetType === 'image' ? state.options.maxImageBytes : state.options.maxUrlBytes;
  const declaredLength = Number(headers['content-length']);
  if (Number.isFinite(declaredLength) && declaredLength > limitBytes) {
    body.destroy();
    throw fileTooLarge(limitBytes, declaredLength);
  }
  const sink = new HashingFileSink(objectPath, limitBytes);
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      await sink.write(chunk);
      if (sink.overLimit) {
        body.destroy();
        throw fileTooLarge(limitBytes, sink.sizeBytes);
      }
    }
  } catch (error) {
    await sink.discard();
    if (error instanceof ApiError) throw error;
    throw notAccessible(`the download failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const sha256 = await sink.close();
  return { filename, fileType, assetType, sizeBytes: sink.sizeBytes, sha256 };
}

function fileTooLarge(limitBytes: number, sizeBytes: number): ApiError {
  return new ApiError(
    400,
    'media_filesize_too_large',
    `The file is too large: the maximum size is ${limitBytes} bytes, the file has ${sizeBytes} bytes.`,
  );
}

export const CREATE_ASSET_ROUTE: ApiRoute = {
  id: 'A1',
  method: 'POST',
  pattern: /^\/assets$/,
  previewOnly: false,
  faultable: true,
  handle: createAsset,
};
