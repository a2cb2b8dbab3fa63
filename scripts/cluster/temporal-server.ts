// The Temporal server built from go.temporal.io/server (frontend, history, matching and worker
// services in one process, as the temporalio/server image runs them), on the cluster's
// PostgreSQL for persistence and visibility, with deploy/temporal-dynamicconfig.yaml. A child
// process we own: killable with any signal, restartable on the same ports and database.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { stringify } from 'yaml';
import { DYNAMIC_CONFIG_FILE } from './versions';

/** The server's own ports: frontend gRPC and HTTP, and each service's gRPC and membership port. */
export interface TemporalPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

export interface TemporalServerOptions {
  binary: string;
  dir: string;
  ports: TemporalPorts;
  postgres: { port: number; user: string; password: string };
  /** Fixed when the databases are made; compose's server image defaults to 4 (NUM_HISTORY_SHARDS). */
  numHistoryShards?: number;
  log?: (line: string) => void;
}

/** The server's configuration: the module's development-postgres12.yaml with our ports, user and loopback. */
export function temporalServerConfig(options: TemporalServerOptions): Record<string, unknown> {
  const { ports, postgres } = options;
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `127.0.0.1:${postgres.port}`,
      connectProtocol: 'tcp',
      user: postgres.user,
      password: postgres.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const service = (grpcPort: number, membershipPort: number, extra: Record<string, unknown> = {}) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra },
  });
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: options.numHistoryShards ?? 4,
      datastores: { 'postgres-default': store('temporal', 20), 'postgres-visibility': store('temporal_visibility', 10) },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: service(ports.frontend, ports.frontendMembership, { httpPort: ports.frontendHttp }),
      matching: service(ports.matching, ports.matchingMembership),
      history: service(ports.history, ports.historyMembership),
      worker: service(ports.worker, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${ports.frontend}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: DYNAMIC_CONFIG_FILE, pollInterval: '10s' },
  };
}

export class TemporalServer {
  private child: ChildProcess | undefined;
  private output = '';

  constructor(readonly options: TemporalServerOptions) {}

  get address(): string {
    return `127.0.0.1:${this.options.ports.frontend}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get logFile(): string {
    return path.join(this.options.dir, 'server.log');
  }

  async start(): Promise<void> {
    fs.mkdirSync(this.options.dir, { recursive: true });
    const configFile = path.join(this.options.dir, 'config.yaml');
    fs.writeFileSync(configFile, stringify(temporalServerConfig(this.options)));
    const log = fs.createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(this.options.binary, ['--config-file', configFile, '--allow-no-auth', 'start'], { cwd: this.options.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => {
      log.write(d);
      this.output = (this.output + d.toString()).slice(-6000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('exit', () => log.end());
    this.child = child;
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the Temporal server exited (${child.exitCode ?? child.signalCode}) while starting: ${this.output.trim()}`);
      if (await this.serving()) return;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the Temporal server did not serve on ${this.address} within 180 s: ${this.output.trim()}`);
      }
      await sleep(250);
    }
  }

  /** Kills it (SIGKILL by default: a crash) and waits until it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
    this.child = undefined;
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
  }

  /** The last lines it printed. */
  recentOutput(): string {
    return this.output;
  }

  private async serving(): Promise<boolean> {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address: this.address, connectTimeout: 1000 });
      await connection.workflowService.getSystemInfo({});
      return true;
    } catch {
      return false;
    } finally {
      await connection?.close().catch(() => undefined);
    }
  }
}
