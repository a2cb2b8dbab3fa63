// Asset calls and file identity checks run as short workflows on the worker (it holds the API key
// and sees the files), so callers need Temporal access only. They are plumbing, not uploads: left
// in the Web UI's default list they crowd out the uploads (and a missing file's failed identity
// check looked like a second failed upload). Temporal keeps its own helper workflows (those of
// schedules and batch jobs) out of that list with the predefined search attribute
// TemporalNamespaceDivision: visibility adds `TemporalNamespaceDivision IS NULL` to every list
// query that does not name it. Ours carry it too; `TemporalNamespaceDivision = 'TlUploadHelpers'`
// lists them (Web UI, `temporal workflow list --query ...`). It needs no registration.

import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

export const TEMPORAL_NAMESPACE_DIVISION = defineSearchAttributeKey('TemporalNamespaceDivision', SearchAttributeType.KEYWORD);

/** The division the helper workflows run in, out of the default list. */
export const HELPER_WORKFLOW_DIVISION = 'TlUploadHelpers';

/** The query that lists the helper workflows. */
export const HELPER_WORKFLOWS_QUERY = `${TEMPORAL_NAMESPACE_DIVISION.name} = '${HELPER_WORKFLOW_DIVISION}'`;

/** Start options every helper workflow carries. */
export function helperSearchAttributes(): SearchAttributePair[] {
  return [{ key: TEMPORAL_NAMESPACE_DIVISION, value: HELPER_WORKFLOW_DIVISION }];
}
