// Lane planning: how many chunks a lane's run gets and which. Pure and deterministic: every input
// comes from history (activity results, the ledger), never from a clock.
//
// A lane should last long enough that its Temporal cost (one activity execution, a few heartbeats,
// a workflow task when it returns) is small per chunk, and short enough that the tail of the
// upload stays balanced. Pause, cancel and a lowered concurrency do not wait for a lane to end:
// they cancel it, and it returns within one chunk (chunk-upload.ts). URLs live an hour (contract
// 2.3), far longer than a lane's target time, and a lane returns early when one nears expiry.

/** A lane's target duration, at the observed chunk time. */
export const TARGET_LANE_MS = 20_000;
/** Largest run: one M5 call mints URLs for 50 chunks, and a lane's heartbeat carries every ETag of its run. */
export const MAX_RUN_CHUNKS = 50;

/**
 * Shortest run worth a lane on a slow link: with one chunk a lane, every connection waits a
 * workflow round trip (result, workflow task, next schedule) between chunks.
 */
export const MIN_RUN_CHUNKS = 2;

/**
 * Chunks the next lane gets: a fair share of what remains, waiting or in running lanes (so the
 * lanes of a wave end together, and a lane started late does not get a sliver), no
 * more than it sends in TARGET_LANE_MS at the typical chunk time once one is known, and at least
 * one. The first wave gets its fair share outright: its lanes measure the chunk time themselves
 * (hedging needs it), and pause or cancel do not wait for a lane to end.
 *
 * Given `urlLifetimeMs` (how long a minted URL stays usable), a lane gets at least MIN_RUN_CHUNKS
 * when the fair share allows and that many chunks fit in a URL's lifetime at the typical chunk
 * time: on a link where one chunk takes longer than TARGET_LANE_MS, lanes still send back to back.
 */
export function runLength(params: { remaining: number; concurrency: number; typicalChunkMs: number; urlLifetimeMs?: number }): number {
  const fairShare = Math.ceil(params.remaining / Math.max(1, params.concurrency));
  const byTime = params.typicalChunkMs > 0 ? Math.floor(TARGET_LANE_MS / params.typicalChunkMs) : MAX_RUN_CHUNKS;
  const fitsUrls = params.urlLifetimeMs !== undefined && MIN_RUN_CHUNKS * params.typicalChunkMs <= params.urlLifetimeMs;
  const floor = fitsUrls ? Math.min(MIN_RUN_CHUNKS, fairShare) : 1;
  return Math.max(1, floor, Math.min(fairShare, byTime, MAX_RUN_CHUNKS));
}

/**
 * The next run: waiting chunks in upload order that hold a URL, up to `length`. A chunk without a
 * URL holds its place; the ones behind it may still go, so one missing URL never stalls a lane.
 */
export function planRun(waitingInOrder: readonly number[], hasUrl: (chunkIndex: number) => boolean, length: number): number[] {
  const run: number[] = [];
  for (const chunkIndex of waitingInOrder) {
    if (run.length >= length) break;
    if (hasUrl(chunkIndex)) run.push(chunkIndex);
  }
  return run;
}

/** URLs to keep minted ahead: one run per lane of the window, and at least one M5 call's worth. */
export function urlLookahead(concurrency: number, runChunks: number): number {
  return Math.max(MAX_RUN_CHUNKS, concurrency * runChunks);
}

/** A run (or what is left of it) shorter than this is not worth re-planning: its lane ends about as soon. */
export const MIN_RUN_TO_STEAL = 4;

/**
 * Which running lane to re-plan when slots are idle and nothing waits: the one holding the longest
 * run (the oldest of equals), if that run is long enough to be worth splitting. Given what is
 * left of each lane's run (stealVictim), pass that instead of the runs.
 */
export function stealFrom(runLengths: readonly number[]): number | undefined {
  let best: number | undefined;
  runLengths.forEach((length, index) => {
    if (length >= MIN_RUN_TO_STEAL && (best === undefined || length > runLengths[best]!)) best = index;
  });
  return best;
}

/**
 * Which running lane to re-plan, from what the lanes' heartbeats show finished: the one with the
 * most chunks left (a lane handed a long run may be nearly done; one stuck on a straggler is not).
 * A lane given as an empty run is not a candidate.
 */
export function stealVictim(runs: readonly (readonly number[])[], finished: ReadonlySet<number>): number | undefined {
  return stealFrom(runs.map((run) => run.filter((chunkIndex) => !finished.has(chunkIndex)).length));
}
