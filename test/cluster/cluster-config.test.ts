// What `npm run cluster` runs is what docker-compose.yml deploys: versions from compose's image
// tags, the server's stores on PostgreSQL (postgres12), compose's dynamic config file; and the
// worker's versioning knob (TL_WORKER_DEPLOYMENT, TL_WORKER_BUILD_ID) the rolling upgrade uses.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { temporalServerConfig, type TemporalPorts } from '../../scripts/cluster/temporal-server';
import { composeVersions, COMPOSE_FILE, DYNAMIC_CONFIG_FILE, REPO_ROOT } from '../../scripts/cluster/versions';
import { ConfigError, workerTuning } from '../../src/config';

const compose = parse(fs.readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as {
  services: Record<string, { image?: string; environment?: Record<string, string>; volumes?: string[] }>;
};

describe('the cluster and docker compose', () => {
  it('runs the Temporal server and Web UI releases compose pins', () => {
    const versions = composeVersions();
    expect(compose.services.temporal!.image).toBe(`temporalio/server:${versions.temporal}`);
    expect(compose.services['temporal-ui']!.image).toBe(`temporalio/ui:${versions.ui}`);
  });

  it('refuses a compose file whose schema job runs another release than the server', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tl-compose-')), 'docker-compose.yml');
    fs.writeFileSync(file, fs.readFileSync(COMPOSE_FILE, 'utf8').replace(/temporalio\/admin-tools:[\d.]+/, 'temporalio/admin-tools:1.0.0'));
    expect(() => composeVersions(file)).toThrow(/temporal-schema runs admin-tools 1\.0\.0/);
  });

  it('keeps persistence and visibility on PostgreSQL (postgres12) and reads the dynamic config compose mounts', () => {
    const ports = Object.fromEntries(
      ['frontend', 'frontendHttp', 'frontendMembership', 'history', 'historyMembership', 'matching', 'matchingMembership', 'worker', 'workerMembership'].map((k, i) => [k, 21_000 + i]),
    ) as unknown as TemporalPorts;
    const config = temporalServerConfig({ binary: 'x', dir: '/tmp', ports, postgres: { port: 5433, user: 'temporal', password: 'p' } }) as {
      persistence: { defaultStore: string; visibilityStore: string; datastores: Record<string, { sql: { pluginName: string; databaseName: string; connectAddr: string } }> };
      dynamicConfigClient: { filepath: string };
    };
    const { datastores, defaultStore, visibilityStore } = config.persistence;
    expect(datastores[defaultStore]!.sql).toMatchObject({ pluginName: 'postgres12', databaseName: 'temporal', connectAddr: '127.0.0.1:5433' });
    expect(datastores[visibilityStore]!.sql).toMatchObject({ pluginName: 'postgres12', databaseName: 'temporal_visibility' });
    // compose: POSTGRES_SEEDS/DB=postgres12, and the same dynamic config file mounted into the server.
    expect(compose.services.temporal!.environment!.DB).toBe('postgres12');
    const mounted = compose.services.temporal!.volumes!.map((v) => path.resolve(REPO_ROOT, v.split(':')[0]!));
    expect(mounted).toContain(config.dynamicConfigClient.filepath);
    expect(config.dynamicConfigClient.filepath).toBe(DYNAMIC_CONFIG_FILE);
  });
});

describe('TL_WORKER_DEPLOYMENT and TL_WORKER_BUILD_ID', () => {
  it('make the worker a deployment version, both or neither', () => {
    expect(workerTuning({}).workerDeployment).toBeUndefined();
    expect(workerTuning({ TL_WORKER_DEPLOYMENT: 'tl-uploads', TL_WORKER_BUILD_ID: 'v2' }).workerDeployment).toEqual({ deploymentName: 'tl-uploads', buildId: 'v2' });
    expect(() => workerTuning({ TL_WORKER_BUILD_ID: 'v2' })).toThrow(ConfigError);
    expect(() => workerTuning({ TL_WORKER_DEPLOYMENT: 'tl-uploads' })).toThrow(/go together/);
  });
});
