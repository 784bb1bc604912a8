/**
 * The small interface each selling domain plugs into the order path. A domain registers
 * its plug-in at module load (`registerOrderPlugin`); the orders function imports every
 * domain's plug-in, a domain function imports its own.
 */
import type { Charge, Order, OrderKind, TxItem } from './model';
import type { Db } from '../db/client';

export interface RefundQuote {
  /** Money returned to the payer. */
  refundFen: number;
  /** Money kept (the domain's fee rule). refundFen + feeFen = what was paid. */
  feeFen: number;
}

export interface OrderPlugin {
  kind: OrderKind;
  /** False when the user may not cancel an unpaid order (a bike ride already happened). Default true. */
  userCancellable?: boolean;
  /** False when refunds are decided by customer service, not by the user (ride fares). Default true. */
  userRefundable?: boolean;
  /**
   * Actions that give the order's inventory back (seats, slots, cabin...). They run in the
   * same transaction as the order's status change, which is conditional on the old status,
   * so inventory is released exactly once.
   */
  releaseActions(order: Order, db: Db): TxItem[] | Promise<TxItem[]>;
  /**
   * The refund for a user-requested refund of a paid order at `now` (throw an ApiError,
   * e.g. 422 refund_not_allowed, when no refund is possible). `paidFen` is what was paid.
   */
  refundQuote(order: Order, paidFen: number, now: Date): RefundQuote;
  /**
   * Runs after a charge is confirmed paid (first charge: PENDING_PAYMENT → PAID), e.g. to
   * issue e-tickets. Must be idempotent: a retry may call it again.
   */
  onChargePaid?(order: Order, charge: Charge, db: Db): Promise<void>;
  /** Runs after the order was cancelled, expired or refunded (best effort, idempotent). */
  onReleased?(order: Order, db: Db): Promise<void>;
}

const plugins = new Map<OrderKind, OrderPlugin>();

export function registerOrderPlugin(p: OrderPlugin) {
  plugins.set(p.kind, p);
}

export function orderPlugin(kind: OrderKind): OrderPlugin {
  const p = plugins.get(kind);
  if (!p) throw new Error(`no order plug-in registered for kind ${kind}`);
  return p;
}
