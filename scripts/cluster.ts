// `npm run cluster`: the topology docker-compose.yml deploys, on this machine without Docker
// (scripts/cluster/cluster.ts): a private PostgreSQL, the Temporal server built with Go at the
// release compose pins, the Web UI server, the TwelveLabs emulator and three upload workers, each
// its own "host" with its own files and task queue. Runs until Ctrl-C, which stops everything and
// keeps the data: the next start resumes.
//
//   npm run cluster                        data in .data/cluster, ports 7233 (Temporal), 8080 (UI), 9100 (emulator)
//   npm run cluster -- --data-dir <dir> --free-ports
//   npm run cluster -- --build-only        only build (or find) the Go binaries, e.g. in CI before the tests

import path from 'node:path';
import { parseArgs } from 'node:util';
import { startCluster } from './cluster/cluster';
import { ensureClusterBinaries, GoMissingError } from './cluster/go-build';
import { PostgresMissingError, postgresBinDir } from './cluster/postgres';
import { composeVersions } from './cluster/versions';
import { stopOnSignal } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string', default: path.resolve(__dirname, '../.data/cluster') },
      'free-ports': { type: 'boolean', default: false },
      'build-only': { type: 'boolean', default: false },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log('Usage: npm run cluster -- [--data-dir .data/cluster] [--free-ports] [--build-only]');
    return;
  }
  if (values['build-only']) {
    const versions = composeVersions();
    const binaries = await ensureClusterBinaries(versions, console.log);
    console.log(`Temporal server ${versions.temporal}: ${binaries.temporalServer}`);
    console.log(`Web UI server ${versions.ui}: ${binaries.uiServer}`);
    console.log(`PostgreSQL tools: ${postgresBinDir()}`);
    return;
  }
  const cluster = await startCluster({ dataDir: values['data-dir'], ports: values['free-ports'] ? 'free' : 'well-known', log: console.log });
  console.log('');
  console.log(`Temporal ${cluster.versions.temporal}  ${cluster.address}   (PostgreSQL 127.0.0.1:${cluster.postgres.port}, data ${cluster.dataDir})`);
  if (cluster.ui) console.log(`Web UI ${cluster.versions.ui}     ${cluster.ui.url}`);
  console.log(`TwelveLabs emulator  ${cluster.emulator.baseUrl}`);
  for (const host of cluster.hosts) console.log(`worker ${host.name}        files under ${host.root}, host task queue ${host.hostTaskQueue}`);
  console.log('');
  console.log(`shared files         under ${cluster.sharedRoot} (every host reads them)`);
  console.log('');
  console.log('Point the CLI at it (another terminal):');
  console.log(`  export TEMPORAL_ADDRESS=${cluster.address}${cluster.ui ? ` TEMPORAL_UI_URL=${cluster.ui.url}` : ''}`);
  console.log(`  cp my-video.mp4 ${cluster.sharedRoot}/ && npm run tl-upload -- upload ${cluster.sharedRoot}/my-video.mp4`);
  console.log("A file under one host's directory is read by that host only: start its upload with fileTaskQueue '<queue>@<host>' (client library).");
  console.log('Ctrl-C stops everything and keeps the data; the next start resumes.');
  await stopOnSignal(() => cluster.stop());
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof PostgresMissingError || err instanceof GoMissingError) console.error(`cluster: ${err.message}`);
    else console.error(`cluster: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
