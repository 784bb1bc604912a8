/**
 * The order: the one money path every domain (tickets, parking, cruise, bike rides) uses.
 * An order holds inventory while PENDING_PAYMENT, is paid through WeChat Pay in one or
 * more charges, and can be cancelled, expired or refunded. See docs/orders.md.
 */
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';

/** 'test' is used only by the order-path tests' own plug-in. */
export type OrderKind = 'ticket' | 'parking' | 'cruise' | 'bike' | 'test';
export type OrderStatus = 'PENDING_PAYMENT' | 'PAID' | 'COMPLETED' | 'CANCELLED' | 'EXPIRED' | 'REFUND_PENDING' | 'REFUNDED';
export type ChargePurpose = 'initial' | 'deposit' | 'balance' | 'overstay' | 'fare_difference' | 'ride';
export type ChargeStatus = 'DUE' | 'PAID' | 'VOID';

/** One payment the order asks for. Its id is WeChat Pay's out_trade_no. */
export interface Charge {
  id: string;
  purpose: ChargePurpose;
  amountFen: number;
  status: ChargeStatus;
  /** Latest time this charge may be paid (cruise balance); the jobs function enforces it. */
  dueBy?: string;
  paidAt?: string;
  transactionId?: string;
}

/** The terminal refund of an order (PAID → REFUND_PENDING → REFUNDED), or of a payment that arrived too late. */
export interface RefundInfo {
  amountFen: number;
  feeFen: number;
  status: 'PENDING' | 'SUCCEEDED';
  reason: string;
  requestedAt: string;
  succeededAt?: string;
}

/**
 * One refund request to the payment provider. WeChat Pay refunds per transaction, so a refund
 * of an order paid in several charges is split into parts, one per charge.
 */
export interface RefundPart {
  /** out_refund_no. */
  id: string;
  chargeId: string;
  amountFen: number;
  reason: string;
  status: 'PENDING' | 'SUCCEEDED';
  /** False until the provider accepted the request; the jobs function retries those. */
  requested: boolean;
  requestedAt: string;
  succeededAt?: string;
  /** Partial refunds (改签 to a cheaper fare) do not end the order. */
  partial?: boolean;
}

export interface Order {
  id: string;
  kind: OrderKind;
  userId: string;
  status: OrderStatus;
  /** Total price of what was bought (all charges that are not VOID). */
  amountFen: number;
  currency: 'CNY';
  title: string;
  createdAt: string;
  holdExpiresAt?: string;
  paidAt?: string;
  completedAt?: string;
  cancelledAt?: string;
  charges: Charge[];
  refund?: RefundInfo;
  refunds: RefundPart[];
  /** Payments that arrived after the hold ended; each is refunded automatically. */
  latePayments?: { chargeId: string; amountFen: number; transactionId?: string; at: string }[];
  /** Domain index (e.g. GSI3PK `TRIP#id#ORDERS`) kept with the order. */
  gsi3?: { GSI3PK: string; GSI3SK: string };
  /** What the passenger sees (tickets, reservation, cabin...). */
  items: Record<string, unknown>[];
  /** Domain data the plug-in needs to release inventory; never shown to clients. */
  ref: Record<string, any>;
  version: number;
}

/** A TransactWriteItems action (lib-dynamodb shape). */
export type TxItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export const orderKeys = {
  order: (orderId: string) => ({ PK: `ORDER#${orderId}`, SK: 'ORDER' }),
  /** out_trade_no → order (one item per charge), for the payment notification. */
  charge: (chargeId: string) => ({ PK: `CHARGE#${chargeId}`, SK: 'CHARGE' }),
  refund: (refundId: string) => ({ PK: `REFUND#${refundId}`, SK: 'REFUND' }),
  /** GSI1: a user's orders, newest first. */
  userOrdersGsi: (userId: string) => `USER#${userId}#ORDERS`,
  /** GSI2: sparse index of pending holds, sharded, sorted by expiry. */
  holdShard: (orderId: string) => `HOLDS#${orderId.charCodeAt(orderId.length - 1) % HOLD_SHARDS}`,
  /** GSI2 for refunds the provider has not accepted yet (retried by the jobs function). */
  refundRetryShard: (orderId: string) => `REFUNDQ#${orderId.charCodeAt(orderId.length - 1) % HOLD_SHARDS}`,
};
export const HOLD_SHARDS = 8;

/** Whether an order still counts as PENDING_PAYMENT at `now` (a past hold is EXPIRED even before the sweep runs). */
export function effectiveStatus(order: Pick<Order, 'status' | 'holdExpiresAt'>, now: Date): OrderStatus {
  if (order.status === 'PENDING_PAYMENT' && order.holdExpiresAt && Date.parse(order.holdExpiresAt) <= now.getTime()) return 'EXPIRED';
  return order.status;
}

/** The next charge to pay, if any. */
export function nextDueCharge(order: Order): Charge | undefined {
  return order.charges.find((c) => c.status === 'DUE');
}

export function paidFen(order: Order): number {
  return order.charges.filter((c) => c.status === 'PAID').reduce((s, c) => s + c.amountFen, 0);
}

/** The client view of an order. */
export function orderView(order: Order, now: Date) {
  const due = nextDueCharge(order);
  const status = effectiveStatus(order, now);
  return {
    id: order.id,
    kind: order.kind,
    status,
    title: order.title,
    amountFen: order.amountFen,
    paidFen: paidFen(order),
    amountDueFen: status === 'PENDING_PAYMENT' || status === 'PAID' ? (due?.amountFen ?? 0) : 0,
    ...(due && (status === 'PENDING_PAYMENT' || status === 'PAID') ? { nextCharge: { purpose: due.purpose, amountFen: due.amountFen, ...(due.dueBy ? { dueBy: due.dueBy } : {}) } } : {}),
    currency: order.currency,
    createdAt: order.createdAt,
    ...(order.holdExpiresAt ? { holdExpiresAt: order.holdExpiresAt } : {}),
    ...(order.paidAt ? { paidAt: order.paidAt } : {}),
    ...(order.completedAt ? { completedAt: order.completedAt } : {}),
    ...(order.cancelledAt ? { cancelledAt: order.cancelledAt } : {}),
    ...(order.refund ? { refund: { amountFen: order.refund.amountFen, feeFen: order.refund.feeFen, status: order.refund.status, reason: order.refund.reason } } : {}),
    refundedFen: (order.refunds ?? []).reduce((s, r) => s + r.amountFen, 0),
    charges: order.charges.map((c) => ({ purpose: c.purpose, amountFen: c.amountFen, status: c.status, ...(c.dueBy ? { dueBy: c.dueBy } : {}), ...(c.paidAt ? { paidAt: c.paidAt } : {}) })),
    items: order.items,
  };
}
export type OrderView = ReturnType<typeof orderView>;
