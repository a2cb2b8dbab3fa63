// The Web UI's "Current Details" of an upload, in Markdown: the phase, then how far it has got
// (a bar, a percentage, bytes or files), then a few facts. The Web UI reads the text with the
// workflow metadata query, which the SDK answers from what setCurrentDetails last set; the
// workflows set it inside workflow tasks they run anyway, so a refresh costs no history event.
// Pure: the workflows and their unit tests call these functions directly.

import { formatBytes } from '../domain/bytes';
import { toRanges } from '../domain/chunk-ranges';
import type { UploadProgress, UploadState } from '../domain/types';

/** How far something has got: bytes or files done out of a total (unknown until it is known). */
export interface Amount {
  done: number;
  total: number | undefined;
  unit: 'bytes' | 'files';
}

/** The parts of a details text; `detailsMarkdown` lays them out. */
export interface DetailsParts {
  /** What is being uploaded: a file name, `12 files`, a directory. */
  title: string;
  phase: string;
  amount?: Amount;
  /** One line each, shown as a list under the progress line. */
  facts?: string[];
}

const BAR_WIDTH = 20;

/** `37.5%`, or undefined while the total is unknown. Never 100% before everything is done. */
export function percentText(done: number, total: number | undefined): string | undefined {
  if (total === undefined || total <= 0) return undefined;
  const percent = Math.min(100, (done / total) * 100);
  // Rounding must not claim the end early: 99.96% shows as 99.9%, not 100.0%.
  return `${(done < total ? Math.min(99.9, Math.floor(percent * 10) / 10) : 100).toFixed(1)}%`;
}

/** `[#######.............]`, as a code span so the Web UI keeps its spacing. */
export function textBar(done: number, total: number, width = BAR_WIDTH): string {
  const filled = total > 0 ? Math.min(width, Math.floor((done / total) * width)) : 0;
  return `\`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]\``;
}

/** `**37.5%** — 18.0 MiB of 48.0 MiB` (with a bar), `2 of 5 files`, `18.0 MiB`. */
export function amountLine(amount: Amount): string {
  const { done, total, unit } = amount;
  const count = (n: number) => (unit === 'bytes' ? formatBytes(n) : String(n));
  const figures = total === undefined ? `${count(done)}${unit === 'files' ? ' files' : ''}` : `${count(done)} of ${count(total)}${unit === 'files' ? ' files' : ''}`;
  const percent = percentText(done, total);
  return percent === undefined ? figures : `${textBar(done, total!)} **${percent}** — ${figures}`;
}

/**
 * The whole text: `**title** — phase`, the progress line under it, then the facts as a list,
 * most telling first: the Web UI 2.42 shows the text in a frame about five lines high.
 */
export function detailsMarkdown(parts: DetailsParts): string {
  const head = `**${parts.title}** — ${parts.phase}`;
  // Two spaces end a line without starting a paragraph: the progress line sits right under it.
  const lines = [parts.amount ? `${head}  \n${amountLine(parts.amount)}` : head];
  const facts = parts.facts ?? [];
  if (facts.length > 0) lines.push('', ...facts.map((f) => `- ${f}`));
  return lines.join('\n');
}

/** A multipart upload (multipartUploadWorkflow): bytes, chunks and lanes, from its progress. */
export function multipartDetails(p: UploadProgress): string {
  const facts: string[] = [];
  if (p.totalChunks !== undefined) {
    const inFlight = p.inFlightChunks.length;
    facts.push(
      `chunks: ${p.uploadedChunks} of ${p.totalChunks} stored, ${p.reportedChunks} confirmed` +
        (inFlight > 0 ? `, ${inFlight} in flight` : ''),
    );
  }
  if (p.phase === 'uploading' || p.phase === 'paused' || (p.lanesInFlight ?? 0) > 0) {
    facts.push(`lanes: ${p.lanesInFlight ?? 0} running of ${p.concurrency} at once${p.paused ? ' (paused: no new chunk starts)' : ''}`);
  }
  const c = p.counters;
  const trouble = [
    c.retries > 0 ? `${c.retries} retried` : '',
    c.chunksResent > 0 ? `${c.chunksResent} chunks resent` : '',
    c.sessionRestarts > 0 ? `${c.sessionRestarts} session restarts` : '',
    (c.urlRefusals ?? 0) > 0 ? `${c.urlRefusals} URLs refused` : '',
  ].filter(Boolean);
  if (trouble.length > 0) facts.push(`recovered: ${trouble.join(', ')}`);
  if (p.runs > 1) facts.push(`run ${p.runs} (continued as new with the chunk ledger)`);
  if (p.uploadId) facts.push(`session: \`${p.uploadId}\``);
  if (p.error) facts.push(`error: ${p.error.type}: ${p.error.message}`);
  return detailsMarkdown({
    title: p.fileName,
    phase: p.phase,
    ...(p.totalBytes !== undefined ? { amount: { done: p.uploadedBytes, total: p.totalBytes, unit: 'bytes' as const } } : {}),
    facts,
  });
}

/**
 * An upload (uploadWorkflow). A direct upload is one request, so it shows its bytes once they are
 * sent; a multipart upload's chunks move in its child workflow, which this one hears from only
 * when it ends (hearing more would cost events), so the text links to the child's own details.
 */
export function uploadDetails(state: UploadState, namespace?: string): string {
  const facts: string[] = [];
  // Bytes this workflow does not see move (in a request or a child) are not shown as 0% done.
  const sending = state.totalBytes !== undefined && state.confirmedBytes < state.totalBytes;
  if (state.route) facts.push(`route: ${state.route}${sending && state.totalBytes !== undefined ? `, ${formatBytes(state.totalBytes)}` : ''}`);
  if (state.multipartWorkflowId) facts.push(`bytes, chunks and lanes, live: ${childLink(state.multipartWorkflowId, namespace)}`);
  if (state.assetId) facts.push(`asset: \`${state.assetId}\`${state.assetStatus ? ` (${state.assetStatus})` : ''}`);
  if (state.createAttempts > 1) facts.push(`create attempts: ${state.createAttempts}`);
  if (state.error) facts.push(`error: ${state.error.type}: ${state.error.message}`);
  const amount: Amount | undefined =
    state.totalBytes !== undefined && !sending ? { done: state.totalBytes, total: state.totalBytes, unit: 'bytes' } : undefined;
  return detailsMarkdown({ title: state.fileName, phase: state.phase, ...(amount ? { amount } : {}), facts });
}

/** A Markdown link to the child's page (the Web UI fills in `{namespace}` from the page it is on). */
function childLink(childId: string, namespace: string | undefined): string {
  const ns = namespace !== undefined ? encodeURIComponent(namespace) : '{namespace}';
  return `[${childId}](/namespaces/${ns}/workflows/${encodeURIComponent(childId)})`;
}

/**
 * A lane's summary (activity user metadata): the Web UI's timeline, the History tab a person sees
 * first, labels the lane's row with it instead of `uploadChunk`: `chunks 5–8, 11 of 16`.
 */
export function laneSummary(run: readonly number[], totalChunks: number): string {
  const ranges = toRanges(run).map(([first, last]) => (first === last ? `${first}` : `${first}–${last}`));
  return `${run.length === 1 ? 'chunk' : 'chunks'} ${ranges.join(', ')} of ${totalChunks}`;
}
