// One keep-alive connection pool for the whole process (STYLE: "one shared connection pool").
// An undici Agent keeps one Pool per origin, so API calls and chunk PUTs (whose store may be a
// different origin) share sockets without any per-call setup. Tests and callers with special
// needs (custom TLS, a MockAgent) pass their own dispatcher instead.

import { Agent, type Dispatcher } from 'undici';

/** Defaults for the shared agent; each is a reason, not a guess. */
export const DEFAULT_AGENT_OPTIONS = {
  /** A TCP+TLS handshake that takes longer than this is a dead route, not a slow one. */
  connectTimeout: 10_000,
  /**
   * Idle limit until response headers arrive. undici refreshes this timer while the request body
   * is being written, so it bounds a stalled upload, not a long one.
   */
  headersTimeout: 60_000,
  /** Idle limit between response body chunks. */
  bodyTimeout: 60_000,
  /** Idle sockets are closed after this; below typical load-balancer idle limits (60 s). */
  keepAliveTimeout: 10_000,
  /** Upper bound on a server-suggested keep-alive (`Keep-Alive: timeout=`). */
  keepAliveMaxTimeout: 60_000,
} as const satisfies Agent.Options;

let shared: Agent | undefined;

/** Creates a new Agent with our defaults; `overrides` may set TLS (`connect`), limits, etc. */
export function createTwelveLabsAgent(overrides: Agent.Options = {}): Agent {
  return new Agent({ ...DEFAULT_AGENT_OPTIONS, ...overrides });
}

/** The process-wide Agent, created on first use. */
export function getSharedDispatcher(): Dispatcher {
  if (!shared || shared.closed || shared.destroyed) shared = createTwelveLabsAgent();
  return shared;
}

/** Closes the process-wide Agent (graceful: waits for in-flight requests). For shutdown and tests. */
export async function closeSharedDispatcher(): Promise<void> {
  const agent = shared;
  shared = undefined;
  if (agent && !agent.closed) await agent.close();
}
