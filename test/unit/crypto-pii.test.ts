import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  blindIndex,
  decryptPii,
  encryptPii,
  isPiiBlob,
  KmsKeyProvider,
  LocalKeyProvider,
  normaliseForIndex,
  piiAad,
  piiBlobKeyId,
  PiiDecryptError,
} from '../../shared/crypto/pii';

const dir = mkdtempSync(join(tmpdir(), 'yizhan-pii-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ID = '110101199003074514';
const AAD = piiAad('usr_01JF3Z6W9K8D2Q4N7M5X0R1T2V', 'idNumber');

/** Flip one bit of one base64url part of a blob. */
function flipPart(blob: string, part: number, byteIndex = 0): string {
  const parts = blob.split('.');
  const buf = Buffer.from(parts[part], 'base64url');
  buf[byteIndex] ^= 0x01;
  parts[part] = buf.toString('base64url');
  return parts.join('.');
}

describe('LocalKeyProvider', () => {
  it('creates a 0600 key file holding 32 bytes and reuses it', async () => {
    const path = join(dir, 'nested', 'master.key');
    const p1 = new LocalKeyProvider(path);
    const blob = await encryptPii(p1, ID, AAD);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'nested')).mode & 0o777).toBe(0o700);
    expect(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64')).toHaveLength(32);
    // A second provider (another process) reads the same key and can decrypt.
    const p2 = new LocalKeyProvider(path);
    expect(await decryptPii(p2, blob, AAD)).toBe(ID);
    expect(await blindIndex(p2, ID, 'idNumber')).toBe(await blindIndex(p1, ID, 'idNumber'));
  });

  it('a different master key cannot decrypt', async () => {
    const a = new LocalKeyProvider(join(dir, 'a.key'));
    const b = new LocalKeyProvider(join(dir, 'b.key'));
    const blob = await encryptPii(a, ID, AAD);
    await expect(decryptPii(b, blob, AAD)).rejects.toBeInstanceOf(PiiDecryptError);
    expect(await blindIndex(a, ID, 'idNumber')).not.toBe(await blindIndex(b, ID, 'idNumber'));
  });

  it('rejects a key file of the wrong size', async () => {
    const path = join(dir, 'short.key');
    writeFileSync(path, Buffer.from('short').toString('base64'));
    await expect(new LocalKeyProvider(path).blindIndexKey()).rejects.toThrow(/32 bytes/);
  });

  it('accepts a raw 32-byte key file', async () => {
    const path = join(dir, 'raw.key');
    writeFileSync(path, randomBytes(32));
    const p = new LocalKeyProvider(path);
    expect(await decryptPii(p, await encryptPii(p, 'x', AAD), AAD)).toBe('x');
  });
});

describe('encryptPii / decryptPii', () => {
  const provider = new LocalKeyProvider(join(dir, 'main.key'));

  it('round-trips, including non-ASCII and empty strings', async () => {
    for (const v of [ID, 'E12345678', '+86 138 1234 5678', '张三丰', '']) {
      expect(await decryptPii(provider, await encryptPii(provider, v, AAD), AAD)).toBe(v);
    }
  });

  it('produces the compact v1 form with base64url parts and a fresh IV each time', async () => {
    const a = await encryptPii(provider, ID, AAD);
    const b = await encryptPii(provider, ID, AAD);
    expect(a).toMatch(/^v1\.local-[0-9a-f]{8}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(isPiiBlob(a)).toBe(true);
    expect(piiBlobKeyId(a)).toMatch(/^local-/);
    expect(a).not.toBe(b);
    expect(a.split('.')[3]).not.toBe(b.split('.')[3]);
  });

  it('the blob does not contain the plaintext in any encoding', async () => {
    const blob = await encryptPii(provider, ID, AAD);
    expect(blob).not.toContain(ID);
    expect(blob).not.toContain(ID.slice(6, 14)); // birth date
    for (const part of blob.split('.').slice(2)) {
      const raw = Buffer.from(part, 'base64url');
      expect(raw.includes(Buffer.from(ID))).toBe(false);
      expect(raw.toString('hex')).not.toContain(Buffer.from(ID).toString('hex'));
    }
  });

  it.each([
    ['ciphertext', 4, 0],
    ['tag', 4, -1],
    ['iv', 3, 0],
    ['wrapped data key', 2, 20],
  ])('detects a flipped bit in the %s', async (_name, part, byte) => {
    const blob = await encryptPii(provider, ID, AAD);
    const len = Buffer.from(blob.split('.')[part], 'base64url').length;
    const tampered = flipPart(blob, part, byte < 0 ? len + byte : byte);
    await expect(decryptPii(provider, tampered, AAD)).rejects.toBeInstanceOf(PiiDecryptError);
  });

  it('fails with a different AAD (blob moved to another user or field)', async () => {
    const blob = await encryptPii(provider, ID, AAD);
    await expect(decryptPii(provider, blob, piiAad('usr_other', 'idNumber'))).rejects.toBeInstanceOf(PiiDecryptError);
    await expect(decryptPii(provider, blob, piiAad('usr_01JF3Z6W9K8D2Q4N7M5X0R1T2V', 'phone'))).rejects.toThrow(
      PiiDecryptError,
    );
  });

  it.each(['', 'v1', 'v2.k.a.b.c', 'v1.k.a.b', 'v1.k.a.b.c.d', 'v1.k.a+b.c.d', ID])('rejects malformed blob %j', async (s) => {
    await expect(decryptPii(provider, s, AAD)).rejects.toBeInstanceOf(PiiDecryptError);
  });

  it('requires an AAD', async () => {
    await expect(encryptPii(provider, ID, '')).rejects.toThrow(TypeError);
  });
});

describe('blindIndex', () => {
  const provider = new LocalKeyProvider(join(dir, 'bi.key'));

  it('is 32 hex chars, stable and normalised', async () => {
    const a = await blindIndex(provider, '11010519491231002X', 'idNumber');
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(await blindIndex(provider, '11010519491231002X', 'idNumber')).toBe(a);
    expect(await blindIndex(provider, ' 110105 19491231 002x ', 'idNumber')).toBe(a);
    expect(normaliseForIndex('ｅ１２３-456 78')).toBe('E12345678');
  });

  it('differs by value and by purpose', async () => {
    const a = await blindIndex(provider, ID, 'idNumber');
    expect(await blindIndex(provider, '110101199003074515', 'idNumber')).not.toBe(a);
    expect(await blindIndex(provider, ID, 'passport')).not.toBe(a);
    expect(await blindIndex(provider, ID, 'phone')).not.toBe(a);
  });

  it('does not contain the value', async () => {
    expect(await blindIndex(provider, ID, 'idNumber')).not.toContain(ID.slice(0, 8));
  });

  it('rejects a purpose that could collide with the separator', async () => {
    await expect(blindIndex(provider, ID, 'id\u0000Number')).rejects.toThrow(RangeError);
    await expect(blindIndex(provider, ID, '')).rejects.toThrow(RangeError);
  });
});

describe('KmsKeyProvider (aws-sdk-client-mock)', () => {
  const kms = mockClient(KMSClient);
  const KEY_ARN = 'arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  // A fake "KMS": data key = random, CiphertextBlob = marker + data key (enough to test our side).
  const wrapped = new Map<string, Buffer>();
  let generateCalls = 0;

  beforeEach(() => {
    kms.reset();
    wrapped.clear();
    generateCalls = 0;
    kms.on(GenerateDataKeyCommand).callsFake(fakeGenerateDataKey);
    kms.on(DecryptCommand).callsFake(fakeDecrypt);
  });

  function fakeGenerateDataKey() {
    generateCalls += 1;
    const plaintext = randomBytes(32);
    const blob = Buffer.concat([Buffer.from('kms-blob-'), randomBytes(16)]);
    wrapped.set(blob.toString('base64'), plaintext);
    return { KeyId: KEY_ARN, Plaintext: new Uint8Array(plaintext), CiphertextBlob: new Uint8Array(blob) };
  }

  function fakeDecrypt(input: { CiphertextBlob?: Uint8Array }) {
    const key = wrapped.get(Buffer.from(input.CiphertextBlob ?? []).toString('base64'));
    if (!key) {
      const err = new Error('invalid ciphertext');
      err.name = 'InvalidCiphertextException';
      throw err;
    }
    return { KeyId: KEY_ARN, Plaintext: new Uint8Array(key) };
  }

  const makeProvider = (extra: Partial<ConstructorParameters<typeof KmsKeyProvider>[0]> = {}) =>
    new KmsKeyProvider({
      keyId: 'alias/yizhan-pii',
      client: new KMSClient({ region: 'cn-north-1' }),
      blindIndexSecret: randomBytes(32),
      ...extra,
    });

  it('round-trips with GenerateDataKey/Decrypt under the yizhan-pii encryption context', async () => {
    const p = makeProvider();
    const blob = await encryptPii(p, ID, AAD);
    expect(piiBlobKeyId(blob)).toBe('1234abcd-12ab-34cd-56ef-1234567890ab');
    const gen = kms.commandCalls(GenerateDataKeyCommand);
    expect(gen).toHaveLength(1);
    expect(gen[0].args[0].input).toMatchObject({
      KeyId: 'alias/yizhan-pii',
      KeySpec: 'AES_256',
      EncryptionContext: { purpose: 'yizhan-pii' },
    });
    // A fresh provider (another Lambda instance) has no cache and must call Decrypt.
    const other = makeProvider();
    expect(await decryptPii(other, blob, AAD)).toBe(ID);
    const dec = kms.commandCalls(DecryptCommand);
    expect(dec).toHaveLength(1);
    expect(dec[0].args[0].input.EncryptionContext).toEqual({ purpose: 'yizhan-pii' });
  });

  it('reuses a data key for many items and caches unwrapped keys', async () => {
    const p = makeProvider();
    const blobs = await Promise.all(Array.from({ length: 20 }, (_, i) => encryptPii(p, `${ID}-${i}`, AAD)));
    expect(generateCalls).toBe(1);
    for (const [i, b] of blobs.entries()) expect(await decryptPii(p, b, AAD)).toBe(`${ID}-${i}`);
    expect(kms.commandCalls(DecryptCommand)).toHaveLength(0); // served from the cache
  });

  it('rotates the data key after maxDataKeyAgeMs and after maxDataKeyUses', async () => {
    let now = 1_000_000;
    const byAge = makeProvider({ now: () => now });
    await encryptPii(byAge, ID, AAD);
    now += 4 * 60_000;
    await encryptPii(byAge, ID, AAD);
    expect(generateCalls).toBe(1);
    now += 60_000; // 5 minutes after the first
    await encryptPii(byAge, ID, AAD);
    expect(generateCalls).toBe(2);

    const byUses = makeProvider({ maxDataKeyUses: 3 });
    for (let i = 0; i < 7; i++) await encryptPii(byUses, ID, AAD);
    expect(generateCalls).toBe(2 + 3); // 3 + 3 + 1
  });

  it('propagates a KMS failure on encrypt and recovers on the next call', async () => {
    const p = makeProvider();
    kms
      .on(GenerateDataKeyCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .callsFake(fakeGenerateDataKey);
    await expect(encryptPii(p, ID, AAD)).rejects.toThrow('Rate exceeded');
    const blob = await encryptPii(p, ID, AAD);
    expect(await decryptPii(p, blob, AAD)).toBe(ID);
  });

  it('propagates a KMS outage on decrypt as an operational error, not as tampering', async () => {
    const blob = await encryptPii(makeProvider(), ID, AAD);
    kms.on(DecryptCommand).rejects(Object.assign(new Error('KMS unavailable'), { name: 'KMSInternalException' }));
    const err = await decryptPii(makeProvider(), blob, AAD).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PiiDecryptError);
    expect((err as Error).message).toBe('KMS unavailable');
  });

  it('maps a wrapped key KMS rejects (tampered) to PiiDecryptError', async () => {
    const blob = await encryptPii(makeProvider(), ID, AAD);
    await expect(decryptPii(makeProvider(), flipPart(blob, 2, 0), AAD)).rejects.toBeInstanceOf(PiiDecryptError);
  });

  it('derives the blind-index key from a KMS-wrapped secret, once', async () => {
    const secret = randomBytes(32);
    const blob = Buffer.concat([Buffer.from('kms-bi-'), randomBytes(8)]);
    wrapped.set(blob.toString('base64'), secret);
    const p = makeProvider({ blindIndexSecret: undefined, blindIndexKeyCiphertext: blob.toString('base64') });
    const a = await blindIndex(p, ID, 'idNumber');
    const b = await blindIndex(p, ID, 'idNumber');
    expect(a).toBe(b);
    const dec = kms.commandCalls(DecryptCommand);
    expect(dec).toHaveLength(1);
    expect(dec[0].args[0].input.EncryptionContext).toEqual({ purpose: 'yizhan-pii-blind-index' });
    // Same secret given directly gives the same index (both go through the same HKDF).
    expect(await blindIndex(makeProvider({ blindIndexSecret: secret }), ID, 'idNumber')).toBe(a);
  });

  it('fails clearly without a blind-index key, and retries after a KMS failure', async () => {
    await expect(blindIndex(makeProvider({ blindIndexSecret: undefined }), ID, 'idNumber')).rejects.toThrow(/no blind-index key/);
    const secret = randomBytes(32);
    const blob = Buffer.from('kms-bi-2');
    wrapped.set(blob.toString('base64'), secret);
    const p = makeProvider({ blindIndexSecret: undefined, blindIndexKeyCiphertext: blob.toString('base64') });
    kms
      .on(DecryptCommand)
      .rejectsOnce(Object.assign(new Error('AccessDenied'), { name: 'AccessDeniedException' }))
      .callsFake(fakeDecrypt);
    await expect(blindIndex(p, ID, 'idNumber')).rejects.toThrow('AccessDenied');
    expect(await blindIndex(p, ID, 'idNumber')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('fromEnv reads PII_KMS_KEY_ID and the blind-index settings', async () => {
    expect(() => KmsKeyProvider.fromEnv({})).toThrow(/PII_KMS_KEY_ID/);
    const secret = randomBytes(32);
    const p = KmsKeyProvider.fromEnv(
      { PII_KMS_KEY_ID: 'alias/yizhan-pii', PII_BLIND_INDEX_SECRET: secret.toString('base64') },
      new KMSClient({ region: 'cn-north-1' }),
    );
    expect(await blindIndex(p, ID, 'idNumber')).toBe(await blindIndex(makeProvider({ blindIndexSecret: secret }), ID, 'idNumber'));
  });
});
