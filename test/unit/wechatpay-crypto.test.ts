import { createVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildAuthorization,
  decryptResource,
  encryptResource,
  generateRsaKeyPair,
  isTimestampFresh,
  jsapiPayParams,
  notificationHeaders,
  parseAuthorization,
  randomNonce,
  signatureMessage,
  signNotification,
  verifyJsapiPaySign,
  verifyNotificationSignature,
  WechatPayCryptoError,
} from '../../shared/payments/wechatpay/crypto';

const merchant = generateRsaKeyPair();
const platform = generateRsaKeyPair();
const APIV3_KEY = 'a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6'; // 32 ASCII chars

/** Independent check of an RSA-SHA256 signature with node's Verify API. */
function rsaVerifies(publicKeyPem: string, message: string, sigB64: string): boolean {
  return createVerify('RSA-SHA256').update(message).verify(publicKeyPem, sigB64, 'base64');
}

describe('buildAuthorization', () => {
  const body = JSON.stringify({ appid: 'wx123', mchid: '1900000001', description: '一站 车票', out_trade_no: 'ord_1' });

  it('builds the WECHATPAY2-SHA256-RSA2048 header with a signature over METHOD\\nURL\\nTS\\nNONCE\\nBODY\\n', () => {
    const header = buildAuthorization({
      mchId: '1900000001',
      serialNo: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
      privateKeyPem: merchant.privateKeyPem,
      method: 'post',
      urlPathWithQuery: '/v3/pay/transactions/jsapi',
      body,
      timestamp: 1764000000,
      nonce: 'NONCE123',
    });
    expect(header).toMatch(
      /^WECHATPAY2-SHA256-RSA2048 mchid="1900000001",nonce_str="NONCE123",signature="[A-Za-z0-9+/]+={0,2}",timestamp="1764000000",serial_no="5157F09EFDC096DE15EBE81A47057A7232F1B8E1"$/,
    );
    const parsed = parseAuthorization(header)!;
    const message = `POST\n/v3/pay/transactions/jsapi\n1764000000\nNONCE123\n${body}\n`;
    expect(signatureMessage(['POST', '/v3/pay/transactions/jsapi', '1764000000', 'NONCE123', body])).toBe(message);
    expect(rsaVerifies(merchant.publicKeyPem, message, parsed.signature)).toBe(true);
    // The same message with another body does not verify.
    expect(rsaVerifies(merchant.publicKeyPem, message.replace('ord_1', 'ord_2'), parsed.signature)).toBe(false);
  });

  it('signs an empty body for GET and defaults timestamp and a 32-char nonce', () => {
    const before = Math.floor(Date.now() / 1000);
    const header = buildAuthorization({
      mchId: '1900000001',
      serialNo: 'SERIAL',
      privateKeyPem: merchant.privateKeyPem,
      method: 'GET',
      urlPathWithQuery: '/v3/pay/transactions/out-trade-no/ord_1?mchid=1900000001',
    });
    const p = parseAuthorization(header)!;
    expect(p.nonce_str).toMatch(/^[A-Z0-9]{32}$/);
    expect(Number(p.timestamp)).toBeGreaterThanOrEqual(before);
    const message = `GET\n/v3/pay/transactions/out-trade-no/ord_1?mchid=1900000001\n${p.timestamp}\n${p.nonce_str}\n\n`;
    expect(rsaVerifies(merchant.publicKeyPem, message, p.signature)).toBe(true);
  });

  it('refuses a URL with a host', () => {
    expect(() =>
      buildAuthorization({
        mchId: '1',
        serialNo: 'S',
        privateKeyPem: merchant.privateKeyPem,
        method: 'GET',
        urlPathWithQuery: 'https://api.mch.weixin.qq.com/v3/certificates',
      }),
    ).toThrow(TypeError);
  });

  it('parseAuthorization rejects other schemes and missing fields', () => {
    expect(parseAuthorization('Bearer abc')).toBeNull();
    expect(parseAuthorization('WECHATPAY2-SHA256-RSA2048 mchid="1"')).toBeNull();
  });
});

describe('jsapiPayParams', () => {
  it('signs appId\\ntimeStamp\\nnonceStr\\npackage\\n', () => {
    const params = jsapiPayParams({
      appId: 'wx8888888888888888',
      prepayId: 'wx201410272009395522657a690389285100',
      privateKeyPem: merchant.privateKeyPem,
      timeStamp: 1414561699,
      nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
    });
    expect(params).toMatchObject({
      appId: 'wx8888888888888888',
      timeStamp: '1414561699',
      nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
      package: 'prepay_id=wx201410272009395522657a690389285100',
      signType: 'RSA',
    });
    const message =
      'wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n';
    expect(rsaVerifies(merchant.publicKeyPem, message, params.paySign)).toBe(true);
    expect(verifyJsapiPaySign(params, merchant.publicKeyPem)).toBe(true);
    expect(verifyJsapiPaySign({ ...params, package: 'prepay_id=other' }, merchant.publicKeyPem)).toBe(false);
    expect(verifyJsapiPaySign(params, platform.publicKeyPem)).toBe(false);
  });

  it('defaults timeStamp (seconds) and nonceStr', () => {
    const p = jsapiPayParams({ appId: 'wx1', prepayId: 'pp', privateKeyPem: merchant.privateKeyPem });
    expect(p.timeStamp).toMatch(/^\d{10}$/);
    expect(p.nonceStr).toMatch(/^[A-Z0-9]{32}$/);
    expect(verifyJsapiPaySign(p, merchant.publicKeyPem)).toBe(true);
  });
});

describe('notification signatures', () => {
  const body = '{"id":"EV-2018022511223320873","event_type":"TRANSACTION.SUCCESS"}';
  const timestamp = '1764000000';
  const nonce = 'fdasflkja484w';
  const signature = signNotification({ timestamp, nonce, body, platformPrivateKeyPem: platform.privateKeyPem });

  it('signs timestamp\\nnonce\\nbody\\n and verifies', () => {
    expect(rsaVerifies(platform.publicKeyPem, `${timestamp}\n${nonce}\n${body}\n`, signature)).toBe(true);
    expect(verifyNotificationSignature({ timestamp, nonce, body, signature, platformPublicKeyPem: platform.publicKeyPem })).toBe(
      true,
    );
  });

  it('rejects a tampered body, nonce or timestamp', () => {
    const base = { timestamp, nonce, body, signature, platformPublicKeyPem: platform.publicKeyPem };
    expect(verifyNotificationSignature({ ...base, body: body.replace('SUCCESS', 'REFUND') })).toBe(false);
    expect(verifyNotificationSignature({ ...base, body: `${body} ` })).toBe(false);
    expect(verifyNotificationSignature({ ...base, nonce: 'other' })).toBe(false);
    expect(verifyNotificationSignature({ ...base, timestamp: '1764000001' })).toBe(false);
  });

  it('rejects the wrong key and malformed signatures without throwing', () => {
    const base = { timestamp, nonce, body, signature, platformPublicKeyPem: platform.publicKeyPem };
    expect(verifyNotificationSignature({ ...base, platformPublicKeyPem: merchant.publicKeyPem })).toBe(false);
    expect(verifyNotificationSignature({ ...base, signature: 'WECHATPAY/SIGNTEST/abc' })).toBe(false);
    expect(verifyNotificationSignature({ ...base, signature: '' })).toBe(false);
    expect(verifyNotificationSignature({ ...base, signature: 'AAAA' })).toBe(false);
  });

  it('notificationHeaders produce headers that verify', () => {
    const h = notificationHeaders({ body, platformPrivateKeyPem: platform.privateKeyPem, platformSerial: 'PUB_KEY_ID_1' });
    expect(h['Wechatpay-Serial']).toBe('PUB_KEY_ID_1');
    expect(h['Wechatpay-Signature-Type']).toBe('WECHATPAY2-SHA256-RSA2048');
    expect(isTimestampFresh(h['Wechatpay-Timestamp'])).toBe(true);
    expect(
      verifyNotificationSignature({
        timestamp: h['Wechatpay-Timestamp'],
        nonce: h['Wechatpay-Nonce'],
        body,
        signature: h['Wechatpay-Signature'],
        platformPublicKeyPem: platform.publicKeyPem,
      }),
    ).toBe(true);
  });
});

describe('isTimestampFresh', () => {
  const now = 1_764_000_000_000; // ms
  it('accepts up to 300 s either way by default', () => {
    expect(isTimestampFresh('1764000000', now)).toBe(true);
    expect(isTimestampFresh('1763999700', now)).toBe(true);
    expect(isTimestampFresh('1764000300', now)).toBe(true);
  });
  it('rejects stale and future timestamps beyond the skew', () => {
    expect(isTimestampFresh('1763999699', now)).toBe(false);
    expect(isTimestampFresh('1764000301', now)).toBe(false);
    expect(isTimestampFresh(1763999000, new Date(now), 60)).toBe(false);
    expect(isTimestampFresh(1763999990, new Date(now), 60)).toBe(true);
  });
  it('rejects non-numeric timestamps', () => {
    expect(isTimestampFresh('', now)).toBe(false);
    expect(isTimestampFresh('1764000000.5', now)).toBe(false);
    expect(isTimestampFresh('abc', now)).toBe(false);
    expect(isTimestampFresh(' 1764000000', now)).toBe(false);
  });
});

describe('resource AEAD_AES_256_GCM', () => {
  const transaction = JSON.stringify({
    out_trade_no: 'ord_01JF3Z6W9K8D2Q4N7M5X0R1T2V',
    transaction_id: '4200001234202611241234567890',
    trade_state: 'SUCCESS',
    amount: { total: 55300, payer_total: 55300, currency: 'CNY' },
  });

  it('round-trips with a 12-character nonce and the associated data', () => {
    const r = encryptResource(transaction, APIV3_KEY, 'transaction');
    expect(r.algorithm).toBe('AEAD_AES_256_GCM');
    expect(r.nonce).toMatch(/^[A-Z0-9]{12}$/);
    expect(r.original_type).toBe('transaction');
    expect(Buffer.from(r.ciphertext, 'base64').length).toBe(Buffer.byteLength(transaction) + 16);
    expect(r.ciphertext).not.toContain('SUCCESS');
    expect(decryptResource(r, APIV3_KEY)).toBe(transaction);
  });

  it('decrypts a resource without associated_data', () => {
    const r = encryptResource('{"a":1}', APIV3_KEY, '');
    expect(decryptResource({ ciphertext: r.ciphertext, nonce: r.nonce }, APIV3_KEY)).toBe('{"a":1}');
  });

  it('fails with the wrong key', () => {
    const r = encryptResource(transaction, APIV3_KEY);
    expect(() => decryptResource(r, 'b1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6')).toThrow(WechatPayCryptoError);
  });

  it('fails with a bad tag, altered data, nonce or associated data', () => {
    const r = encryptResource(transaction, APIV3_KEY);
    const raw = Buffer.from(r.ciphertext, 'base64');
    const badTag = Buffer.from(raw);
    badTag[badTag.length - 1] ^= 0x01;
    const badData = Buffer.from(raw);
    badData[0] ^= 0x01;
    expect(() => decryptResource({ ...r, ciphertext: badTag.toString('base64') }, APIV3_KEY)).toThrow(WechatPayCryptoError);
    expect(() => decryptResource({ ...r, ciphertext: badData.toString('base64') }, APIV3_KEY)).toThrow(WechatPayCryptoError);
    expect(() => decryptResource({ ...r, nonce: 'AAAAAAAAAAAA' }, APIV3_KEY)).toThrow(WechatPayCryptoError);
    expect(() => decryptResource({ ...r, associated_data: 'refund' }, APIV3_KEY)).toThrow(WechatPayCryptoError);
  });

  it('rejects malformed input', () => {
    const r = encryptResource(transaction, APIV3_KEY);
    expect(() => decryptResource({ ...r, ciphertext: 'AAAA' }, APIV3_KEY)).toThrow(/shorter than the tag/);
    expect(() => decryptResource({ ...r, ciphertext: 'not base64!' }, APIV3_KEY)).toThrow(/base64/);
    expect(() => decryptResource({ ...r, algorithm: 'AES_128' }, APIV3_KEY)).toThrow(/unsupported/);
    expect(() => decryptResource(r, 'short-key')).toThrow(/32 bytes/);
    expect(() => encryptResource('{}', 'short-key')).toThrow(WechatPayCryptoError);
  });
});

describe('helpers', () => {
  it('randomNonce has the requested length and alphabet and varies', () => {
    const a = randomNonce(32);
    expect(a).toMatch(/^[A-Z0-9]{32}$/);
    expect(randomNonce(300)).toHaveLength(300);
    expect(randomNonce(32)).not.toBe(a);
  });
  it('generateRsaKeyPair makes 2048-bit PEM keys', () => {
    expect(merchant.privateKeyPem).toContain('BEGIN PRIVATE KEY');
    expect(merchant.publicKeyPem).toContain('BEGIN PUBLIC KEY');
    // 2048-bit RSA signatures are 256 bytes.
    expect(Buffer.from(signNotification({ timestamp: 1, nonce: 'n', body: '', platformPrivateKeyPem: merchant.privateKeyPem }), 'base64')).toHaveLength(256);
  });
});
