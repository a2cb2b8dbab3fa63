// Which bytes each crash of a chaos run made us send again, judged from the store's own log of
// every chunk PUT (start, end, outcome; the emulator's session view). Pure: the run gathers the
// inputs, unit-tested in test/chaos/crash-accounting.test.ts.
//
// A crash is charged only the PUTs actually in flight at it. A chunk's bytes sent again after a
// crash are the bodies of its PUTs the client abandoned plus every store beyond the first:
//   - a hedge's loser (abandoned, or stored too, while another PUT of the chunk was stored) is the
//     hedge's cost, not a crash's (it is in the runs' hedgedBytes);
//   - an abandoned PUT of a lane the workflow had cancelled (pause, steal, a lowered concurrency)
//     shortly before is the cancel's cost;
//   - a store whose reply was lost on purpose (lost_reply_put) explains the store after it;
//   - a PUT the store answered with an error or reset is a fault's, and neither abandoned nor stored.
// Every other such byte must belong to a chunk with a PUT in flight at some crash, or the check fails.

export interface LoggedPut {
  startedAtMs: number;
  /** Undefined if it never ended (the run ended first). */
  endedAtMs?: number;
  outcome?: 'stored' | 'aborted' | 'failed';
  bytes: number;
}

export interface ChunkPuts {
  /** `${uploadId}/${chunkIndex}` */
  key: string;
  sizeBytes: number;
  repliesLost: number;
  puts: LoggedPut[];
}

/** A crash's window: from the kill to when the crashed part was back (the same moment for a worker). */
export interface CrashWindow {
  fromMs: number;
  toMs: number;
  kind?: 'worker-kill' | 'server-restart';
}

/**
 * A finished chunk's ETag leaves the worker at once, but a SIGKILL can land in the heartbeat's
 * round trip: a PUT answered this shortly before a crash counts as in flight at it.
 */
export const ANSWERED_BEFORE_CRASH_MS = 500;
/**
 * A Temporal server killed while a heartbeat RPC was on its way, or before it stored it, loses it:
 * after a server restart, a PUT answered this shortly before the kill counts as in flight.
 */
export const ANSWERED_BEFORE_SERVER_KILL_MS = 2_000;
/**
 * The emulator runs in the chaos process, whose event loop lags on a busy machine: it may note
 * the start of a PUT the killed worker sent just before the kill this much later.
 */
export const START_NOTED_LATE_MS = 1_000;
/**
 * After a server restart, a lane the server timed out during the outage learns of it with its next
 * heartbeat (≤ 2 s) and aborts its PUT after the 2 s cancel grace: PUTs in flight this long after
 * the restart belong to it.
 */
export const AFTER_SERVER_RESTART_MS = 5_000;
/**
 * A cancelled lane hears of it with its next heartbeat's answer (a chunk's end, or a progress beat
 * every 2 s; a PUT may have started meanwhile) and gives its PUT 2 s more: 10 s leaves room for a
 * busy machine.
 */
export const CANCEL_REACH_MS = 10_000;

export interface CrashCharge {
  /** Distinct chunks with a PUT in flight at the crash. */
  chunks: number;
  /** Their bytes: the most this crash may make us send again. */
  boundBytes: number;
  /** Bytes sent again, charged to this crash (shared evenly when a chunk was in flight at several). */
  resentBytes: number;
  /**
   * Until the upload moved again: every chunk this crash made us send again had a PUT started
   * after the crash, and every upload with a PUT in flight at it had one started after the
   * crashed part was back. Undefined if that never happened.
   */
  recoveryMs?: number;
  /** What moved again last (a chunk key or an upload id), for the log. */
  slowest?: string;
}

export interface CrashAccounting {
  charges: CrashCharge[];
  /** Chunks sent again that were in flight at no crash (each fails the check). */
  unexplained: Array<{ key: string; bytes: number }>;
  /** Abandoned bytes put down to hedges and to cancelled lanes (reported, not charged). */
  hedgeBytes: number;
  cancelBytes: number;
}

export function accountCrashes(chunks: ChunkPuts[], windows: CrashWindow[], cancelsByChunk: Map<string, number[]>): CrashAccounting {
  const charges: CrashCharge[] = windows.map(() => ({ chunks: 0, boundBytes: 0, resentBytes: 0 }));
  const unexplained: CrashAccounting['unexplained'] = [];
  let hedgeBytes = 0;
  let cancelBytes = 0;
  /** Per crash: when each thing it stopped had started moving again (undefined: never). */
  const movedAgain: Array<Array<{ atMs: number | undefined; what: string }>> = windows.map(() => []);
  const uploadsAt: Array<Set<string>> = windows.map(() => new Set());
  for (const chunk of chunks) {
    const inFlightAt = (p: LoggedPut) => windows.map((w, i) => (inFlightDuring(p, w) ? i : -1)).filter((i) => i >= 0);
    const at = windows.map((w, i) => (chunk.puts.some((p) => inFlightDuring(p, w)) ? i : -1)).filter((i) => i >= 0);
    for (const i of at) {
      charges[i]!.chunks++;
      charges[i]!.boundBytes += chunk.sizeBytes;
    }
    // What was sent in vain: abandoned bodies, and stores whose ETag was lost (all but the last).
    const stored = chunk.puts.filter((p) => p.outcome === 'stored');
    // A hedge whose loser was stored too (its body was in before the abort): one send, not two.
    const hedgedStores = stored.filter((p, i) => stored.slice(0, i).some((earlier) => overlaps(p, earlier)));
    hedgeBytes += hedgedStores.length * chunk.sizeBytes;
    const lostStores = stored.filter((p) => !hedgedStores.includes(p)).slice(0, -1).slice(chunk.repliesLost);
    const wasted: Array<{ put: LoggedPut; bytes: number }> = lostStores.map((put) => ({ put, bytes: chunk.sizeBytes }));
    for (const p of chunk.puts.filter((q) => q.outcome === 'aborted')) {
      if (stored.some((s) => overlaps(p, s))) hedgeBytes += p.bytes;
      else if ((cancelsByChunk.get(chunk.key) ?? []).some((c) => p.endedAtMs !== undefined && p.endedAtMs >= c && p.endedAtMs <= c + CANCEL_REACH_MS)) {
        cancelBytes += p.bytes;
      } else wasted.push({ put: p, bytes: p.bytes });
    }
    // Each wasted send is charged to the crashes it was in flight at; one in flight at none is unexplained.
    for (const { put, bytes } of wasted) {
      const crashes = inFlightAt(put);
      if (crashes.length === 0) {
        unexplained.push({ key: chunk.key, bytes });
        continue;
      }
      for (const i of crashes) {
        charges[i]!.resentBytes += bytes / crashes.length;
        movedAgain[i]!.push({ atMs: firstStartAfter(chunk.puts, windows[i]!.fromMs), what: chunk.key });
      }
    }
    for (const i of at) uploadsAt[i]!.add(uploadOf(chunk.key));
  }
  windows.forEach((w, i) => {
    for (const upload of uploadsAt[i]!) {
      const puts = chunks.filter((c) => uploadOf(c.key) === upload).flatMap((c) => c.puts);
      // Moving when the crashed part was back if a PUT ran across that moment; else at the next
      // PUT's start; an upload that needed no PUT after it had finished.
      const across = puts.some((p) => p.startedAtMs <= w.toMs && (p.endedAtMs ?? Number.POSITIVE_INFINITY) > w.toMs);
      const next = firstStartAfter(puts, w.toMs);
      if (across) movedAgain[i]!.push({ atMs: w.toMs, what: upload });
      else if (next !== undefined) movedAgain[i]!.push({ atMs: next, what: upload });
    }
    const moments = movedAgain[i]!;
    const never = moments.find((m) => m.atMs === undefined);
    if (never) charges[i]!.slowest = never.what;
    else if (moments.length > 0) {
      const last = moments.reduce((a, b) => (b.atMs! > a.atMs! ? b : a));
      Object.assign(charges[i]!, { recoveryMs: Math.max(0, last.atMs! - w.fromMs), slowest: last.what });
    } else charges[i]!.recoveryMs = 0;
  });
  for (const c of charges) c.resentBytes = Math.round(c.resentBytes);
  return { charges, unexplained, hedgeBytes, cancelBytes };
}

/** Started before the window closed, and still running (or answered just before) when it opened. */
export function inFlightDuring(put: LoggedPut, window: CrashWindow): boolean {
  const end = put.endedAtMs ?? Number.POSITIVE_INFINITY;
  const answeredBefore = window.kind === 'server-restart' ? ANSWERED_BEFORE_SERVER_KILL_MS : ANSWERED_BEFORE_CRASH_MS;
  const after = window.kind === 'server-restart' ? AFTER_SERVER_RESTART_MS : START_NOTED_LATE_MS;
  return put.startedAtMs <= window.toMs + after && end >= window.fromMs - answeredBefore;
}

function overlaps(a: LoggedPut, b: LoggedPut): boolean {
  const aEnd = a.endedAtMs ?? Number.POSITIVE_INFINITY;
  const bEnd = b.endedAtMs ?? Number.POSITIVE_INFINITY;
  return a.startedAtMs <= bEnd && b.startedAtMs <= aEnd;
}

function firstStartAfter(puts: LoggedPut[], afterMs: number): number | undefined {
  const starts = puts.map((p) => p.startedAtMs).filter((t) => t > afterMs);
  return starts.length > 0 ? Math.min(...starts) : undefined;
}

function uploadOf(key: string): string {
  return key.slice(0, key.lastIndexOf('/'));
}
