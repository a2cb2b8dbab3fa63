// What uploadWorkflow shows of itself: the progress state, the phase (and its Web UI details),
// the pause that holds it before a step that cannot be paused once begun, and the signals it
// forwards to its multipart child. One small class instead of closures over shared variables.

import { condition, workflowInfo, type ChildWorkflowHandle } from '@temporalio/workflow';
import type { UploadState, UploadWorkflowPhase } from '../domain/types';
import { pauseSignal, resumeSignal } from './control-handlers';
import type { multipartUploadWorkflow } from './multipart-upload';
import { uploadDetails } from './current-details';
import { PauseForwarder } from './pause-order';
import type { PhasePublisher } from './phase-publisher';

export class UploadTracker {
  readonly state: UploadState;
  /** The parent (a batch) was told the asset id. */
  assetReported = false;
  /** True while the workflow holds before a step because of a pause. */
  private holding = false;
  private child: ChildWorkflowHandle<typeof multipartUploadWorkflow> | undefined;
  /** Numbers what is forwarded, so the child ends in the latest state whatever the arrival order. */
  private readonly forwarder = new PauseForwarder();

  constructor(
    private readonly publish: PhasePublisher,
    init: { fileName: string; source: string; startedAt: string },
  ) {
    this.state = { phase: 'validating', fileName: init.fileName, source: init.source, confirmedBytes: 0, paused: false, createAttempts: 0, startedAt: init.startedAt };
  }

  /** A direct upload is one HTTP request: it cannot pause halfway, so it shows as uploading. */
  shownPhase(): UploadWorkflowPhase {
    const { paused, phase, route } = this.state;
    return paused && (this.holding || (phase === 'uploading' && route === 'multipart')) ? 'paused' : phase;
  }

  progress(): UploadState {
    return { ...this.state, phase: this.shownPhase() };
  }

  show(): void {
    const phase = this.shownPhase();
    this.publish(phase, uploadDetails({ ...this.state, phase }, workflowInfo().namespace));
  }

  enter(phase: UploadWorkflowPhase): void {
    this.state.phase = phase;
    this.show();
  }

  setPaused(paused: boolean): void {
    this.state.paused = paused;
    this.forward(paused ? pauseSignal : resumeSignal);
    this.show();
  }

  /** Waits while paused, before a step that cannot be paused once begun. */
  async holdWhilePaused(): Promise<void> {
    if (!this.state.paused) return;
    this.holding = true;
    this.show();
    await condition(() => !this.state.paused);
    this.holding = false;
  }

  /** From now on pause and resume reach the multipart child too (a pause given before it started included). */
  attachChild(child: ChildWorkflowHandle<typeof multipartUploadWorkflow>, childId: string): void {
    this.child = child;
    this.state.multipartWorkflowId = childId;
    if (this.state.paused) this.forward(pauseSignal);
    this.show();
  }

  private forward(signal: typeof pauseSignal | typeof resumeSignal): void {
    // The child may have finished already; a pause for a finished upload has nothing to do.
    if (this.child) this.child.signal(signal, this.forwarder.next()).catch(() => undefined);
  }
}
