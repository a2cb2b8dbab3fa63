// What a JSON API handler receives, and how a route is declared.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorState } from './emulator-state';

/** Endpoint ids of the contract's table 1.7. */
export type ApiEndpointId = 'M1' | 'M2' | 'M3' | 'M4' | 'M5' | 'A1' | 'A2' | 'A3' | 'A4' | 'A5' | 'A6' | 'A7';

export interface ApiRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Decoded path parameters, in pattern order. */
  params: string[];
  /** The caller's key; each key is its own account. */
  apiKey: string;
  state: EmulatorState;
}

export interface ApiRoute {
  id: ApiEndpointId;
  method: string;
  /** Matched against the path below /v1.3. */
  pattern: RegExp;
  /** Part of the multipart private preview: restricted keys get 403 (1.2). */
  previewOnly: boolean;
  /** api_429 / api_5xx may hit this endpoint. */
  faultable: boolean;
  handle(request: ApiRequest): Promise<void>;
}

/** Path parameter i, which the route pattern guarantees exists. */
export function param(request: ApiRequest, index: number): string {
  return request.params[index] ?? '';
}
