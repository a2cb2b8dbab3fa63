// tl-upload's habits, as a separate process against the dev server, a worker and the emulator:
// --version, the connection flags of the Temporal CLI (each overriding its environment variable,
// profiles from a TOML file), --task-queue, the Web UI base (--ui-url, TEMPORAL_UI_URL), and the
// progress bar on stderr (off when stderr is not a terminal, unless --progress).

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadResult } from '../../src/domain/types';
import { makeFile, startStack, type Stack } from '../support/harness';
import { cli, cliJson, cliWithEnv, refusedAddress, WEB_UI } from './cli-process';

describe('tl-upload flags', () => {
  let stack: Stack;
  let refused: string;
  let uploadedId: string;

  beforeAll(async () => {
    stack = await startStack({ emulator: { chunkSizeBytes: 16 * 1024, assetReadyDelayMs: 10 }, server: { extraArgs: ['--namespace', 'media'] } });
    await stack.startWorker();
    refused = await refusedAddress();
    const file = await makeFile(stack.dir, 'flags.mp4', 20_000);
    const { json } = await cliJson<{ workflowId: string }>(stack, 'upload', file.path, '--wait');
    uploadedId = json.workflowId;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('prints the version of package.json with --version, without contacting Temporal', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { name: string; version: string };
    const run = await cliWithEnv(stack, { TEMPORAL_ADDRESS: refused }, '--version');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`tl-upload ${pkg.version} (${pkg.name})\n`);
    expect(JSON.parse((await cli(stack, '--version', '--json')).stdout)).toEqual({ name: pkg.name, version: pkg.version });
  });

  it('--address overrides TEMPORAL_ADDRESS, and --namespace TEMPORAL_NAMESPACE', async () => {
    const fromEnv = await cliWithEnv(stack, { TEMPORAL_ADDRESS: refused }, 'status', uploadedId);
    expect(fromEnv.code).toBe(4);
    expect(fromEnv.stderr).toContain(`cannot reach Temporal at ${refused}`);
    const fromFlag = await cliWithEnv(stack, { TEMPORAL_ADDRESS: refused }, 'status', uploadedId, '--address', stack.server.address);
    expect(fromFlag.code, fromFlag.stderr).toBe(0);
    expect(fromFlag.stdout).toMatch(/completed/);

    // The upload lives in `default`: asked in `media` (given as a flag, or before the command) it is not there.
    const elsewhere = await cli(stack, '--namespace', 'media', 'status', uploadedId);
    expect(elsewhere.code).toBe(3);
    expect(elsewhere.stderr).toContain(`no upload with workflow id ${uploadedId} in namespace media`);
    const unknown = await cli(stack, 'status', uploadedId, '--namespace=nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/namespace nope does not exist on this Temporal server \(check --namespace or TEMPORAL_NAMESPACE\)/);
  });

  it('--profile and --config-file pick a profile of a TOML config file; the flag wins over TEMPORAL_PROFILE', async () => {
    const config = path.join(stack.dir, 'temporal.toml');
    fs.writeFileSync(
      config,
      [`[profile.stack]`, `address = "${stack.server.address}"`, `namespace = "media"`, ``, `[profile.broken]`, `address = "${refused}"`, ``].join('\n'),
    );
    const env = { TEMPORAL_ADDRESS: undefined, TEMPORAL_NAMESPACE: undefined, TEMPORAL_PROFILE: 'broken' };
    const broken = await cliWithEnv(stack, env, '--config-file', config, 'list');
    expect(broken.code).toBe(4);
    expect(broken.stderr).toContain(`cannot reach Temporal at ${refused}`);
    const chosen = await cliWithEnv(stack, env, '--config-file', config, '--profile', 'stack', 'status', uploadedId);
    expect(chosen.code).toBe(3); // reached the server, and looked in the profile's namespace
    expect(chosen.stderr).toContain('in namespace media');
    const viaEnv = await cliWithEnv(stack, { ...env, TEMPORAL_CONFIG_FILE: config, TEMPORAL_PROFILE: 'stack' }, 'list', '--json');
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    const missing = await cliWithEnv(stack, env, '--config-file', config, '--profile', 'nope', 'list');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/configuration error: .*Profile 'nope' not found/);
  });

  it('--api-key, --tls, --tls-server-name and --tls-ca-path reach the connection; a missing CA file is a configuration error', async () => {
    // The dev server speaks plaintext and ignores keys: with --tls=false the key is simply sent along.
    const plain = await cli(stack, 'list', '--json', '--api-key', 'tl-test-key', '--tls=false');
    expect(plain.code, plain.stderr).toBe(0);
    const tls = await cli(stack, 'list', '--tls', '--tls-server-name', 'temporal.test');
    expect(tls.code).toBe(4);
    expect(tls.stderr).toContain(`cannot reach Temporal at ${stack.server.address}`);
    const ca = await cli(stack, 'list', '--tls-ca-path', path.join(stack.dir, 'no-such-ca.pem'));
    expect(ca.code).toBe(2);
    expect(ca.stderr).toMatch(/configuration error: .*no-such-ca\.pem/);
    const bad = await cli(stack, 'list', '--tls=maybe');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--tls is on or off/);
  });

  it('--task-queue overrides TL_TASK_QUEUE, and --ui-url (or TEMPORAL_UI_URL) sets the Web UI links', async () => {
    const file = await makeFile(stack.dir, 'queued.mp4', 30_000);
    const run = await cliWithEnv(stack, { TL_TASK_QUEUE: 'nobody-polls-this' }, 'upload', file.path, '--wait', '--json', '--task-queue', stack.taskQueue, '--ui-url', 'http://127.0.0.1:8080/');
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as { workflowId: string; webUiLink: string; result: UploadResult };
    expect(json.webUiLink).toBe(`http://127.0.0.1:8080/namespaces/default/workflows/${encodeURIComponent(json.workflowId)}`);
    expect(await stack.emulator.objectInfo(json.result.assetId)).toEqual({ size: 30_000, sha256: file.sha256 });

    // TEMPORAL_UI_URL wins over the older TL_WEB_UI_URL (which cliEnv sets to the dev server's UI).
    const status = await cliWithEnv(stack, { TEMPORAL_UI_URL: 'https://ui.example' }, 'status', json.workflowId);
    expect(status.stdout).toContain(`workflow: https://ui.example/namespaces/default/workflows/${json.workflowId}`);
    expect((await cli(stack, 'status', json.workflowId)).stdout).toContain(`workflow: ${WEB_UI}/namespaces/default/workflows/`);
    const bad = await cli(stack, 'status', json.workflowId, '--ui-url', 'ftp://x');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/TEMPORAL_UI_URL=ftp:\/\/x is not an http\(s\) URL/);
  });

  it('draws the progress bar on stderr only when asked to (stderr is not a terminal here), never on stdout', async () => {
    const file = await makeFile(stack.dir, 'bar.mp4', 40 * 16 * 1024);
    await stack.emulator.setFaults({ put_throttle_bps: 256 * 1024 });
    try {
      const forced = await cli(stack, 'upload', file.path, '--direct-max-bytes', String(16 * 1024), '--progress');
      expect(forced.code, forced.stderr).toBe(0);
      expect(forced.stderr).toMatch(/\[[#.]{28}\]\s+\d+\.\d%\s+[\d.]+ (B|KiB) \/ 640 KiB .*bar\.mp4/);
      expect(forced.stdout).not.toMatch(/\[[#.]+\]/);
      expect(forced.stdout).toMatch(/^asset id: \w+$/m);

      const again = await makeFile(stack.dir, 'no-bar.mp4', 40 * 16 * 1024);
      const quiet = await cli(stack, 'upload', again.path, '--direct-max-bytes', String(16 * 1024));
      expect(quiet.code, quiet.stderr).toBe(0);
      expect(quiet.stderr + quiet.stdout).not.toMatch(/\[[#.]+\]/);
      expect(quiet.stdout).toMatch(/^✓ uploaded no-bar\.mp4/m);
      const off = await cli(stack, 'watch', uploadedId, '--progress', '--no-progress');
      expect(off.stderr).not.toMatch(/\[[#.]+\]/);
    } finally {
      await stack.emulator.setFaults({});
    }
  });
});
