// Controlling a running upload or batch: pause, resume, concurrency, cancel. Signals and
// cancellation are recorded by Temporal and need no worker at that moment (the upload acts on
// them once one runs); a concurrency change is an update, which a worker must accept.

import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { UploadState } from '../domain/types';
import { pauseSignal, resumeSignal, setBatchConcurrencyUpdate, setConcurrencyUpdate, uploadProgressQuery, BATCH_WORKFLOW_TYPE } from '../domain/workflow-messages';
import type { uploadWorkflow } from '../workflows/upload';
import { requireRunning, type ClientContext } from './context';
import { UnavailableError, UsageError } from './errors';
import { causeMessage } from './failures';
import { noWorker } from './task-queue';

export class UploadControl {
  constructor(private readonly ctx: ClientContext) {}

  async pause(workflowId: string): Promise<void> {
    await this.#signal(workflowId, pauseSignal);
  }

  async resume(workflowId: string): Promise<void> {
    await this.#signal(workflowId, resumeSignal);
  }

  async setConcurrency(workflowId: string, value: number): Promise<number> {
    const { temporal } = this.ctx;
    const description = await requireRunning(this.ctx, workflowId);
    // An update waits for a worker to accept it: with none polling, say so instead of hanging.
    const presence = await this.ctx.workers.presence(description.taskQueue);
    if (!presence.polling) throw new UnavailableError(`${noWorker(presence).message}. A concurrency change is applied by a worker: try again once one runs`);
    try {
      if (description.type === BATCH_WORKFLOW_TYPE) {
        return await temporal.workflow.getHandle(workflowId).executeUpdate(setBatchConcurrencyUpdate, { args: [value] });
      }
      const state: UploadState = await temporal.workflow.getHandle<typeof uploadWorkflow>(workflowId).query(uploadProgressQuery);
      if (state.route !== 'multipart' || !state.multipartWorkflowId || state.phase === 'processing') {
        throw new UsageError(
          `${workflowId} is ${state.route ? `a ${state.route} upload` : 'not uploading yet'}` +
            `${state.phase === 'processing' ? ' that has finished sending' : ''}: concurrency applies to the chunks of a running multipart upload`,
        );
      }
      return await temporal.workflow.getHandle(state.multipartWorkflowId).executeUpdate(setConcurrencyUpdate, { args: [value] });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw new UsageError(causeMessage(err));
      throw err;
    }
  }

  async cancel(workflowId: string): Promise<void> {
    await requireRunning(this.ctx, workflowId);
    await this.ctx.temporal.workflow.getHandle(workflowId).cancel();
  }

  async #signal(workflowId: string, signal: typeof pauseSignal | typeof resumeSignal): Promise<void> {
    await requireRunning(this.ctx, workflowId);
    await this.ctx.temporal.workflow.getHandle(workflowId).signal(signal);
  }
}
