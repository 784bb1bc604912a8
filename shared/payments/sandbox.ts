/**
 * The local sandbox's side of WeChat Pay: it builds the notifications WeChat would send
 * (resource encrypted with the APIv3 key, signed with the sandbox platform key) and delivers
 * them through the same notify code the real endpoint runs.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client';
import { encryptResource, notificationHeaders } from './wechatpay/crypto';
import { SANDBOX_APP_ID, SANDBOX_MCH_ID, SANDBOX_PLATFORM_SERIAL, SandboxPay, paymentProvider } from './provider';
import type { Order, RefundPart } from '../orders/model';

export function sandbox(): SandboxPay {
  const p = paymentProvider();
  if (!(p instanceof SandboxPay)) throw new Error('the payment sandbox exists only in the local stage');
  return p;
}

/** A signed, encrypted notification exactly as WeChat Pay would POST it. */
export function buildSandboxNotification(s: SandboxPay, eventType: string, resourceType: 'transaction' | 'refund', resource: Record<string, unknown>, now = new Date()) {
  const keys = s.keys();
  const body = JSON.stringify({
    id: randomUUID(),
    create_time: now.toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    resource_type: 'encrypt-resource',
    event_type: eventType,
    summary: eventType.startsWith('REFUND') ? '退款成功' : '支付成功',
    resource: encryptResource(JSON.stringify(resource), keys.apiV3Key, resourceType, { originalType: resourceType }),
  });
  const headers = notificationHeaders({ body, platformPrivateKeyPem: keys.platform.privateKeyPem, platformSerial: SANDBOX_PLATFORM_SERIAL, timestamp: Math.floor(now.getTime() / 1000) });
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  return { headers: lower, body };
}

export function transactionResource(chargeId: string, amountFen: number, state: 'SUCCESS' | 'PAYERROR', now = new Date()) {
  return {
    appid: SANDBOX_APP_ID,
    mchid: SANDBOX_MCH_ID,
    out_trade_no: chargeId,
    transaction_id: `4200000000${now.getTime()}`,
    trade_type: 'JSAPI',
    trade_state: state,
    trade_state_desc: state === 'SUCCESS' ? '支付成功' : '支付失败',
    success_time: now.toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    payer: { openid: 'sandbox-openid' },
    amount: { total: amountFen, payer_total: amountFen, currency: 'CNY', payer_currency: 'CNY' },
  };
}

/** After the sandbox "accepted" a refund it reports success, as WeChat does a few seconds later. */
export async function sandboxRefundSucceeded(db: Db, part: RefundPart, order: Order) {
  const s = sandbox();
  const { handleWechatPayNotification } = await import('../orders/notify');
  const n = buildSandboxNotification(s, 'REFUND.SUCCESS', 'refund', {
    mchid: SANDBOX_MCH_ID,
    out_trade_no: part.chargeId,
    transaction_id: `4200000000${Date.now()}`,
    out_refund_no: part.id,
    refund_id: `5030000000${Date.now()}`,
    refund_status: 'SUCCESS',
    success_time: new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    amount: { total: order.charges.find((c) => c.id === part.chargeId)?.amountFen ?? part.amountFen, refund: part.amountFen, payer_total: part.amountFen, payer_refund: part.amountFen },
    user_received_account: '支付用户零钱',
  });
  await handleWechatPayNotification(db, s, n);
}
