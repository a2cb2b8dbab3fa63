// The live progress line: bar, percent, bytes, rate, ETA, phase. One function of a LiveProgress,
// used by `upload`, `watch`, `status` and `npm run demo`, so there is one progress bar in the
// product. It is drawn on stderr (stdout stays for results a script reads) and fits the width of
// the terminal: a line longer than the terminal wraps, and then `\r` can no longer redraw it.

import type { LiveProgress } from '../client/types';
import { formatBytes, formatDuration, formatRate } from './format';

const BAR_WIDTH = 28;
/** Below this the bar says too little to be worth its room: it is left out. */
const MIN_BAR_WIDTH = 8;
/** The title gives way first, down to this many characters, before the bar narrows. */
const MIN_TITLE = 12;

/**
 * The line; with `columns`, at most `columns - 1` characters (the last column would wrap): the
 * title is shortened first, then the bar narrows, then goes, and only then is the line cut.
 */
export function progressLine(p: LiveProgress, columns?: number): string {
  const percent = p.percent ?? 0;
  const bytes = p.totalBytes !== undefined ? `${formatBytes(p.sentBytes)} / ${formatBytes(p.totalBytes)}` : formatBytes(p.sentBytes);
  const batch = p.batch ? ` ${p.batch.totals.completed + p.batch.totals.failed}/${p.batch.totals.files} files` : '';
  const moving = p.phase === 'uploading';
  const stats = [
    `${percent.toFixed(1).padStart(5)}%`,
    bytes,
    moving ? formatRate(p.bytesPerSecond) : '',
    moving ? `ETA ${formatDuration(p.etaSeconds)}` : '',
    `${p.phase}${batch}`,
    p.retrying ? `retrying ${p.retrying.activityType} (attempt ${p.retrying.attempt})` : '',
  ]
    .filter(Boolean)
    .join('  ');
  if (columns === undefined) return `${bar(percent, BAR_WIDTH)}  ${stats}  ${p.title}`;
  const room = columns - 1;
  const titleRoom = Math.min(p.title.length, MIN_TITLE);
  const barWidth = Math.min(BAR_WIDTH, room - stats.length - titleRoom - 6); // "[", "]" and two gaps of two
  const head = barWidth >= MIN_BAR_WIDTH ? `${bar(percent, barWidth)}  ${stats}` : stats;
  const line = withTitle(head, p.title, room);
  return line.length <= room ? line : `${line.slice(0, Math.max(0, room - 1))}…`;
}

/** `head  title`, the title shortened to what room is left (left out when almost none is). */
function withTitle(head: string, title: string, room: number): string {
  const left = room - head.length - 2;
  if (left >= title.length) return `${head}  ${title}`;
  if (left < 4) return head;
  return `${head}  ${title.slice(0, left - 1)}…`;
}

function bar(percent: number, width: number): string {
  const filled = Math.round((Math.min(100, percent) / 100) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Draws successive progress lines: in place on a terminal, as wide as it is; on anything else (a
 * log, CI; only when forced with --progress) a new line only when the phase changes or every
 * `quietMs`, so the output stays readable.
 */
export class ProgressRenderer {
  private lastLine = '';
  private lastPrintedAtMs = 0;
  private lastPhase = '';

  constructor(
    private readonly out: ProgressOutput,
    private readonly quietMs = 2000,
  ) {}

  draw(p: LiveProgress, nowMs = Date.now()): void {
    if (this.out.isTTY) {
      const line = progressLine(p, this.out.columns || 80);
      this.out.write(`\r\x1b[2K${line}`);
      this.lastLine = line;
    } else if (p.phase !== this.lastPhase || nowMs - this.lastPrintedAtMs >= this.quietMs) {
      const line = progressLine(p);
      this.out.write(`${line}\n`);
      this.lastPrintedAtMs = nowMs;
      this.lastLine = line;
    }
    this.lastPhase = p.phase;
  }

  /** Ends the in-place line so what follows starts on a fresh one. */
  finish(): void {
    if (this.out.isTTY && this.lastLine) this.out.write('\n');
    this.lastLine = '';
  }
}
