// Where the connections went: the emulator's PUT log of a set of upload sessions (GET
// /_emulator/sessions/:id, every chunk PUT whose body the store began to read), reduced to how busy
// the connections were. Used by `npm run cluster-load` to compare our uploads with the limit
// uploader's at the same number of connections: a connection idle between two chunks (a lane's
// end, the next lane's start) shows here as slot-seconds without a PUT.

import { request } from 'undici';

export interface SessionPuts {
  uploadId: string;
  createdAtMs: number;
  /** Every PUT of every chunk, in no particular order. */
  puts: Array<{ chunkIndex: number; startedAtMs: number; endedAtMs: number }>;
  totalChunks: number;
}

interface AdminSessionView {
  created_at: string;
  total_chunks: number;
  chunks: Array<{ index: number; puts: Array<{ started_at_ms: number; ended_at_ms: number | null }> }>;
}

export async function readSessionPuts(emulatorOrigin: string, uploadId: string): Promise<SessionPuts> {
  const response = await request(`${emulatorOrigin}/_emulator/sessions/${uploadId}`);
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`emulator admin GET /sessions/${uploadId}: ${response.statusCode} ${text}`);
  const view = JSON.parse(text) as AdminSessionView;
  const puts = view.chunks.flatMap((c) => c.puts.map((p) => ({ chunkIndex: c.index, startedAtMs: p.started_at_ms, endedAtMs: p.ended_at_ms ?? p.started_at_ms })));
  return { uploadId, createdAtMs: Date.parse(view.created_at), puts, totalChunks: view.total_chunks };
}

export interface PutTimeline {
  sessions: number;
  puts: number;
  /** PUTs beyond one per chunk (hedges, retries). */
  extraPuts: number;
  /** Mean over sessions: session created (M1) to its first PUT. */
  meanLeadInSeconds: number;
  /** Mean over sessions: first PUT start to last PUT end. */
  meanPutSpanSeconds: number;
  /** Over all sessions: PUT-seconds / (connections per session × the session's PUT span). */
  connectionUse: number;
  /** Mean over sessions of the slot-seconds without a PUT inside the PUT span, per connection. */
  meanIdleSecondsPerConnection: number;
  /** Mean over sessions of (PUT span − what its PUTs needed if the connections never idled). */
  meanSpanLostSeconds: number;
  /** Mean wait of a connection between one PUT's end and its next PUT's start (PUTs matched to the connection freed last before them). */
  meanGapBetweenPutsSeconds: number;
  /** Mean PUT duration. */
  meanPutSeconds: number;
}

/** How busy `connectionsPerSession` connections were while each session's PUTs ran. */
export function summarizePuts(sessions: SessionPuts[], connectionsPerSession: number): PutTimeline {
  let putSeconds = 0;
  let slotSeconds = 0;
  let leadIn = 0;
  let span = 0;
  let lost = 0;
  let puts = 0;
  let extra = 0;
  let gapSum = 0;
  let gaps = 0;
  for (const s of sessions) {
    const free: number[] = [];
    for (const p of [...s.puts].sort((a, b) => a.startedAtMs - b.startedAtMs)) {
      const ready = free.map((end, i) => ({ end, i })).filter((f) => f.end <= p.startedAtMs).sort((a, b) => b.end - a.end)[0];
      if (ready) {
        gapSum += (p.startedAtMs - ready.end) / 1000;
        gaps++;
        free.splice(ready.i, 1);
      }
      free.push(p.endedAtMs);
    }
    if (s.puts.length === 0) continue;
    const first = Math.min(...s.puts.map((p) => p.startedAtMs));
    const last = Math.max(...s.puts.map((p) => p.endedAtMs));
    const busy = s.puts.reduce((sum, p) => sum + (p.endedAtMs - p.startedAtMs), 0) / 1000;
    const spanSeconds = (last - first) / 1000;
    putSeconds += busy;
    slotSeconds += connectionsPerSession * spanSeconds;
    leadIn += (first - s.createdAtMs) / 1000;
    span += spanSeconds;
    lost += spanSeconds - busy / connectionsPerSession;
    puts += s.puts.length;
    extra += s.puts.length - s.totalChunks;
  }
  const n = Math.max(1, sessions.length);
  return {
    sessions: sessions.length,
    puts,
    extraPuts: extra,
    meanLeadInSeconds: round(leadIn / n),
    meanPutSpanSeconds: round(span / n),
    connectionUse: round(slotSeconds > 0 ? putSeconds / slotSeconds : 0),
    meanIdleSecondsPerConnection: round((slotSeconds - putSeconds) / n / connectionsPerSession),
    meanSpanLostSeconds: round(lost / n),
    meanGapBetweenPutsSeconds: round(gaps > 0 ? gapSum / gaps : 0),
    meanPutSeconds: round(putSeconds / Math.max(1, puts)),
  };
}

function round(n: number): number {
  return Number(n.toFixed(2));
}

/** Mean seconds from `startedAtMs` to each session's M1, and from its last PUT's end to `doneAtMs` of it. */
export function orchestrationEnds(sessions: SessionPuts[], startedAtMs: number, doneAtMs: number[]): { meanStartToSessionSeconds: number; meanLastPutToDoneSeconds: number } {
  let lead = 0;
  let tail = 0;
  sessions.forEach((s, i) => {
    lead += (s.createdAtMs - startedAtMs) / 1000;
    tail += (doneAtMs[i]! - Math.max(...s.puts.map((p) => p.endedAtMs))) / 1000;
  });
  const n = Math.max(1, sessions.length);
  return { meanStartToSessionSeconds: round(lead / n), meanLastPutToDoneSeconds: round(tail / n) };
}
