// The search attributes the upload workflows set, so a person can list and filter uploads in the
// Web UI (`TlPhase = "uploading"`, `TlFileName = "keynote.mp4"`). The names are registered by the
// dev server (src/dev/dev-server.ts) and, on a real cluster, by `temporal operator
// search-attribute create` (README). Workflow-safe: no Node imports.

import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

export const TL_FILE_NAME = defineSearchAttributeKey('TlFileName', SearchAttributeType.KEYWORD);
export const TL_FILE_SIZE = defineSearchAttributeKey('TlFileSize', SearchAttributeType.INT);
export const TL_PHASE = defineSearchAttributeKey('TlPhase', SearchAttributeType.KEYWORD);

/** Every attribute the upload workflows set: what a cluster must have registered. */
export const UPLOAD_SEARCH_ATTRIBUTE_KEYS = [TL_FILE_NAME, TL_FILE_SIZE, TL_PHASE] as const;

/** The attributes an upload starts with; a workflow keeps TlPhase current from then on. */
export function uploadSearchAttributes(params: { fileName: string; sizeBytes?: number; phase: string }): SearchAttributePair[] {
  const pairs: SearchAttributePair[] = [
    { key: TL_FILE_NAME, value: params.fileName },
    { key: TL_PHASE, value: params.phase },
  ];
  if (params.sizeBytes !== undefined) pairs.push({ key: TL_FILE_SIZE, value: params.sizeBytes });
  return pairs;
}
