// Refused presigned URLs, bounded. A store that refuses a URL (expired, used, bad signature) is
// answered with fresh URLs, but a store that refuses every URL (a clock far off, a proxy that
// rewrites the Host header, a wrong endpoint) must not be answered forever at full speed: a first
// refusal is retried at once, each further round of refusals waits longer (1, 2, 4 ... s) before
// new lanes start on freshly minted URLs, and past MAX_REFUSAL_ROUNDS rounds with no chunk stored
// in between, the upload fails with a typed reason a person can act on.
// Pure: the workflow waits the backoff with a timer and calls backoffOver when it fires.

/** Rounds of refused URLs, with no chunk stored in between, before the upload fails. */
export const MAX_REFUSAL_ROUNDS = 7;

export interface Refusal {
  chunkIndex: number;
  /** The store's error code (e.g. SignatureDoesNotMatch, AccessDenied) and message. */
  code: string;
  message: string;
}

/** 1 s, 2 s, 4 s, ... at most 30 s: before round n+1 starts. */
export function refusalBackoffMs(round: number): number {
  return Math.min(30_000, 1_000 * 2 ** Math.max(0, round - 1));
}

export class RefusalRounds {
  private round = 0;
  private waiting = false;
  private last: Refusal | undefined;

  /**
   * A PUT was refused. Refusals while a backoff runs belong to the round that started it (those
   * lanes held URLs of the same kind). Answers what to do: wait (a new round), nothing (same
   * round), or give up.
   */
  refused(refusal: Refusal): { kind: 'retry' } | { kind: 'backoff'; delayMs: number } | { kind: 'same-round' } | { kind: 'give-up' } {
    this.last = refusal;
    if (this.waiting) return { kind: 'same-round' };
    this.round++;
    if (this.round >= MAX_REFUSAL_ROUNDS) return { kind: 'give-up' };
    // One refusal between stored chunks is the ordinary case (a URL expired, a clock tick): the
    // chunk goes again at once on a fresh URL. A second one before any chunk is stored is not.
    if (this.round === 1) return { kind: 'retry' };
    this.waiting = true;
    return { kind: 'backoff', delayMs: refusalBackoffMs(this.round - 1) };
  }

  /** The backoff timer fired: new lanes may start, on fresh URLs. */
  backoffOver(): void {
    this.waiting = false;
  }

  /** A chunk was stored: the store takes our URLs after all. */
  stored(): void {
    this.round = 0;
  }

  /** New lanes wait while a backoff runs. */
  get backingOff(): boolean {
    return this.waiting;
  }

  get rounds(): number {
    return this.round;
  }

  /** What to tell a person when the upload gives up. */
  giveUpMessage(): string {
    const last = this.last;
    return (
      `the store refused fresh presigned URLs in ${this.round} rounds in a row (last: ${last?.code ?? 'unknown'} on chunk ` +
      `${last?.chunkIndex ?? '?'}: ${last?.message ?? ''}). Check the worker's clock (a presigned URL is valid for one hour from ` +
      'its signing), any proxy between the worker and the store (it must not change the Host header or the signed headers), ' +
      'and that the worker reaches the store at the host the URLs name'
    );
  }
}
