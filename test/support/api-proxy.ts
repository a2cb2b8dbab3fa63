// A real HTTP proxy on loopback in front of the emulator, for what the emulator's own faults do
// not cover: a response lost after the server acted (the ambiguous case of a non-idempotent
// call), and a slow request body (so a direct upload is observably in flight).

import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';

export interface ApiProxyOptions {
  /** Emulator origin, e.g. `http://127.0.0.1:9100`. */
  target: string;
}

export interface ApiProxy {
  /** Base URL to give the worker's client (origin + /v1.3). */
  baseUrl: string;
  /** The next `count` requests matching method and path get no response: the socket is destroyed after the target answered. */
  dropResponses(method: string, path: string, count: number): void;
  /**
   * The next `count` requests matching method and path pattern are answered by the proxy itself
   * with this status and JSON body, without reaching the target (a stale 404 from a gateway, say).
   */
  answerNext(method: string, path: RegExp, count: number, status: number, body: Record<string, unknown>): void;
  /** Caps request bodies at this many bytes per second (0 = off). */
  throttleRequests(bytesPerSecond: number): void;
  /**
   * The next request matching method and path passes `afterBytes` of its body, then stops until
   * `release()`: the request is provably in flight (sent in part) while a test acts.
   */
  holdRequestBody(method: string, path: string, afterBytes: number): HeldRequest;
  /**
   * The next request matching method and path reaches the server, whose answer is then held
   * until `release()`: the server has acted, the caller has not heard (e.g. while it is killed).
   */
  holdResponse(method: string, path: string): HeldResponse;
  /** Requests whose response was dropped so far. */
  dropped(): number;
  close(): Promise<void>;
}

export interface HeldRequest {
  /** Resolves once `afterBytes` of the body have been passed on. */
  reached: Promise<void>;
  release(): void;
}

export interface HeldResponse {
  /** Resolves once the server has answered (and the answer is held). */
  answered: Promise<void>;
  release(): void;
}

export async function startApiProxy(options: ApiProxyOptions): Promise<ApiProxy> {
  const target = new URL(options.target);
  const drops: Array<{ method: string; path: string; count: number }> = [];
  const answers: Array<{ method: string; path: RegExp; count: number; status: number; body: Record<string, unknown> }> = [];
  let droppedCount = 0;
  let throttleBps = 0;
  const holds: Array<{ method: string; path: string; gate: Gate }> = [];
  const heldAnswers: Array<{ method: string; path: string; answered: () => void; released: Promise<void> }> = [];

  const server = http.createServer((req, res) => {
    const answer = answers.find((a) => a.count > 0 && a.method === req.method && a.path.test(req.url?.split('?')[0] ?? ''));
    if (answer) {
      answer.count--;
      req.resume();
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
      return;
    }
    const drop = drops.find((d) => d.count > 0 && d.method === req.method && req.url?.split('?')[0]?.endsWith(d.path));
    if (drop) drop.count--;
    const heldAt = heldAnswers.findIndex((h) => h.method === req.method && req.url?.split('?')[0]?.endsWith(h.path));
    const heldAnswer = heldAt >= 0 ? heldAnswers.splice(heldAt, 1)[0] : undefined;
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        if (drop) {
          // The server has acted; the caller never hears it.
          answer.resume();
          answer.on('end', () => {
            droppedCount++;
            req.socket.destroy();
          });
          return;
        }
        const forward = () => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        };
        if (!heldAnswer) return forward();
        answer.pause();
        heldAnswer.answered();
        void heldAnswer.released.then(() => (res.destroyed ? answer.resume() : forward()));
      },
    );
    upstream.on('error', () => res.destroy());
    const holdAt = holds.findIndex((h) => h.method === req.method && req.url?.split('?')[0]?.endsWith(h.path));
    const gate = holdAt >= 0 ? holds.splice(holdAt, 1)[0]!.gate : undefined;
    let body: NodeJS.ReadableStream = throttleBps > 0 ? req.pipe(new Throttle(throttleBps)) : req;
    if (gate) body = body.pipe(gate);
    body.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${target.pathname.replace(/\/+$/, '')}`,
    dropResponses(method, path, count) {
      drops.push({ method, path, count });
    },
    answerNext(method, path, count, status, body) {
      answers.push({ method, path, count, status, body });
    },
    throttleRequests(bytesPerSecond) {
      throttleBps = bytesPerSecond;
    },
    holdRequestBody(method, path, afterBytes) {
      const gate = new Gate(afterBytes);
      holds.push({ method, path, gate });
      return { reached: gate.reached, release: () => gate.release() };
    },
    holdResponse(method, path) {
      let answered!: () => void;
      let release!: () => void;
      const answeredPromise = new Promise<void>((resolve) => (answered = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      heldAnswers.push({ method, path, answered, released });
      return { answered: answeredPromise, release };
    },
    dropped: () => droppedCount,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Passes bytes on no faster than `bytesPerSecond`, in 4 KiB steps. */
class Throttle extends Transform {
  constructor(private readonly bytesPerSecond: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const step = 4096;
    let offset = 0;
    const next = () => {
      if (offset >= chunk.length) return callback();
      const piece = chunk.subarray(offset, offset + step);
      offset += piece.length;
      this.push(piece);
      setTimeout(next, (piece.length / this.bytesPerSecond) * 1000);
    };
    next();
  }
}

/** Passes the first `afterBytes` bytes, then holds the rest until released. */
class Gate extends Transform {
  private passed = 0;
  private open = false;
  private resolveReached!: () => void;
  private held: Array<() => void> = [];
  readonly reached = new Promise<void>((resolve) => (this.resolveReached = resolve));

  constructor(private readonly afterBytes: number) {
    super();
  }

  release(): void {
    this.open = true;
    for (const resume of this.held.splice(0)) resume();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.open) return callback(null, chunk);
    const room = Math.max(0, this.afterBytes - this.passed);
    if (room > 0) this.push(chunk.subarray(0, room));
    this.passed += Math.min(room, chunk.length);
    if (chunk.length <= room) return callback();
    this.resolveReached();
    this.held.push(() => callback(null, chunk.subarray(room)));
  }
}
