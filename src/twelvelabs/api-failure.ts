// The error half of an API call: every way one call can fail, as a typed TwelveLabsApiError
// with the API key redacted. A transport failure says whether the request may have taken effect;
// an error status carries the API's code, message and Retry-After.

import type { Dispatcher } from 'undici';
import type { CallSpec } from './api-request';
import { isAssetUploadCode, type AssetUploadCode } from './asset-upload-codes';
import { AssetUploadRejectedError, httpFailureIsAmbiguous, TwelveLabsApiError, type ApiFailureKind } from './errors';
import { redact, SanitizedCause } from './redact';
import { retryAfterMsFromHeaders } from './retry-after';
import { readBodyText, requestCertainlyNotSent } from './transport';
import { fromWireErrorBody } from './wire';

export class CallFailures {
  constructor(
    private readonly spec: CallSpec<unknown>,
    private readonly displayPath: string,
    private readonly secrets: readonly string[],
  ) {}

  /** A failure of the call itself (no usable answer). */
  of(kind: ApiFailureKind, ambiguous: boolean, err?: unknown): TwelveLabsApiError {
    return new TwelveLabsApiError({
      ...this.where(),
      kind,
      ambiguous,
      ...(err !== undefined ? { cause: new SanitizedCause(err, this.secrets) } : {}),
    });
  }

  /**
   * A request or response that broke off: our deadline, the caller's abort, or the network. It
   * is ambiguous unless the request certainly never left (or the response had started: then the
   * server acted).
   */
  transport(err: unknown, state: { timedOut: boolean; aborted: boolean; responseStarted: boolean }): TwelveLabsApiError {
    const mayHaveActed = state.responseStarted || !requestCertainlyNotSent(err);
    if (state.timedOut) return this.of('timeout', true, err);
    return this.of(state.aborted ? 'aborted' : 'network', mayHaveActed, err);
  }

  /**
   * An error status: the API's code and message (redacted), Retry-After, or the non-JSON body's
   * type. A1's documented codes (contract 5.8) become AssetUploadRejectedError.
   */
  async status(res: Dispatcher.ResponseData): Promise<TwelveLabsApiError> {
    const status = res.statusCode;
    const text = await readBodyText(res.body);
    const errorBody = fromWireErrorBody(parseJson(text));
    const contentType = res.headers['content-type'];
    const retryAfterMs = retryAfterMsFromHeaders(res.headers, Date.now(), status);
    const assetUploadCode = this.assetUploadCode(status, errorBody?.code);
    const init = {
      ...this.where(),
      kind: 'http',
      status,
      ambiguous: httpFailureIsAmbiguous(status),
      ...(errorBody?.code !== undefined ? { code: redact(errorBody.code, this.secrets) } : {}),
      ...(errorBody?.message !== undefined ? { serverMessage: redact(errorBody.message, this.secrets).slice(0, 1000) } : {}),
      ...(errorBody?.docsUrl !== undefined ? { docsUrl: redact(errorBody.docsUrl, this.secrets) } : {}),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      ...(errorBody === undefined ? { nonJsonBodyContentType: (Array.isArray(contentType) ? contentType[0] : contentType) ?? '' } : {}),
    } as const;
    return assetUploadCode === undefined ? new TwelveLabsApiError(init) : new AssetUploadRejectedError({ ...init, assetUploadCode });
  }

  /** A1's code, if this is one; a gateway's 413 means what media_filesize_too_large means (contract 9.32). */
  private assetUploadCode(status: number, code: string | undefined): AssetUploadCode | undefined {
    if (this.spec.operation !== 'createAsset') return undefined;
    if (isAssetUploadCode(code)) return code;
    return status === 413 ? 'media_filesize_too_large' : undefined;
  }

  private where() {
    return { operation: this.spec.operation, method: this.spec.method, path: this.displayPath, idempotent: this.spec.idempotent };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
