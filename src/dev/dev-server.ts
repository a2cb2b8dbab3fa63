// The Temporal dev server (with its Web UI) as a child process we own: started with a database
// file so workflows survive a restart, killable with any signal, restartable on the same ports.
// Used by `npm run server`, `npm run dev`, the demo and the tests that crash the server.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { UPLOAD_SEARCH_ATTRIBUTE_KEYS } from '../workflows/search-attributes';
import { temporalCliPath } from './temporal-cli';

const CLI_TYPE = { KEYWORD: 'Keyword', INT: 'Int', TEXT: 'Text' } as const;

/** The upload workflows' search attributes as `temporal` CLI types; the dev server registers them up front. */
export const UPLOAD_SEARCH_ATTRIBUTES: Record<string, 'Keyword' | 'Int' | 'Text'> = Object.fromEntries(
  UPLOAD_SEARCH_ATTRIBUTE_KEYS.map((key) => [key.name, CLI_TYPE[key.type as keyof typeof CLI_TYPE]]),
);

export interface DevServerOptions {
  /** gRPC port; default: a free port. */
  port?: number;
  /** Web UI port; default: a free port. Set `ui: false` for no UI. */
  uiPort?: number;
  ui?: boolean;
  /** SQLite file that keeps workflows across restarts; default: in memory. */
  dbFile?: string;
  namespace?: string;
  /** Forward the server's own output to ours. */
  inheritOutput?: boolean;
  /** Extra `temporal server start-dev` flags (e.g. `--ui-codec-endpoint`). */
  extraArgs?: string[];
}

export class DevServer {
  readonly port: number;
  readonly uiPort: number | undefined;
  readonly namespace: string;
  private child: ChildProcess | undefined;

  private constructor(
    private readonly binary: string,
    private readonly options: DevServerOptions,
    port: number,
    uiPort: number | undefined,
  ) {
    this.port = port;
    this.uiPort = uiPort;
    this.namespace = options.namespace ?? 'default';
  }

  static async start(options: DevServerOptions = {}): Promise<DevServer> {
    const binary = temporalCliPath();
    if (!binary) throw new Error('no Temporal CLI here: run `npm run temporal-cli` (needs Go) or set TEMPORAL_CLI_PATH');
    // A free port found here can be taken by another process before the server binds it (tests
    // start servers side by side): ports we chose ourselves are chosen again, a few times.
    const choosesPorts = options.port === undefined && (options.ui === false || options.uiPort === undefined);
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await freePort());
      const uiPort = options.ui === false ? undefined : (options.uiPort ?? (await freePort()));
      const server = new DevServer(binary, options, port, uiPort);
      try {
        await server.launch();
        return server;
      } catch (err) {
        if (!choosesPorts || attempt >= 3 || !/address already in use/.test(String(err))) throw err;
      }
    }
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get uiUrl(): string | undefined {
    return this.uiPort === undefined ? undefined : `http://127.0.0.1:${this.uiPort}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Kills the server abruptly (SIGKILL by default), as a crash would. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
    this.child = undefined;
  }

  /** Starts the server again on the same ports and database file. */
  async restart(): Promise<void> {
    await this.kill('SIGTERM');
    await this.launch();
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
  }

  private async launch(): Promise<void> {
    const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(this.port), '--namespace', this.namespace, '--log-level', 'warn'];
    if (this.uiPort === undefined) args.push('--headless');
    else args.push('--ui-port', String(this.uiPort), '--ui-ip', '127.0.0.1');
    if (this.options.dbFile) args.push('--db-filename', this.options.dbFile);
    for (const [name, type] of Object.entries(UPLOAD_SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
    // Eager activity dispatch: an activity the workflow schedules goes back to the same worker in
    // the answer to its workflow task, without a round trip through matching. Every chunk is an
    // activity, so this is most of the server's work per chunk (docs/BENCHMARKS.md).
    args.push('--dynamic-config-value', 'system.enableActivityEagerExecution=true');
    args.push(...(this.options.extraArgs ?? []));
    const child = spawn(this.binary, args, { stdio: ['ignore', this.options.inheritOutput ? 'inherit' : 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (data: Buffer) => {
      stderr = (stderr + data.toString()).slice(-4000);
      if (this.options.inheritOutput) process.stderr.write(data);
    });
    this.child = child;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the Temporal dev server exited (${child.exitCode ?? child.signalCode}) while starting: ${stderr.trim()}`);
      }
      if (await this.isServing()) return;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the Temporal dev server did not start on ${this.address} within 60 s: ${stderr.trim()}`);
      }
      await sleep(200);
    }
  }

  private async isServing(): Promise<boolean> {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address: this.address, connectTimeout: 1000 });
      await connection.workflowService.describeNamespace({ namespace: this.namespace });
      return true;
    } catch {
      return false;
    } finally {
      await connection?.close().catch(() => undefined);
    }
  }
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}
