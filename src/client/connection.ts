// The one place a Temporal client is made from the environment: connection (address, TLS or API
// key, namespace, via @temporalio/envconfig) and the data converter (payload encryption when
// TL_CODEC_KEYS is set), so the CLI and services always agree with the worker.

import net from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { temporalConfig } from '../config';
import { dataConverterFromEnv } from '../security/data-converter';
import { UnavailableError } from './errors';

/** How long the TCP probe waits before leaving the verdict to the gRPC connection itself. */
const PROBE_TIMEOUT_MS = 2_000;

export async function createTemporalClient(env: NodeJS.ProcessEnv = process.env): Promise<Client> {
  const config = temporalConfig(env);
  // gRPC retries a refused connection until its 10 s connect timeout; a plain TCP connect says
  // "refused" (or "no such host") at once, and that is the common mistake: nothing listens there.
  await probeAddress(config.address);
  let connection: Connection;
  try {
    connection = await Connection.connect(config.connectionOptions);
  } catch (err) {
    throw new UnavailableError(`cannot reach Temporal at ${config.address}: ${(err as Error).message}`);
  }
  const dataConverter = dataConverterFromEnv(env);
  return new Client({ connection, namespace: config.namespace, ...(dataConverter ? { dataConverter } : {}) });
}

/** `host:port`, `[v6]:port`; undefined for anything else (left to gRPC to interpret). */
export function hostAndPort(address: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]/]+)):(\d{1,5})$/.exec(address.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  return port > 0 && port < 65536 ? { host: match[1] ?? match[2]!, port } : undefined;
}

/**
 * Fails at once with an UnavailableError naming the address when nothing listens there or the
 * host does not resolve. Anything else (a slow network, a proxy in the way) is left to gRPC.
 */
async function probeAddress(address: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  const target = hostAndPort(address);
  if (!target || process.env.grpc_proxy || process.env.https_proxy || process.env.HTTPS_PROXY) return;
  const verdict = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const socket = net.connect({ host: target.host, port: target.port });
    const done = (err?: NodeJS.ErrnoException) => {
      socket.destroy();
      resolve(err);
    };
    socket.setTimeout(timeoutMs, () => done());
    socket.once('connect', () => done());
    socket.once('error', (err) => done(err));
  });
  if (verdict?.code === 'ECONNREFUSED') {
    throw new UnavailableError(`cannot reach Temporal at ${address}: connection refused (is the server running, and is TEMPORAL_ADDRESS or --address right?)`);
  }
  if (verdict?.code === 'ENOTFOUND' || verdict?.code === 'EAI_AGAIN') {
    throw new UnavailableError(`cannot reach Temporal at ${address}: the host ${target.host} does not resolve (check TEMPORAL_ADDRESS or --address)`);
  }
}
