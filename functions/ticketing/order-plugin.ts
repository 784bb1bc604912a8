/**
 * The ticket order plug-in: releasing an order gives its seats and passenger-segment
 * guards back and voids its tickets (in the same transaction as the order's status
 * change); refunds follow 12306's fee rule; a payment issues the e-tickets.
 */
import type { Db } from '../../shared/db/client';
import { unprocessable } from '../../shared/http/errors';
import type { Order, TxItem } from '../../shared/orders/model';
import { registerOrderPlugin, type OrderPlugin, type RefundQuote } from '../../shared/orders/plugin';
import { releasePaxAction, releaseSeatActions } from './inventory';
import { ms, refundFeeFen, tk, type TicketRef } from './model';
import { issueOrderTickets } from './tickets';

export function ticketReleaseActions(order: Order, db: Db): TxItem[] {
  const refs = (order.ref?.tickets ?? []) as TicketRef[];
  const out: TxItem[] = [...releaseSeatActions(db, refs)];
  const guards = new Map<string, TicketRef[]>();
  for (const r of refs) {
    const k = `${r.tripId}|${r.idHash}`;
    if (!guards.has(k)) guards.set(k, []);
    guards.get(k)!.push(r);
  }
  for (const rs of guards.values()) {
    // A passenger has one guard item per trip; legs are on distinct trips, so one ref each.
    const r = rs[0];
    out.push(releasePaxAction(db, r.tripId, r.idHash, r.fromIdx, r.toIdx));
  }
  for (const r of refs) {
    out.push({
      Update: {
        TableName: db.tableName,
        Key: tk.ticket(r.ticketId),
        UpdateExpression: 'SET #s = :void, voidedAt = :now',
        // A ticket already used at the gate cannot be refunded (the whole transaction fails).
        ConditionExpression: '#s <> :used',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':void': 'VOID', ':used': 'USED', ':now': new Date().toISOString() },
      },
    });
  }
  return out;
}

/**
 * The refund of a paid ticket order at `now`: per ticket, the fee of its leg's time to
 * departure (0% ≥ 8 days, 5% ≥ 48 h, 10% ≥ 24 h, 20% before departure), rounded to 0.5
 * yuan; no refund once any leg has departed. Whatever was paid beyond the ticket prices
 * (none today) is refunded in full.
 */
export function ticketRefundQuote(order: Order, paidFen: number, now: Date): RefundQuote {
  const refs = (order.ref?.tickets ?? []) as TicketRef[];
  if (Object.keys(order.ref?.used ?? {}).length) throw unprocessable('refund_not_allowed', 'A ticket of this order was used.');
  let fee = 0;
  for (const r of refs) {
    const f = refundFeeFen(r.priceFen, ms(r.depart) - now.getTime());
    if (f === null) throw unprocessable('refund_not_allowed', 'No refund after departure.');
    fee += f;
  }
  fee = Math.min(fee, paidFen);
  return { refundFen: paidFen - fee, feeFen: fee };
}

export const ticketOrderPlugin: OrderPlugin = {
  kind: 'ticket',
  releaseActions: ticketReleaseActions,
  refundQuote: ticketRefundQuote,
  onChargePaid: async (order, _charge, db) => issueOrderTickets(db, order),
};

registerOrderPlugin(ticketOrderPlugin);
