// A private PostgreSQL instance for the cluster: its own data directory (under .data/), its own
// loopback port and password, started and stopped with pg_ctl; never the system's service.
// initdb and the server refuse to run as root, so as root they run as the `postgres` user.

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export class PostgresMissingError extends Error {
  override readonly name = 'PostgresMissingError';
}

const TOOLS = ['initdb', 'pg_ctl', 'psql'] as const;

/** Directories that hold the server tools where they are usually installed (Debian, Homebrew, Postgres.app). */
function candidateBinDirs(): string[] {
  const dirs: string[] = [];
  if (process.env.TL_PG_BIN) dirs.push(process.env.TL_PG_BIN);
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir) dirs.push(dir);
  const versioned = (root: string, pattern: RegExp, sub: string) => {
    try {
      return fs
        .readdirSync(root)
        .filter((name) => pattern.test(name))
        .sort((a, b) => Number(b.replace(/\D/g, '')) - Number(a.replace(/\D/g, '')))
        .map((name) => path.join(root, name, sub));
    } catch {
      return [];
    }
  };
  dirs.push(...versioned('/usr/lib/postgresql', /^\d+$/, 'bin'));
  dirs.push(...versioned('/opt/homebrew/opt', /^postgresql(@\d+)?$/, 'bin'), ...versioned('/usr/local/opt', /^postgresql(@\d+)?$/, 'bin'));
  dirs.push(...versioned('/Applications/Postgres.app/Contents/Versions', /^\d+$/, 'bin'));
  return dirs;
}

/** The directory with initdb, pg_ctl and psql, or a PostgresMissingError that says how to get them. */
export function postgresBinDir(): string {
  for (const dir of candidateBinDirs()) if (TOOLS.every((tool) => fs.existsSync(path.join(dir, tool)))) return dir;
  throw new PostgresMissingError(
    'PostgreSQL server tools (initdb, pg_ctl, psql) not found. `npm run cluster` runs a private PostgreSQL of its own under .data/ and needs them installed ' +
      '(not running): on Debian or Ubuntu `sudo apt-get install postgresql`, on macOS `brew install postgresql@15` (or Postgres.app). ' +
      'If they are elsewhere, set TL_PG_BIN to their directory.',
  );
}

export interface PostgresOptions {
  dataDir: string;
  port: number;
  user: string;
  password: string;
  log?: (line: string) => void;
}

export class Postgres {
  readonly bin = postgresBinDir();
  /** As root the server runs as this user (initdb refuses root). */
  private readonly runAs: { uid: number; gid: number; name: string } | undefined;

  constructor(readonly options: PostgresOptions) {
    this.runAs = process.getuid?.() === 0 ? postgresUser() : undefined;
  }

  get port(): number {
    return this.options.port;
  }

  get logFile(): string {
    return path.join(this.options.dataDir, 'server.log');
  }

  private get pgdata(): string {
    return path.join(this.options.dataDir, 'data');
  }

  /** initdb on first start: a superuser with the password, loopback only, this port. */
  ensureInitialized(): void {
    if (fs.existsSync(path.join(this.pgdata, 'PG_VERSION'))) return;
    const { dataDir, user, password, port } = this.options;
    fs.mkdirSync(dataDir, { recursive: true });
    fs.rmSync(this.pgdata, { recursive: true, force: true }); // a half-made one from an interrupted first start
    const pwfile = path.join(dataDir, '.pwfile');
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    this.own(dataDir);
    this.own(pwfile);
    try {
      this.run('initdb', ['-D', this.pgdata, '-U', user, `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-instructions']);
    } finally {
      fs.rmSync(pwfile, { force: true });
    }
    // Loopback only, a socket in our own directory (not /var/run/postgresql), and enough
    // connections for a server whose stores each keep a pool.
    fs.appendFileSync(
      path.join(this.pgdata, 'postgresql.conf'),
      `\n# npm run cluster\nport = ${port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${this.pgdata}'\nmax_connections = 200\nshared_buffers = 128MB\n`,
    );
  }

  /** Starts it and waits until it accepts connections. */
  start(): void {
    this.ensureInitialized();
    this.run('pg_ctl', ['-D', this.pgdata, '-l', this.logFile, '-w', '-t', '120', '-o', `-p ${this.options.port}`, 'start']);
  }

  /** `pg_ctl stop`: `fast` for a clean stop, `immediate` for what a crash leaves (recovery from WAL at the next start). */
  stop(mode: 'fast' | 'immediate' = 'fast'): void {
    if (!this.running()) return;
    this.run('pg_ctl', ['-D', this.pgdata, '-m', mode, '-w', 'stop']);
  }

  running(): boolean {
    return spawnSync(path.join(this.bin, 'pg_ctl'), ['-D', this.pgdata, 'status'], { stdio: 'ignore', ...this.identity() }).status === 0;
  }

  /** The postmaster's pid (its backends are its children). */
  pid(): number | undefined {
    try {
      return Number(fs.readFileSync(path.join(this.pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return undefined;
    }
  }

  /** One value from a query, over the local socket. */
  query(sql: string, database = 'postgres'): string {
    return execFileSync(path.join(this.bin, 'psql'), ['-h', this.pgdata, '-p', String(this.options.port), '-U', this.options.user, '-d', database, '-At', '-c', sql], {
      encoding: 'utf8',
      ...this.identity(),
    }).trim();
  }

  /**
   * The WAL position in bytes: the difference of two readings is what the server wrote to its
   * log in between (every change of every table and index). Unlike pg_stat_wal it survives a crash.
   */
  walPosition(): number {
    return Number(this.query("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')"));
  }

  private run(tool: string, args: string[]): void {
    const result = spawnSync(path.join(this.bin, tool), args, { encoding: 'utf8', ...this.identity() });
    if (result.status !== 0) {
      let tail = '';
      try {
        tail = fs.readFileSync(this.logFile, 'utf8').slice(-2000);
      } catch {
        // no log yet
      }
      throw new Error(`${tool} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr}${result.stdout}${tail ? `\nserver log:\n${tail}` : ''}`);
    }
  }

  private identity(): { uid?: number; gid?: number; cwd: string } {
    // cwd: the tools complain when they cannot read the current directory as that user.
    return this.runAs ? { uid: this.runAs.uid, gid: this.runAs.gid, cwd: this.options.dataDir } : { cwd: this.options.dataDir };
  }

  private own(file: string): void {
    if (this.runAs) fs.chownSync(file, this.runAs.uid, this.runAs.gid);
  }
}

function postgresUser(): { uid: number; gid: number; name: string } {
  const name = process.env.TL_PG_USER ?? 'postgres';
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return { uid, gid, name };
  } catch {
    throw new PostgresMissingError(`running as root: PostgreSQL refuses root, and there is no user ${name} to run it as (create one, or set TL_PG_USER)`);
  }
}
