// The Temporal Web UI server built from github.com/temporalio/ui-server/v2, configured the way
// the temporalio/ui image configures it: its own env-driven config/docker.yaml, with the
// environment docker-compose.yml gives the temporal-ui service (TEMPORAL_ADDRESS, ...), plus a
// loopback bind.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';

export interface UiServerOptions {
  binary: string;
  configTemplate: string;
  dir: string;
  port: number;
  temporalAddress: string;
  /** Extra environment, e.g. TEMPORAL_CODEC_ENDPOINT. */
  env?: Record<string, string>;
}

export class UiServer {
  private child: ChildProcess | undefined;
  private output = '';

  constructor(readonly options: UiServerOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  async start(): Promise<void> {
    const configDir = path.join(this.options.dir, 'config');
    fs.mkdirSync(configDir, { recursive: true });
    // The image's template, and a loopback bind (the image listens on every interface of its container).
    fs.writeFileSync(path.join(configDir, 'cluster.yaml'), `${fs.readFileSync(this.options.configTemplate, 'utf8')}\nhost: 127.0.0.1\n`);
    const log = fs.createWriteStream(path.join(this.options.dir, 'ui-server.log'), { flags: 'a' });
    const child = spawn(this.options.binary, ['--root', this.options.dir, '--config', 'config', '--env', 'cluster', 'start'], {
      cwd: this.options.dir,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TEMPORAL_ADDRESS: this.options.temporalAddress,
        TEMPORAL_UI_PORT: String(this.options.port),
        TEMPORAL_CORS_ORIGINS: this.url,
        TEMPORAL_DISABLE_NEWS_FETCH: 'true', // no internet needed
        ...this.options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => {
      log.write(d);
      this.output = (this.output + d.toString()).slice(-4000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('exit', () => log.end());
    this.child = child;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the Web UI server exited (${child.exitCode ?? child.signalCode}): ${this.output.trim()}`);
      try {
        const response = await request(`${this.url}/api/v1/settings`);
        await response.body.dump();
        if (response.statusCode === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the Web UI server did not answer on ${this.url} within 60 s: ${this.output.trim()}`);
      }
      await sleep(250);
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
}
