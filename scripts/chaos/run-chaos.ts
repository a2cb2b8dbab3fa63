// The chaos run behind `npm run chaos` and its short variant in `npm test`: uploads at once
// (direct and multipart, through uploadWorkflow) while the emulator injects faults, worker
// processes are killed with SIGKILL at random moments (a new one is started each time) and the
// Temporal dev server is killed and restarted. Then it checks what must hold:
//   - every upload finishes, and every assembled object's SHA-256 equals its source;
//   - no session (or asset) was created twice for the same upload, as the emulator's own ledger
//     of what it created says (deleted orphans count), while replies are lost on every endpoint
//     (the first create-session and the first direct-create answers always);
//   - bytes sent again stay within the chunk PUTs actually in flight at each crash, by the store's
//     own log of every PUT (crash-accounting.ts): every chunk abandoned or stored twice had a PUT
//     in flight at a kill or at the server restart, and each crash re-sent no more than those;
//   - every crash is recovered from within its bound (RECOVERY_BOUND_S), the upload moving again.
// Nothing here depends on wall-clock speed: crashes are placed by upload progress, and waits are
// for states, with generous limits.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DevServer } from '../../src/dev/dev-server';
import { scrubbedHistoryJson } from '../../src/dev/history-scrub';
import { WORKFLOWS_PATH } from '../../src/worker';
import { startEmulator, type FaultKnobs, type RunningEmulator } from '../../src/emulator';
import { mulberry32 } from '../../src/emulator/prng';
import { TwelveLabsClient } from '../../src/twelvelabs/client';
import { progressQuery } from '../../src/workflows/multipart-upload';
import { uploadProgressQuery, uploadWorkflow } from '../../src/workflows/upload';
import type { MultipartTuning, UploadResult } from '../../src/domain/types';
import { ensureSourceFile, type SourceFile } from '../bench/source-file';
import { accountCrashes, type ChunkPuts, type LoggedPut } from './crash-accounting';
import { trackChild } from '../bench/children';
import { spawnWorker, type WorkerProcess } from '../bench/worker-process';

const API_KEY = 'tlk_chaos_0123456789abcdef';

export interface ChaosOptions {
  /** Names the run in ids and in the report, e.g. 'full' or 'short'. */
  label: string;
  /** Source files are kept here (and reused); each run adds a subdirectory it removes at the end. */
  workDir: string;
  /** File sizes in bytes, uploaded at once. */
  sizesBytes: number[];
  /** Files up to this size go direct (A1); default: the API's 200 MB limit. */
  directMaxBytes?: number;
  /** Fixed chunk size of the emulator; default: the contract's rule (5 MiB here). */
  chunkSizeBytes?: number;
  faults: Partial<FaultKnobs>;
  multipart: MultipartTuning;
  workers: number;
  kills: number;
  serverRestarts: number;
  /** Crashes happen at random points of the upload progress in this range. */
  crashProgressRange: [number, number];
  seed: number;
  /** How long every upload may take, and each crash's chunks to be stored again. */
  timeoutMs: number;
  log?: (line: string) => void;
}

export interface UploadOutcome {
  name: string;
  sizeBytes: number;
  route?: string;
  assetId?: string;
  uploadId?: string;
  seconds?: number;
  sha256Matches?: boolean;
  sessionRestarts: number;
  chunkRetries: number;
  error?: string;
}

export interface CrashEvent {
  kind: 'worker-kill' | 'server-restart';
  /** Seconds after the uploads started. */
  atSeconds: number;
  /** Upload progress (0..1) when it happened. */
  progress: number;
  workerPid?: number;
  /** Wall-clock ms of the kill, and of the crashed part being back (the restarted server; the kill for a worker). */
  fromMs: number;
  toMs: number;
  /** Chunks the workflows said were in their lanes right before the crash, and right after (for the log). */
  inFlightBefore: number;
  inFlightAfter: number;
  /** Distinct chunks with a PUT in flight at the crash, by the store's log: the chunks it can make us send again. */
  inFlightChunks: number;
  /** Those chunks' bytes. */
  boundBytes: number;
  /** Bytes sent again for those chunks (abandoned partial bodies plus second stores). */
  resentBytes: number;
  /** Direct uploads in their single A1 request at the crash (each may have to start over). */
  directInFlight: number;
  /**
   * Until the upload moved again: each chunk the crash made us send again had a new PUT, every
   * multipart upload with a PUT in flight had one started after the crashed part was back, and
   * every direct upload in A1 passed it. Undefined if never.
   */
  recoverySeconds?: number;
  /** Progress queries that got no answer around the crash (their chunks are missing from the bound). */
  unansweredQueries?: number;
}

/** The most a crash may stop an upload: a worker kill (its lanes' heartbeat timeout and a retry), a server restart. */
export const RECOVERY_BOUND_S: Record<CrashEvent['kind'], number> = { 'worker-kill': 15, 'server-restart': 20 };

export interface ChaosCheck {
  name: string;
  holds: boolean;
  detail: string;
}

export interface ChaosReport {
  label: string;
  seed: number;
  startedAt: string;
  seconds: number;
  loadAverage: { start: number[]; end: number[] };
  chunkSizeBytes: number;
  faultKnobs: Partial<FaultKnobs>;
  multipart: MultipartTuning;
  uploads: UploadOutcome[];
  faultsInjected: Record<string, number>;
  events: CrashEvent[];
  bytes: {
    /** Bytes of all multipart files. */
    multipartFiles: number;
    /** Every PUT body byte the store read. */
    received: number;
    /** received − multipartFiles: faults' and crashes' re-sends together. */
    retransmitted: number;
    /** Of those, abandoned bodies and second stores (crashes). */
    resentAfterCrashes: number;
    /** Second stores of a chunk not in flight at any crash. */
    unexplainedResent: number;
  };
  sessionsCreated: number;
  assetsCreated: number;
  directCreateCalls: number;
  checks: ChaosCheck[];
}

interface RunningUpload {
  name: string;
  source: SourceFile;
  handle: WorkflowHandle<typeof uploadWorkflow>;
  startedAtMs: number;
  result?: UploadResult;
  error?: string;
  finishedAtMs?: number;
  /** Child multipart workflow id, once known. */
  multipartWorkflowId?: string;
  uploadId?: string;
  /** Resolves when the watchdog gives up on this upload (its workflow task keeps failing). */
  abandoned: Promise<void>;
  abandon: (reason: string) => void;
}

type ChunkKey = string; // `${uploadId}/${chunkIndex}`

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const random = mulberry32(options.seed);
  const startedAt = new Date();
  const loadAtStart = loadAverage();
  const sourcesDir = path.join(options.workDir, 'sources');
  fs.mkdirSync(sourcesDir, { recursive: true });
  const runDir = fs.mkdtempSync(path.join(options.workDir, `run-${options.label}-`));

  const sources: SourceFile[] = [];
  for (const [i, size] of options.sizesBytes.entries()) {
    sources.push(await ensureSourceFile(path.join(sourcesDir, `chaos-${i + 1}-${size}.mp4`), size, log));
  }

  let emulator: RunningEmulator | undefined;
  let server: DevServer | undefined;
  let connection: Connection | undefined;
  let untrackServer: (() => void) | undefined;
  const workers: WorkerProcess[] = [];
  const pendingWorkers: Promise<WorkerProcess>[] = [];
  try {
    emulator = await startEmulator({
      apiKeys: [API_KEY],
      dataDir: path.join(runDir, 'emulator'),
      seed: options.seed,
      assetReadyDelayMs: 100,
      faults: options.faults,
      ...(options.chunkSizeBytes !== undefined ? { chunkSizeBytes: options.chunkSizeBytes } : {}),
    });
    // Every run loses the first answer of each non-idempotent create, whatever the dice say.
    await emulator.loseNextReplies('M1');
    await emulator.loseNextReplies('A1');
    server = await DevServer.start({ ui: false, dbFile: path.join(runDir, 'temporal.db') });
    const runningServer = server;
    untrackServer = trackChild(() => runningServer.pid);
    connection = await Connection.connect({ address: server.address });
    const temporal = new Client({ connection });
    const taskQueue = `chaos-${options.label}-${process.pid}-${Date.now()}`;
    const startWorker = () =>
      spawnWorker({
        temporalAddress: server!.address,
        taskQueue,
        apiKey: API_KEY,
        twelveLabsBaseUrl: emulator!.baseUrl,
        allowedRoots: [sourcesDir],
        env: { TL_LOG_LEVEL: 'WARN' },
        ...(process.env.CHAOS_WORKER_LOGS ? { outputFile: path.join(process.env.CHAOS_WORKER_LOGS, `worker-${Date.now()}.log`) } : {}),
      });
    workers.push(...(await Promise.all(Array.from({ length: options.workers }, startWorker))));
    log(`chaos ${options.label}: emulator ${emulator.baseUrl}, Temporal ${server.address}, ${workers.length} worker processes (${workers.map((w) => w.pid).join(', ')}), seed ${options.seed}`);

    const totalBytes = sources.reduce((a, s) => a + s.sizeBytes, 0);
    const runStartedAtMs = Date.now();
    const uploads: RunningUpload[] = await Promise.all(
      sources.map(async (source, i) => ({
        name: path.basename(source.path),
        source,
        startedAtMs: Date.now(),
        ...abandonment(),
        handle: await temporal.workflow.start(uploadWorkflow, {
          taskQueue,
          workflowId: `${taskQueue}-${i + 1}`,
          args: [
            {
              source: { path: source.path },
              multipart: options.multipart,
              readyPollIntervalMs: 500,
              ...(options.directMaxBytes !== undefined ? { directMaxBytes: options.directMaxBytes } : {}),
            },
          ],
        }),
      })),
    );
    log(`started ${uploads.length} uploads, ${mb(totalBytes)} in all`);
    const finished = Promise.all(uploads.map((u) => awaitResult(u, options.timeoutMs)));
    const watchdog = watchForFailingWorkflowTasks(temporal, uploads, options.workDir, log);

    // Where (in upload progress) each crash happens, and which kind it is.
    const [low, high] = options.crashProgressRange;
    const kinds: CrashEvent['kind'][] = [
      ...Array.from({ length: options.kills }, () => 'worker-kill' as const),
      ...Array.from({ length: options.serverRestarts }, () => 'server-restart' as const),
    ];
    for (let i = kinds.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
    }
    const plan = kinds.map((kind) => ({ kind, at: low + random() * (high - low) })).sort((a, b) => a.at - b.at);

    const events: CrashEvent[] = [];
    const directRecoveredAtMs = new Map<CrashEvent, number | undefined>();
    const recoveries: Promise<void>[] = [];
    const progressOf = async () => {
      const counters = await emulator!.counters();
      const direct = uploads.filter((u) => u.result?.route === 'direct').reduce((a, u) => a + u.source.sizeBytes, 0);
      return Math.min(1, (counters.bytes_stored + direct) / totalBytes);
    };

    for (const step of plan) {
      const progress = await waitFor(async () => {
        if (uploads.every((u) => u.finishedAtMs !== undefined)) return -1;
        const p = await progressOf();
        return p >= step.at ? p : undefined;
      }, options.timeoutMs);
      if (progress < 0) break; // every upload is done: the missing crashes fail a check below
      // Never kill the last ready worker: its replacement must have started first.
      if (step.kind === 'worker-kill' && pendingWorkers.length > 0) workers.push(...(await Promise.all(pendingWorkers.splice(0))));

      const before = await inFlight(temporal, uploads, 60_000);
      const event: CrashEvent = {
        kind: step.kind,
        fromMs: Date.now(),
        toMs: 0,
        atSeconds: (Date.now() - runStartedAtMs) / 1000,
        progress,
        inFlightBefore: before.chunks.size,
        inFlightAfter: 0,
        inFlightChunks: 0,
        boundBytes: 0,
        resentBytes: 0,
        directInFlight: before.direct,
      };
      if (step.kind === 'worker-kill') {
        const victim = workers.splice(Math.floor(random() * workers.length), 1)[0]!;
        event.fromMs = Date.now();
        await victim.kill('SIGKILL');
        event.toMs = event.fromMs;
        event.workerPid = victim.pid;
        pendingWorkers.push(startWorker());
      } else {
        event.fromMs = Date.now();
        await server.kill('SIGKILL');
        await server.restart();
        event.toMs = Date.now();
      }
      const after = await inFlight(temporal, uploads, 20_000);
      for (const problem of [...before.unanswered, ...after.unanswered]) log(`  in-flight query unanswered: ${problem}`);
      event.unansweredQueries = before.unanswered.length + after.unanswered.length;
      const chunks = new Set([...before.chunks, ...after.chunks]);
      event.inFlightAfter = after.chunks.size;
      log(
        `${event.atSeconds.toFixed(1)} s, progress ${(progress * 100).toFixed(0)}%: ${step.kind === 'worker-kill' ? `SIGKILL worker ${event.workerPid}` : 'SIGKILL + restart of the Temporal dev server'}; ` +
          `${chunks.size} chunks in the workflows' lanes (${before.chunks.size} before, ${after.chunks.size} after), ${before.direct} direct uploads in flight`,
      );
      events.push(event);
      // Direct uploads are watched live (A1 is one request); chunks from the store's log at the end.
      recoveries.push(
        waitForRecovery(uploads, before.directNames, options.timeoutMs).then((passedAtMs) => {
          directRecoveredAtMs.set(event, passedAtMs);
        }),
      );
    }

    await finished;
    watchdog.stop();
    await Promise.all(recoveries);
    const seconds = (Date.now() - runStartedAtMs) / 1000;
    workers.push(...(await Promise.all(pendingWorkers.splice(0))));

    // ---- what the store saw ----
    const api = new TwelveLabsClient({ baseUrl: emulator.baseUrl, apiKey: API_KEY });
    const counters = await emulator.counters();
    if (process.env.CHAOS_DEBUG) log(JSON.stringify(counters));
    const outcomes: UploadOutcome[] = [];
    const chunkPuts: ChunkPuts[] = [];
    for (const u of uploads) {
      const object = u.result ? await emulator.objectInfo(u.result.assetId) : undefined;
      const uploadId = u.result?.multipart?.uploadId;
      if (uploadId) {
        const view = await emulator.sessionView(uploadId);
        for (const c of view?.chunks ?? []) {
          chunkPuts.push({
            key: `${uploadId}/${c.index}`,
            sizeBytes: Math.min(view!.chunk_size, view!.total_size - (c.index - 1) * view!.chunk_size),
            repliesLost: c.replies_lost,
            puts: c.puts.map((p) => ({
              startedAtMs: p.started_at_ms,
              ...(p.ended_at_ms !== null ? { endedAtMs: p.ended_at_ms } : {}),
              ...(p.outcome ? { outcome: p.outcome as LoggedPut['outcome'] } : {}),
              bytes: p.bytes,
            })),
          });
        }
      }
      outcomes.push({
        name: u.name,
        sizeBytes: u.source.sizeBytes,
        ...(u.result ? { route: u.result.route, assetId: u.result.assetId } : {}),
        ...(uploadId ? { uploadId } : {}),
        ...(u.finishedAtMs !== undefined ? { seconds: (u.finishedAtMs - u.startedAtMs) / 1000 } : {}),
        ...(u.result ? { sha256Matches: object?.sha256 === u.source.sha256 && object?.size === u.source.sizeBytes } : {}),
        sessionRestarts: u.result?.multipart?.counters.sessionRestarts ?? 0,
        chunkRetries: u.result?.multipart?.counters.retries ?? 0,
        ...(u.error ? { error: u.error } : {}),
      });
    }
    // Each re-sent chunk is charged to the crashes it had a PUT in flight at (shared evenly).
    const replay = await replayEveryRun(temporal, uploads, options.workDir, log);
    const accounting = accountCrashes(chunkPuts, events, replay.laneCancels);
    const unexplained = accounting.unexplained.reduce((a, u) => a + u.bytes, 0);
    const perChunkProblems = accounting.unexplained.map((u) => `${u.key} re-sent ${u.bytes} bytes but had no PUT in flight at any crash`);
    events.forEach((e, i) => {
      const charge = accounting.charges[i]!;
      Object.assign(e, { inFlightChunks: charge.chunks, boundBytes: charge.boundBytes, resentBytes: charge.resentBytes });
      const direct = directRecoveredAtMs.get(e);
      const directMs = direct === undefined ? undefined : Math.max(0, direct - e.fromMs);
      const hadDirect = e.directInFlight > 0;
      if (charge.recoveryMs !== undefined && (!hadDirect || directMs !== undefined)) {
        e.recoverySeconds = Math.max(charge.recoveryMs, hadDirect ? directMs! : 0) / 1000;
      }
      log(`  recovered from #${i + 1} (${e.kind} at ${e.atSeconds.toFixed(1)} s) ${e.recoverySeconds === undefined ? 'NEVER' : `after ${e.recoverySeconds.toFixed(1)} s`} (bound ${RECOVERY_BOUND_S[e.kind]} s, last to move: ${charge.slowest ?? 'nothing stopped'}); re-sent ${e.resentBytes} of a ${e.boundBytes} bound`);
    });
    log(`  bytes of hedges' losers: ${accounting.hedgeBytes}, abandoned by cancelled lanes: ${accounting.cancelBytes}`);
    if (process.env.CHAOS_DEBUG) {
      for (const c of chunkPuts.filter((c) => c.puts.length > 1)) {
        log(`    ${c.key}: ${c.puts.map((p) => `${p.outcome ?? 'running'} ${((p.startedAtMs - runStartedAtMs) / 1000).toFixed(1)}–${p.endedAtMs === undefined ? '?' : ((p.endedAtMs - runStartedAtMs) / 1000).toFixed(1)} s ${p.bytes} B`).join('; ')}`);
      }
    }

    // What the emulator created (deleted orphans included), by upload: its ledger, not our results.
    const created = await emulator.created();
    const createdFor = (name: string) => created.filter((c) => c.filename === name);
    const creationProblems = outcomes.flatMap((o) => {
      const entries = createdFor(o.name);
      const sessions = entries.filter((e) => e.upload_id !== undefined).length;
      const expectedSessions = o.route === 'multipart' ? 1 + o.sessionRestarts : 0;
      return entries.length === 1 + o.sessionRestarts && sessions === expectedSessions
        ? []
        : [`${o.name}: ${entries.length} assets (${entries.filter((e) => e.deleted_at).length} deleted), ${sessions} sessions`];
    });
    const assets = created.length;
    const directAssets = created.filter((c) => c.method === 'direct').length;
    let listedAssets = 0;
    for await (const _ of api.iterateAssets()) listedAssets++;
    const multipartUploads = outcomes.filter((o) => o.route === 'multipart');
    const directUploads = outcomes.filter((o) => o.route === 'direct');
    const sessionRestarts = outcomes.reduce((a, o) => a + o.sessionRestarts, 0);
    const multipartFiles = multipartUploads.reduce((a, o) => a + o.sizeBytes, 0);
    const resentAfterCrashes = counters.bytes_aborted + counters.bytes_stored_again;

    const checks: ChaosCheck[] = [
      check('every upload finished', outcomes.every((o) => o.route !== undefined), outcomes.filter((o) => o.error).map((o) => `${o.name}: ${o.error}`).join('; ') || `${outcomes.length} of ${outcomes.length}`),
      check(
        "every assembled object's SHA-256 equals its source",
        outcomes.every((o) => o.sha256Matches === true),
        outcomes.filter((o) => o.sha256Matches !== true).map((o) => o.name).join(', ') || `${outcomes.length} objects verified`,
      ),
      check(
        'no session was created twice for the same upload',
        counters.sessions_created === multipartUploads.length + sessionRestarts,
        `${counters.sessions_created} sessions for ${multipartUploads.length} multipart uploads and ${sessionRestarts} session restarts`,
      ),
      check(
        'no asset was created twice for the same upload (the emulator ledger, per upload)',
        creationProblems.length === 0 && assets === outcomes.length + sessionRestarts && directAssets === directUploads.length && listedAssets === assets,
        creationProblems.slice(0, 5).join('; ') ||
          `${assets} assets created (${directAssets} direct, ${listedAssets} listed) for ${outcomes.length} uploads (${directUploads.length} direct) and ${sessionRestarts} session restarts`,
      ),
      check(
        'every planned crash happened while uploads were running',
        events.length === plan.length,
        `${events.filter((e) => e.kind === 'worker-kill').length} of ${options.kills} kills, ${events.filter((e) => e.kind === 'server-restart').length} of ${options.serverRestarts} server restarts`,
      ),
      check(
        "bytes re-sent after each crash stay within the chunk PUTs in flight at it (the store's log)",
        unexplained === 0 && events.every((e) => e.resentBytes <= e.boundBytes),
        [
          ...events.map((e, i) => `#${i + 1} ${e.kind}: ${e.resentBytes} ≤ ${e.boundBytes}`),
          ...perChunkProblems.slice(0, 5),
        ].join('; '),
      ),
      check(
        'every workflow run replays deterministically on the current code (as a fresh worker would)',
        replay.failures.length === 0 && replay.runs > 0,
        replay.failures.slice(0, 3).join('; ') || `${replay.runs} runs of ${replay.workflows} workflows replayed`,
      ),
      check(
        `every crash was recovered from, the upload moving again within ${RECOVERY_BOUND_S['worker-kill']} s of a worker kill and ${RECOVERY_BOUND_S['server-restart']} s of a server restart`,
        events.every((e) => e.recoverySeconds !== undefined && e.recoverySeconds <= RECOVERY_BOUND_S[e.kind]),
        events.map((e, i) => `#${i + 1} ${e.recoverySeconds === undefined ? 'never' : `${e.recoverySeconds.toFixed(1)} s`}`).join(', '),
      ),
    ];

    return {
      label: options.label,
      seed: options.seed,
      startedAt: startedAt.toISOString(),
      seconds,
      loadAverage: { start: loadAtStart, end: loadAverage() },
      chunkSizeBytes: options.chunkSizeBytes ?? 5 * 1024 * 1024,
      faultKnobs: options.faults,
      multipart: options.multipart,
      uploads: outcomes,
      faultsInjected: counters.faults_injected,
      events,
      bytes: {
        multipartFiles,
        received: counters.bytes_received,
        retransmitted: counters.bytes_received - multipartFiles,
        resentAfterCrashes,
        unexplainedResent: unexplained,
      },
      sessionsCreated: counters.sessions_created,
      assetsCreated: assets,
      directCreateCalls: counters.requests_by_endpoint.A1 ?? 0,
      checks,
    };
  } finally {
    const spare = await Promise.allSettled(pendingWorkers);
    for (const s of spare) if (s.status === 'fulfilled') workers.push(s.value);
    await Promise.all(workers.map((w) => w.kill('SIGKILL')));
    await connection?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    untrackServer?.();
    await emulator?.close().catch(() => undefined);
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}

function abandonment(): Pick<RunningUpload, 'abandoned' | 'abandon'> {
  let abandon!: (reason: string) => void;
  const abandoned = new Promise<void>((resolve) => (abandon = () => resolve()));
  return { abandoned, abandon };
}

/** Waits for an upload's result, riding out the moments the Temporal server is down. */
async function awaitResult(upload: RunningUpload, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const result = await Promise.race([upload.handle.result(), upload.abandoned.then(() => undefined)]);
      if (result) upload.result = result;
      break;
    } catch (err) {
      if (err instanceof WorkflowFailedError) {
        // The whole cause chain: a child's failure sits two or three levels down.
        const chain: string[] = [];
        for (let cause: unknown = err; cause instanceof Error && chain.length < 6; cause = cause.cause) {
          const type = (cause as { type?: unknown }).type;
          chain.push(typeof type === 'string' ? `${cause.message} [${type}]` : cause.message);
        }
        upload.error = chain.join(': ');
        break;
      }
      if (Date.now() > deadline) {
        upload.error = `no result after ${timeoutMs / 1000} s (${(err as Error).message})`;
        break;
      }
      await sleep(500); // the server is restarting
    }
  }
  upload.finishedAtMs = Date.now();
}

/**
 * Every few seconds, looks for upload workflows (or their multipart children) whose workflow task
 * keeps failing, e.g. on a nondeterminism error: such an upload never finishes, so it is given up
 * at once with the failure's message, and its history is kept in the work directory.
 */
function watchForFailingWorkflowTasks(
  temporal: Client,
  uploads: RunningUpload[],
  keepDir: string,
  log: (line: string) => void,
): { stop(): void } {
  let stopped = false;
  const check = async () => {
    for (const u of uploads.filter((x) => x.finishedAtMs === undefined && x.error === undefined)) {
      for (const workflowId of [u.handle.workflowId, u.multipartWorkflowId].filter((id): id is string => id !== undefined)) {
        const handle = temporal.workflow.getHandle(workflowId);
        const description = await handle.describe().catch(() => undefined);
        if ((description?.raw.pendingWorkflowTask?.attempt ?? 0) < 3) continue;
        const history = await handle.fetchHistory().catch(() => undefined);
        const failed = [...(history?.events ?? [])].reverse().find((e) => e.workflowTaskFailedEventAttributes);
        const reason = failed?.workflowTaskFailedEventAttributes?.failure?.message ?? 'unknown';
        const saved = path.join(keepDir, `failing-workflow-task-${workflowId.replace(/[^\w.-]+/g, '_')}.json`);
        // Scrubbed: presigned URLs and keys are credentials, and this file outlives the run.
        if (history) fs.writeFileSync(saved, scrubbedHistoryJson(history));
        u.error = `workflow ${workflowId}: its workflow task keeps failing (${reason}); history saved to ${saved}`;
        log(`  ${u.name}: ${u.error}`);
        u.abandon(reason);
        break;
      }
    }
  };
  const loop = async () => {
    while (!stopped) {
      await check().catch(() => undefined);
      await sleep(5_000);
    }
  };
  void loop();
  return {
    stop() {
      stopped = true;
    },
  };
}

/** Chunks in flight now (with their sizes), and direct uploads inside their A1 request. */
async function inFlight(
  temporal: Client,
  uploads: RunningUpload[],
  queryLimitMs: number,
): Promise<{ chunks: Set<ChunkKey>; chunkSizes: Map<ChunkKey, number>; direct: number; directNames: string[]; unanswered: string[] }> {
  const unanswered: string[] = [];
  const chunks = new Set<ChunkKey>();
  const chunkSizes = new Map<ChunkKey, number>();
  const directNames: string[] = [];
  await Promise.all(
    uploads
      .filter((u) => u.finishedAtMs === undefined)
      .map(async (u) => {
        // A workflow last run by a killed worker answers queries only once its sticky queue times
        // out; an upload that cannot be asked within the limit is reported, not fatal.
        const state = await retrying(() => u.handle.query(uploadProgressQuery), queryLimitMs).catch((err: unknown) => {
          unanswered.push(`${u.name}: ${(err as Error).message}`);
          return undefined;
        });
        if (!state) return;
        if (state.route === 'direct' && state.phase === 'uploading') directNames.push(u.name);
        if (!state.multipartWorkflowId) return;
        u.multipartWorkflowId = state.multipartWorkflowId;
        const child = await retrying(() => temporal.workflow.getHandle(state.multipartWorkflowId!).query(progressQuery), queryLimitMs).catch(
          (err: unknown) => {
            unanswered.push(`${u.name} (multipart): ${(err as Error).message}`);
            return undefined;
          },
        );
        if (!child?.uploadId || !child.totalBytes || !child.totalChunks) return;
        u.uploadId = child.uploadId;
        const chunkSize = Math.ceil(child.totalBytes / child.totalChunks);
        for (const index of child.inFlightChunks) {
          const key = `${child.uploadId}/${index}`;
          chunks.add(key);
          chunkSizes.set(key, Math.min(chunkSize, child.totalBytes - (index - 1) * chunkSize));
        }
      }),
  );
  return { chunks, chunkSizes, direct: directNames.length, directNames, unanswered };
}

/** When every direct upload that was inside A1 at a crash has passed it (undefined: never). */
async function waitForRecovery(uploads: RunningUpload[], directNames: string[], timeoutMs: number): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // An upload given up (see the watchdog) will never pass A1: no recovery to wait for.
    if (uploads.some((u) => u.error !== undefined && directNames.includes(u.name))) return undefined;
    let done = true;
    for (const name of directNames) {
      const upload = uploads.find((u) => u.name === name);
      if (upload && upload.finishedAtMs === undefined) {
        const state = await upload.handle.query(uploadProgressQuery).catch(() => undefined);
        if (!state || state.phase === 'uploading' || state.phase === 'reconciling') done = false;
      }
    }
    if (done) return Date.now();
    if (Date.now() > deadline) return undefined;
    await sleep(200);
  }
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`chaos: nothing happened for ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/** Retries a Temporal call while the server restarts or a sticky queue times out. */
async function retrying<T>(call: () => Promise<T>, limitMs: number): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(250);
    }
  }
}

/**
 * Replays every run of every upload's workflows (the upload and its multipart child, following
 * continue-as-new) on the current workflow code. A run that went through crashes live may still
 * hold a decision a replay would make differently; only a replay shows it.
 */
/**
 * Replays every run on the current code; also reads, from the same histories, when the workflows
 * requested the cancellation of a lane, by `${uploadId}/${chunkIndex}` of the lane's chunks.
 */
async function replayEveryRun(
  temporal: Client,
  uploads: RunningUpload[],
  keepDir: string,
  log: (line: string) => void,
): Promise<{ workflows: number; runs: number; failures: string[]; laneCancels: Map<string, number[]> }> {
  const quiet = () => undefined;
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet },
  });
  const failures: string[] = [];
  const laneCancels = new Map<string, number[]>();
  let workflows = 0;
  let runs = 0;
  for (const u of uploads) {
    for (const workflowId of [u.handle.workflowId, u.multipartWorkflowId].filter((id): id is string => id !== undefined)) {
      workflows++;
      // Every run of this id (continue-as-new makes several); the latest one at least.
      const runIds: string[] = [];
      for await (const execution of temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runIds.push(execution.runId);
      if (runIds.length === 0) runIds.push((await temporal.workflow.getHandle(workflowId).describe()).runId);
      for (const runId of runIds) {
        let history: History | undefined;
        try {
          history = await temporal.workflow.getHandle(workflowId, runId).fetchHistory();
          noteLaneCancels(history, laneCancels);
          await Worker.runReplayHistory({ workflowBundle }, history, workflowId);
          runs++;
        } catch (err) {
          // Kept, scrubbed (presigned URLs and keys are credentials), to replay again after a fix:
          // scripts/chaos/replay-history.ts <file>.
          const saved = history ? keepFailedReplay(keepDir, workflowId, runId, history) : undefined;
          const failure = `${workflowId} run ${runId}: ${(err as Error).message.slice(0, 300)}${saved ? ` (history saved to ${saved})` : ''}`;
          log(`  replay failed: ${failure}`);
          failures.push(failure);
        }
      }
    }
  }
  return { workflows, runs, failures, laneCancels };
}

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

/** Writes a history that failed to replay, scrubbed, into `dir`; returns its path. */
export function keepFailedReplay(dir: string, workflowId: string, runId: string, history: History): string {
  const saved = path.join(dir, `failed-replay-${`${workflowId}-${runId}`.replace(/[^\w.-]+/g, '_')}.json`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(saved, scrubbedHistoryJson(history));
  return saved;
}

/** The lanes (uploadChunk) whose cancellation a history requested, and when, per chunk. */
function noteLaneCancels(history: History, into: Map<string, number[]>): void {
  const lanes = new Map<string, string[]>();
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'uploadChunk') {
      const data = scheduled.input?.payloads?.[0]?.data;
      if (!data) continue;
      const input = JSON.parse(Buffer.from(data).toString('utf8')) as { uploadId: string; chunks: Array<{ chunkIndex: number }> };
      lanes.set(String(event.eventId), input.chunks.map((c) => `${input.uploadId}/${c.chunkIndex}`));
    }
    const cancel = event.activityTaskCancelRequestedEventAttributes;
    if (cancel && event.eventTime) {
      const atMs = Number(event.eventTime.seconds ?? 0) * 1000 + Math.floor((event.eventTime.nanos ?? 0) / 1e6);
      for (const key of lanes.get(String(cancel.scheduledEventId)) ?? []) into.set(key, [...(into.get(key) ?? []), atMs]);
    }
  }
}

function check(name: string, holds: boolean, detail: string): ChaosCheck {
  return { name, holds, detail };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function loadAverage(): number[] {
  return os.loadavg().map((l) => Number(l.toFixed(2)));
}

export function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 10e6 ? 1 : 0)} MB`;
}
