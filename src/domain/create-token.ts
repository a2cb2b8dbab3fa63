// The create token: a user_metadata entry that marks an asset as made by one particular create
// (M1 or A1). Neither call is idempotent and an answer can be lost after the server acted, so
// the asset an earlier attempt made is found by this token, never by name: another upload of a
// file with the same name and size is not ours. An upload's token is removed once it settled; a
// batch file's token (`file:<hash of real path, size, mtime>`, activities/file-runs.ts) stays on
// its asset, because it is how a later run of the batch knows the file is uploaded.
//
// Values are built from Temporal ids (run id, activity id): unique, deterministic across retries,
// and free of anything secret (no API key, no path, no URL).

/** The user_metadata key; uploads refuse user metadata that uses it. */
export const CREATE_TOKEN_KEY = 'tl_upload_token';

/** The token of every A1 attempt of one uploadWorkflow run (the workflow reconciles them). */
export function uploadRunToken(runId: string): string {
  return `run:${runId}`;
}

/** The token of one createSession activity: its retries share the run id and the activity id. */
export function sessionActivityToken(runId: string, activityId: string): string {
  return `run:${runId}/activity:${activityId}`;
}

/** The metadata to send with a create: the caller's, plus the token. */
export function withCreateToken<T>(userMetadata: Record<string, T> | undefined, token: string): Record<string, T | string> {
  return { ...(userMetadata ?? {}), [CREATE_TOKEN_KEY]: token };
}

export function carriesCreateToken(userMetadata: Record<string, unknown> | undefined, token: string): boolean {
  return userMetadata?.[CREATE_TOKEN_KEY] === token;
}
