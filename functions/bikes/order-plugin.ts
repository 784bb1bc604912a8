/**
 * The bikes domain's order plug-in. A ride order holds no inventory (the ride already
 * happened), so nothing is released; a refund returns everything paid (the brief's rule:
 * refunds of ride fares are decided by customer service, not by a fee schedule). When the
 * fare is paid, the ride is marked paid and the rider may unlock again.
 */
import { registerOrderPlugin, type OrderPlugin } from '../../shared/orders/plugin';
import { markRidePaid } from './rides';

export const bikeOrderPlugin: OrderPlugin = {
  kind: 'bike',
  // The ride has happened: the rider can neither cancel the fare nor refund it themselves.
  userCancellable: false,
  userRefundable: false,
  releaseActions: () => [],
  refundQuote: (_order, paidFen) => ({ refundFen: paidFen, feeFen: 0 }),
  onChargePaid: async (order, _charge, db) => {
    const rideId = order.ref?.rideId;
    if (typeof rideId === 'string') await markRidePaid(db, rideId, order.userId, order.id);
  },
};

registerOrderPlugin(bikeOrderPlugin);
