// A2–A7: listing, reading, deleting assets and their user metadata (contract 5.2–5.5).

import type { AssetType } from '../twelvelabs/wire';
import { ApiError, parameterInvalid, parameterNotProvided, resourceNotExist } from './api-error';
import { type ApiRequest, type ApiRoute, param } from './api-route';
import type { AssetRecord } from './asset';
import { CREATE_ASSET_ROUTE } from './asset-create';
import { checkUnknownKeys, objectBody } from './body-fields';
import { readJsonBody, sendJson, sendNoContent } from './http-io';
import { pageWindow, parsePageRequest } from './paging';
import { mergeMetadata, parseMetadataUpdate, replaceMetadata, type MetadataUpdate } from './user-metadata';

const ASSET_TYPES: readonly AssetType[] = ['image', 'video', 'audio', 'document'];
const ASSETS = 'assets';

/** A2: newest first; filters are OR within one, AND across them (5.2). */
async function listAssets({ url, res, apiKey, state }: ApiRequest): Promise<void> {
  const page = parsePageRequest(url.searchParams);
  const ids = listParam(url.searchParams, 'asset_ids');
  const types = listParam(url.searchParams, 'asset_types');
  for (const type of types) {
    if (!ASSET_TYPES.includes(type as AssetType)) {
      throw parameterInvalid('asset_types', `'${type}' is not one of ${ASSET_TYPES.join(', ')}`);
    }
  }
  const filename = url.searchParams.get('filename')?.toLowerCase();
  const matching = state
    .assetsOf(apiKey)
    .filter((a) => ids.length === 0 || ids.includes(a.id))
    .filter((a) => types.length === 0 || (a.assetType !== undefined && types.includes(a.assetType)))
    .filter((a) => !filename || a.filename.toLowerCase().includes(filename))
    .sort((a, b) => b.createdAtMs - a.createdAtMs || b.sequence - a.sequence);
  const { start, end, pageInfo } = pageWindow(page, matching.length);
  const nowMs = state.nowMs();
  const data = matching
    .slice(start, end)
    .map((a) => a.toWireDetail(nowMs, state.options.assetReadyDelayMs, state.origin));
  sendJson(res, 200, { data, page_info: pageInfo });
}

/** Repeated keys (`?k=a&k=b`, what the SDK sends) and comma-separated values both work. */
function listParam(query: URLSearchParams, name: string): string[] {
  return query
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

async function retrieveAsset(request: ApiRequest): Promise<void> {
  const { state, res } = request;
  const asset = ownedAsset(request);
  sendJson(res, 200, asset.toWireDetail(state.nowMs(), state.options.assetReadyDelayMs, state.origin));
}

/** A4: 409 for a referenced asset unless force=true (5.4, 9.28). */
async function deleteAsset(request: ApiRequest): Promise<void> {
  const force = request.url.searchParams.get('force');
  if (force !== null && force !== 'true' && force !== 'false') {
    throw parameterInvalid('force', `expected true or false, got '${force}'`);
  }
  const asset = ownedAsset(request);
  if (asset.referenced && force !== 'true') {
    throw new ApiError(
      409,
      'asset_in_use',
      `Asset ${asset.id} is used by an indexed asset. Delete with force=true to remove it and unlink its entities.`,
    );
  }
  request.state.deleteAsset(asset);
  sendNoContent(request.res);
}

/** A5: merge. */
async function patchMetadata(request: ApiRequest): Promise<void> {
  const update = await readMetadataUpdate(request);
  const asset = ownedAsset(request);
  asset.userMetadata = mergeMetadata(asset.userMetadata, update);
  sendNoContent(request.res);
}

/** A6: replace. */
async function putMetadata(request: ApiRequest): Promise<void> {
  const update = await readMetadataUpdate(request);
  const asset = ownedAsset(request);
  asset.userMetadata = replaceMetadata(update);
  sendNoContent(request.res);
}

/** A7: clear. */
async function deleteMetadata(request: ApiRequest): Promise<void> {
  ownedAsset(request).userMetadata = {};
  sendNoContent(request.res);
}

async function readMetadataUpdate(request: ApiRequest): Promise<MetadataUpdate> {
  const body = objectBody(await readJsonBody(request.req));
  checkUnknownKeys(body, ['user_metadata'], request.state.options.strictUnknownKeys);
  if (body.user_metadata === undefined) throw parameterNotProvided('user_metadata');
  return parseMetadataUpdate(body.user_metadata);
}

function ownedAsset(request: ApiRequest): AssetRecord {
  const assetId = param(request, 0);
  const asset = request.state.asset(assetId);
  if (!asset || asset.apiKey !== request.apiKey) throw resourceNotExist(assetId, ASSETS);
  return asset;
}

const ONE_ASSET = /^\/assets\/([^/]+)$/;
const METADATA = /^\/assets\/([^/]+)\/user-metadata$/;

export const ASSET_ROUTES: readonly ApiRoute[] = [
  CREATE_ASSET_ROUTE,
  { id: 'A2', method: 'GET', pattern: /^\/assets$/, previewOnly: false, faultable: false, handle: listAssets },
  { id: 'A3', method: 'GET', pattern: ONE_ASSET, previewOnly: false, faultable: false, handle: retrieveAsset },
  { id: 'A4', method: 'DELETE', pattern: ONE_ASSET, previewOnly: false, faultable: false, handle: deleteAsset },
  { id: 'A5', method: 'PATCH', pattern: METADATA, previewOnly: false, faultable: false, handle: patchMetadata },
  { id: 'A6', method: 'PUT', pattern: METADATA, previewOnly: false, faultable: false, handle: putMetadata },
  { id: 'A7', method: 'DELETE', pattern: METADATA, previewOnly: false, faultable: false, handle: deleteMetadata },
];
