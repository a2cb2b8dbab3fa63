// The AES-256-GCM payload codec and its keys from the environment: round trips, rotation by key
// id, tampering, and configuration mistakes that must stop a process before it writes anything.

import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { ConfigError, payloadEncryptionConfig } from '../../src/config';
import { dataConverterFromEnv } from '../../src/security/data-converter';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, METADATA_KEY_ID, PayloadDecryptionError } from '../../src/security/payload-codec';

const OLD_KEY = randomBytes(32).toString('base64');
const NEW_KEY = randomBytes(32).toString('base64');
const SECRET_URL = 'http://127.0.0.1:9100/tl-uploads/up_1/1?X-Amz-Signature=deadbeefcafe';

function codecFor(env: Record<string, string>): AesGcmPayloadCodec {
  return new AesGcmPayloadCodec(payloadEncryptionConfig(env)!);
}

const payloadOf = (value: unknown): Payload => defaultPayloadConverter.toPayload(value)!;
const valueOf = (payload: Payload): unknown => defaultPayloadConverter.fromPayload(payload);

describe('AesGcmPayloadCodec', () => {
  it('encrypts the whole payload (data and metadata) and decrypts it back', async () => {
    const codec = codecFor({ TL_CODEC_KEYS: `k1:${NEW_KEY}` });
    const [encoded] = await codec.encode([payloadOf({ url: SECRET_URL })]);
    expect(Buffer.from(encoded!.metadata![METADATA_ENCODING_KEY]!).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(encoded!.metadata![METADATA_KEY_ID]!).toString()).toBe('k1');
    const bytes = Buffer.from(encoded!.data!);
    expect(bytes.includes('X-Amz-Signature')).toBe(false);
    expect(bytes.includes('json/plain')).toBe(false); // the original encoding is inside the ciphertext
    const [decoded] = await codec.decode([encoded!]);
    expect(valueOf(decoded!)).toEqual({ url: SECRET_URL });
  });

  it('uses a fresh IV for every payload, so equal values give different ciphertexts', async () => {
    const codec = codecFor({ TL_CODEC_KEYS: `k1:${NEW_KEY}` });
    const [a, b] = await codec.encode([payloadOf('same'), payloadOf('same')]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('after rotation, encrypts with the new key id and still decrypts payloads written with the old one', async () => {
    const before = codecFor({ TL_CODEC_KEYS: `2024:${OLD_KEY}` });
    const [old] = await before.encode([payloadOf('written before rotation')]);
    const after = codecFor({ TL_CODEC_KEYS: `2024:${OLD_KEY},2025:${NEW_KEY}`, TL_CODEC_KEY_ID: '2025' });
    const [fresh] = await after.encode([payloadOf('written after')]);
    expect(Buffer.from(fresh!.metadata![METADATA_KEY_ID]!).toString()).toBe('2025');
    const decoded = await after.decode([old!, fresh!]);
    expect(decoded.map(valueOf)).toEqual(['written before rotation', 'written after']);
  });

  it('refuses a payload whose key id it does not hold, naming the id', async () => {
    const [old] = await codecFor({ TL_CODEC_KEYS: `2024:${OLD_KEY}` }).encode([payloadOf('x')]);
    const err = await codecFor({ TL_CODEC_KEYS: `2025:${NEW_KEY}` }).decode([old!]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadDecryptionError);
    expect((err as Error).message).toMatch(/encrypted with key id '2024', which is not in TL_CODEC_KEYS \(known: 2025\)/);
  });

  it('refuses altered ciphertext, a relabelled key id, and a different key under the same id', async () => {
    const codec = codecFor({ TL_CODEC_KEYS: `a:${OLD_KEY},b:${NEW_KEY}`, TL_CODEC_KEY_ID: 'a' });
    const [good] = await codec.encode([payloadOf('x')]);
    const flipped = Buffer.from(good!.data!);
    flipped[20]! ^= 1;
    const relabelled = { ...good!, metadata: { ...good!.metadata, [METADATA_KEY_ID]: Buffer.from('b') } };
    const otherKeySameId = codecFor({ TL_CODEC_KEYS: `a:${NEW_KEY}` });
    for (const attempt of [codec.decode([{ ...good!, data: flipped }]), codec.decode([relabelled]), otherKeySameId.decode([good!])]) {
      await expect(attempt).rejects.toThrow(/failed authentication/);
    }
  });

  it('passes through payloads that were never encrypted (histories from before encryption was turned on)', async () => {
    const plain = payloadOf({ path: '/media/a.mp4' });
    const [decoded] = await codecFor({ TL_CODEC_KEYS: `k:${NEW_KEY}` }).decode([plain]);
    expect(valueOf(decoded!)).toEqual({ path: '/media/a.mp4' });
  });
});

describe('encryption configuration (TL_CODEC_KEYS, TL_CODEC_KEY_ID)', () => {
  it('is off when TL_CODEC_KEYS is unset: no data converter', () => {
    expect(dataConverterFromEnv({})).toBeUndefined();
    expect(dataConverterFromEnv({ TL_CODEC_KEYS: `k:${NEW_KEY}` })?.payloadCodecs).toHaveLength(1);
  });

  it.each([
    [{ TL_CODEC_KEYS: 'k:c2hvcnQ=' }, /must be 32 bytes in base64/],
    [{ TL_CODEC_KEYS: `k:${NEW_KEY.slice(0, -4)}!!!!` }, /must be 32 bytes in base64/],
    [{ TL_CODEC_KEYS: NEW_KEY }, /must be keyId:base64key/],
    [{ TL_CODEC_KEYS: `k:${OLD_KEY},k:${NEW_KEY}` }, /key id k appears twice/],
    [{ TL_CODEC_KEYS: `a:${OLD_KEY},b:${NEW_KEY}` }, /set TL_CODEC_KEY_ID/],
    [{ TL_CODEC_KEYS: `a:${OLD_KEY}`, TL_CODEC_KEY_ID: 'b' }, /TL_CODEC_KEY_ID=b is not one of the key ids in TL_CODEC_KEYS \(a\)/],
    [{ TL_CODEC_KEY_ID: 'a' }, /TL_CODEC_KEYS is empty/],
  ])('refuses %o', (env, message) => {
    expect(() => payloadEncryptionConfig(env)).toThrow(ConfigError);
    expect(() => payloadEncryptionConfig(env)).toThrow(message);
  });

  it('never echoes key material in its errors', () => {
    const almost = randomBytes(31).toString('base64');
    const err = (() => {
      try {
        payloadEncryptionConfig({ TL_CODEC_KEYS: `k:${almost}` });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toMatch(/key id k/);
    expect(err?.message).not.toContain(almost);
  });
});
