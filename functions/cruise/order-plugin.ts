/**
 * The cruise order plug-in: gives the cabin and the guests' nights back when an order is
 * cancelled, expired or refunded, and quotes refunds under the voyage's penalty schedule
 * (snapshotted on the order when it was booked: the terms the guest agreed to).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../shared/db/client';
import { unprocessable } from '../../shared/http/errors';
import type { Order, TxItem } from '../../shared/orders/model';
import { registerOrderPlugin, type OrderPlugin } from '../../shared/orders/plugin';
import type { CruiseRef } from './bookings';
import { cruiseKeys } from './keys';
import { nightsAboard, penaltyQuote } from './rules';

/**
 * The cabin goes back to `free` (into the free-cabin index) — or to `closed` when the voyage
 * was cancelled, so nothing can book it again. Conditional on this order still holding it, and
 * each night item on belonging to this order: the status change they run with happens once.
 */
export async function cruiseReleaseActions(order: Order, db: Db): Promise<TxItem[]> {
  const ref = order.ref as CruiseRef;
  const v = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: cruiseKeys.voyage(ref.voyageId), ConsistentRead: true, ProjectionExpression: '#s', ExpressionAttributeNames: { '#s': 'status' } }));
  const open = v.Item?.status === 'SCHEDULED';
  const cabin: TxItem = {
    Update: {
      TableName: db.tableName,
      Key: cruiseKeys.cabin(ref.voyageId, ref.cabinNumber),
      ...(open
        ? {
            UpdateExpression: 'SET #s = :free, GSI1PK = :gpk, GSI1SK = :gsk REMOVE orderId, heldAt',
            ExpressionAttributeValues: {
              ':free': 'free',
              ':gpk': cruiseKeys.freeCabinsGsi(ref.voyageId),
              ':gsk': cruiseKeys.freeCabinSortKey(ref.categoryCode, ref.cabinMaxGuests, ref.cabinNumber),
              ':o': order.id,
            },
          }
        : {
            UpdateExpression: 'SET #s = :closed REMOVE orderId, heldAt, GSI1PK, GSI1SK',
            ExpressionAttributeValues: { ':closed': 'closed', ':o': order.id },
          }),
      ConditionExpression: 'orderId = :o',
      ExpressionAttributeNames: { '#s': 'status' },
    },
  };
  const nights: TxItem[] = [];
  for (const h of ref.guestHashes) {
    for (const day of nightsAboard(ref.departDate, ref.nights)) {
      nights.push({
        Delete: {
          TableName: db.tableName,
          Key: cruiseKeys.guestNight(h, day),
          ConditionExpression: 'orderId = :o',
          ExpressionAttributeValues: { ':o': order.id },
        },
      });
    }
  }
  return [cabin, ...nights];
}

export const cruisePlugin: OrderPlugin = {
  kind: 'cruise',
  releaseActions: cruiseReleaseActions,
  refundQuote(order, paidFen, now) {
    const ref = order.ref as CruiseRef;
    const q = penaltyQuote(ref.penalties, ref.departDate, paidFen, now);
    if (q.daysBefore < 0) throw unprocessable('refund_not_allowed', 'The voyage has sailed; it can no longer be cancelled.');
    return { refundFen: q.refundFen, feeFen: q.feeFen };
  },
};

registerOrderPlugin(cruisePlugin);
