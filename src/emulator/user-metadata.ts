// User metadata rules (contract 5.5): scalar values only, and the special meanings of `null` and
// `""` in PATCH (merge) and PUT (replace).

import type { MetadataValue, UserMetadata } from '../twelvelabs/wire';
import { parameterInvalid } from './api-error';
import { isPlainObject } from './http-io';

/** A metadata update as sent to A5/A6, where `null` is meaningful. */
export type MetadataUpdate = Record<string, MetadataValue | null>;

function isScalar(value: unknown): value is MetadataValue {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

/** Metadata given at creation (M1, A1): an object of scalars; nested values are rejected (9.31). */
export function parseCreationMetadata(value: unknown, name = 'user_metadata'): UserMetadata {
  if (!isPlainObject(value)) throw parameterInvalid(name, 'expected an object of string, number or boolean values');
  for (const [key, entry] of Object.entries(value)) {
    if (!isScalar(entry)) throw parameterInvalid(name, `the value of '${key}' must be a string, number or boolean`);
  }
  return { ...(value as UserMetadata) };
}

/** A5/A6 body value: like creation metadata, but `null` is allowed. */
export function parseMetadataUpdate(value: unknown): MetadataUpdate {
  if (!isPlainObject(value)) throw parameterInvalid('user_metadata', 'expected an object');
  for (const [key, entry] of Object.entries(value)) {
    if (entry !== null && !isScalar(entry)) {
      throw parameterInvalid('user_metadata', `the value of '${key}' must be a string, number, boolean or null; stringify objects and arrays first`);
    }
  }
  return value as MetadataUpdate;
}

/** PATCH: a scalar sets the key, `null` deletes it, `""` leaves it as it was, absent keys stay. */
export function mergeMetadata(current: UserMetadata, update: MetadataUpdate): UserMetadata {
  const next: UserMetadata = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (value === null) delete next[key];
    else if (value !== '') next[key] = value;
  }
  return next;
}

/** PUT: only the scalars sent survive; `null` and `""` are ignored, so `{}` clears everything. */
export function replaceMetadata(update: MetadataUpdate): UserMetadata {
  const next: UserMetadata = {};
  for (const [key, value] of Object.entries(update)) {
    if (value !== null && value !== '') next[key] = value;
  }
  return next;
}
