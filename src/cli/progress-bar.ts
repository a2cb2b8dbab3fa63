// The live progress line: bar, percent, bytes, rate, ETA, phase. One function of a LiveProgress,
// used by `upload`, `watch` and `npm run demo`, so there is one progress bar in the product.

import type { LiveProgress } from '../domain/types';
import { formatBytes, formatDuration, formatRate } from './format';

const BAR_WIDTH = 28;

export function progressLine(p: LiveProgress): string {
  const percent = p.percent ?? 0;
  const filled = Math.round((Math.min(100, percent) / 100) * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
  const bytes = p.totalBytes !== undefined ? `${formatBytes(p.sentBytes)} / ${formatBytes(p.totalBytes)}` : formatBytes(p.sentBytes);
  const batch = p.batch ? ` ${p.batch.totals.completed + p.batch.totals.failed}/${p.batch.totals.files} files` : '';
  const moving = p.phase === 'uploading';
  return [
    bar,
    `${percent.toFixed(1).padStart(5)}%`,
    bytes,
    moving ? formatRate(p.bytesPerSecond) : '',
    moving ? `ETA ${formatDuration(p.etaSeconds)}` : '',
    `${p.phase}${batch}`,
    p.title,
  ]
    .filter(Boolean)
    .join('  ');
}

/**
 * Draws successive progress lines: in place on a terminal; on anything else (a log, CI) a new
 * line only when the phase changes or every `quietMs`, so the output stays readable.
 */
export class ProgressRenderer {
  private lastLine = '';
  private lastPrintedAtMs = 0;
  private lastPhase = '';

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly quietMs = 2000,
  ) {}

  draw(p: LiveProgress, nowMs = Date.now()): void {
    const line = progressLine(p);
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${line}`);
    } else if (p.phase !== this.lastPhase || nowMs - this.lastPrintedAtMs >= this.quietMs) {
      this.out.write(`${line}\n`);
      this.lastPrintedAtMs = nowMs;
    }
    this.lastPhase = p.phase;
    this.lastLine = line;
  }

  /** Ends the in-place line so what follows starts on a fresh one. */
  finish(): void {
    if (this.out.isTTY && this.lastLine) this.out.write('\n');
    this.lastLine = '';
  }
}
