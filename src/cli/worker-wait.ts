// Waiting for a worker, said out loud: an upload whose queue nobody polls is not failed, it waits.
// The person following it is told so once (naming the queue), told again when a worker turns up,
// and, with --worker-timeout, the command stops waiting with exit 4 ("no worker answered").

import { UnavailableError } from '../client/errors';
import type { NoWorker } from '../client/types';
import { note, type CliIo } from './io';

export class WorkerWait {
  private missingSinceMs: number | undefined;

  constructor(
    private readonly io: CliIo,
    private readonly workflowId: string,
    /** Stop after a worker has been missing this long; undefined: wait as long as it takes. */
    private readonly timeoutMs: number | undefined,
    /** Called before a note, e.g. to end an in-place progress line. */
    private readonly beforeNote: () => void = () => undefined,
  ) {}

  /** Throws UnavailableError once a worker has been missing for longer than the timeout. */
  observe(missing: NoWorker | undefined, nowMs = Date.now()): void {
    if (!missing) {
      if (this.missingSinceMs !== undefined) {
        this.beforeNote();
        note(this.io, `a worker answers for ${this.workflowId} again`);
      }
      this.missingSinceMs = undefined;
      return;
    }
    if (this.missingSinceMs === undefined) {
      this.missingSinceMs = nowMs;
      this.beforeNote();
      note(this.io, `waiting: ${missing.message}`);
    }
    if (this.timeoutMs !== undefined && nowMs - this.missingSinceMs >= this.timeoutMs) {
      throw new UnavailableError(
        `${missing.message}. Stopped waiting after ${Math.round(this.timeoutMs / 1000)} s (--worker-timeout); ` +
          `the upload itself goes on: tl-upload watch ${this.workflowId}`,
      );
    }
  }
}
