/**
 * WeChat Pay API v3 cryptographic primitives (JSAPI / mini-program payments).
 * Pure functions over PEM keys; no I/O. See DESIGN.md "Payments".
 *
 * - Requests to WeChat Pay carry `Authorization: WECHATPAY2-SHA256-RSA2048 ...`,
 *   an RSA-SHA256 (PKCS#1 v1.5) signature by the merchant key over
 *   `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n` ({@link buildAuthorization}).
 * - `wx.requestPayment` needs `paySign` over `appId\ntimeStamp\nnonceStr\npackage\n`
 *   ({@link jsapiPayParams}).
 * - Notifications (and responses) carry `Wechatpay-Signature` over
 *   `timestamp\nnonce\nbody\n` by the platform key ({@link verifyNotificationSignature});
 *   the notify handler must also reject stale timestamps ({@link isTimestampFresh}).
 * - The notification's `resource` is AEAD_AES_256_GCM under the 32-character APIv3
 *   key ({@link decryptResource}).
 *
 * The signing counterparts of the platform side (signNotification,
 * encryptResource) exist for the local sandbox provider and tests.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign as rsaSign,
  verify as rsaVerify,
  type KeyObject,
} from 'node:crypto';

export const WECHATPAY_AUTH_SCHEMA = 'WECHATPAY2-SHA256-RSA2048';
const GCM_TAG_BYTES = 16;
const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Thrown for malformed input to the resource (de|en)cryption. */
export class WechatPayCryptoError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WechatPayCryptoError';
  }
}

/** A random nonce of `length` characters from [A-Z0-9] (WeChat uses 32 for requests). */
export function randomNonce(length = 32): string {
  const bytes = randomBytes(length);
  let out = '';
  // 252 = 7 * 36: reject bytes above it so every character is equally likely.
  for (let i = 0; out.length < length; i++) {
    if (i >= bytes.length) return out + randomNonce(length - out.length);
    if (bytes[i] < 252) out += NONCE_ALPHABET[bytes[i] % 36];
  }
  return out;
}

/** Current time as WeChat wants it: epoch seconds, decimal string. */
export function epochSeconds(now: Date | number = Date.now()): string {
  return String(Math.floor((typeof now === 'number' ? now : now.getTime()) / 1000));
}

/** The message format every v3 signature uses: each line followed by '\n'. */
export function signatureMessage(lines: readonly string[]): string {
  return lines.map((l) => `${l}\n`).join('');
}

const keyCache = new Map<string, KeyObject>();
function key(kind: 'private' | 'public', pem: string): KeyObject {
  const k = `${kind}:${pem}`;
  let obj = keyCache.get(k);
  if (!obj) {
    // createPublicKey also accepts an X.509 certificate PEM (the platform certificate).
    obj = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
    if (obj.asymmetricKeyType !== 'rsa') throw new TypeError(`WeChat Pay keys must be RSA, got ${obj.asymmetricKeyType}`);
    if (keyCache.size >= 16) keyCache.clear();
    keyCache.set(k, obj);
  }
  return obj;
}

/** RSA-SHA256 (PKCS#1 v1.5) signature of `message`, base64. */
export function rsaSha256Sign(privateKeyPem: string, message: string): string {
  return rsaSign('sha256', Buffer.from(message, 'utf8'), key('private', privateKeyPem)).toString('base64');
}

/** Verify an RSA-SHA256 base64 signature; false (never throws) for a malformed signature. */
export function rsaSha256Verify(publicKeyPem: string, message: string, signatureB64: string): boolean {
  if (typeof signatureB64 !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(signatureB64)) return false;
  const pub = key('public', publicKeyPem);
  try {
    return rsaVerify('sha256', Buffer.from(message, 'utf8'), pub, Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}

export interface AuthorizationInput {
  mchId: string;
  /** Serial number of the merchant API certificate. */
  serialNo: string;
  privateKeyPem: string;
  /** 'GET', 'POST', ... (upper-cased here). */
  method: string;
  /** Path and query exactly as sent, without host: '/v3/pay/transactions/jsapi'. */
  urlPathWithQuery: string;
  /** The exact request body ('' for GET). */
  body?: string;
  /** Epoch seconds; default now. */
  timestamp?: string | number;
  /** Default: 32 random characters. */
  nonce?: string;
}

/**
 * The `Authorization` header of a merchant request to WeChat Pay v3:
 * `WECHATPAY2-SHA256-RSA2048 mchid="..",nonce_str="..",signature="..",timestamp="..",serial_no=".."`.
 */
export function buildAuthorization(input: AuthorizationInput): string {
  const timestamp = String(input.timestamp ?? epochSeconds());
  const nonce = input.nonce ?? randomNonce(32);
  const method = input.method.toUpperCase();
  if (!input.urlPathWithQuery.startsWith('/')) throw new TypeError('urlPathWithQuery must start with "/" (no host)');
  const message = signatureMessage([method, input.urlPathWithQuery, timestamp, nonce, input.body ?? '']);
  const signature = rsaSha256Sign(input.privateKeyPem, message);
  return (
    `${WECHATPAY_AUTH_SCHEMA} mchid="${input.mchId}",nonce_str="${nonce}",` +
    `signature="${signature}",timestamp="${timestamp}",serial_no="${input.serialNo}"`
  );
}

/** Parse an Authorization header built by {@link buildAuthorization} (sandbox side). Null if malformed. */
export function parseAuthorization(
  header: string,
): { mchid: string; nonce_str: string; signature: string; timestamp: string; serial_no: string } | null {
  if (typeof header !== 'string' || !header.startsWith(`${WECHATPAY_AUTH_SCHEMA} `)) return null;
  const fields: Record<string, string> = {};
  const re = /(\w+)="([^"]*)"/g;
  for (const m of header.slice(WECHATPAY_AUTH_SCHEMA.length + 1).matchAll(re)) fields[m[1]] = m[2];
  const { mchid, nonce_str, signature, timestamp, serial_no } = fields;
  if (!mchid || !nonce_str || !signature || !timestamp || !serial_no) return null;
  return { mchid, nonce_str, signature, timestamp, serial_no };
}

export interface JsapiPayParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: 'RSA';
  paySign: string;
}

/**
 * Parameters for `wx.requestPayment` after a JSAPI prepay. `paySign` is the
 * merchant's RSA-SHA256 signature over `appId\ntimeStamp\nnonceStr\npackage\n`.
 * (The mini-program passes all but appId to wx.requestPayment.)
 */
export function jsapiPayParams(input: {
  appId: string;
  prepayId: string;
  privateKeyPem: string;
  timeStamp?: string | number;
  nonceStr?: string;
}): JsapiPayParams {
  const timeStamp = String(input.timeStamp ?? epochSeconds());
  const nonceStr = input.nonceStr ?? randomNonce(32);
  const pkg = `prepay_id=${input.prepayId}`;
  const paySign = rsaSha256Sign(input.privateKeyPem, signatureMessage([input.appId, timeStamp, nonceStr, pkg]));
  return { appId: input.appId, timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign };
}

/** Verify a paySign (sandbox/tests). */
export function verifyJsapiPaySign(params: JsapiPayParams, merchantPublicKeyPem: string): boolean {
  return rsaSha256Verify(
    merchantPublicKeyPem,
    signatureMessage([params.appId, params.timeStamp, params.nonceStr, params.package]),
    params.paySign,
  );
}

/**
 * The platform's signature over a notification or response:
 * base64 RSA-SHA256 of `timestamp\nnonce\nbody\n`. Used by the sandbox and tests.
 */
export function signNotification(input: {
  timestamp: string | number;
  nonce: string;
  body: string;
  platformPrivateKeyPem: string;
}): string {
  return rsaSha256Sign(input.platformPrivateKeyPem, signatureMessage([String(input.timestamp), input.nonce, input.body]));
}

/**
 * Verify `Wechatpay-Signature` over `timestamp\nnonce\nbody\n` with the platform
 * certificate or public key (PEM). `body` must be the raw request body, byte for
 * byte as received. Returns false for any mismatch, including the deliberately
 * invalid `WECHATPAY/SIGNTEST/...` probe signatures; throws only for an unusable key.
 * Freshness is separate: call {@link isTimestampFresh} too.
 */
export function verifyNotificationSignature(input: {
  timestamp: string | number;
  nonce: string;
  body: string;
  signature: string;
  platformPublicKeyPem: string;
}): boolean {
  return rsaSha256Verify(
    input.platformPublicKeyPem,
    signatureMessage([String(input.timestamp), input.nonce, input.body]),
    input.signature,
  );
}

/**
 * Headers of a signed notification as WeChat Pay sends them (sandbox): the notify
 * endpoint reads these names (case-insensitively).
 */
export function notificationHeaders(input: {
  body: string;
  platformPrivateKeyPem: string;
  platformSerial: string;
  timestamp?: string | number;
  nonce?: string;
}): Record<string, string> {
  const timestamp = String(input.timestamp ?? epochSeconds());
  const nonce = input.nonce ?? randomNonce(32);
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Signature': signNotification({ timestamp, nonce, body: input.body, platformPrivateKeyPem: input.platformPrivateKeyPem }),
    'Wechatpay-Serial': input.platformSerial,
    'Wechatpay-Signature-Type': WECHATPAY_AUTH_SCHEMA,
  };
}

/**
 * True when `ts` (epoch seconds, decimal string or number) is within
 * `maxSkewSeconds` (default 300, WeChat's recommendation) of `now`, in either
 * direction. Non-numeric timestamps are not fresh.
 */
export function isTimestampFresh(ts: string | number, now: Date | number = Date.now(), maxSkewSeconds = 300): boolean {
  const s = typeof ts === 'number' ? ts : /^\d{1,12}$/.test(ts) ? Number(ts) : NaN;
  if (!Number.isSafeInteger(s)) return false;
  const nowS = (typeof now === 'number' ? now : now.getTime()) / 1000;
  return Math.abs(nowS - s) <= maxSkewSeconds;
}

/** The `resource` object of a WeChat Pay notification. */
export interface EncryptedResource {
  algorithm?: string;
  /** base64 of ciphertext ‖ 16-byte GCM tag */
  ciphertext: string;
  /** 12-character string; its UTF-8 bytes are the GCM IV */
  nonce: string;
  associated_data?: string;
  original_type?: string;
}

function apiV3KeyBytes(apiV3Key: string): Buffer {
  const k = Buffer.from(apiV3Key, 'utf8');
  if (k.length !== 32) throw new WechatPayCryptoError('the APIv3 key must be 32 bytes (32 ASCII characters)');
  return k;
}

/**
 * Decrypt a notification `resource` (AEAD_AES_256_GCM): key = the APIv3 key's
 * UTF-8 bytes, IV = nonce's UTF-8 bytes, AAD = associated_data (may be empty),
 * ciphertext = base64(data ‖ tag). Returns the plaintext (a JSON string: the
 * transaction or refund). Throws {@link WechatPayCryptoError} when the tag does not
 * verify (tampered, wrong key, wrong AAD) or the input is malformed.
 */
export function decryptResource(resource: EncryptedResource, apiV3Key: string): string {
  if (resource.algorithm !== undefined && resource.algorithm !== 'AEAD_AES_256_GCM') {
    throw new WechatPayCryptoError(`unsupported algorithm ${resource.algorithm}`);
  }
  const key = apiV3KeyBytes(apiV3Key);
  if (typeof resource.ciphertext !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(resource.ciphertext)) {
    throw new WechatPayCryptoError('ciphertext is not base64');
  }
  if (typeof resource.nonce !== 'string' || resource.nonce.length === 0) throw new WechatPayCryptoError('nonce is missing');
  const raw = Buffer.from(resource.ciphertext, 'base64');
  if (raw.length < GCM_TAG_BYTES) throw new WechatPayCryptoError('ciphertext is shorter than the tag');
  try {
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(resource.nonce, 'utf8'), { authTagLength: GCM_TAG_BYTES });
    d.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
    d.setAuthTag(raw.subarray(raw.length - GCM_TAG_BYTES));
    return Buffer.concat([d.update(raw.subarray(0, raw.length - GCM_TAG_BYTES)), d.final()]).toString('utf8');
  } catch (err) {
    throw new WechatPayCryptoError('resource failed to decrypt (bad key, AAD or tag)', { cause: err });
  }
}

/**
 * The platform side of {@link decryptResource} (sandbox and tests): encrypt a JSON
 * string into a notification `resource` with a random 12-character nonce.
 */
export function encryptResource(
  plaintextJson: string,
  apiV3Key: string,
  associatedData = 'transaction',
  options: { nonce?: string; originalType?: string } = {},
): Required<EncryptedResource> {
  const key = apiV3KeyBytes(apiV3Key);
  const nonce = options.nonce ?? randomNonce(12);
  const c = createCipheriv('aes-256-gcm', key, Buffer.from(nonce, 'utf8'), { authTagLength: GCM_TAG_BYTES });
  c.setAAD(Buffer.from(associatedData, 'utf8'));
  const ct = Buffer.concat([c.update(plaintextJson, 'utf8'), c.final(), c.getAuthTag()]);
  return {
    algorithm: 'AEAD_AES_256_GCM',
    ciphertext: ct.toString('base64'),
    nonce,
    associated_data: associatedData,
    original_type: options.originalType ?? 'transaction',
  };
}

/** A new RSA-2048 key pair as PEM (PKCS#8 private, SPKI public) for the sandbox and tests. */
export function generateRsaKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
