// Starting uploads and batches (or attaching to the one with the same id), waiting for their
// results, and listing what Temporal knows of them.

import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { uploadFileName } from '../domain/names';
import type { BatchUploadInput, BatchUploadResult, UploadInput, UploadResult, UploadSource } from '../domain/types';
import type { ListUploadsOptions, StartBatchOptions, StartedUpload, StartUploadOptions, UploadListEntry } from './types';
import { BATCH_WORKFLOW_TYPE, UPLOAD_WORKFLOW_TYPE } from '../domain/workflow-messages';
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
    const { workflowId: givenId, sources, directory, recursive, ...rest } = options;
    if ((sources === undefined) === (directory === undefined)) throw new UsageError('a batch takes either sources or a directory');
    const input: BatchUploadInput = {
      ...rest,
      ...(sources ? { sources: sources.map(toUploadSource) } : {}),
      ...(directory !== undefined ? { directory: { path: toPath(directory), recursive: recursive ?? false } } : {}),
    };
    const workflowId =
      givenId ??
      (await batchWorkflowId(
        { ...(input.sources ? { sources: input.sources } : {}), ...(directory !== undefined ? { directory, recursive } : {}) },
        this.#identify(input.upload?.fileTaskQueue),
      ));
    const title = directory !== undefined ? `${toPath(directory)}/` : `${input.sources!.length} files`;
    return this.#start('batch', workflowId, input, title, undefined);
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
      // A completed upload is not repeated (that would make a second asset); a failed one may be.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
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
      const expected = kind === 'upload' ? 'uploadWorkflow' : 'batchUploadWorkflow';
      if (existing.type !== expected) {
        throw new UsageError(`workflow id ${workflowId} already belongs to a workflow of type ${existing.type} (not ${expected}): choose another id`);
      }
      return { workflowId, kind, attached: true, ...(link ? { webUiLink: link } : {}) };
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
    const clauses = [`(WorkflowType = 'uploadWorkflow' OR WorkflowType = 'batchUploadWorkflow')`];
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
        kind: info.type === 'batchUploadWorkflow' ? 'batch' : 'upload',
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
