// Pause and resume forwarded from a parent workflow to its children must converge: the child ends
// in the parent's latest state whatever order the forwarded signals arrive in. Two signals a
// parent sends in one workflow task are delivered in no guaranteed order (issue 17, item 4: a
// pause and a resume within one task left the child paused and the parent running in 14 of 15
// rounds). So every forwarded signal carries a sequence number, and a receiver ignores one older
// than the last it applied. A signal without a number (a person's `tl-upload pause`, or a parent
// on code from before this module) is always applied. Pure: no I/O, no clock.

import type { PauseOrder } from '../domain/workflow-messages';

export type { PauseOrder };

/** The sender's side: numbers what it forwards (one per parent, over all its children). */
export class PauseForwarder {
  constructor(private seq = 0) {}

  /** The order for the next forwarded pause or resume. */
  next(): PauseOrder {
    return { seq: ++this.seq };
  }

  /** The last number given, for a parent that continues as new and must keep counting up. */
  get last(): number {
    return this.seq;
  }
}

/** The receiver's side: applies a forwarded pause or resume only if it is newer than the last. */
export class PauseOrderGate {
  constructor(private lastSeq = 0) {}

  /** True when the signal is to be applied (and remembers its number). */
  accepts(order: PauseOrder | undefined): boolean {
    if (order === undefined || typeof order !== 'object' || typeof order.seq !== 'number') return true;
    if (order.seq <= this.lastSeq) return false;
    this.lastSeq = order.seq;
    return true;
  }

  /** The last number applied, carried across continue-as-new. */
  get last(): number {
    return this.lastSeq;
  }
}
