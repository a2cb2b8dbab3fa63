// AES-256-GCM payload codec: what the worker, the client library, the CLI and the codec server
// use so that workflow inputs, results, heartbeats and failure messages (file paths, presigned
// URLs) are ciphertext in Temporal's history. Runs on the main thread only (never in the
// workflow sandbox), as Temporal's codecs do.
//
// Wire format of an encrypted payload (kept compatible with Temporal's encryption samples):
//   metadata.encoding          = "binary/encrypted"
//   metadata.encryption-key-id = the key id (so old payloads stay readable after rotation)
//   data                       = 12-byte IV ‖ ciphertext of the whole serialized Payload ‖ 16-byte tag

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { PayloadEncryptionConfig } from '../config';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A payload this codec cannot open: unknown key id, wrong key, or altered bytes. */
export class PayloadDecryptionError extends ValueError {
  override readonly name = 'PayloadDecryptionError';
}

export class AesGcmPayloadCodec implements PayloadCodec {
  readonly encryptKeyId: string;
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(config: PayloadEncryptionConfig) {
    this.encryptKeyId = config.encryptKeyId;
    this.keys = config.keys;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.get(this.encryptKeyId)!;
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      // The key id is authenticated too: a payload relabelled with another id fails to open.
      cipher.setAAD(additionalData(this.encryptKeyId));
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
          [METADATA_KEY_ID]: Buffer.from(this.encryptKeyId),
        },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      // Payloads written before encryption was turned on stay readable.
      if (!encoding || Buffer.from(encoding).toString() !== ENCRYPTED_ENCODING) return payload;
      const keyIdBytes = payload.metadata?.[METADATA_KEY_ID];
      const keyId = keyIdBytes ? Buffer.from(keyIdBytes).toString() : '';
      const key = this.keys.get(keyId);
      if (!key) {
        throw new PayloadDecryptionError(
          `this payload was encrypted with key id '${keyId}', which is not in TL_CODEC_KEYS (known: ${[...this.keys.keys()].join(', ')}); ` +
            'add that key (it may only decrypt) to read it',
        );
      }
      const data = Buffer.from(payload.data ?? []);
      if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`encrypted payload of ${data.length} bytes is too short to be one`);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
        decipher.setAAD(additionalData(keyId));
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
        const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
        return temporal.api.common.v1.Payload.decode(plain) as Payload;
      } catch {
        throw new PayloadDecryptionError(
          `a payload labelled with key id '${keyId}' failed authentication: the key under that id is not the one it was written with, or the bytes were altered`,
        );
      }
    });
  }
}

function additionalData(keyId: string): Buffer {
  return Buffer.from(`tl-payload-codec/v1/${keyId}`);
}
