/**
 * WeChat Pay API v3 (JSAPI) as Yizhan uses it: prepay, the wx.requestPayment parameters,
 * refunds, and the keys needed to verify and decrypt notifications.
 *
 * - `WechatPayClient`: the real HTTPS API, merchant-signed requests
 *   (`WECHATPAY2-SHA256-RSA2048`), credentials from the WECHAT_SECRET secret.
 * - `SandboxPay`: the local stage's provider with its own generated merchant and platform
 *   key pairs and APIv3 key (DATA_DIR/keys); it makes no network calls and sends real signed,
 *   encrypted notifications through the same notify code (see functions/orders/sandbox.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAuthorization, jsapiPayParams, type JsapiPayParams } from './wechatpay/crypto';
import { secretJson } from '../runtime/secrets';
import { config } from '../runtime/config';
import { serviceUnavailable } from '../http/errors';

export interface PrepayInput {
  outTradeNo: string;
  amountFen: number;
  description: string;
  openid?: string;
  /** Latest time WeChat may accept this payment (the hold's end). */
  timeExpire?: string;
}

export interface RefundInput {
  outTradeNo: string;
  outRefundNo: string;
  refundFen: number;
  totalFen: number;
  reason: string;
}

export interface PaymentProvider {
  readonly name: 'wechatpay' | 'sandbox';
  prepay(input: PrepayInput): Promise<{ prepayId: string }>;
  payParams(prepayId: string): Promise<JsapiPayParams>;
  refund(input: RefundInput): Promise<{ status: 'PROCESSING' | 'SUCCESS' }>;
  /** Platform public key (PEM) for a `Wechatpay-Serial`, or undefined when unknown. */
  platformPublicKey(serial: string): Promise<string | undefined>;
  apiV3Key(): Promise<string>;
}

/** The WECHAT_SECRET JSON (field names as docs/deploy.md lists them). */
interface WechatSecret {
  appId: string;
  mchId: string;
  mchSerialNo: string;
  /** Merchant API private key (PEM). */
  mchPrivateKey: string;
  apiV3Key: string;
  /** Platform certificate or WeChat Pay public key (PEM) and its serial / key id. */
  platformCert: string;
  platformCertSerial: string;
  /** Absolute https URL of POST /v1/payments/wechatpay/notify on this deployment. */
  notifyUrl: string;
}

const API_HOST = 'https://api.mch.weixin.qq.com';

export class WechatPayClient implements PaymentProvider {
  readonly name = 'wechatpay' as const;
  constructor(private readonly fetchImpl: typeof fetch = fetch) {}

  private secret() {
    return secretJson<WechatSecret>('WECHAT_SECRET');
  }

  private async request(method: 'POST' | 'GET', path: string, body?: unknown): Promise<any> {
    const s = await this.secret();
    const text = body === undefined ? '' : JSON.stringify(body);
    const authorization = buildAuthorization({
      mchId: s.mchId,
      serialNo: s.mchSerialNo,
      privateKeyPem: s.mchPrivateKey,
      method,
      urlPathWithQuery: path,
      body: text,
    });
    let res: Response;
    try {
      res = await this.fetchImpl(API_HOST + path, {
        method,
        headers: { authorization, accept: 'application/json', 'content-type': 'application/json', 'user-agent': 'yizhan/0.1' },
        ...(body === undefined ? {} : { body: text }),
        signal: AbortSignal.timeout(5000),
      });
    } catch {
      throw serviceUnavailable('payment_unavailable', 'WeChat Pay is unavailable; retry shortly.');
    }
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw serviceUnavailable('payment_failed', `WeChat Pay refused the request (${(data as any).code ?? res.status}).`);
    return data;
  }

  async prepay(input: PrepayInput) {
    const s = await this.secret();
    const data = await this.request('POST', '/v3/pay/transactions/jsapi', {
      appid: s.appId,
      mchid: s.mchId,
      description: input.description.slice(0, 127),
      out_trade_no: input.outTradeNo,
      ...(input.timeExpire ? { time_expire: input.timeExpire } : {}),
      notify_url: s.notifyUrl,
      amount: { total: input.amountFen, currency: 'CNY' },
      payer: { openid: input.openid },
    });
    return { prepayId: String(data.prepay_id) };
  }

  async payParams(prepayId: string) {
    const s = await this.secret();
    return jsapiPayParams({ appId: s.appId, prepayId, privateKeyPem: s.mchPrivateKey });
  }

  async refund(input: RefundInput) {
    const s = await this.secret();
    const data = await this.request('POST', '/v3/refund/domestic/refunds', {
      out_trade_no: input.outTradeNo,
      out_refund_no: input.outRefundNo,
      reason: input.reason.slice(0, 80),
      notify_url: s.notifyUrl,
      amount: { refund: input.refundFen, total: input.totalFen, currency: 'CNY' },
    });
    return { status: data.status === 'SUCCESS' ? ('SUCCESS' as const) : ('PROCESSING' as const) };
  }

  async platformPublicKey(serial: string) {
    const s = await this.secret();
    return serial === s.platformCertSerial ? s.platformCert : undefined;
  }

  async apiV3Key() {
    return (await this.secret()).apiV3Key;
  }
}

export const SANDBOX_PLATFORM_SERIAL = 'SANDBOX-PLATFORM-1';
export const SANDBOX_APP_ID = 'wx0000000000sandbox';
export const SANDBOX_MCH_ID = '1900000000';

interface KeyPairFile {
  privateKeyPem: string;
  publicKeyPem: string;
}

export class SandboxPay implements PaymentProvider {
  readonly name = 'sandbox' as const;
  /** Refunds requested (the sandbox's record; notifications are sent by functions/orders/sandbox.ts). */
  constructor(private readonly keyDir: string) {}

  keys() {
    const read = (f: string) => JSON.parse(readFileSync(join(this.keyDir, f), 'utf8')) as KeyPairFile;
    return {
      merchant: read('wechatpay-merchant.json'),
      platform: read('wechatpay-platform.json'),
      apiV3Key: readFileSync(join(this.keyDir, 'wechatpay-apiv3.key'), 'utf8').trim(),
    };
  }

  async prepay(input: PrepayInput) {
    return { prepayId: `sandbox_${input.outTradeNo}` };
  }

  async payParams(prepayId: string) {
    return jsapiPayParams({ appId: SANDBOX_APP_ID, prepayId, privateKeyPem: this.keys().merchant.privateKeyPem });
  }

  async refund(_input: RefundInput) {
    return { status: 'PROCESSING' as const };
  }

  async platformPublicKey(serial: string) {
    return serial === SANDBOX_PLATFORM_SERIAL ? this.keys().platform.publicKeyPem : undefined;
  }

  async apiV3Key() {
    return this.keys().apiV3Key;
  }
}

let override: PaymentProvider | undefined;
/** Tests may swap the provider (e.g. to simulate a WeChat Pay outage). */
export function setPaymentProvider(p: PaymentProvider | undefined) {
  override = p;
}

export function paymentProvider(): PaymentProvider {
  if (override) return override;
  if (config.isLocal && process.env.WECHATPAY_SANDBOX_DIR) return new SandboxPay(process.env.WECHATPAY_SANDBOX_DIR);
  return new WechatPayClient();
}
