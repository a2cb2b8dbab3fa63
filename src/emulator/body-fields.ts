// Field checks for JSON request bodies, with the contract's error codes: a missing field is
// `parameter_not_provided`, a field of the wrong type or range is `parameter_invalid` (1.4).

import { parameterInvalid, parameterNotProvided, parameterUnknown } from './api-error';
import { isPlainObject } from './http-io';

export type JsonObject = Record<string, unknown>;

/** The body as an object; an empty body reads as `{}` so the first required field reports itself. */
export function objectBody(body: unknown): JsonObject {
  if (body === undefined) return {};
  if (!isPlainObject(body)) throw parameterInvalid('body', 'expected a JSON object');
  return body;
}

/** Strict mode (9.22) rejects keys the endpoint does not know; the default ignores them. */
export function checkUnknownKeys(object: JsonObject, known: readonly string[], strict: boolean, prefix = ''): void {
  if (!strict) return;
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) throw parameterUnknown(`${prefix}${key}`);
  }
}

/** Absent and JSON null both count as "not provided". */
export function isAbsent(object: JsonObject, key: string): boolean {
  return object[key] === undefined || object[key] === null;
}

export function requiredInteger(object: JsonObject, key: string, min: number, max: number, label = key): number {
  if (isAbsent(object, key)) throw parameterNotProvided(label);
  const value = object[key];
  if (typeof value !== 'number' || !Number.isInteger(value)) throw parameterInvalid(label, 'expected an integer');
  if (value < min || value > max) throw parameterInvalid(label, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

export function requiredString(object: JsonObject, key: string, label = key): string {
  if (isAbsent(object, key)) throw parameterNotProvided(label);
  const value = object[key];
  if (typeof value !== 'string') throw parameterInvalid(label, 'expected a string');
  return value;
}

export function optionalBoolean(object: JsonObject, key: string): boolean {
  if (isAbsent(object, key)) return false;
  const value = object[key];
  if (typeof value !== 'boolean') throw parameterInvalid(key, 'expected true or false');
  return value;
}

/** 1–255 characters (3.1, 5.1), for M1's JSON body and A1's form alike. */
export const MAX_FILENAME_CHARS = 255;

export function checkFilename(filename: string): string {
  if (filename.length < 1 || filename.length > MAX_FILENAME_CHARS) {
    throw parameterInvalid('filename', `must be 1 to ${MAX_FILENAME_CHARS} characters long`);
  }
  return filename;
}
