// JSON API errors (contract 1.4): a flat `{code, message}` body with an HTTP status. Handlers
// throw ApiError; the server turns it into the response, so every failure has one shape.

import type { WireErrorBody } from '../twelvelabs/wire';

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers, e.g. Retry-After on 429. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): WireErrorBody {
    return { code: this.code, message: this.message };
  }
}

export function parameterNotProvided(name: string): ApiError {
  return new ApiError(400, 'parameter_not_provided', `The ${name} parameter is required but was not provided.`);
}

export function parameterInvalid(name: string, reason: string): ApiError {
  return new ApiError(400, 'parameter_invalid', `The ${name} parameter is invalid: ${reason}.`);
}

export function parameterUnknown(name: string): ApiError {
  return new ApiError(400, 'parameter_unknown', `The ${name} parameter is not recognized.`);
}

export function resourceNotExist(id: string, collection: string): ApiError {
  return new ApiError(404, 'resource_not_exist', `Resource with id \`${id}\` does not exist in \`${collection}\`.`);
}

export function apiKeyInvalid(): ApiError {
  return new ApiError(401, 'api_key_invalid', 'The API key is missing, invalid or expired. Send a valid key in the x-api-key header.');
}

export function apiNotAllowed(): ApiError {
  return new ApiError(
    403,
    'api_not_allowed',
    'This API key has no access to the multipart upload API, which is a limited private preview.',
  );
}
