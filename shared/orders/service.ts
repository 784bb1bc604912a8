/**
 * Order operations any function may call (the orders function for the user's own
 * actions; domain functions for operator actions such as cancelling a trip).
 * Every status change is a conditional write on the current status (and version), so
 * each transition — and the inventory release that goes with it — happens exactly once.
 */
import type { Db } from '../db/client';
import type { Order, OrderStatus, ChargePurpose } from './model';

export interface ServiceDeps {
  db: Db;
  now?: () => Date;
}

/** Reads an order (strongly consistent). */
export declare function getOrder(db: Db, orderId: string): Promise<Order | undefined>;

/** A user's order or 404 order_not_found (also for other users' orders). */
export declare function getOwnOrder(db: Db, userId: string, orderId: string): Promise<Order>;

/** PENDING_PAYMENT → CANCELLED (or EXPIRED), releasing inventory. 409 invalid_state otherwise. */
export declare function cancelOrder(db: Db, order: Order, opts?: { to?: 'CANCELLED' | 'EXPIRED'; reason?: string; now?: Date }): Promise<Order>;

/**
 * Refunds a paid order: the domain's fee rule (plug-in refundQuote) unless `full`; requests
 * the refund from the payment provider; PAID → REFUND_PENDING (→ REFUNDED on the refund
 * notification), inventory released in the same transaction as the status change.
 */
export declare function refundOrder(db: Db, order: Order, opts: { full?: boolean; reason: string; now?: Date }): Promise<Order>;

/** Adds a DUE charge to a PAID order (overstay, fare difference). Returns the updated order. */
export declare function addCharge(db: Db, order: Order, charge: { purpose: ChargePurpose; amountFen: number; dueBy?: string }, now?: Date): Promise<Order>;

/**
 * Refunds part of what was paid without changing the order's status (改签 to a cheaper
 * fare). Returns the updated order.
 */
export declare function partialRefund(db: Db, order: Order, amountFen: number, reason: string, now?: Date): Promise<Order>;

/** Marks a PAID order COMPLETED (trip travelled, parking checked out, voyage sailed). */
export declare function completeOrder(db: Db, order: Order, now?: Date): Promise<Order>;

/** Writes a notification to a user's feed (GET /v1/me/notifications). */
export declare function notifyUser(db: Db, userId: string, n: { type: string; title: string; body: string; orderId?: string }, now?: Date): Promise<void>;

export type { OrderStatus };
