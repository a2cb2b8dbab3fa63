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
  /** Requests whose response was dropped so far. */
  dropped(): number;
  close(): Promise<void>;
}

export async function startApiProxy(options: ApiProxyOptions): Promise<ApiProxy> {
  const target = new URL(options.target);
  const drops: Array<{ method: string; path: string; count: number }> = [];
  const answers: Array<{ method: string; path: RegExp; count: number; status: number; body: Record<string, unknown> }> = [];
  let droppedCount = 0;
  let throttleBps = 0;

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
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    const body = throttleBps > 0 ? req.pipe(new Throttle(throttleBps)) : req;
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
