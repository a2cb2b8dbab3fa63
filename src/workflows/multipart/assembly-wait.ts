// The wait for TwelveLabs to finish a session whose chunks it has all accepted. It may answer
// `active` with no incomplete chunk for a while (it assembles the object): the workflow asks
// again after a growing pause (1, 2, 4 … 30 s), never at once, and gives up after a bound with a
// failure that says what to do. Pure: the workflow sleeps the delays this answers.

/** First pause after an `active` answer with nothing left to send. */
export const ASSEMBLY_FIRST_DELAY_MS = 1_000;
/** Longest pause between two status calls. */
export const ASSEMBLY_MAX_DELAY_MS = 30_000;
/**
 * How long a session may stay `active` after its last chunk was accepted before the upload fails.
 * TwelveLabs assembles in seconds to minutes; ten minutes with nothing happening means it is stuck.
 */
export const DEFAULT_ASSEMBLY_WAIT_MS = 10 * 60_000;

export type AssemblyStep = { kind: 'wait'; delayMs: number } | { kind: 'give-up'; message: string };

export class AssemblyWait {
  private rounds = 0;
  private waitedMs = 0;

  constructor(private readonly limitMs: number) {}

  /** Status calls that answered `active` with nothing to send, so far. */
  get activeAnswers(): number {
    return this.rounds;
  }

  /** TwelveLabs answered `active` and lacks no chunk: wait how long, or give up. */
  next(session: { uploadId: string; assetId: string }): AssemblyStep {
    this.rounds++;
    if (this.waitedMs >= this.limitMs) {
      const minutes = Math.round(this.waitedMs / 60_000);
      return {
        kind: 'give-up',
        message:
          `TwelveLabs accepted every chunk of upload session ${session.uploadId} (asset ${session.assetId}) but still answers ` +
          `\`active\` after ${minutes >= 1 ? `${minutes} min` : `${Math.round(this.waitedMs / 1000)} s`} and ${this.rounds} status checks: ` +
          'it has not assembled the object. Check `tl-upload incomplete` and `tl-upload assets get ' +
          `${session.assetId}\` later; once the session completes, Reset this upload from the Web UI (it takes the finished ` +
          'session, nothing is sent again)',
      };
    }
    const delayMs = Math.min(ASSEMBLY_MAX_DELAY_MS, ASSEMBLY_FIRST_DELAY_MS * 2 ** (this.rounds - 1), this.limitMs - this.waitedMs);
    this.waitedMs += delayMs;
    return { kind: 'wait', delayMs };
  }

  /** Something was sent again: the wait starts over when every chunk is accepted again. */
  reset(): void {
    this.rounds = 0;
    this.waitedMs = 0;
  }
}
