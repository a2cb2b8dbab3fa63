// Filters in Temporal's list query language (SQL-like) for values a person typed, any character
// included. Tried on the dev server: `TlFileName = '<name>'` never matches a name that holds `"`
// or `\`, however the literal is escaped, while STARTS_WITH does. So such a name is asked for by
// its prefix before the first of those characters, and the answers are checked exactly here.

/** A single-quoted string literal. */
export function visibilityString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export interface KeywordFilter {
  /** The clause for the server; undefined when only the client can filter (no usable prefix). */
  clause: string | undefined;
  /** The exact check every answer must pass. */
  matches(value: string | undefined): boolean;
}

/** `field = value`, exactly, for any value. */
export function keywordEquals(field: string, value: string): KeywordFilter {
  const unsafe = value.search(/["\\]/);
  const matches = (candidate: string | undefined) => candidate === value;
  if (unsafe < 0) return { clause: `${field} = ${visibilityString(value)}`, matches };
  const prefix = value.slice(0, unsafe);
  return { clause: prefix === '' ? undefined : `${field} STARTS_WITH ${visibilityString(prefix)}`, matches };
}
