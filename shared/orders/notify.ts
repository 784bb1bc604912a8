/**
 * WeChat Pay notifications: verify (serial → platform key, RSA-SHA256 over
 * `timestamp\nnonce\nbody\n`, timestamp within 5 minutes), decrypt the AEAD_AES_256_GCM
 * resource with the APIv3 key, check out_trade_no and amount, and apply exactly once.
 * The local sandbox sends its notifications through this same code.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../db/client';
import { formatYuan } from '../domain/money';
import { ApiError, badRequest } from '../http/errors';
import { logger } from '../http/logger';
import { decryptResource, isTimestampFresh, verifyNotificationSignature } from '../payments/wechatpay/crypto';
import type { PaymentProvider } from '../payments/provider';
import { effectiveStatus, orderKeys, type Order, type RefundPart } from './model';
import { orderPlugin } from './plugin';
import { cancelOrder, getOrder, notificationPut, requestRefunds, saveOrder, withFreshOrder } from './service';

export interface NotifyRequest {
  headers: Record<string, string | undefined>;
  body: string;
}

const unauthorizedNotify = (detail: string) => new ApiError(401, 'invalid_signature', detail);

/** Verifies and decrypts a notification; throws 401/400 problems without changing anything. */
export async function openNotification(provider: PaymentProvider, req: NotifyRequest, now = new Date()) {
  const h = req.headers;
  const timestamp = h['wechatpay-timestamp'];
  const nonce = h['wechatpay-nonce'];
  const signature = h['wechatpay-signature'];
  const serial = h['wechatpay-serial'];
  if (!timestamp || !nonce || !signature || !serial) throw unauthorizedNotify('Missing Wechatpay-* signature headers.');
  const key = await provider.platformPublicKey(serial);
  if (!key) throw unauthorizedNotify('Unknown Wechatpay-Serial.');
  if (!isTimestampFresh(timestamp, now, 300)) throw unauthorizedNotify('Stale or future Wechatpay-Timestamp.');
  if (!verifyNotificationSignature({ timestamp, nonce, body: req.body, signature, platformPublicKeyPem: key })) {
    throw unauthorizedNotify('The signature does not match the body.');
  }
  let envelope: any;
  try {
    envelope = JSON.parse(req.body);
  } catch {
    throw badRequest('invalid_json', 'The notification body is not JSON.');
  }
  if (!envelope?.resource?.ciphertext) throw badRequest('invalid_notification', 'The notification has no resource.');
  let resource: any;
  try {
    resource = JSON.parse(decryptResource(envelope.resource, await provider.apiV3Key()));
  } catch {
    throw badRequest('invalid_notification', 'The resource could not be decrypted.');
  }
  return { eventType: String(envelope.event_type ?? ''), resource };
}

async function linkedOrder(db: Db, key: { PK: string; SK: string }): Promise<Order | undefined> {
  const link = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: key, ConsistentRead: true }));
  if (!link.Item) return undefined;
  return getOrder(db, link.Item.orderId as string);
}

/** TRANSACTION.SUCCESS: marks the charge paid, once. A payment for a dead hold is recorded and refunded. */
export async function applyPaymentSuccess(db: Db, tx: { out_trade_no: string; transaction_id?: string; trade_state?: string; amount?: { total?: number; payer_total?: number } }, now = new Date()): Promise<'applied' | 'duplicate' | 'late' | 'ignored'> {
  if (tx.trade_state && tx.trade_state !== 'SUCCESS') {
    const order = await linkedOrder(db, orderKeys.charge(tx.out_trade_no));
    if (order) {
      const { notifyUser } = await import('./service');
      await notifyUser(db, order.userId, { type: 'payment_failed', title: '支付未成功', body: `${order.title}：支付未成功，请重试。`, orderId: order.id }, now);
    }
    return 'ignored';
  }
  let order = await linkedOrder(db, orderKeys.charge(tx.out_trade_no));
  if (!order) {
    logger.error('payment for an unknown out_trade_no', { outTradeNo: tx.out_trade_no });
    throw badRequest('unknown_trade', 'No order has this out_trade_no.');
  }
  const initial = order.charges.find((c) => c.id === tx.out_trade_no);
  if (!initial || tx.amount?.total !== initial.amountFen) {
    logger.error('payment amount does not match the charge', { orderId: order.id, expected: initial?.amountFen, got: tx.amount?.total });
    throw badRequest('amount_mismatch', 'The paid amount does not match the order.');
  }
  // A hold that ran out before the sweep: expire it first (releases inventory once).
  if (order.status === 'PENDING_PAYMENT' && effectiveStatus(order, now) === 'EXPIRED') {
    try {
      order = await cancelOrder(db, order, { to: 'EXPIRED', now });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      order = (await getOrder(db, order.id))!;
    }
  }
  const result = { outcome: 'applied' as 'applied' | 'duplicate' | 'late' };
  const saved = await withFreshOrder(db, order, async (o) => {
    const charge = o.charges.find((c) => c.id === tx.out_trade_no)!;
    if (charge.status === 'PAID' || o.latePayments?.some((p) => p.chargeId === charge.id)) {
      result.outcome = 'duplicate';
      return o;
    }
    const paidCharge = { ...charge, status: 'PAID' as const, paidAt: now.toISOString(), ...(tx.transaction_id ? { transactionId: tx.transaction_id } : {}) };
    if ((o.status === 'PENDING_PAYMENT' || o.status === 'PAID') && charge.status === 'DUE') {
      result.outcome = 'applied';
      const after: Order = {
        ...o,
        status: 'PAID',
        ...(o.status === 'PENDING_PAYMENT' ? { paidAt: now.toISOString() } : {}),
        charges: o.charges.map((c) => (c.id === charge.id ? paidCharge : c)),
      };
      return saveOrder(db, o, after, [
        notificationPut(o.userId, { type: 'order_paid', title: '支付成功', body: `${o.title}：已支付 ${formatYuan(charge.amountFen)}。`, orderId: o.id }, now),
      ]);
    }
    // The order is no longer payable (expired, cancelled, refunded): keep a record and refund it all.
    result.outcome = 'late';
    const part: RefundPart = { id: (await import('../domain/ids')).newId('ref'), chargeId: charge.id, amountFen: charge.amountFen, reason: 'paid_after_hold_ended', status: 'PENDING', requested: false, requestedAt: now.toISOString() };
    const after: Order = {
      ...o,
      latePayments: [...(o.latePayments ?? []), { chargeId: charge.id, amountFen: charge.amountFen, ...(tx.transaction_id ? { transactionId: tx.transaction_id } : {}), at: now.toISOString() }],
      refunds: [...(o.refunds ?? []), part],
      refund: { amountFen: charge.amountFen, feeFen: 0, status: 'PENDING', reason: 'paid_after_hold_ended', requestedAt: now.toISOString() },
    };
    return saveOrder(db, o, after, [
      { Put: { TableName: '', Item: { ...orderKeys.refund(part.id), type: 'RefundLink', orderId: o.id, chargeId: charge.id, amountFen: part.amountFen } } },
      notificationPut(o.userId, { type: 'late_payment_refund', title: '支付已退回', body: `${o.title}：订单已失效，您支付的 ${formatYuan(charge.amountFen)} 将全额退回。`, orderId: o.id }, now),
    ]);
  });
  const outcome = result.outcome;
  if (outcome === 'late') {
    await requestRefunds(db, saved);
  } else {
    // Also on duplicates: the plug-in's work is idempotent and may not have finished the first time.
    const charge = saved.charges.find((c) => c.id === tx.out_trade_no)!;
    if (charge.status === 'PAID') await orderPlugin(saved.kind).onChargePaid?.(saved, charge, db);
  }
  return outcome;
}

/** REFUND.SUCCESS (or ABNORMAL/CLOSED): marks the refund part done; the order is REFUNDED when all are. */
export async function applyRefundResult(db: Db, r: { out_refund_no: string; refund_status?: string }, now = new Date()): Promise<'applied' | 'duplicate'> {
  const order = await linkedOrder(db, orderKeys.refund(r.out_refund_no));
  if (!order) throw badRequest('unknown_refund', 'No order has this out_refund_no.');
  if (r.refund_status && r.refund_status !== 'SUCCESS') {
    logger.error('refund did not succeed; needs an operator', { orderId: order.id, refundId: r.out_refund_no, status: r.refund_status });
    return 'applied';
  }
  const result = { outcome: 'applied' as 'applied' | 'duplicate' };
  await withFreshOrder(db, order, async (o) => {
    const part = o.refunds.find((p) => p.id === r.out_refund_no);
    if (!part || part.status === 'SUCCEEDED') {
      result.outcome = 'duplicate';
      return o;
    }
    const refunds = o.refunds.map((p) => (p.id === part.id ? { ...p, status: 'SUCCEEDED' as const, succeededAt: now.toISOString() } : p));
    const allDone = refunds.filter((p) => !p.partial).every((p) => p.status === 'SUCCEEDED');
    const after: Order = {
      ...o,
      refunds,
      ...(o.status === 'REFUND_PENDING' && allDone ? { status: 'REFUNDED' as const } : {}),
      ...(o.refund && allDone ? { refund: { ...o.refund, status: 'SUCCEEDED' as const, succeededAt: now.toISOString() } } : {}),
    };
    const extra = after.status === 'REFUNDED' && o.status !== 'REFUNDED'
      ? [notificationPut(o.userId, { type: 'order_refunded', title: '退款成功', body: `${o.title}：${formatYuan(o.refund?.amountFen ?? 0)} 已退回原支付账户。`, orderId: o.id }, now)]
      : [];
    return saveOrder(db, o, after, extra);
  });
  return result.outcome;
}

/** Verifies, decrypts and applies one notification. */
export async function handleWechatPayNotification(db: Db, provider: PaymentProvider, req: NotifyRequest, now = new Date()) {
  const { eventType, resource } = await openNotification(provider, req, now);
  if (eventType.startsWith('REFUND.')) return applyRefundResult(db, resource, now);
  if (eventType.startsWith('TRANSACTION.')) return applyPaymentSuccess(db, resource, now);
  logger.warn('ignored WeChat Pay notification', { eventType });
  return 'ignored' as const;
}
