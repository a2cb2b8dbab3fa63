import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devServerExecutable } from '../../src/dev/temporal-cli';

describe('Temporal dev server smoke test', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createLocal({ server: { executable: devServerExecutable() } });
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a workflow with an activity on a real worker against the installed dev server', async () => {
    const executable = devServerExecutable();
    // The binary built by scripts/temporal-cli.sh, not a download, whenever Go is available.
    expect(executable.type).toBe('existing-path');

    const taskQueue = `smoke-${process.pid}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: path.resolve(__dirname, '../fixtures/smoke-workflows.ts'),
      activities: { greet: async (name: string) => `hello, ${name} from pid ${process.pid}` },
    });
    const result = await worker.runUntil(
      env.client.workflow.execute('smokeWorkflow', { taskQueue, workflowId: `smoke-${Date.now()}`, args: ['temporal'] }),
    );
    expect(result).toBe(`hello, temporal from pid ${process.pid}`);
  });
});
