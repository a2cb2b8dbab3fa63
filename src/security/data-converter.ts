// The one data converter factory: the worker, the client library and the CLI all get their
// Temporal data converter here, so they always agree on whether and how payloads are encrypted.

import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { payloadEncryptionConfig, type PayloadEncryptionConfig } from '../config';
import { AesGcmPayloadCodec } from './payload-codec';

/** Encodes failure messages and stack traces as payloads, so the codec encrypts them too. */
export const ENCRYPTED_FAILURE_CONVERTER_PATH = path.join(__dirname, 'failure-converter.cjs');

/** The data converter for these keys: AES-256-GCM payloads and encrypted failure messages. */
export function encryptingDataConverter(config: PayloadEncryptionConfig): DataConverter {
  return {
    payloadCodecs: [new AesGcmPayloadCodec(config)],
    failureConverterPath: ENCRYPTED_FAILURE_CONVERTER_PATH,
  };
}

/**
 * From TL_CODEC_KEYS and TL_CODEC_KEY_ID; undefined when encryption is off (Temporal's default
 * converter then applies). Throws ConfigError for malformed keys.
 */
export function dataConverterFromEnv(env: NodeJS.ProcessEnv = process.env): DataConverter | undefined {
  const config = payloadEncryptionConfig(env);
  return config ? encryptingDataConverter(config) : undefined;
}

/** One line for a startup log: whether payloads are encrypted, and with which key id. */
export function describeEncryption(env: NodeJS.ProcessEnv = process.env): string {
  const config = payloadEncryptionConfig(env);
  return config ? `on (key id ${config.encryptKeyId}, ${config.keys.size} key${config.keys.size === 1 ? '' : 's'})` : 'off';
}
