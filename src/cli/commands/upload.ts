// `tl-upload upload <file|dir|url>...`: one upload, or a batch for a directory or several
// sources; attaches when the same upload already ran or runs.

import fs from 'node:fs/promises';
import path from 'node:path';
import { UploadFailedError, type StartedUpload, type UploadClient } from '../../client';
import { noWorker } from '../../client/task-queue';
import { MAX_DIRECT_BYTES } from '../../twelvelabs/limits';
import { MAX_BATCH_CONCURRENCY, MAX_CONCURRENCY, type BatchUploadResult, type UploadInput, type UploadResult } from '../../domain/types';
import type { Command } from '../command';
import { CliUsageError, EXIT, outcomeExitCode } from '../exit-codes';
import { follow, waitForResult } from '../follow';
import { linkLine, note, printJson, println, type CliIo } from '../io';
import { intFlag, keyValues, parse, workerTimeoutFlag } from '../parse';

export const uploadCommand: Command = async (argv, io, connect) => {
  const { values, positionals } = parse(argv, {
    wait: { type: 'boolean' },
    detach: { type: 'boolean' },
    id: { type: 'string' },
    concurrency: { type: 'string' },
    'chunk-concurrency': { type: 'string' },
    recursive: { type: 'boolean' },
    list: { type: 'string' },
    filename: { type: 'string' },
    metadata: { type: 'string', multiple: true },
    hls: { type: 'boolean' },
    thumbnail: { type: 'boolean' },
    'no-ready-wait': { type: 'boolean' },
    'direct-max-bytes': { type: 'string' },
    'worker-timeout': { type: 'string' },
  });
  const list = values.list;
  if (list !== undefined && positionals.length > 0) throw new CliUsageError('give --list on its own, or files, a directory or URLs');
  if (positionals.length === 0 && list === undefined) throw new CliUsageError('give at least one file, directory or URL to upload (or --list <file>)');
  const json = values.json ?? false;

  const isUrl = (arg: string) => /^https?:\/\//i.test(arg);
  const localKinds = await Promise.all(
    positionals.map(async (arg) => (isUrl(arg) ? 'url' : await fs.stat(arg).then((s) => (s.isDirectory() ? 'dir' : 'file'), () => 'unknown'))),
  );
  const directory = localKinds.length === 1 && localKinds[0] === 'dir' ? positionals[0] : undefined;
  if (localKinds.length > 1 && localKinds.includes('dir')) throw new CliUsageError('give a directory on its own, or files and URLs');
  const single = positionals.length === 1 && directory === undefined && list === undefined;
  if (!single && values.filename !== undefined) throw new CliUsageError('--filename names one upload; it cannot apply to a batch');
  if (single && values['chunk-concurrency'] !== undefined) throw new CliUsageError('--chunk-concurrency is for batches; use --concurrency');

  const concurrency = intFlag('concurrency', values.concurrency, 1, single ? MAX_CONCURRENCY : MAX_BATCH_CONCURRENCY);
  const chunkConcurrency = intFlag('chunk-concurrency', values['chunk-concurrency'], 1, MAX_CONCURRENCY);
  const directMaxBytes = intFlag('direct-max-bytes', values['direct-max-bytes'], 1, MAX_DIRECT_BYTES);
  const workerTimeoutMs = workerTimeoutFlag(values['worker-timeout']);
  const metadata = keyValues('metadata', values.metadata);
  const perFileChunks = single ? concurrency : chunkConcurrency;
  const options: Omit<UploadInput, 'source'> = {
    ...(Object.keys(metadata).length > 0 ? { userMetadata: metadata } : {}),
    ...(values.hls ? { enableHls: true } : {}),
    ...(values.thumbnail ? { enableThumbnail: true } : {}),
    ...(values['no-ready-wait'] ? { waitForReady: false } : {}),
    ...(directMaxBytes !== undefined ? { directMaxBytes } : {}),
    ...(perFileChunks !== undefined ? { multipart: { concurrency: perFileChunks } } : {}),
  };

  const client = await connect();
  let started: StartedUpload;
  if (single) {
    started = await client.startUpload(positionals[0]!, {
      ...options,
      ...(values.filename !== undefined ? { filename: values.filename } : {}),
      ...(values.id !== undefined ? { workflowId: values.id } : {}),
    });
  } else {
    started = await client.startBatch({
      ...(list !== undefined ? { list } : directory !== undefined ? { directory, recursive: values.recursive ?? false } : { sources: positionals }),
      upload: options,
      ...(concurrency !== undefined ? { maxConcurrentUploads: concurrency } : {}),
      ...(values.id !== undefined ? { workflowId: values.id } : {}),
    });
  }

  if (json) {
    if (!values.wait) {
      printJson(io, started);
      await noteMissingWorker(io, client);
      return EXIT.ok;
    }
    let result: UploadResult | BatchUploadResult | undefined;
    try {
      result = await waitForResult(io, client, started.workflowId, workerTimeoutMs);
    } catch (err) {
      if (!(err instanceof UploadFailedError)) throw err;
      printJson(io, { ...started, status: err.type === 'Cancelled' ? 'cancelled' : 'failed', error: { type: err.type, message: err.message, ...(err.assetId ? { assetId: err.assetId } : {}) } });
      return EXIT.failed;
    }
    if (result === undefined) {
      note(io, `stopped waiting; the upload goes on: tl-upload watch ${started.workflowId}`);
      return EXIT.interrupted;
    }
    printJson(io, { ...started, status: 'completed', result });
    return outcomeExitCode('COMPLETED', 'items' in result ? result.totals : undefined);
  }

  const what = single ? displayName(positionals[0]!) : list !== undefined ? `list ${list}` : directory ? `${directory}/` : `${positionals.length} files`;
  println(io, `${started.attached ? 'attached to the existing' : 'started'} ${started.kind} ${started.workflowId} (${what})`);
  if (started.rerun) println(io, 'this batch ran before: files uploaded then and unchanged since are reported, not uploaded again');
  if (values.detach) {
    println(io, linkLine(io.stdout, 'workflow', started.webUiLink ?? started.workflowId));
    println(io, `follow it with: tl-upload watch ${started.workflowId}`);
    await noteMissingWorker(io, client);
    return EXIT.ok;
  }
  return follow(io, client, started.workflowId, { json: false, ...(workerTimeoutMs !== undefined ? { workerTimeoutMs } : {}) });
};

/** A started upload nobody will pick up yet: say so (stderr), so it is not a silent wait. */
async function noteMissingWorker(io: CliIo, client: UploadClient): Promise<void> {
  const presence = await client.workerPresence();
  if (!presence.polling) note(io, `note: ${noWorker(presence).message}`);
}

function displayName(arg: string): string {
  return /^https?:\/\//i.test(arg) ? arg : path.basename(arg);
}
