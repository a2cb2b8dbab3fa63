// The controls every upload workflow answers: a progress query, pause and resume signals, and
// (where it has a window) a setConcurrency update. One wiring for the three workflows, so the
// names, validation and messages cannot drift apart.

import type { QueryDefinition, UpdateDefinition } from '@temporalio/common';
import { setHandler } from '@temporalio/workflow';
import { pauseSignal, resumeSignal } from '../domain/workflow-messages';
import { PauseOrderGate, type PauseOrder } from './pause-order';

export { pauseSignal, resumeSignal };

export interface ControlHandlers<P> {
  progressQuery: QueryDefinition<P>;
  progress: () => P;
  progressDescription: string;
  /** Applies a pause (true) or a resume (false): the state, what children hear, what the UI shows. */
  setPaused: (paused: boolean) => void;
  pauseDescription: string;
  resumeDescription: string;
  /** Drops forwarded pauses and resumes that arrive after a newer one (default: a fresh gate). */
  pauseOrder?: PauseOrderGate;
  concurrency?: {
    update: UpdateDefinition<number, [number]>;
    /** Sets the new value and answers the previous one. */
    set: (value: number) => number;
    min: number;
    max: number;
    /** What the value is called in a refusal: "concurrency", "files at once". */
    label: string;
    description: string;
  };
}

export function setControlHandlers<P>(handlers: ControlHandlers<P>): void {
  setHandler(handlers.progressQuery, handlers.progress, { description: handlers.progressDescription });
  const gate = handlers.pauseOrder ?? new PauseOrderGate();
  const apply = (paused: boolean) => (order?: PauseOrder) => {
    if (gate.accepts(order)) handlers.setPaused(paused);
  };
  setHandler(pauseSignal, apply(true), { description: handlers.pauseDescription });
  setHandler(resumeSignal, apply(false), { description: handlers.resumeDescription });
  const concurrency = handlers.concurrency;
  if (!concurrency) return;
  setHandler(concurrency.update, concurrency.set, {
    description: concurrency.description,
    validator: (value: number) => {
      if (!Number.isInteger(value) || value < concurrency.min || value > concurrency.max) {
        throw new Error(`${concurrency.label} must be an integer from ${concurrency.min} to ${concurrency.max}, got ${value}`);
      }
    },
  });
}
