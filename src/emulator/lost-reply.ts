// Lost replies, the way networks lose them: the emulator applies the call, then closes the
// connection without answering. This is the ambiguous case a non-idempotent call (M1, A1) must
// survive without creating twice; for the idempotent calls it proves a retry is harmless.

import type { ServerResponse } from 'node:http';
import type { ApiEndpointId } from './api-route';

/** One probability knob per endpoint that changes something (contract 1.7), plus M2/M3 reads. */
export interface LostReplyKnobs {
  lost_reply_m1: number;
  lost_reply_m2: number;
  lost_reply_m3: number;
  lost_reply_m4: number;
  lost_reply_m5: number;
  /** The presigned chunk PUT (S1): the chunk is stored, the ETag never arrives. */
  lost_reply_put: number;
  lost_reply_a1: number;
  lost_reply_a4: number;
  lost_reply_a5: number;
  lost_reply_a6: number;
  lost_reply_a7: number;
}

export type LostReplyKnob = keyof LostReplyKnobs;
export type LostReplyEndpoint = Exclude<ApiEndpointId, 'A2' | 'A3'> | 'S1';

export const LOST_REPLY_KNOB: Readonly<Record<LostReplyEndpoint, LostReplyKnob>> = {
  M1: 'lost_reply_m1',
  M2: 'lost_reply_m2',
  M3: 'lost_reply_m3',
  M4: 'lost_reply_m4',
  M5: 'lost_reply_m5',
  S1: 'lost_reply_put',
  A1: 'lost_reply_a1',
  A4: 'lost_reply_a4',
  A5: 'lost_reply_a5',
  A6: 'lost_reply_a6',
  A7: 'lost_reply_a7',
};

export const LOST_REPLY_KNOBS = Object.values(LOST_REPLY_KNOB);

export const LOST_REPLY_DEFAULTS: Readonly<LostReplyKnobs> = lostRepliesEverywhere(0);

/** Every endpoint loses this share of its successful replies (the chaos run's setting). */
export function lostRepliesEverywhere(probability: number): LostReplyKnobs {
  return Object.fromEntries(LOST_REPLY_KNOBS.map((k) => [k, probability])) as unknown as LostReplyKnobs;
}

export function isLostReplyEndpoint(endpoint: string): endpoint is LostReplyEndpoint {
  return endpoint in LOST_REPLY_KNOB;
}

/**
 * Arms `res` so that a success reply (2xx, i.e. the call was applied) is swallowed when the dice
 * say so: nothing is written and the socket is destroyed, so the client sees the connection close
 * with no answer. Errors are always delivered: a refused call changed nothing, so losing its
 * reply would test nothing. `roll` is asked only for a success, so only lost replies are counted.
 */
export function armLostReply(res: ServerResponse, roll: () => boolean): void {
  let lost = false;
  const writeHead = res.writeHead;
  const write = res.write;
  const end = res.end;
  res.writeHead = function (this: ServerResponse, statusCode: number, ...rest: unknown[]) {
    if (statusCode >= 200 && statusCode < 300 && roll()) {
      lost = true;
      return this;
    }
    return (writeHead as (...args: unknown[]) => ServerResponse).call(this, statusCode, ...rest);
  } as ServerResponse['writeHead'];
  res.write = function (this: ServerResponse, ...args: unknown[]) {
    if (lost) return true;
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as ServerResponse['write'];
  res.end = function (this: ServerResponse, ...args: unknown[]) {
    if (!lost) return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    // The whole request was read and acted on; the answer simply never leaves.
    this.socket?.destroy();
    return this;
  } as ServerResponse['end'];
}
