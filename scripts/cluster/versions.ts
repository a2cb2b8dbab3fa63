// What `npm run cluster` runs, read from what docker compose deploys, so the two cannot drift:
// the Temporal server and Web UI releases are the image tags in docker-compose.yml, the dynamic
// config, the schema job and the setup job are the files in deploy/ that compose mounts.

import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const COMPOSE_FILE = path.join(REPO_ROOT, 'docker-compose.yml');
export const DEPLOY_DIR = path.join(REPO_ROOT, 'deploy');
export const DYNAMIC_CONFIG_FILE = path.join(DEPLOY_DIR, 'temporal-dynamicconfig.yaml');
export const SCHEMA_SCRIPT = path.join(DEPLOY_DIR, 'temporal-schema.sh');
export const SETUP_SCRIPT = path.join(DEPLOY_DIR, 'temporal-setup.sh');

/**
 * The Go toolchain the server and UI builds use: Temporal 1.31.5 and later need a newer Go than
 * Debian's; `+auto` lets a module that asks for a still newer one have it (through the Go proxy).
 */
export const GO_TOOLCHAIN = 'go1.27.3+auto';

export interface ClusterVersions {
  /** Temporal server release, e.g. 1.32.2 (temporalio/server, temporalio/admin-tools). */
  temporal: string;
  /** Web UI release, e.g. 2.58.1 (temporalio/ui; the Go module github.com/temporalio/ui-server/v2). */
  ui: string;
}

interface ComposeService {
  image?: string;
}

function tagOf(service: ComposeService | undefined, repository: string): string {
  const match = new RegExp(`^${repository.replace('/', '\\/')}:(\\d+\\.\\d+\\.\\d+)$`).exec(service?.image ?? '');
  if (!match) throw new Error(`${path.basename(COMPOSE_FILE)}: expected an image ${repository}:<x.y.z>, found ${service?.image ?? 'none'}`);
  return match[1]!;
}

/** The releases docker-compose.yml pins; the schema and setup jobs must use the server's. */
export function composeVersions(file = COMPOSE_FILE): ClusterVersions {
  const services = (parse(fs.readFileSync(file, 'utf8'), { merge: true }) as { services: Record<string, ComposeService> }).services;
  const temporal = tagOf(services.temporal, 'temporalio/server');
  for (const job of ['temporal-schema', 'temporal-setup']) {
    const tag = tagOf(services[job], 'temporalio/admin-tools');
    if (tag !== temporal) throw new Error(`${path.basename(file)}: ${job} runs admin-tools ${tag}, the server is ${temporal}: use one release`);
  }
  return { temporal, ui: tagOf(services['temporal-ui'], 'temporalio/ui') };
}
