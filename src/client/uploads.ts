// Starting uploads and batches (or attaching to the one with the same id), waiting for their
// results, and listing what Temporal knows of them.

import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { uploadFileName } from '../domain/names';
import { MAX_INLINE_SOURCES, type BatchItem, type BatchUploadInput, type BatchUploadResult, type UploadInput, type UploadResult, type UploadSource } from '../domain/types';
import type { ListUploadsOptions, StartBatchOptions, StartedUpload, StartUploadOptions, UploadListEntry } from './types';
import { BATCH_WORKFLOW_TYPE, batchItemsQuery, batchProgressQuery, UPLOAD_WORKFLOW_TYPE } from '../domain/workflow-messages';
import type { batchUploadWorkflow } from '../workflows/batch-upload';
import { TL_FILE_NAME, TL_FILE_SIZE, TL_PHASE, uploadSearchAttributes } from '../workflows/search-attributes';
import type { uploadWorkflow } from '../workflows/upload';
import { uploadStartSummary } from '../workflows/upload-planning';
import { describeWorkflow, type ClientContext } from './context';
import { UsageError } from './errors';
import { toFailedError } from './failures';
import { batchWorkflowId, localIdentity, sourceIdentity, toUploadSource, uploadWorkflowId } from './upload-identity';
import { keywordEquals, visibilityString } from './visibility-query';

export class Uploads {
  constructor(private readonly ctx: ClientContext) {}

  async startUpload(source: string | UploadSource, options: StartUploadOptions = {}): Promise<StartedUpload> {
    const { workflowId: givenId, ...rest } = options;
    const input: UploadInput = { ...rest, source: toUploadSource(source) };
    // A given id needs no identity but for the summary: no round trip to the worker for it.
    const identity = givenId !== undefined ? await localIdentity(input.source) : await this.#identify(input.fileTaskQueue)(input.source);
    const workflowId = givenId ?? uploadWorkflowId(input.source, identity);
    return this.#start('upload', workflowId, input, uploadFileName(input), identity?.sizeBytes);
  }

  async startBatch(options: StartBatchOptions): Promise<StartedUpload> {
    const { workflowId: givenId, sources, directory, recursive, list, ...rest } = options;
    if ([sources, directory, list].filter((v) => v !== undefined).length !== 1) throw new UsageError('a batch takes one of sources, a directory or a list file');
    if (sources && sources.length > MAX_INLINE_SOURCES) {
      throw new UsageError(`${sources.length} sources are too many to pass inline (at most ${MAX_INLINE_SOURCES}): write them to a file, one per line, and give it as a list`);
    }
    const input: BatchUploadInput = {
      ...rest,
      ...(sources ? { sources: sources.map(toUploadSource) } : {}),
      ...(directory !== undefined ? { directory: { path: toPath(directory), recursive: recursive ?? false } } : {}),
      ...(list !== undefined ? { list: { path: toPath(list) } } : {}),
    };
    const workflowId =
      givenId ??
      batchWorkflowId({
        ...(input.sources ? { sources: input.sources } : {}),
        ...(directory !== undefined ? { directory, recursive } : {}),
        ...(list !== undefined ? { list } : {}),
      });
    // The same batch ran before: this run looks for each file's asset first and uploads only what is left.
    const earlier = await describeWorkflow(this.ctx, workflowId).catch(() => undefined);
    if (earlier !== undefined && earlier.type !== BATCH_WORKFLOW_TYPE) {
      throw new UsageError(`workflow id ${workflowId} already belongs to a workflow of type ${earlier.type} (not batchUploadWorkflow): choose another id`);
    }
    const rerun = earlier !== undefined && earlier.status.name !== 'RUNNING';
    if (rerun && input.skipUploaded === undefined) input.skipUploaded = true;
    const title = directory !== undefined ? `${toPath(directory)}/` : list !== undefined ? toPath(list) : `${input.sources!.length} files`;
    const started = await this.#start('batch', workflowId, input, title, undefined);
    return rerun && !started.attached ? { ...started, rerun: true } : started;
  }

  /** A source's identity, from this host or else from the worker that has the file. */
  #identify(fileTaskQueue: string | undefined): (source: UploadSource) => ReturnType<typeof sourceIdentity> {
    const { temporal, taskQueue, callTimeoutMs } = this.ctx;
    return (source) => sourceIdentity(source, { workflow: temporal.workflow, taskQueue, fileTaskQueue, timeoutMs: callTimeoutMs });
  }

  async #start(kind: 'upload' | 'batch', workflowId: string, input: UploadInput | BatchUploadInput, fileName: string, sizeBytes: number | undefined): Promise<StartedUpload> {
    const { temporal, searchAttributes, taskQueue } = this.ctx;
    const common = {
      taskQueue,
      workflowId,
      // A completed upload is not repeated (that would make a second asset); a failed one may be. A
      // batch may always run again: it uploads only what is left (files are found by their version).
      workflowIdReusePolicy: kind === 'upload' ? WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY : WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      staticSummary: kind === 'upload' ? uploadStartSummary(fileName, sizeBytes) : `Batch upload of ${fileName} to TwelveLabs`,
      ...(searchAttributes ? { typedSearchAttributes: uploadSearchAttributes({ fileName, sizeBytes, phase: 'validating' }) } : {}),
    };
    const link = this.ctx.webUiLink(workflowId);
    try {
      if (kind === 'upload') await temporal.workflow.start<typeof uploadWorkflow>(UPLOAD_WORKFLOW_TYPE, { ...common, args: [input as UploadInput] });
      else await temporal.workflow.start<typeof batchUploadWorkflow>(BATCH_WORKFLOW_TYPE, { ...common, args: [input as BatchUploadInput] });
      return { workflowId, kind, attached: false, ...(link ? { webUiLink: link } : {}) };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      const existing = await describeWorkflow(this.ctx, workflowId);
      const expected = kind === 'upload' ? UPLOAD_WORKFLOW_TYPE : BATCH_WORKFLOW_TYPE;
      if (existing.type !== expected) {
        throw new UsageError(`workflow id ${workflowId} already belongs to a workflow of type ${existing.type} (not ${expected}): choose another id`);
      }
      return { workflowId, kind, attached: true, ...(link ? { webUiLink: link } : {}) };
    }
  }

  /**
   * Every item of a batch, in order, page by page across its runs (each run answers for its own
   * items; a closed run's answer needs a worker to replay it). Works while the batch runs too.
   */
  async *batchItems(workflowId: string, pageSize = 1000): AsyncGenerator<BatchItem, void, undefined> {
    const description = await describeWorkflow(this.ctx, workflowId);
    if (description.type !== BATCH_WORKFLOW_TYPE) throw new UsageError(`${workflowId} is a ${description.type}, not a batch`);
    const latest = this.ctx.temporal.workflow.getHandle(workflowId);
    const { runIds } = await latest.query(batchProgressQuery);
    for (const runId of runIds) {
      const run = this.ctx.temporal.workflow.getHandle(workflowId, runId);
      for (let offset = 0; ; offset += pageSize) {
        const page = await run.query(batchItemsQuery, { offset, limit: pageSize });
        yield* page;
        if (page.length < pageSize) break;
      }
    }
  }

  async result(workflowId: string): Promise<UploadResult | BatchUploadResult> {
    await describeWorkflow(this.ctx, workflowId); // NotFoundError for an unknown id
    try {
      return await this.ctx.temporal.workflow.getHandle<typeof uploadWorkflow | typeof batchUploadWorkflow>(workflowId).result();
    } catch (err) {
      throw toFailedError(workflowId, err);
    }
  }

  async list(options: ListUploadsOptions = {}): Promise<UploadListEntry[]> {
    const clauses = [`(WorkflowType = '${UPLOAD_WORKFLOW_TYPE}' OR WorkflowType = '${BATCH_WORKFLOW_TYPE}')`];
    if (options.running) clauses.push(`ExecutionStatus = 'Running'`);
    if (options.phase) clauses.push(`${TL_PHASE.name} = ${visibilityString(options.phase)}`);
    const byName = options.fileName ? keywordEquals(TL_FILE_NAME.name, options.fileName) : undefined;
    if (byName?.clause) clauses.push(byName.clause);
    const limit = options.limit ?? 50;
    const entries: UploadListEntry[] = [];
    for await (const info of this.ctx.temporal.workflow.list({ query: clauses.join(' AND '), pageSize: Math.min(limit, 100) })) {
      const attributes = info.typedSearchAttributes;
      const fileName = attributes.get(TL_FILE_NAME);
      if (byName && !byName.matches(fileName)) continue;
      const sizeBytes = attributes.get(TL_FILE_SIZE);
      const phase = attributes.get(TL_PHASE);
      entries.push({
        workflowId: info.workflowId,
        kind: info.type === BATCH_WORKFLOW_TYPE ? 'batch' : 'upload',
        status: info.status.name,
        ...(fileName !== undefined ? { fileName } : {}),
        ...(sizeBytes !== undefined ? { sizeBytes } : {}),
        ...(phase !== undefined ? { phase } : {}),
        startTime: info.startTime.toISOString(),
        ...(info.closeTime ? { closeTime: info.closeTime.toISOString() } : {}),
        ...(info.parentExecution?.workflowId ? { parentWorkflowId: info.parentExecution.workflowId } : {}),
      });
      if (entries.length >= limit) break;
    }
    return entries;
  }
}

function toPath(dir: string): string {
  return (toUploadSource(dir) as { path: string }).path;
}
