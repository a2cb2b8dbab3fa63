// `tl-upload list` (uploads Temporal knows) and `tl-upload incomplete` (open sessions at TwelveLabs).

import type { Command } from '../command';
import { EXIT } from '../exit-codes';
import { formatBytes, table } from '../format';
import { printJson, println } from '../io';
import { intFlag, parse, positionals } from '../parse';

export const listCommand: Command = async (argv, io, connect) => {
  const parsed = parse(argv, {
    running: { type: 'boolean' },
    phase: { type: 'string' },
    file: { type: 'string' },
    limit: { type: 'string' },
  });
  positionals(parsed.positionals, []);
  const limit = intFlag('limit', parsed.values.limit, 1, 1000);
  const client = await connect();
  const uploads = await client.listUploads({
    ...(parsed.values.running ? { running: true } : {}),
    ...(parsed.values.phase !== undefined ? { phase: parsed.values.phase } : {}),
    ...(parsed.values.file !== undefined ? { fileName: parsed.values.file } : {}),
    ...(limit !== undefined ? { limit } : {}),
  });
  if (parsed.values.json) {
    printJson(io, uploads);
    return EXIT.ok;
  }
  if (uploads.length === 0) {
    println(io, 'no uploads');
    return EXIT.ok;
  }
  const rows = [['WORKFLOW ID', 'KIND', 'STATUS', 'PHASE', 'FILE', 'SIZE', 'STARTED']];
  for (const u of uploads) {
    rows.push([u.workflowId, u.kind, u.status.toLowerCase(), u.phase ?? '-', u.fileName ?? '-', u.sizeBytes !== undefined ? formatBytes(u.sizeBytes) : '-', u.startTime]);
  }
  println(io, table(rows));
  return EXIT.ok;
};

export const incompleteCommand: Command = async (argv, io, connect) => {
  const parsed = parse(argv, { limit: { type: 'string' } });
  positionals(parsed.positionals, []);
  const limit = intFlag('limit', parsed.values.limit, 1, 10_000);
  const client = await connect();
  const found = await client.listIncompleteUploads(limit !== undefined ? { limit } : {});
  if (parsed.values.json) {
    printJson(io, found);
    return EXIT.ok;
  }
  if (found.uploads.length === 0) {
    println(io, 'no open multipart sessions');
    return EXIT.ok;
  }
  const rows = [['UPLOAD ID', 'STATUS', 'SIZE', 'CHUNKS', 'CREATED', 'EXPIRES']];
  for (const u of found.uploads) {
    rows.push([u.uploadId, u.status, formatBytes(u.totalSizeBytes), String(u.totalChunks), u.createdAt ?? '-', u.expiresAt ?? '-']);
  }
  println(io, table(rows));
  if (found.truncated) println(io, `(only the first ${found.uploads.length}; raise --limit for more)`);
  return EXIT.ok;
};
