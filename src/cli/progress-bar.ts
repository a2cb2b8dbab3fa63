// The live progress line: bar, percent, bytes, rate, ETA, phase. One function of a LiveProgress,
// used by `upload`, `watch`, `status` and `npm run demo`, so there is one progress bar in the
// product. It is drawn on stderr (stdout stays for results a script reads) and fits the width of
// the terminal: a line longer than the terminal wraps, and then `\r` can no longer redraw it.

import type { LiveProgress } from '../client/types';
import { formatBytes, formatDuration, formatRate } from './format';

const BAR_WIDTH = 28;
/** The narrowest bar worth its room; the stats shorten before the bar goes below it. */
const MIN_BAR_WIDTH = 10;
/** The title gives way first, down to this many characters, before the stats shorten. */
const MIN_TITLE = 12;
/** How many ways the stats can be written, from the full form to the shortest. */
const STATS_FORMS = 5;

/**
 * The line; with `columns`, at most `columns - 1` characters (the last column would wrap). The
 * title is shortened first, then the stats (the phase while uploading, the spaces, the total, the
 * rate), then the title goes, then the bar narrows: at 80 columns the bar is always there.
 */
export function progressLine(p: LiveProgress, columns?: number): string {
  const percent = p.percent ?? 0;
  if (columns === undefined) return `${bar(percent, BAR_WIDTH)}  ${stats(p, 0)}  ${p.title}`;
  const room = columns - 1;
  const titleRoom = Math.min(p.title.length, MIN_TITLE);
  for (let form = 0; form < STATS_FORMS; form++) {
    const text = stats(p, form);
    const barWidth = Math.min(BAR_WIDTH, room - text.length - titleRoom - 6); // "[", "]" and two gaps of two
    if (barWidth >= MIN_BAR_WIDTH) return withTitle(`${bar(percent, barWidth)}  ${text}`, p.title, room);
  }
  const text = stats(p, STATS_FORMS - 1);
  const barWidth = Math.min(BAR_WIDTH, room - text.length - 4);
  const head = barWidth >= 4 ? `${bar(percent, barWidth)}  ${text}` : text;
  return head.length <= room ? head : `${head.slice(0, Math.max(0, room - 1))}…`;
}

/**
 * The figures, in form 0 (everything, spaced) to 4 (the percentage, and the phase when it is not
 * plain uploading). The phase stays whenever it is not `uploading`: a pause must show.
 */
function stats(p: LiveProgress, form: number): string {
  const percent = `${(p.percent ?? 0).toFixed(1).padStart(5)}%`;
  const moving = p.phase === 'uploading';
  const sent = formatBytes(p.sentBytes);
  const total = p.totalBytes !== undefined ? formatBytes(p.totalBytes) : undefined;
  const bytes = total === undefined ? sent : form === 0 ? `${sent} / ${total}` : form === 1 ? `${sent}/${total}` : sent;
  const files = p.batch ? `${p.batch.totals.completed + p.batch.totals.failed}/${p.batch.totals.files} files` : '';
  const phase = form === 0 || !moving ? p.phase : '';
  const parts = [
    form === 0 ? percent : percent.trimStart(),
    form <= 3 ? bytes : '',
    moving && form <= 2 ? formatRate(p.bytesPerSecond) : '',
    moving && form <= 3 ? (form <= 1 ? `ETA ${formatDuration(p.etaSeconds)}` : formatDuration(p.etaSeconds)) : '',
    [phase, files].filter(Boolean).join(' '),
    // A call TwelveLabs keeps failing must show even at the narrowest width (issue 17, item 3).
    p.retrying ? (form <= 1 ? `retrying ${p.retrying.activityType} (attempt ${p.retrying.attempt})` : `retry #${p.retrying.attempt}`) : '',
  ];
  return parts.filter(Boolean).join(form === 0 ? '  ' : ' ');
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
