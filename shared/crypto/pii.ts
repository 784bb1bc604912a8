/**
 * Envelope encryption and blind indexes for personal information (ID numbers,
 * passport numbers, phone numbers). See DESIGN.md "Personal information".
 *
 * Encryption: every value is sealed with AES-256-GCM under a data key; the data
 * key travels with the value, wrapped by a master key (AWS KMS in the cloud, a
 * local key file in the local stage). Stored form, all parts base64url:
 *
 *     v1.<keyId>.<wrapped data key>.<iv (12 bytes)>.<ciphertext ‖ tag (16 bytes)>
 *
 * The AAD names where the value belongs (e.g. `usr_01J...#idNumber`, see
 * {@link piiAad}), so a blob copied to another user or field fails to decrypt.
 *
 * Blind index: HMAC-SHA256 under a separate, stable key over the normalised value,
 * domain-separated by purpose, truncated to 128 bits (32 hex chars). Lets us
 * enforce uniqueness and look up "who has this ID number" without decrypting.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
} from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { KMSClient } from '@aws-sdk/client-kms';

// The KMS client is loaded on first use, not at cold start (most requests touch no PII).
let kmsModule: Promise<typeof import('@aws-sdk/client-kms')> | undefined;
const loadKms = () => (kmsModule ??= import('@aws-sdk/client-kms'));

/** Where keys come from. One instance per process; implementations cache. */
export interface KeyProvider {
  /** A fresh (or briefly reused) 32-byte data key and its wrapped form (base64). */
  generateDataKey(): Promise<{ plaintext: Buffer; encrypted: string /* base64 */; keyId: string }>;
  /** Unwrap a data key produced by generateDataKey (base64 in). */
  decryptDataKey(encrypted: string): Promise<Buffer>;
  /** The 32-byte HMAC key for blind indexes. Must never change for a deployment. */
  blindIndexKey(): Promise<Buffer>;
}

/** Thrown when a PII blob is malformed or fails authentication (tampered, wrong AAD, wrong key). */
export class PiiDecryptError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PiiDecryptError';
  }
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
/** Prefixed to the caller's AAD so these ciphertexts cannot be confused with any other GCM use. */
const AAD_DOMAIN = 'yizhan-pii:v1:';
/** The KMS encryption context of PII data keys. */
export const PII_ENCRYPTION_CONTEXT = { purpose: 'yizhan-pii' } as const;
/** The KMS encryption context of the wrapped blind-index secret. */
export const BLIND_INDEX_ENCRYPTION_CONTEXT = { purpose: 'yizhan-pii-blind-index' } as const;
const HKDF_INFO_BLIND_INDEX = 'yizhan-pii-blind-index-v1';
const HKDF_INFO_LOCAL_WRAP = 'yizhan-pii-local-wrap-v1';

const b64url = (b: Buffer) => b.toString('base64url');
const isB64url = (s: string) => /^[A-Za-z0-9_-]*$/.test(s);

/** The AAD convention for a field of a record: `${ownerId}#${field}`. */
export function piiAad(ownerId: string, field: string): string {
  return `${ownerId}#${field}`;
}

/**
 * Encrypt a PII string. Returns the compact `v1.<keyId>.<dk>.<iv>.<ct>` form.
 * @param aad where the value lives (see {@link piiAad}); the same string is needed to decrypt.
 */
export async function encryptPii(provider: KeyProvider, plaintext: string, aad: string): Promise<string> {
  if (typeof plaintext !== 'string') throw new TypeError('encryptPii: plaintext must be a string');
  if (typeof aad !== 'string' || aad.length === 0) throw new TypeError('encryptPii: aad must be a non-empty string');
  const dk = await provider.generateDataKey();
  if (dk.plaintext.length !== KEY_BYTES) throw new Error('data key must be 32 bytes');
  const keyId = sanitiseKeyId(dk.keyId);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dk.plaintext, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(AAD_DOMAIN + aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  const wrapped = Buffer.from(dk.encrypted, 'base64');
  return [VERSION, keyId, b64url(wrapped), b64url(iv), b64url(ct)].join('.');
}

/** True when a string has the shape of an encryptPii blob (does not authenticate it). */
export function isPiiBlob(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const parts = s.split('.');
  return parts.length === 5 && parts[0] === VERSION && parts.slice(1).every((p) => p.length > 0 && isB64url(p));
}

/**
 * Decrypt a blob from {@link encryptPii}. Throws {@link PiiDecryptError} if the
 * blob is malformed, was altered, or `aad` differs from the one used to encrypt.
 * Errors of the key provider itself (e.g. KMS unavailable) propagate unchanged.
 */
export async function decryptPii(provider: KeyProvider, blob: string, aad: string): Promise<string> {
  if (!isPiiBlob(blob)) throw new PiiDecryptError('not a PII blob');
  const [, , wrappedB64u, ivB64u, ctB64u] = blob.split('.');
  const iv = Buffer.from(ivB64u, 'base64url');
  const ctAndTag = Buffer.from(ctB64u, 'base64url');
  if (iv.length !== IV_BYTES || ctAndTag.length < TAG_BYTES) throw new PiiDecryptError('malformed PII blob');
  const key = await unwrap(provider, Buffer.from(wrappedB64u, 'base64url').toString('base64'));
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(AAD_DOMAIN + aad, 'utf8'));
    decipher.setAuthTag(ctAndTag.subarray(ctAndTag.length - TAG_BYTES));
    const pt = Buffer.concat([decipher.update(ctAndTag.subarray(0, ctAndTag.length - TAG_BYTES)), decipher.final()]);
    return pt.toString('utf8');
  } catch (err) {
    throw new PiiDecryptError('PII blob failed authentication', { cause: err });
  }
}

async function unwrap(provider: KeyProvider, wrappedB64: string): Promise<Buffer> {
  let key: Buffer;
  try {
    key = await provider.decryptDataKey(wrappedB64);
  } catch (err) {
    // A wrapped key that fails to authenticate locally is a tampered blob; anything
    // else (network, KMS throttling, access denied) is an operational error.
    if (err instanceof PiiDecryptError) throw err;
    if (isKmsInvalidCiphertext(err)) throw new PiiDecryptError('wrapped data key rejected by KMS', { cause: err });
    throw err;
  }
  if (key.length !== KEY_BYTES) throw new PiiDecryptError('data key has the wrong length');
  return key;
}

function isKmsInvalidCiphertext(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name;
  return name === 'InvalidCiphertextException' || name === 'IncorrectKeyException';
}

function sanitiseKeyId(keyId: string): string {
  // For KMS ARNs keep the key's UUID; never let a separator into the blob.
  const tail = keyId.includes('/') ? keyId.slice(keyId.lastIndexOf('/') + 1) : keyId;
  const clean = tail.replace(/[^A-Za-z0-9_-]/g, '-');
  return clean.length > 0 ? clean : 'key';
}

/** The key id recorded in a blob (for rotation reports), or null if not a blob. */
export function piiBlobKeyId(blob: string): string | null {
  return isPiiBlob(blob) ? blob.split('.')[1] : null;
}

/**
 * The canonical form hashed by {@link blindIndex}: Unicode NFKC, whitespace,
 * hyphens and dots removed, upper-cased. So '1101 0119 9003 07123x' and
 * '11010119900307123X' index the same. Phone numbers should be passed through
 * `normalisePhone` first so '+86 138...' and '138...' agree.
 */
export function normaliseForIndex(value: string): string {
  return value.normalize('NFKC').replace(/[\s\-.]/g, '').toUpperCase();
}

/**
 * Blind index of a PII value: hex HMAC-SHA256, truncated to 32 hex chars (128 bits),
 * over `purpose ‖ 0x00 ‖ normalised value` under the provider's blind-index key.
 * Different purposes ('idNumber', 'passport', 'phone', ...) give unrelated indexes for
 * the same value, so an index cannot be joined across fields.
 */
export async function blindIndex(provider: KeyProvider, value: string, purpose: string): Promise<string> {
  if (typeof purpose !== 'string' || !/^[A-Za-z0-9:_-]{1,64}$/.test(purpose)) {
    throw new RangeError('blindIndex: purpose must be 1-64 chars of [A-Za-z0-9:_-]');
  }
  if (typeof value !== 'string') throw new TypeError('blindIndex: value must be a string');
  const key = await provider.blindIndexKey();
  const mac = createHmac('sha256', key);
  mac.update(`yizhan-bi-v1\u0000${purpose}\u0000`, 'utf8');
  mac.update(normaliseForIndex(value), 'utf8');
  return mac.digest('hex').slice(0, 32);
}

// ---------------------------------------------------------------------------
// Local stage: a master key in a file

/** Default master key location for the local stage (git-ignored). */
export const DEFAULT_LOCAL_KEY_PATH = '.local-keys/pii-master.key';

/**
 * Master key in a file (local stage and tests). The file holds the 32-byte key in
 * base64; it is created with mode 0600 (directory 0700) and a random key when absent.
 * Data keys are random per value and wrapped with AES-256-GCM under a key derived
 * (HKDF) from the master; the blind-index key is derived from the master with a
 * different HKDF label. Wrapped form (base64): iv(12) ‖ ciphertext(32) ‖ tag(16).
 */
export class LocalKeyProvider implements KeyProvider {
  private loaded?: Promise<{ wrapKey: Buffer; indexKey: Buffer; keyId: string }>;

  constructor(private readonly path: string = DEFAULT_LOCAL_KEY_PATH) {}

  private load() {
    if (this.loaded) return this.loaded;
    const p = (async () => {
      const master = await loadOrCreateMasterKey(this.path);
      return {
        wrapKey: Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), HKDF_INFO_LOCAL_WRAP, KEY_BYTES)),
        indexKey: Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), HKDF_INFO_BLIND_INDEX, KEY_BYTES)),
        keyId: `local-${createHash('sha256').update(master).digest('hex').slice(0, 8)}`,
      };
    })();
    this.loaded = p;
    // Let a failed load be retried on the next call.
    p.catch(() => {
      if (this.loaded === p) this.loaded = undefined;
    });
    return p;
  }

  async generateDataKey() {
    const { wrapKey, keyId } = await this.load();
    const plaintext = randomBytes(KEY_BYTES);
    const iv = randomBytes(IV_BYTES);
    const c = createCipheriv('aes-256-gcm', wrapKey, iv, { authTagLength: TAG_BYTES });
    c.setAAD(Buffer.from(`${PII_ENCRYPTION_CONTEXT.purpose}:data-key`, 'utf8'));
    const encrypted = Buffer.concat([iv, c.update(plaintext), c.final(), c.getAuthTag()]).toString('base64');
    return { plaintext, encrypted, keyId };
  }

  async decryptDataKey(encrypted: string): Promise<Buffer> {
    const { wrapKey } = await this.load();
    const raw = Buffer.from(encrypted, 'base64');
    if (raw.length !== IV_BYTES + KEY_BYTES + TAG_BYTES) throw new PiiDecryptError('malformed wrapped data key');
    try {
      const d = createDecipheriv('aes-256-gcm', wrapKey, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      d.setAAD(Buffer.from(`${PII_ENCRYPTION_CONTEXT.purpose}:data-key`, 'utf8'));
      d.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      return Buffer.concat([d.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), d.final()]);
    } catch (err) {
      throw new PiiDecryptError('wrapped data key failed authentication', { cause: err });
    }
  }

  async blindIndexKey(): Promise<Buffer> {
    return (await this.load()).indexKey;
  }
}

/** Read a base64 (or raw 32-byte) master key; create it (0600) if the file does not exist. */
async function loadOrCreateMasterKey(path: string): Promise<Buffer> {
  try {
    return parseMasterKey(await readFile(path), path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  try {
    // 'wx': fail if another process created it meanwhile; then read theirs.
    await writeFile(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return parseMasterKey(await readFile(path), path);
  }
}

function parseMasterKey(raw: Buffer, path: string): Buffer {
  if (raw.length === KEY_BYTES) return raw;
  const text = raw.toString('utf8').trim();
  const key = Buffer.from(text, 'base64');
  if (key.length !== KEY_BYTES || !/^[A-Za-z0-9+/]+=*$/.test(text)) {
    throw new Error(`PII master key file ${path} must hold 32 bytes (base64)`);
  }
  return key;
}

// ---------------------------------------------------------------------------
// AWS: KMS

export interface KmsKeyProviderOptions {
  /** KMS key id, ARN, alias name (alias/yizhan-pii) or alias ARN. */
  keyId: string;
  client?: KMSClient;
  /**
   * The blind-index secret wrapped by KMS (base64 CiphertextBlob), decrypted once per
   * process with encryption context {purpose:'yizhan-pii-blind-index'}. Create it once per
   * deployment and keep it forever (changing it orphans every index):
   *   aws kms generate-data-key --key-id alias/yizhan-pii --key-spec AES_256 \
   *     --encryption-context purpose=yizhan-pii-blind-index --query CiphertextBlob --output text
   */
  blindIndexKeyCiphertext?: string;
  /**
   * Alternatively a raw secret (>= 32 bytes, e.g. from Secrets Manager), or a function
   * returning it. Used when no ciphertext is configured.
   */
  blindIndexSecret?: Buffer | string | (() => Promise<Buffer | string>);
  /** How long a generated data key is reused for new encryptions (default 5 minutes). */
  maxDataKeyAgeMs?: number;
  /** How many encryptions one data key may serve (default 1000). */
  maxDataKeyUses?: number;
  /** How many unwrapped data keys to keep for decryption (default 256). */
  maxCachedDecryptedKeys?: number;
  /** Clock, for tests. */
  now?: () => number;
}

interface CachedDataKey {
  plaintext: Buffer;
  encrypted: string;
  keyId: string;
  createdAt: number;
  uses: number;
}

/**
 * Data keys from AWS KMS (GenerateDataKey AES_256 / Decrypt, encryption context
 * {purpose:'yizhan-pii'}). To avoid one KMS call per item, a generated data key is
 * reused for up to `maxDataKeyAgeMs` (5 min) or `maxDataKeyUses` (1000) encryptions,
 * and unwrapped keys are cached (same age limit, bounded LRU) for decryption.
 * Concurrent callers share one in-flight KMS request.
 *
 * Blind-index key: HKDF-SHA256(secret, info 'yizhan-pii-blind-index-v1'), where the
 * secret is either a KMS-wrapped blob (`blindIndexKeyCiphertext`, preferred: the
 * plaintext never sits in configuration) or a raw secret (`blindIndexSecret`).
 * See {@link KmsKeyProvider.fromEnv} for the environment variables.
 */
export class KmsKeyProvider implements KeyProvider {
  private client?: KMSClient;
  private readonly keyId: string;
  private readonly maxAge: number;
  private readonly maxUses: number;
  private readonly maxCached: number;
  private readonly now: () => number;
  private current?: CachedDataKey;
  private inflight?: Promise<CachedDataKey>;
  private readonly decrypted = new Map<string, { key: Buffer; at: number }>();
  private indexKey?: Promise<Buffer>;

  constructor(private readonly opts: KmsKeyProviderOptions) {
    if (!opts.keyId) throw new Error('KmsKeyProvider: keyId is required');
    this.client = opts.client;
    this.keyId = opts.keyId;
    this.maxAge = opts.maxDataKeyAgeMs ?? 5 * 60_000;
    this.maxUses = opts.maxDataKeyUses ?? 1000;
    this.maxCached = opts.maxCachedDecryptedKeys ?? 256;
    this.now = opts.now ?? Date.now;
  }

  /**
   * From the environment: PII_KMS_KEY_ID (required), and PII_BLIND_INDEX_KEY_CIPHERTEXT
   * (base64, KMS-wrapped) or PII_BLIND_INDEX_SECRET (base64, >= 32 bytes).
   */
  static fromEnv(env: Record<string, string | undefined> = process.env, client?: KMSClient): KmsKeyProvider {
    const keyId = env.PII_KMS_KEY_ID;
    if (!keyId) throw new Error('PII_KMS_KEY_ID is not set');
    const secret = env.PII_BLIND_INDEX_SECRET;
    return new KmsKeyProvider({
      keyId,
      client,
      blindIndexKeyCiphertext: env.PII_BLIND_INDEX_KEY_CIPHERTEXT || undefined,
      blindIndexSecret: secret ? Buffer.from(secret, 'base64') : undefined,
    });
  }

  async generateDataKey() {
    const now = this.now();
    let dk = this.current;
    if (!dk || now - dk.createdAt >= this.maxAge || dk.uses >= this.maxUses) {
      this.current = undefined;
      dk = await this.fetchDataKey();
      // Another caller may have swapped in a fresher key meanwhile; either is fine.
      this.current ??= dk;
    }
    dk.uses += 1;
    return { plaintext: dk.plaintext, encrypted: dk.encrypted, keyId: dk.keyId };
  }

  private async kms() {
    const m = await loadKms();
    this.client ??= new m.KMSClient({});
    return { kms: this.client, m };
  }

  private fetchDataKey(): Promise<CachedDataKey> {
    if (!this.inflight) {
      this.inflight = (async () => {
        const { kms, m } = await this.kms();
        const out = await kms.send(
          new m.GenerateDataKeyCommand({
            KeyId: this.keyId,
            KeySpec: 'AES_256',
            EncryptionContext: { ...PII_ENCRYPTION_CONTEXT },
          }),
        );
        if (!out.Plaintext || !out.CiphertextBlob) throw new Error('KMS GenerateDataKey returned no key');
        const encrypted = Buffer.from(out.CiphertextBlob).toString('base64');
        const plaintext = Buffer.from(out.Plaintext);
        this.remember(encrypted, plaintext);
        return { plaintext, encrypted, keyId: out.KeyId ?? this.keyId, createdAt: this.now(), uses: 0 };
      })().finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  async decryptDataKey(encrypted: string): Promise<Buffer> {
    const hit = this.decrypted.get(encrypted);
    if (hit && this.now() - hit.at < this.maxAge) {
      // refresh LRU position
      this.decrypted.delete(encrypted);
      this.decrypted.set(encrypted, hit);
      return hit.key;
    }
    // No KeyId: a symmetric CiphertextBlob names its key, and pinning the configured
    // alias would break old blobs if the alias were ever re-pointed. IAM scopes the key.
    const { kms, m } = await this.kms();
    const out = await kms.send(
      new m.DecryptCommand({
        CiphertextBlob: Buffer.from(encrypted, 'base64'),
        EncryptionContext: { ...PII_ENCRYPTION_CONTEXT },
      }),
    );
    if (!out.Plaintext) throw new Error('KMS Decrypt returned no plaintext');
    const key = Buffer.from(out.Plaintext);
    this.remember(encrypted, key);
    return key;
  }

  private remember(encrypted: string, key: Buffer) {
    this.decrypted.delete(encrypted);
    this.decrypted.set(encrypted, { key, at: this.now() });
    while (this.decrypted.size > this.maxCached) {
      const oldest = this.decrypted.keys().next().value as string;
      this.decrypted.delete(oldest);
    }
  }

  blindIndexKey(): Promise<Buffer> {
    if (!this.indexKey) {
      const p = this.loadIndexKey();
      this.indexKey = p;
      p.catch(() => {
        if (this.indexKey === p) this.indexKey = undefined; // retry on the next call after a failure
      });
    }
    return this.indexKey;
  }

  private async loadIndexKey(): Promise<Buffer> {
    let secret: Buffer;
    if (this.opts.blindIndexKeyCiphertext) {
      const { kms, m } = await this.kms();
      const out = await kms.send(
        new m.DecryptCommand({
          CiphertextBlob: Buffer.from(this.opts.blindIndexKeyCiphertext, 'base64'),
          EncryptionContext: { ...BLIND_INDEX_ENCRYPTION_CONTEXT },
        }),
      );
      if (!out.Plaintext) throw new Error('KMS Decrypt returned no plaintext');
      secret = Buffer.from(out.Plaintext);
    } else if (this.opts.blindIndexSecret !== undefined) {
      const s = this.opts.blindIndexSecret;
      const v = typeof s === 'function' ? await s() : s;
      secret = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    } else {
      throw new Error('KmsKeyProvider: no blind-index key configured (blindIndexKeyCiphertext or blindIndexSecret)');
    }
    if (secret.length < KEY_BYTES) throw new Error('blind-index secret must be at least 32 bytes');
    return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), HKDF_INFO_BLIND_INDEX, KEY_BYTES));
  }
}
