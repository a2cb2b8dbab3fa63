// What a finished report (reportBatch) settles, decided from its recorded result alone.
//
// Finding 10 (docs/RELIABILITY.md): a live worker once applied two lanes' results in two
// activations, so the report it started held the first lane's chunks only; a replay applied both
// in one activation and built a bigger batch. Judged against the batch the replay built, the
// same recorded result looked like rejections and the replay asked for the status (pollStatus)
// where history had the next report: a nondeterminism error. The result now names the chunks it
// settled, so the decision is the same however the results were grouped.

import { expandRanges } from '../../domain/chunk-ranges';
import type { ChunkEtag } from '../../domain/types';
import type { ReportBatchResult } from '../../activities/reporting';

export interface ReportOutcome {
  /** Accepted by TwelveLabs (processed or duplicate): mark reported. */
  reported: number[];
  /** Sent in a call that rejected some entries: the status (M2) tells which to send again. */
  unsettled: number[];
}

/**
 * `batch` is what this worker passed to reportBatch. A result recorded before the fix has no
 * `accepted`: it takes the old rule (the whole batch, or a status check if any entry was not
 * accepted), so the histories recorded then replay the commands they hold. A new result is
 * trusted as it is, limited to the batch (a replay's batch holds at least the live one's chunks).
 */
export function reportOutcome(batch: ChunkEtag[], result: ReportBatchResult): ReportOutcome {
  const indices = batch.map((c) => c.chunkIndex);
  if (result.accepted === undefined) {
    const whole = result.processed + result.duplicates >= batch.length;
    return whole ? { reported: indices, unsettled: [] } : { reported: [], unsettled: indices };
  }
  const inBatch = new Set(indices);
  return {
    reported: expandRanges(result.accepted).filter((i) => inBatch.has(i)),
    unsettled: expandRanges(result.unsettled ?? []).filter((i) => inBatch.has(i)),
  };
}
