// One multipart session, run until every chunk is reported and TwelveLabs confirms `completed`.
// The window is a set of lanes: each lane is one uploadChunk activity that sends a run of chunks
// back to back and returns their ETags (src/activities/chunk-upload.ts). Between lanes this
// class mints URLs in batches, reports ETags in batches, and answers the controls:
// - pause, a lowered concurrency, continue-as-new and a lost session cancel lanes; a cancelled
//   lane returns within one chunk with what it finished (WAIT_CANCELLATION_COMPLETED, so the
//   workflow gets the lane's result, not a bare cancellation);
// - refused URLs back off and are bounded (refusals.ts).
// Deterministic: every decision rests on activity results, timers and signals, never a clock.

import {
  ActivityFailure,
  TimeoutFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { LaneChunk, LaneHeartbeat, UploadLaneResult } from '../../activities/chunk-upload';
import type { createActivities } from '../../activities';
import { FailureType, type ChunkEtag, type PresignedUrl, type SessionInfo } from '../../domain/types';
import { laneSummary } from '../current-details';
import { failureTypeOf, messageOf } from '../failure-info';
import type { ChunkLedger } from '../ledger';
import { shouldReport, urlDropDelayMs, type MultipartOptions } from '../planning';
import { MIN_RUN_CHUNKS, planRun, runLength, stealFrom, TARGET_LANE_MS, unstartedEstimate, urlLookahead } from './lane-planning';
import { URL_TTL_MS } from '../../twelvelabs/limits';
import type { PollStatusResult } from '../../activities/session';
import { AssemblyWait } from './assembly-wait';
import { RefusalRounds } from './refusals';
import { UrlPool } from './url-pool';
import type { MultipartState } from './multipart-state';

type Activities = ReturnType<typeof createActivities>;

export interface SessionActivities {
  /** A lane's activity, labelled with `summary` in the Web UI's timeline. */
  lanes: (summary: string) => Pick<Activities, 'uploadChunk'>;
  api: Pick<Activities, 'reportBatch' | 'pollStatus' | 'refreshUrls'>;
  /** Reads the lanes' last heartbeats before a cancel (lane-progress.ts). */
  progress: Pick<Activities, 'readLaneProgress'>;
}

/** A report carries at most this many ETags (the activity splits it into M4 calls of 50). */
const MAX_CHUNKS_PER_REPORT_ACTIVITY = 200;

/**
 * Issue 17, item 1: an `active` answer with no chunk missing waits (1, 2, 4 … 30 s, bounded by
 * assemblyWaitMs) and keeps the phase `confirming`; before, the status was asked again at once and
 * the phase flipped on every round. Histories recorded before it replay the old branch.
 */
export const CONFIRM_BACKS_OFF = 'confirm-backs-off';
/** Issue 17, item 2: re-sends of a chunk TwelveLabs keeps marking `failed` are capped (chunk-rejections.ts). */
export const CAP_CHUNK_REJECTIONS = 'cap-chunk-rejections';
/**
 * Finding 8 (docs/RELIABILITY.md): a lane cancelled while it waits for its retry ends at once,
 * without its last heartbeat. Its finished chunks are read from the server before the cancel.
 */
export const READ_LANES_BEFORE_CANCEL = 'read-lanes-before-cancel';
/** Lanes of at least two chunks on slow links (lane-planning.ts, MIN_RUN_CHUNKS). */
export const LANES_OF_TWO_ON_SLOW_LINKS = 'lanes-of-two-on-slow-links';
/** A steal weighs a lane's chunks likely not started, not its whole run (lane-planning.ts, unstartedEstimate). */
export const STEAL_BY_UNSTARTED = 'steal-by-unstarted';

interface Lane {
  /** The chunks handed to the lane, in upload order. */
  run: number[];
  scope: CancellationScope;
  cancelled: boolean;
  /** Its finished chunks as its last heartbeat before the cancel held them (READ_LANES_BEFORE_CANCEL). */
  heartbeated: ChunkEtag[];
  /** Chunks the upload had finished (returned by lanes) when this lane started. */
  finishedAtStart: number;
}

export type SessionOutcome = 'completed' | 'continue-as-new' | 'gone';

export class SessionRun {
  private readonly pool = new UrlPool();
  private readonly lanes = new Map<number, Lane>();
  private laneSeq = 0;
  private reportInFlight: Promise<void> | undefined;
  private refreshInFlight: Promise<void> | undefined;
  private flushTimerArmed = false;
  /** The flush timer fired while this chunk (the oldest then) was still unreported. */
  private flushExpiredFor: number | undefined;
  private sessionGone = false;
  private fatal: unknown;
  private typicalChunkMs = 0;
  private readonly refusals = new RefusalRounds();
  private readonly assembly: AssemblyWait;
  /** Set once the session is over: late results of its activities change nothing. */
  private closed = false;

  constructor(
    private readonly up: MultipartState,
    readonly session: SessionInfo,
    readonly ledger: ChunkLedger,
    private readonly acts: SessionActivities,
    private readonly options: MultipartOptions,
    private readonly sourcePath: string,
    /** Every activity of the upload runs in this scope, so a fatal error can stop them all. */
    private readonly workScope: CancellationScope,
  ) {
    this.assembly = new AssemblyWait(options.assemblyWaitMs);
  }

  get lanesInFlight(): number {
    return this.lanes.size;
  }

  inFlightChunks(): number[] {
    return [...this.lanes.values()].flatMap((lane) => lane.run).sort((a, b) => a - b);
  }

  /** Runs the session; 'gone' when it died at TwelveLabs and a new one is needed. */
  async run(): Promise<SessionOutcome> {
    const { ledger: l, up } = this;
    for (;;) {
      if (this.fatal) throw this.fatal;
      if (this.sessionGone || this.shouldContinueAsNew()) {
        if (this.busy()) {
          this.cancelLanes(this.lanes.size);
          await condition(() => !this.busy());
          continue;
        }
        this.closed = true;
        return this.sessionGone ? 'gone' : 'continue-as-new';
      }
      this.fitLanesToWindow();
      if (this.flushExpiredFor !== undefined && !l.isUnreported(this.flushExpiredFor)) this.flushExpiredFor = undefined;
      if (
        !this.reportInFlight &&
        shouldReport({
          unreported: l.uploaded,
          batchSize: this.options.reportBatchSize,
          flushDue: this.flushExpiredFor !== undefined,
          uploadsRemaining: l.waiting + l.inFlight,
        })
      ) {
        this.startReport();
      }
      if (!up.paused) {
        this.mintAhead();
        if (!this.refusals.backingOff) {
          this.startLanes();
          this.stealForIdleSlots();
        }
      }
      if (l.done && !this.reportInFlight) {
        const confirmed = await this.confirm();
        if (confirmed) {
          this.closed = true;
          return 'completed';
        }
        continue;
      }
      this.armFlushTimer();
      await up.nextChange();
    }
  }

  /** Holds freshly minted URLs until shortly before the first of them expires (a timer drops them). */
  holdUrls(minted: PresignedUrl[]): void {
    const generation = this.pool.hold(minted);
    if (generation === undefined) return;
    // Freshness is an event in history (the timer), never a clock comparison (see urlDropDelayMs).
    const delayMs = urlDropDelayMs(minted.map((u) => u.urlExpiresAtMs), Date.now(), this.options.urlSafetyMarginMs);
    sleep(delayMs)
      .then(() => this.pool.drop(generation), () => undefined) // cancelled with the workflow: nothing to drop
      .finally(() => this.up.wake());
  }

  /** Settles every running activity promise (they never reject: outcomes go to the state). */
  async settle(): Promise<void> {
    await condition(() => !this.busy());
  }

  private busy(): boolean {
    return this.lanes.size > 0 || this.reportInFlight !== undefined || this.refreshInFlight !== undefined;
  }

  private shouldContinueAsNew(): boolean {
    return workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= this.options.continueAsNewAfterEvents;
  }

  private runChunks(): number {
    const slow = this.typicalChunkMs > TARGET_LANE_MS / MIN_RUN_CHUNKS;
    // A URL is usable for URL_TTL_MS less the margin a lane keeps before its expiry.
    const urlLifetimeMs = slow && patched(LANES_OF_TWO_ON_SLOW_LINKS) ? URL_TTL_MS - this.options.urlSafetyMarginMs : undefined;
    return runLength({ remaining: this.ledger.waiting + this.ledger.inFlight, concurrency: this.up.concurrency, typicalChunkMs: this.typicalChunkMs, urlLifetimeMs });
  }

  /**
   * Paused: every lane returns. Concurrency lowered: the newest lanes return. Concurrency raised
   * while the running lanes hold the chunks that could fill the new slots: they return (within one
   * chunk) and their chunks are planned again over the wider window.
   */
  private fitLanesToWindow(): void {
    const keep = this.up.paused ? 0 : this.up.concurrency;
    const running = [...this.lanes.values()].filter((lane) => !lane.cancelled).length;
    if (running > keep) this.cancelLanes(running - keep);
    if (this.up.concurrencyRaised) {
      this.up.concurrencyRaised = false;
      if (this.ledger.waiting < keep - running) this.cancelLanes(running);
    }
  }

  /** Cancels the `count` newest lanes not yet cancelled; each returns within one chunk. */
  private cancelLanes(count: number): void {
    const newestFirst = [...this.lanes.values()].filter((lane) => !lane.cancelled).reverse();
    this.cancel(newestFirst.slice(0, count));
  }

  /**
   * Cancels lanes; each returns within one chunk with what it finished. A lane whose worker died
   * and that waits for its retry would end at once without its heartbeat, so its finished chunks
   * are read from the server first (they only grow: a later attempt resumes after them).
   */
  private cancel(lanes: Lane[]): void {
    if (lanes.length === 0) return;
    for (const lane of lanes) lane.cancelled = true;
    if (!patched(READ_LANES_BEFORE_CANCEL)) {
      for (const lane of lanes) lane.scope.cancel();
      return;
    }
    this.workScope
      .run(() => this.acts.progress.readLaneProgress())
      .then(
        (finished) => {
          for (const lane of lanes) {
            const run = new Set(lane.run);
            lane.heartbeated = finished.filter((c) => run.has(c.chunkIndex));
          }
        },
        () => undefined, // unreadable: the cancel goes ahead, as before the patch
      )
      .finally(() => {
        for (const lane of lanes) lane.scope.cancel();
        this.up.wake();
      });
  }

  /** Mints URLs for the coming runs, in big batches, once less than one window of runs has URLs. */
  private mintAhead(): void {
    if (this.refreshInFlight) return;
    const waiting = this.ledger.peekWaiting(urlLookahead(this.up.concurrency, this.runChunks()));
    const missing = this.pool.missing(waiting);
    const ready = waiting.length - missing.length;
    const free = this.up.concurrency - this.lanes.size;
    if (missing.length > 0 && ready < Math.max(1, free) * this.runChunks()) this.startRefresh(missing);
  }

  private startLanes(): void {
    while (this.lanes.size < this.up.concurrency) {
      const free = this.up.concurrency - this.lanes.size;
      // Never more than an even split of what waits over the free slots (chunks a steal freed).
      const length = Math.min(this.runChunks(), Math.ceil(this.ledger.waiting / free));
      const run = planRun(this.ledger.peekWaiting(this.ledger.waiting), (i) => this.pool.has(i), length);
      if (run.length === 0) return;
      this.startLane(run);
    }
  }

  /**
   * The end of an upload: slots are idle, nothing waits, and a lane still holds a long run (a
   * straggler or an uneven split). That lane is cancelled, returns within one chunk with what it
   * finished, and the rest of its run is split over the idle slots. One steal at a time.
   */
  private stealForIdleSlots(): void {
    if (this.ledger.waiting > 0 || this.lanes.size >= this.up.concurrency) return;
    const running = [...this.lanes.values()];
    if (running.some((lane) => lane.cancelled)) return;
    const finished = this.ledger.uploaded + this.ledger.reported;
    const weights = patched(STEAL_BY_UNSTARTED)
      ? running.map((lane) => unstartedEstimate({ runLength: lane.run.length, finishedByOthersSinceStart: finished - lane.finishedAtStart, otherSlots: this.up.concurrency - 1 }))
      : running.map((lane) => lane.run.length);
    const victim = stealFrom(weights);
    if (victim === undefined) return;
    this.cancel([running[victim]!]);
  }

  private startLane(run: number[]): void {
    const { session: s, ledger: l } = this;
    const chunks: LaneChunk[] = run.map((chunkIndex) => {
      const url = this.pool.take(chunkIndex)!; // single use: never handed out twice
      l.start(chunkIndex);
      return { chunkIndex, url: url.url, urlExpiresAtMs: url.urlExpiresAtMs };
    });
    const scope = new CancellationScope({ cancellable: true, parent: this.workScope });
    const lane: Lane = { run, scope, cancelled: false, heartbeated: [], finishedAtStart: l.uploaded + l.reported };
    const id = ++this.laneSeq;
    this.lanes.set(id, lane);
    this.up.counters.lanes++;
    scope
      .run(() =>
        this.acts.lanes(laneSummary(run, s.totalChunks)).uploadChunk({
          path: this.sourcePath,
          uploadId: s.uploadId,
          chunkSize: s.chunkSize,
          totalSize: s.totalSize,
          chunks,
          uploadHeaders: s.uploadHeaders,
          sourceSizeBytes: s.sourceSizeBytes,
          sourceMtimeMs: s.sourceMtimeMs,
          urlSafetyMarginMs: this.options.urlSafetyMarginMs,
          typicalChunkMs: this.typicalChunkMs,
        }),
      )
      .then(
        (result) => this.laneReturned(lane, result),
        (err) => this.laneFailed(lane, err),
      )
      .finally(() => {
        this.lanes.delete(id);
        this.up.wake();
      });
  }

  private laneReturned(lane: Lane, result: UploadLaneResult): void {
    if (this.closed) return;
    const { counters } = this.up;
    this.ledger.laneReturned(result.finished, lane.run);
    counters.retries += result.failedPuts;
    counters.urlRefreshes += result.urlsMinted;
    counters.hedges += result.hedges;
    counters.hedgedBytes += result.hedgedBytes;
    if (result.typicalChunkMs > 0) this.typicalChunkMs = result.typicalChunkMs;
    if (result.finished.length > 0) this.refusals.stored();
    if (result.stop === 'url-refused' && result.problem) this.urlRefused(result.problem);
  }

  private laneFailed(lane: Lane, err: unknown): void {
    if (this.closed) return;
    // A lane cancelled before it started (or between attempts) ends with its last heartbeat's
    // details: the chunks it had finished are not sent again. Cancelled while it waited for a retry,
    // it ends with none: then what the server held before the cancel counts (finding 8).
    this.ledger.laneReturned([...finishedFromFailure(err), ...lane.heartbeated], lane.run);
    if (isCancellation(err)) return;
    // A lane we cancelled whose worker died cannot acknowledge the cancel: the server ends it by
    // its heartbeat timeout and, since a cancel was requested, does not retry it. That is a lane
    // returned, not a failed upload: its unfinished chunks go back to waiting (found by chaos).
    if (lane.cancelled && isTimeoutOfLane(err)) return;
    this.up.counters.retries++;
    const type = failureTypeOf(err);
    if (type === FailureType.SessionGone) this.sessionGone = true;
    else this.fatal ??= err;
  }

  /** The store refused a URL: retry on a fresh one, or back off with no URL held, or give up. */
  private urlRefused(problem: NonNullable<UploadLaneResult['problem']>): void {
    this.up.counters.urlRefusals++;
    const next = this.refusals.refused(problem);
    if (next.kind === 'give-up') {
      this.fatal ??= ApplicationFailure.create({ type: FailureType.UploadUrlsRefused, message: this.refusals.giveUpMessage(), nonRetryable: true });
    } else if (next.kind === 'backoff') {
      // Refused again before any chunk was stored: every held URL was signed alike, drop them all.
      this.pool.clear();
      sleep(next.delayMs)
        .then(() => this.refusals.backoffOver(), () => undefined)
        .finally(() => this.up.wake());
    }
  }

  private startReport(): void {
    const { session: s, ledger: l, up } = this;
    const batch = l.unreported(MAX_CHUNKS_PER_REPORT_ACTIVITY);
    this.reportInFlight = (async () => {
      try {
        const result = await this.workScope.run(() => this.acts.api.reportBatch({ uploadId: s.uploadId, chunks: batch }));
        if (this.closed) return;
        if (result.processed + result.duplicates >= batch.length) {
          l.markReported(batch.map((c) => c.chunkIndex));
        } else {
          // Some entries were rejected (chunk marked failed): ask which, send those again.
          const status = await this.workScope.run(() => this.acts.api.pollStatus({ uploadId: s.uploadId, totalChunks: s.totalChunks }));
          if (this.closed) return;
          const incomplete = new Set(status.incompleteChunks);
          const rejected = batch.filter((c) => incomplete.has(c.chunkIndex)).map((c) => c.chunkIndex);
          l.markReported(batch.filter((c) => !incomplete.has(c.chunkIndex)).map((c) => c.chunkIndex));
          this.countRejections(rejected, status);
          up.counters.chunksResent += l.resend(rejected).length;
        }
      } catch (err) {
        this.activityFailed(err);
      } finally {
        this.reportInFlight = undefined;
        up.wake();
      }
    })();
  }

  private startRefresh(chunkIndices: number[]): void {
    const s = this.session;
    this.refreshInFlight = (async () => {
      try {
        const minted = await this.workScope.run(() => this.acts.api.refreshUrls({ uploadId: s.uploadId, chunkIndices }));
        if (this.closed) return;
        this.holdUrls(minted);
        this.up.counters.urlRefreshes += minted.length;
      } catch (err) {
        this.activityFailed(err);
      } finally {
        this.refreshInFlight = undefined;
        this.up.wake();
      }
    })();
  }

  private activityFailed(err: unknown): void {
    if (isCancellation(err) || this.closed) return;
    if (failureTypeOf(err) === FailureType.SessionGone) this.sessionGone = true;
    else this.fatal ??= this.outageFailure(err);
  }

  /** An API call that kept failing until apiOutageMs ran out becomes ApiUnavailable saying what to do. */
  private outageFailure(err: unknown): unknown {
    // Out of time: during an attempt (a TimeoutFailure) or between attempts (retry state TIMEOUT).
    const outOfTime = err instanceof ActivityFailure && (err.cause instanceof TimeoutFailure || err.retryState === RetryState.TIMEOUT);
    if (!outOfTime || failureTypeOf(err) === FailureType.SessionGone) return err;
    const minutes = Math.round(this.options.apiOutageMs / 60_000);
    const activity = err as ActivityFailure;
    return ApplicationFailure.create({
      type: FailureType.ApiUnavailable,
      message:
        `TwelveLabs did not answer ${activity.activityType || 'an API call'} for ${minutes >= 1 ? `${minutes} min` : `${Math.round(this.options.apiOutageMs / 1000)} s`} ` +
        `(last error: ${messageOf(err)}). The upload session ${this.session.uploadId} and its asset ` +
        `${this.session.assetId} are kept (the session lasts 24 h): once the API answers again, Reset this upload from the Web UI ` +
        'and it carries on without sending the accepted chunks again',
      nonRetryable: true,
      cause: activity,
    });
  }

  /** Every chunk is reported: is the session `completed`? Re-queues what TwelveLabs lacks. */
  private async confirm(): Promise<boolean> {
    const { session: s, ledger: l, up } = this;
    up.setPhase('confirming');
    const status = await this.workScope
      .run(() => this.acts.api.pollStatus({ uploadId: s.uploadId, totalChunks: s.totalChunks }))
      .catch((e: unknown) => {
        if (failureTypeOf(e) === FailureType.SessionGone) return undefined;
        throw this.outageFailure(e);
      });
    if (status?.status === 'completed') return true;
    if (!status || status.status === 'expired' || status.status === 'failed') {
      this.sessionGone = true;
      return false;
    }
    if (status.incompleteChunks.length === 0 && patched(CONFIRM_BACKS_OFF)) {
      // Every chunk accepted and still `active`: TwelveLabs is assembling the object. Ask again
      // after a growing pause, bounded; the phase stays `confirming`.
      const step = this.assembly.next(s);
      if (step.kind === 'give-up') {
        throw ApplicationFailure.create({ type: FailureType.SessionNotCompleting, message: step.message, nonRetryable: true });
      }
      await sleep(step.delayMs);
      return false;
    }
    // Active but some chunks are not complete at TwelveLabs: send them again.
    this.countRejections(status.failedChunks, status);
    this.assembly.reset();
    up.counters.chunksResent += l.resend(status.incompleteChunks).length;
    up.setPhase('uploading');
    return false;
  }

  /** Counts the chunks TwelveLabs marked `failed`; past the cap the upload fails, quoting its error. */
  private countRejections(chunkIndices: number[], status: PollStatusResult): void {
    const failed = new Set(status.failedChunks);
    for (const chunkIndex of chunkIndices) {
      if (!failed.has(chunkIndex)) continue;
      const error = status.failedChunkErrors?.find((e) => e.chunkIndex === chunkIndex)?.error;
      const verdict = this.up.rejections.rejected(chunkIndex, error, this.session.uploadId);
      if (verdict.kind === 'give-up' && patched(CAP_CHUNK_REJECTIONS)) {
        this.fatal ??= ApplicationFailure.create({ type: FailureType.ChunkRejected, message: verdict.message, nonRetryable: true });
      }
    }
  }

  /**
   * One flush timer at a time, for the oldest unreported chunk: if that chunk is still unreported
   * when it fires, the partial batch goes out. The decision rests on the timer's firing (an event
   * in history), not on comparing Date.now() with a stored time.
   */
  private armFlushTimer(): void {
    if (this.flushExpiredFor !== undefined || this.flushTimerArmed || this.reportInFlight) return;
    const oldest = this.ledger.oldestUnreported();
    if (oldest === undefined) return;
    this.flushTimerArmed = true;
    sleep(this.options.reportFlushMs)
      .then(
        () => {
          // Cleared at the loop's top if the chunk got reported meanwhile.
          if (!this.closed) this.flushExpiredFor = oldest;
        },
        () => undefined, // cancelled with the workflow: nothing to flush then
      )
      .finally(() => {
        this.flushTimerArmed = false;
        this.up.wake();
      });
  }
}

/** The ETags in a lane failure's last heartbeat details (a cancelled or timed-out lane), if any. */
export function finishedFromFailure(err: unknown): ChunkEtag[] {
  let current: unknown = err;
  while (current instanceof Error) {
    const details = (current as { details?: unknown[] }).details;
    // A heartbeat timeout carries the lane's last heartbeat as lastHeartbeatDetails.
    const lastHeartbeat = (current as { lastHeartbeatDetails?: unknown }).lastHeartbeatDetails;
    const hb = Array.isArray(details)
      ? (details[0] as Partial<LaneHeartbeat> | undefined)
      : (lastHeartbeat as Partial<LaneHeartbeat> | undefined);
    if (hb && typeof hb === 'object' && Array.isArray(hb.finished)) return hb.finished;
    current = (current as { cause?: unknown }).cause;
  }
  return [];
}

/** The lane's activity ended by a timeout (its worker died), not by an error of its own. */
function isTimeoutOfLane(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof TimeoutFailure;
}
