#!/usr/bin/env node
// Container healthchecks (docker-compose.yml), plain Node with no dependencies:
//   node deploy/healthcheck.cjs worker http://127.0.0.1:9464/metrics
//     healthy when the worker's Prometheus endpoint answers and shows at least one workflow-task
//     poller (temporal_num_pollers{poller_type="workflow_task"} > 0): the process is up, its
//     runtime started and its worker is polling, not just listening.
//   node deploy/healthcheck.cjs codec-server http://127.0.0.1:8888
//     healthy when the codec server answers a CORS preflight of /decode (no token, no payload).
// Exit 0 healthy, 1 not (with one line saying why), 2 usage. Every request is bounded by a timeout.
'use strict';

const TIMEOUT_MS = 3000;

async function checkWorker(metricsUrl) {
  const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!res.ok) return `GET ${metricsUrl}: HTTP ${res.status}`;
  const text = await res.text();
  const pollers = [...text.matchAll(/^temporal_num_pollers\{([^}]*)\}\s+(\S+)$/gm)]
    .filter((m) => /poller_type="workflow_task"/.test(m[1]))
    .reduce((sum, m) => sum + Number(m[2]), 0);
  return pollers > 0 ? undefined : 'no workflow task poller yet (temporal_num_pollers{poller_type="workflow_task"} is 0 or absent)';
}

async function checkCodecServer(baseUrl) {
  const url = `${baseUrl.replace(/\/+$/, '')}/decode`;
  const res = await fetch(url, { method: 'OPTIONS', signal: AbortSignal.timeout(TIMEOUT_MS) });
  return res.status === 204 ? undefined : `OPTIONS ${url}: HTTP ${res.status}`;
}

const CHECKS = { worker: checkWorker, 'codec-server': checkCodecServer };

async function main() {
  const [kind, url] = process.argv.slice(2);
  const check = CHECKS[kind];
  if (!check || !url) {
    console.error('usage: healthcheck.cjs worker <metrics url> | codec-server <base url>');
    return 2;
  }
  const problem = await check(url).catch((err) => `${url}: ${err.cause?.code ?? err.name}: ${err.message}`);
  if (problem) console.error(`unhealthy: ${problem}`);
  return problem ? 1 : 0;
}

main().then((code) => process.exit(code));
