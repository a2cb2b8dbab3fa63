// The production topology of docker-compose.yml on one machine, without Docker: a private
// PostgreSQL, the schema job, the Temporal server on it, the setup job (namespace, search
// attributes), the Web UI server, the TwelveLabs emulator and one upload worker per "host", each
// with its own allowed root and host task queue. Everything on 127.0.0.1, everything under one
// data directory, so a second start resumes where the first stopped. `npm run cluster`, the
// cluster tests and the cluster load script all start it here.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { DEFAULT_TASK_QUEUE } from '../../src/config';
import { freePort } from '../../src/dev/dev-server';
import { temporalCliPath } from '../../src/dev/temporal-cli';
import { spawnEmulator, type EmulatorProcess } from '../bench/emulator-process';
import { spawnWorker, type WorkerProcess } from '../bench/worker-process';
import { ensureClusterBinaries } from './go-build';
import { Postgres } from './postgres';
import { TemporalServer, type TemporalPorts } from './temporal-server';
import { UiServer } from './ui-server';
import { composeVersions, SCHEMA_SCRIPT, SETUP_SCRIPT, type ClusterVersions } from './versions';

export const HOST_NAMES = ['host-a', 'host-b', 'host-c'] as const;

/** What a data directory keeps across starts: ports (URLs and configs name them) and secrets. */
interface ClusterState {
  versions: ClusterVersions;
  ports: TemporalPorts & { postgres: number; ui: number; emulator: number };
  postgresPassword: string;
  apiKey: string;
}

export interface ClusterOptions {
  dataDir: string;
  /** Ports on the first start: the well-known ones (7233, 8080, 9100, as compose publishes them) or free ones. */
  ports?: 'well-known' | 'free';
  /** More emulator flags (e.g. --asset-ready-delay-ms 0, --wan-latency-ms 60). */
  emulatorArgs?: string[];
  /** More environment for every worker, or for each host's (by its name). */
  workerEnv?: Record<string, string> | ((host: string) => Record<string, string>);
  /** Whether to run the Web UI server (default yes). */
  ui?: boolean;
  log?: (line: string) => void;
}

/** One worker host: its own directory of files (TL_ALLOWED_ROOTS) and its own task queue. */
export class WorkerHost {
  process: WorkerProcess | undefined;

  constructor(
    readonly name: string,
    readonly root: string,
    readonly hostTaskQueue: string,
    private readonly launch: (host: WorkerHost, env: Record<string, string>) => Promise<WorkerProcess>,
  ) {}

  /** Starts the host's worker (again), with extra environment (e.g. a build id). */
  async start(env: Record<string, string> = {}): Promise<WorkerProcess> {
    this.process = await this.launch(this, env);
    return this.process;
  }

  /** Another worker on this host beside the current one (a new build in a rolling upgrade); the caller stops it. */
  spawnBeside(env: Record<string, string>): Promise<WorkerProcess> {
    return this.launch(this, env);
  }

  /** Kills the host's worker: SIGKILL is the host dying, SIGTERM a clean shutdown. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.process?.kill(signal);
    this.process = undefined;
  }
}

export interface Cluster {
  readonly dataDir: string;
  readonly versions: ClusterVersions;
  readonly postgres: Postgres;
  readonly temporal: TemporalServer;
  readonly ui: UiServer | undefined;
  readonly emulator: EmulatorProcess;
  readonly hosts: WorkerHost[];
  /** A directory every host may read (like compose's /media): uploads of files here need no host queue. */
  readonly sharedRoot: string;
  readonly taskQueue: string;
  readonly apiKey: string;
  /** The Temporal frontend, host:port. */
  readonly address: string;
  /** Stops everything (workers first), keeping the data. */
  stop(): Promise<void>;
}

const POSTGRES_USER = 'temporal';

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const log = options.log ?? ((line: string) => console.error(line));
  const dataDir = path.resolve(options.dataDir);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  const versions = composeVersions();
  const state = await loadState(dataDir, versions, options.ports ?? 'free');
  // Fail early on what the machine lacks, before the slow builds.
  const postgres = new Postgres({ dataDir: path.join(dataDir, 'postgres'), port: state.ports.postgres, user: POSTGRES_USER, password: state.postgresPassword });
  const cli = temporalCliPath();
  if (!cli) throw new Error('no Temporal CLI (the setup job uses it): run `npm run temporal-cli` (needs Go) or set TEMPORAL_CLI_PATH');
  const binaries = await ensureClusterBinaries(versions, log, { ui: options.ui !== false });

  const started: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of started.reverse()) await stop().catch((err: unknown) => log(`stopping: ${String(err)}`));
    started.length = 0;
  };
  try {
    log(`PostgreSQL: 127.0.0.1:${state.ports.postgres}, data ${postgres.options.dataDir}`);
    postgres.start();
    started.push(async () => postgres.stop('fast'));

    // The schema job (compose's temporal-schema service), with the SQL tool built at the server's release.
    runScript(SCHEMA_SCRIPT, {
      POSTGRES_SEEDS: '127.0.0.1',
      DB_PORT: String(state.ports.postgres),
      POSTGRES_USER,
      SQL_PASSWORD: state.postgresPassword,
      TEMPORAL_SQL_TOOL: binaries.sqlTool,
      TEMPORAL_SCHEMA_DIR: binaries.schemaDir,
    });

    const temporal = new TemporalServer({
      binary: binaries.temporalServer,
      dir: path.join(dataDir, 'temporal'),
      ports: state.ports,
      postgres: { port: state.ports.postgres, user: POSTGRES_USER, password: state.postgresPassword },
    });
    await temporal.start();
    started.push(() => temporal.stop());
    log(`Temporal server ${versions.temporal}: ${temporal.address} (log ${temporal.logFile})`);

    // The setup job (compose's temporal-setup service): namespace and search attributes.
    runScript(SETUP_SCRIPT, { TEMPORAL_CLI: cli, TEMPORAL_ADDRESS: temporal.address });

    let ui: UiServer | undefined;
    if (options.ui !== false) {
      ui = new UiServer({
        binary: binaries.uiServer,
        configTemplate: binaries.uiConfigTemplate,
        dir: path.join(dataDir, 'ui'),
        port: state.ports.ui,
        temporalAddress: temporal.address,
      });
      await ui.start();
      started.push(() => ui!.stop());
      log(`Web UI ${versions.ui}: ${ui.url}`);
    }

    const emulator = await spawnEmulator({
      apiKey: state.apiKey,
      dataDir: path.join(dataDir, 'emulator'),
      port: state.ports.emulator,
      compiled: true,
      args: options.emulatorArgs ?? [],
    });
    started.push(() => emulator.stop());

    const sharedRoot = path.join(dataDir, 'shared');
    fs.mkdirSync(sharedRoot, { recursive: true });
    const logs = path.join(dataDir, 'logs');
    fs.mkdirSync(logs, { recursive: true });
    const launch = (host: WorkerHost, env: Record<string, string>) =>
      spawnWorker({
        temporalAddress: temporal.address,
        taskQueue: DEFAULT_TASK_QUEUE,
        apiKey: state.apiKey,
        twelveLabsBaseUrl: emulator.baseUrl,
        // Its own files, and the directory every host shares (as compose's workers share /media).
        allowedRoots: [host.root, sharedRoot],
        env: {
          TL_HOST_TASK_QUEUE: host.hostTaskQueue,
          TL_LOG_FORMAT: 'text',
          TL_LOG_LEVEL: 'WARN',
          ...(typeof options.workerEnv === 'function' ? options.workerEnv(host.name) : options.workerEnv),
          ...env,
        },
        outputFile: path.join(logs, `${host.name}.log`),
      });
    const hosts = HOST_NAMES.map((name) => {
      const root = path.join(dataDir, 'hosts', name);
      fs.mkdirSync(root, { recursive: true });
      return new WorkerHost(name, root, `${DEFAULT_TASK_QUEUE}@${name}`, launch);
    });
    await Promise.all(hosts.map((host) => host.start()));
    started.push(async () => {
      await Promise.all(hosts.map((host) => host.kill('SIGTERM')));
    });

    return {
      dataDir,
      versions,
      postgres,
      temporal,
      ui,
      emulator,
      hosts,
      sharedRoot,
      taskQueue: DEFAULT_TASK_QUEUE,
      apiKey: state.apiKey,
      address: temporal.address,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function loadState(dataDir: string, versions: ClusterVersions, ports: 'well-known' | 'free'): Promise<ClusterState> {
  const file = path.join(dataDir, 'cluster.json');
  if (fs.existsSync(file)) {
    const state = JSON.parse(fs.readFileSync(file, 'utf8')) as ClusterState;
    // A newer release in compose: the schema job migrates the databases, as a new image would.
    state.versions = versions;
    fs.writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
    return state;
  }
  const pick = async (wellKnown: number) => (ports === 'well-known' ? wellKnown : await freePort());
  // Temporal keeps membership ports in a smallint column: they must be below 32768, where the
  // kernel's ephemeral range (32768 and up) never lands.
  const pickMembership = async (wellKnown: number) => (ports === 'well-known' ? wellKnown : await freePortBelow(32_768));
  const state: ClusterState = {
    versions,
    ports: {
      frontend: await pick(7233),
      frontendHttp: await pick(7243),
      frontendMembership: await pickMembership(6933),
      history: await pick(7234),
      historyMembership: await pickMembership(6934),
      matching: await pick(7235),
      matchingMembership: await pickMembership(6935),
      worker: await pick(7239),
      workerMembership: await pickMembership(6939),
      postgres: await pick(5433),
      ui: await pick(8080),
      emulator: await pick(9100),
    },
    postgresPassword: randomBytes(12).toString('hex'),
    apiKey: `tlk_cluster_${randomBytes(8).toString('hex')}`,
  };
  fs.writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  return state;
}

/** A free loopback port in [20000, limit), tried at random. */
async function freePortBelow(limit: number): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * (limit - 20_000));
    const server = net.createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port below ${limit} on 127.0.0.1`);
}

function runScript(script: string, env: Record<string, string>): void {
  try {
    execFileSync('sh', [script], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${path.relative(process.cwd(), script)} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}
