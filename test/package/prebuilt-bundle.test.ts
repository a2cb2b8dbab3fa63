// The workflow bundle the package ships (dist/workflow-bundles/, written by `npm run build`) is
// the code production workers run: it must replay the recorded histories exactly as the sources
// do (test/workflows/replay-recorded.test.ts), hold the failure converter when encryption needs
// it, and say which SDK built them, so that a worker running another one does not load them.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { installRuntime } from '../../src/observability/runtime';
import { ENCRYPTED_FAILURE_CONVERTER_PATH } from '../../src/security/data-converter';
import { prebuiltWorkflowBundle as prebuiltIn } from '../../src/workflow-bundle';

/** What `npm run build` wrote (vitest's global setup builds it); the selection logic is the sources'. */
const PREBUILT_BUNDLE_DIR = path.resolve(__dirname, '../../dist/workflow-bundles');
const prebuiltWorkflowBundle = (failureConverterPath?: string, dir = PREBUILT_BUNDLE_DIR) => prebuiltIn(failureConverterPath, dir);

installRuntime({ logLevel: 'WARN', logFormat: 'text', secrets: [] }); // the replay workers' start/stop lines are noise here

const HISTORIES = path.resolve(__dirname, '../fixtures/histories');
const index = JSON.parse(fs.readFileSync(path.join(HISTORIES, 'index.json'), 'utf8')) as Record<string, string>;
const versionOf = (name: string) => (JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
const installed = { workflow: versionOf('@temporalio/workflow'), worker: versionOf('@temporalio/worker') };

describe('the prebuilt workflow bundles', () => {
  it('replay every recorded history without a determinism error', async () => {
    const bundle = prebuiltWorkflowBundle();
    if (!('codePath' in bundle)) throw new Error(bundle.reason);
    expect(bundle.codePath).toBe(path.join(PREBUILT_BUNDLE_DIR, 'default.js'));
    const histories = Object.entries(index).map(([file, workflowId]) => ({ workflowId, history: JSON.parse(fs.readFileSync(path.join(HISTORIES, file), 'utf8')) }));
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
      expect(result.error, `replay of ${result.workflowId}`).toBeUndefined();
      replayed++;
    }
    expect(replayed).toBe(Object.keys(index).length);
  });

  it('are chosen by failure converter: the encrypting one has its own, an unknown one has none', () => {
    const encrypted = prebuiltWorkflowBundle(ENCRYPTED_FAILURE_CONVERTER_PATH);
    expect(encrypted).toEqual({ codePath: path.join(PREBUILT_BUNDLE_DIR, 'encrypted-failures.js') });
    // The failure converter is compiled into that bundle, and only into that one.
    const marker = 'new DefaultFailureConverter({ encodeCommonAttributes: true })';
    expect(fs.readFileSync(path.join(PREBUILT_BUNDLE_DIR, 'encrypted-failures.js'), 'latin1')).toContain(marker);
    expect(fs.readFileSync(path.join(PREBUILT_BUNDLE_DIR, 'default.js'), 'latin1')).not.toContain(marker);
    expect(prebuiltWorkflowBundle('/somewhere/else/failure-converter.js')).toEqual({ reason: expect.stringContaining('no prebuilt bundle for the failure converter') });
  });

  it('are refused for a worker whose @temporalio/workflow or @temporalio/worker is not the one they were built with, and when missing', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(PREBUILT_BUNDLE_DIR, 'manifest.json'), 'utf8')) as { sdkVersions: typeof installed };
    expect(manifest.sdkVersions).toEqual(installed);
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-bundles-'));
    const withManifest = (sdkVersions: typeof installed) => {
      fs.writeFileSync(path.join(other, 'manifest.json'), JSON.stringify({ sdkVersions }));
      return prebuiltWorkflowBundle(undefined, other);
    };
    try {
      expect(prebuiltWorkflowBundle(undefined, other)).toEqual({ reason: expect.stringContaining('no prebuilt bundles in') });
      fs.copyFileSync(path.join(PREBUILT_BUNDLE_DIR, 'default.js'), path.join(other, 'default.js'));
      expect(withManifest({ ...installed, workflow: '1.0.0' })).toEqual({
        reason: `the prebuilt bundles were built with @temporalio/workflow 1.0.0 and @temporalio/worker ${installed.worker}, this worker runs ${installed.workflow} and ${installed.worker}`,
      });
      expect(withManifest({ ...installed, worker: '1.0.0' })).toEqual({ reason: expect.stringContaining('@temporalio/worker 1.0.0, this worker runs') });
      expect(withManifest(installed)).toEqual({ codePath: path.join(other, 'default.js') });
      fs.rmSync(path.join(other, 'default.js'));
      expect(withManifest(installed)).toEqual({ reason: `${path.join(other, 'default.js')} is missing` });
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('are written in Latin-1 only, so V8 keeps each copy at one byte per character', () => {
    for (const file of ['default.js', 'encrypted-failures.js']) {
      const text = fs.readFileSync(path.join(PREBUILT_BUNDLE_DIR, file), 'utf8');
      expect(/[\u0100-\uffff]/.exec(text)?.[0], file).toBeUndefined();
    }
  });
});
