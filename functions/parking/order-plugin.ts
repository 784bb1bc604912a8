/**
 * Parking's order plug-in: releasing an order gives its quarter-hour slots back; the
 * refund rule is "free until 1 hour before start, then the first hour is kept"; paying
 * the overstay charge completes the order.
 */
import { unprocessable } from '../../shared/http/errors';
import { registerOrderPlugin, type OrderPlugin } from '../../shared/orders/plugin';
import { cancellationQuote } from './rules';
import { completeAfterOverstay, releaseSlotsAction, type ParkingRef } from './reservations';

export const parkingOrderPlugin: OrderPlugin = {
  kind: 'parking',
  releaseActions(order, db) {
    const ref = order.ref as ParkingRef;
    return Object.entries(ref.days ?? {}).map(([day, slots]) => releaseSlotsAction(db, ref.spotId, day, slots));
  },
  refundQuote(order, paid, now) {
    const ref = order.ref as ParkingRef;
    const q = cancellationQuote(paid, ref.firstHourFen, Date.parse(ref.start), Date.parse(ref.end), now.getTime());
    if (!q) throw unprocessable('refund_not_allowed', 'This reservation has ended; it can no longer be refunded.');
    return q;
  },
  async onChargePaid(order, charge, db) {
    if (charge.purpose === 'overstay') await completeAfterOverstay(db, order);
  },
};

registerOrderPlugin(parkingOrderPlugin);
