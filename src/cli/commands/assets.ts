// `tl-upload assets list|get|delete|metadata`: asset calls, run on the worker through Temporal.

import type { AssetDetail } from '../../twelvelabs/wire';
import type { Command } from '../command';
import { CliUsageError, EXIT } from '../exit-codes';
import { formatBytes, table } from '../format';
import { printJson, println, type CliIo } from '../io';
import { intFlag, keyValues, parse, positionals } from '../parse';

export const assetsCommand: Command = async (argv, io, connect) => {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'list': {
      const parsed = parse(rest, { filename: { type: 'string' }, type: { type: 'string', multiple: true }, page: { type: 'string' }, limit: { type: 'string' } });
      positionals(parsed.positionals, []);
      const page = intFlag('page', parsed.values.page, 1, 1_000_000);
      const pageLimit = intFlag('limit', parsed.values.limit, 1, 50);
      const client = await connect();
      const result = await client.listAssets({
        ...(parsed.values.filename !== undefined ? { filename: parsed.values.filename } : {}),
        ...(parsed.values.type ? { assetTypes: parsed.values.type } : {}),
        ...(page !== undefined ? { page } : {}),
        ...(pageLimit !== undefined ? { pageLimit } : {}),
      });
      if (parsed.values.json) printJson(io, result);
      else printAssets(io, result.items, `page ${result.pageInfo.page} of ${result.pageInfo.totalPages} (${result.pageInfo.totalResults} assets)`);
      return EXIT.ok;
    }
    case 'get': {
      const parsed = parse(rest, {});
      const [assetId] = positionals(parsed.positionals, ['asset-id']);
      const asset = await (await connect()).getAsset(assetId!);
      if (parsed.values.json) printJson(io, asset);
      else printAsset(io, asset);
      return EXIT.ok;
    }
    case 'delete': {
      const parsed = parse(rest, { force: { type: 'boolean' } });
      const [assetId] = positionals(parsed.positionals, ['asset-id']);
      await (await connect()).deleteAsset(assetId!, parsed.values.force ? { force: true } : {});
      if (parsed.values.json) printJson(io, { assetId, deleted: true });
      else println(io, `deleted asset ${assetId}`);
      return EXIT.ok;
    }
    case 'metadata': {
      const parsed = parse(rest, { set: { type: 'string', multiple: true }, unset: { type: 'string', multiple: true }, replace: { type: 'boolean' }, clear: { type: 'boolean' } });
      const [assetId] = positionals(parsed.positionals, ['asset-id']);
      const set = keyValues('set', parsed.values.set);
      const unset = parsed.values.unset ?? [];
      const changes = Object.keys(set).length + unset.length;
      if (parsed.values.clear && (changes > 0 || parsed.values.replace)) throw new CliUsageError('--clear removes every key; it takes no --set, --unset or --replace');
      if (parsed.values.replace && unset.length > 0) throw new CliUsageError('--replace sets exactly the --set keys; --unset makes no sense with it');
      const client = await connect();
      let asset: AssetDetail;
      if (parsed.values.clear) asset = await client.clearMetadata(assetId!);
      else if (parsed.values.replace) asset = await client.replaceMetadata(assetId!, set);
      else if (changes > 0) asset = await client.updateMetadata(assetId!, { ...set, ...Object.fromEntries(unset.map((k) => [k, null])) });
      else asset = await client.getAsset(assetId!);
      if (parsed.values.json) printJson(io, { assetId, userMetadata: asset.userMetadata });
      else for (const [k, v] of Object.entries(asset.userMetadata)) println(io, `${k}=${String(v)}`);
      return EXIT.ok;
    }
    default:
      throw new CliUsageError(sub === undefined ? 'assets takes a subcommand: list, get, delete or metadata' : `unknown assets subcommand ${sub}`);
  }
};

function printAssets(io: CliIo, assets: AssetDetail[], footer: string): void {
  const rows = [['ASSET ID', 'STATUS', 'METHOD', 'FILENAME', 'SIZE', 'CREATED']];
  for (const a of assets) {
    rows.push([a.id, a.status, a.method ?? '-', a.filename ?? '-', a.sizeBytes !== undefined ? formatBytes(a.sizeBytes) : '-', a.createdAt ?? '-']);
  }
  println(io, table(rows));
  println(io, footer);
}

function printAsset(io: CliIo, a: AssetDetail): void {
  const facts: Array<[string, string | undefined]> = [
    ['asset id', a.id],
    ['status', a.status],
    ['method', a.method],
    ['filename', a.filename],
    ['file type', a.fileType],
    ['size', a.sizeBytes !== undefined ? `${formatBytes(a.sizeBytes)} (${a.sizeBytes} bytes)` : undefined],
    ['created', a.createdAt],
    ['hls', a.hls ? `${a.hls.status}${a.hls.manifestUrl ? ` ${a.hls.manifestUrl}` : ''}` : undefined],
    ['thumbnail', a.thumbnail ? `${a.thumbnail.status}${a.thumbnail.representativeUrl ? ` ${a.thumbnail.representativeUrl}` : ''}` : undefined],
    ['error', a.error?.message],
    ['metadata', Object.keys(a.userMetadata).length > 0 ? JSON.stringify(a.userMetadata) : undefined],
  ];
  for (const [k, v] of facts) if (v !== undefined) println(io, `${`${k}:`.padEnd(11)}${v}`);
}
