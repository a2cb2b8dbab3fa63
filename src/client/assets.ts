// Asset and session calls. They run on the worker as short assetCallWorkflows, because only the
// worker holds the TwelveLabs API key.

import { randomUUID } from 'node:crypto';
import type { AssetCall, AssetCallResult } from '../domain/types';
import type { AssetDetail, IncompleteUpload, Page, UserMetadataUpdate } from '../twelvelabs/wire';
import { ASSET_CALL_WORKFLOW_TYPE } from '../domain/workflow-messages';
import type { assetCallWorkflow } from '../workflows/asset-call';
import type { ClientContext } from './context';
import { NotFoundError, UnavailableError } from './errors';
import { helperSearchAttributes } from './helper-workflows';
import { toFailedError } from './failures';

export const ASSET_CALL_WORKFLOW_PREFIX = 'asset-call-';

export interface ListAssetsQuery {
  filename?: string;
  assetTypes?: string[];
  page?: number;
  pageLimit?: number;
}

export class AssetCalls {
  constructor(private readonly ctx: ClientContext) {}

  async list(query: ListAssetsQuery = {}): Promise<Page<AssetDetail>> {
    return ((await this.#call({ op: 'list', ...query })) as Extract<AssetCallResult, { op: 'list' }>).page;
  }

  async get(assetId: string): Promise<AssetDetail> {
    return ((await this.#call({ op: 'get', assetId })) as Extract<AssetCallResult, { op: 'get' }>).asset;
  }

  async delete(assetId: string, options: { force?: boolean } = {}): Promise<void> {
    await this.#call({ op: 'delete', assetId, ...(options.force !== undefined ? { force: options.force } : {}) });
  }

  async updateMetadata(assetId: string, metadata: UserMetadataUpdate): Promise<AssetDetail> {
    return ((await this.#call({ op: 'updateMetadata', assetId, metadata })) as Extract<AssetCallResult, { op: 'metadata' }>).asset;
  }

  async replaceMetadata(assetId: string, metadata: UserMetadataUpdate): Promise<AssetDetail> {
    return ((await this.#call({ op: 'replaceMetadata', assetId, metadata })) as Extract<AssetCallResult, { op: 'metadata' }>).asset;
  }

  async clearMetadata(assetId: string): Promise<AssetDetail> {
    return ((await this.#call({ op: 'clearMetadata', assetId })) as Extract<AssetCallResult, { op: 'metadata' }>).asset;
  }

  async listIncomplete(options: { limit?: number } = {}): Promise<{ uploads: IncompleteUpload[]; truncated: boolean }> {
    const result = (await this.#call({ op: 'listIncomplete', ...options })) as Extract<AssetCallResult, { op: 'listIncomplete' }>;
    return { uploads: result.uploads, truncated: result.truncated };
  }

  async #call(call: AssetCall): Promise<AssetCallResult> {
    const { temporal, taskQueue, callTimeoutMs } = this.ctx;
    // No worker, no answer: say so at once rather than after the call's timeout.
    const presence = await this.ctx.workers.presence(taskQueue);
    if (!presence.polling) {
      throw new UnavailableError(`no worker is polling task queue ${taskQueue}: asset calls run on the worker; start one (npm run worker, with TL_TASK_QUEUE=${taskQueue})`);
    }
    const workflowId = `${ASSET_CALL_WORKFLOW_PREFIX}${call.op}-${randomUUID()}`;
    try {
      return await temporal.workflow.execute<typeof assetCallWorkflow>(ASSET_CALL_WORKFLOW_TYPE, {
        taskQueue,
        workflowId,
        args: [call],
        // A worker that vanished after the check: fail in bounded time instead of waiting forever.
        workflowExecutionTimeout: callTimeoutMs,
        typedSearchAttributes: helperSearchAttributes(), // out of the Web UI's default list
        staticSummary: `TwelveLabs ${call.op}${'assetId' in call ? ` ${call.assetId}` : ''}`,
      });
    } catch (err) {
      const failed = toFailedError(workflowId, err);
      if (failed.type === 'TimedOut') {
        throw new UnavailableError(`no worker answered on task queue ${taskQueue} within ${Math.round(callTimeoutMs / 1000)} s: is a worker running (npm run worker)?`);
      }
      if (failed.type === 'AssetNotFound') throw new NotFoundError(failed.message);
      throw failed;
    }
  }
}
