// The response half of an API call: a 2xx answer read and mapped to the domain type. A body that
// cannot be read after a 2xx is a lost reply (the call took effect); the caller says what that is.

import type { Dispatcher } from 'undici';
import type { CallSpec } from './api-request';
import { InvalidResponseError } from './errors';
import { discardBody } from './transport';

export function isSuccessStatus(status: number): boolean {
  return status >= 200 && status < 300;
}

/**
 * The parsed body of a 2xx response (undefined for endpoints without one). `lostBody` makes the
 * error for a body that broke off after the status arrived.
 */
export async function readSuccess<T>(res: Dispatcher.ResponseData, spec: CallSpec<T>, lostBody: (err: unknown) => Error): Promise<T> {
  if (!spec.parse) {
    await discardBody(res.body);
    return undefined as T;
  }
  let text: string;
  try {
    text = await res.body.text();
  } catch (err) {
    throw lostBody(err);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidResponseError('body is not JSON', { operation: spec.operation, status: res.statusCode });
  }
  try {
    return spec.parse(json);
  } catch (err) {
    if (err instanceof InvalidResponseError) throw err.withContext({ operation: spec.operation, status: res.statusCode });
    throw err;
  }
}
