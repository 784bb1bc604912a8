/**
 * Order operations any function may call (the orders function for the user's own
 * actions; domain functions for operator actions such as cancelling a trip).
 * Every change is a conditional write on the order's version (optimistic locking), in the
 * same transaction as the inventory it releases and the notification it sends, so each
 * transition happens exactly once even when two callers race.
 */
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../db/client';
import { formatYuan } from '../domain/money';
import { newId } from '../domain/ids';
import { conflict, notFound, unprocessable } from '../http/errors';
import { logger } from '../http/logger';
import { paymentProvider } from '../payments/provider';
import { orderItem } from './create';
import { effectiveStatus, orderKeys, paidFen, type ChargePurpose, type Order, type OrderStatus, type RefundPart, type TxItem } from './model';
import { orderPlugin } from './plugin';

export type { OrderStatus };

/** The order changed under us (another request won the race); reload and decide again. */
export class StaleOrderError extends Error {
  constructor() {
    super('order changed concurrently');
    this.name = 'StaleOrderError';
  }
}

const MAX_ATTEMPTS = 5;

export async function getOrder(db: Db, orderId: string): Promise<Order | undefined> {
  const r = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: orderKeys.order(orderId), ConsistentRead: true }));
  if (!r.Item || r.Item.type !== 'Order') return undefined;
  const { PK, SK, GSI1PK, GSI1SK, GSI2PK, GSI2SK, GSI3PK, GSI3SK, type, ...order } = r.Item;
  return { refunds: [], ...order } as unknown as Order;
}

export async function getOwnOrder(db: Db, userId: string, orderId: string): Promise<Order> {
  const o = /^ord_[0-9A-Z]{26}$/.test(orderId) ? await getOrder(db, orderId) : undefined;
  if (!o || o.userId !== userId) throw notFound('order_not_found', 'No such order.');
  return o;
}

function withTable(db: Db, a: TxItem): TxItem {
  const [k, v] = Object.entries(a)[0] as [string, any];
  return { [k]: { ...v, TableName: db.tableName } } as TxItem;
}

/** Writes `after` if the stored order is still at `before.version`, with the extra actions. */
export async function saveOrder(db: Db, before: Order, after: Order, extra: TxItem[] = []): Promise<Order> {
  const next: Order = { ...after, version: before.version + 1 };
  const put: TxItem = {
    Put: {
      TableName: db.tableName,
      Item: orderItem(next),
      ConditionExpression: '#v = :v',
      ExpressionAttributeNames: { '#v': 'version' },
      ExpressionAttributeValues: { ':v': before.version },
    },
  };
  try {
    if (extra.length === 0) {
      await db.doc.send(new PutCommand(put.Put as any));
    } else {
      await db.doc.send(new TransactWriteCommand({ TransactItems: [put, ...extra.map((a) => withTable(db, a))] }));
    }
  } catch (e: any) {
    if (e?.name === 'ConditionalCheckFailedException') throw new StaleOrderError();
    if (e?.name === 'TransactionCanceledException') {
      const reasons: any[] = e.CancellationReasons ?? [];
      if (reasons[0]?.Code === 'ConditionalCheckFailed') throw new StaleOrderError();
      if (reasons.some((r) => r?.Code === 'TransactionConflict')) throw new StaleOrderError();
    }
    throw e;
  }
  return next;
}

/** Re-runs `step` on a fresh copy of the order while another writer keeps winning. */
export async function withFreshOrder<T>(db: Db, order: Order, step: (o: Order) => Promise<T>): Promise<T> {
  let current = order;
  for (let attempt = 1; ; attempt++) {
    try {
      return await step(current);
    } catch (e) {
      if (!(e instanceof StaleOrderError) || attempt >= MAX_ATTEMPTS) {
        if (e instanceof StaleOrderError) throw conflict('concurrent_update', 'The order changed at the same time; retry.');
        throw e;
      }
      const fresh = await getOrder(db, current.id);
      if (!fresh) throw notFound('order_not_found', 'No such order.');
      current = fresh;
    }
  }
}

export function notificationPut(userId: string, n: { type: string; title: string; body: string; orderId?: string }, now: Date): TxItem {
  const id = newId('ntf');
  return {
    Put: {
      TableName: '',
      Item: {
        PK: `USER#${userId}`,
        SK: `NOTIF#${id}`,
        type: 'Notification',
        id,
        kind: n.type,
        title: n.title,
        body: n.body,
        ...(n.orderId ? { orderId: n.orderId } : {}),
        createdAt: now.toISOString(),
        expiresAt: Math.floor(now.getTime() / 1000) + 180 * 86400,
      },
    },
  };
}

export async function notifyUser(db: Db, userId: string, n: { type: string; title: string; body: string; orderId?: string }, now = new Date()): Promise<void> {
  const put = notificationPut(userId, n, now).Put as any;
  await db.doc.send(new PutCommand({ ...put, TableName: db.tableName }));
}

const invalidState = (o: Order, now: Date, wanted: string) =>
  conflict('invalid_state', `The order is ${effectiveStatus(o, now)}; it cannot be ${wanted}.`, { extra: { status: effectiveStatus(o, now) } });

/**
 * PENDING_PAYMENT → CANCELLED (or EXPIRED), releasing inventory. A cancel of a hold that
 * already ran out expires it instead (the returned order says EXPIRED).
 */
export async function cancelOrder(db: Db, order: Order, opts: { to?: 'CANCELLED' | 'EXPIRED'; reason?: string; now?: Date } = {}): Promise<Order> {
  const now = opts.now ?? new Date();
  return withFreshOrder(db, order, async (o) => {
    if (o.status !== 'PENDING_PAYMENT') throw invalidState(o, now, opts.to === 'EXPIRED' ? 'expired' : 'cancelled');
    const to = opts.to ?? (effectiveStatus(o, now) === 'EXPIRED' ? 'EXPIRED' : 'CANCELLED');
    const plugin = orderPlugin(o.kind);
    const after: Order = {
      ...o,
      status: to,
      cancelledAt: now.toISOString(),
      charges: o.charges.map((c) => (c.status === 'DUE' ? { ...c, status: 'VOID' } : c)),
    };
    const notif = notificationPut(
      o.userId,
      to === 'EXPIRED'
        ? { type: 'order_expired', title: '订单已超时', body: `${o.title}：未在时限内支付，已自动取消。`, orderId: o.id }
        : { type: 'order_cancelled', title: '订单已取消', body: `${o.title}：${opts.reason === 'user' || !opts.reason ? '您已取消订单。' : '订单已被取消。'}`, orderId: o.id },
      now,
    );
    const saved = await saveOrder(db, o, after, [...(await plugin.releaseActions(o, db)), notif]);
    await plugin.onReleased?.(saved, db).catch((e) => logger.warn('onReleased failed', { orderId: o.id, error: e as Error }));
    return saved;
  });
}

/** Splits `amountFen` over the order's paid charges (latest first), never refunding a charge twice. */
function refundParts(o: Order, amountFen: number, reason: string, now: Date, partial: boolean): RefundPart[] {
  const parts: RefundPart[] = [];
  let left = amountFen;
  const paid = o.charges.filter((c) => c.status === 'PAID').reverse();
  for (const c of paid) {
    if (left <= 0) break;
    const already = (o.refunds ?? []).filter((r) => r.chargeId === c.id).reduce((s, r) => s + r.amountFen, 0);
    const room = c.amountFen - already;
    if (room <= 0) continue;
    const take = Math.min(room, left);
    parts.push({ id: newId('ref'), chargeId: c.id, amountFen: take, reason, status: 'PENDING', requested: false, requestedAt: now.toISOString(), ...(partial ? { partial: true } : {}) });
    left -= take;
  }
  if (left > 0) throw unprocessable('refund_exceeds_payment', 'The refund is larger than what was paid.');
  return parts;
}

function refundLinks(orderId: string, parts: RefundPart[]): TxItem[] {
  return parts.map((p) => ({ Put: { TableName: '', Item: { ...orderKeys.refund(p.id), type: 'RefundLink', orderId, chargeId: p.chargeId, amountFen: p.amountFen } } }));
}

/** What a user refund would return now (the plug-in's fee rule), without changing anything. */
export function refundQuote(order: Order, now = new Date()) {
  if (order.status !== 'PAID') throw invalidState(order, now, 'refunded');
  const paid = paidFen(order) - (order.refunds ?? []).reduce((s, r) => s + r.amountFen, 0);
  return { paidFen: paid, ...orderPlugin(order.kind).refundQuote(order, paid, now) };
}

/**
 * Refunds a paid order: the domain's fee rule unless `full`; PAID → REFUND_PENDING (→
 * REFUNDED when the provider confirms), inventory released in the same transaction.
 */
export async function refundOrder(db: Db, order: Order, opts: { full?: boolean; reason: string; now?: Date }): Promise<Order> {
  const now = opts.now ?? new Date();
  const saved = await withFreshOrder(db, order, async (o) => {
    if (o.status !== 'PAID') throw invalidState(o, now, 'refunded');
    const paid = paidFen(o) - (o.refunds ?? []).reduce((s, r) => s + r.amountFen, 0);
    const quote = opts.full ? { refundFen: paid, feeFen: 0 } : orderPlugin(o.kind).refundQuote(o, paid, now);
    const parts = refundParts(o, quote.refundFen, opts.reason, now, false);
    const after: Order = {
      ...o,
      status: quote.refundFen > 0 ? 'REFUND_PENDING' : 'REFUNDED',
      refund: { amountFen: quote.refundFen, feeFen: quote.feeFen, status: quote.refundFen > 0 ? 'PENDING' : 'SUCCEEDED', reason: opts.reason, requestedAt: now.toISOString() },
      refunds: [...(o.refunds ?? []), ...parts],
      charges: o.charges.map((c) => (c.status === 'DUE' ? { ...c, status: 'VOID' } : c)),
    };
    const notif = notificationPut(o.userId, { type: 'refund_requested', title: '退款处理中', body: `${o.title}：退款 ${formatYuan(quote.refundFen)}${quote.feeFen ? `，手续费 ${formatYuan(quote.feeFen)}` : ''}。`, orderId: o.id }, now);
    return saveOrder(db, o, after, [...(await orderPlugin(o.kind).releaseActions(o, db)), ...refundLinks(o.id, parts), notif]);
  });
  await orderPlugin(saved.kind).onReleased?.(saved, db).catch((e) => logger.warn('onReleased failed', { orderId: saved.id, error: e as Error }));
  return requestRefunds(db, saved);
}

/** Refunds part of what was paid; the order stays PAID (改签 to a cheaper fare). */
export async function partialRefund(db: Db, order: Order, amountFen: number, reason: string, now = new Date()): Promise<Order> {
  if (amountFen <= 0) return order;
  const saved = await withFreshOrder(db, order, async (o) => {
    if (o.status !== 'PAID') throw invalidState(o, now, 'partly refunded');
    const parts = refundParts(o, amountFen, reason, now, true);
    return saveOrder(db, o, { ...o, refunds: [...(o.refunds ?? []), ...parts] }, refundLinks(o.id, parts));
  });
  return requestRefunds(db, saved);
}

/** Adds a DUE charge to a PAID order (overstay, fare difference): a second payment on the same order. */
export async function addCharge(db: Db, order: Order, charge: { purpose: ChargePurpose; amountFen: number; dueBy?: string }, now = new Date()): Promise<Order> {
  return withFreshOrder(db, order, async (o) => {
    if (o.status !== 'PAID') throw invalidState(o, now, 'charged again');
    const id = newId('pay');
    const after: Order = {
      ...o,
      amountFen: o.amountFen + charge.amountFen,
      charges: [...o.charges, { id, purpose: charge.purpose, amountFen: charge.amountFen, status: 'DUE', ...(charge.dueBy ? { dueBy: charge.dueBy } : {}) }],
    };
    return saveOrder(db, o, after, [
      { Put: { TableName: '', Item: { ...orderKeys.charge(id), type: 'ChargeLink', orderId: o.id, amountFen: charge.amountFen } } },
      notificationPut(o.userId, { type: 'charge_added', title: '待支付费用', body: `${o.title}：新增费用 ${formatYuan(charge.amountFen)}，请及时支付。`, orderId: o.id }, now),
    ]);
  });
}

/** PAID → COMPLETED (travelled, checked out, sailed). */
export async function completeOrder(db: Db, order: Order, now = new Date()): Promise<Order> {
  return withFreshOrder(db, order, async (o) => {
    if (o.status === 'COMPLETED') return o;
    if (o.status !== 'PAID') throw invalidState(o, now, 'completed');
    return saveOrder(db, o, { ...o, status: 'COMPLETED', completedAt: now.toISOString() });
  });
}

/**
 * Sends every refund part the provider has not accepted yet. A failure leaves the part
 * unrequested: the order stays in the REFUNDQ index and the jobs function retries (the
 * provider deduplicates by out_refund_no, so a retry never refunds twice).
 */
export async function requestRefunds(db: Db, order: Order): Promise<Order> {
  const provider = paymentProvider();
  let current = order;
  for (const part of order.refunds.filter((r) => !r.requested)) {
    const charge = current.charges.find((c) => c.id === part.chargeId) ?? current.latePayments?.find((p) => p.chargeId === part.chargeId);
    const total = charge?.amountFen ?? part.amountFen;
    try {
      await provider.refund({ outTradeNo: part.chargeId, outRefundNo: part.id, refundFen: part.amountFen, totalFen: total, reason: part.reason });
    } catch (e) {
      logger.warn('refund request failed; the jobs function retries it', { orderId: order.id, refundId: part.id, error: e as Error });
      continue;
    }
    current = await withFreshOrder(db, current, async (o) =>
      saveOrder(db, o, { ...o, refunds: o.refunds.map((r) => (r.id === part.id ? { ...r, requested: true } : r)) }),
    );
    if (provider.name === 'sandbox') {
      const { sandboxRefundSucceeded } = await import('../payments/sandbox');
      await sandboxRefundSucceeded(db, part, current);
      current = (await getOrder(db, current.id)) ?? current;
    }
  }
  return current;
}
