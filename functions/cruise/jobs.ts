/**
 * Scheduled cruise work (the jobs function runs every entry each minute).
 *
 * Balance deadline: every voyage that could take deposit bookings has a BALANCEDUE marker in
 * GSI1 (`CRUISE#BALDUE`, sorted by the deadline). Once the deadline has passed, each of the
 * voyage's orders that is PAID with its balance still DUE is refunded under the penalty
 * schedule (refundOrder without `full`: the plug-in's refundQuote applied to the deposit
 * paid), which releases the cabin. The marker is deleted only when every order is settled,
 * so a failed run is finished by the next one. Two overlapping runs are harmless: each
 * status change is conditional, the loser re-reads and skips.
 */
import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { activeVoyageOrderIds } from './voyages';
import type { Db } from '../../shared/db/client';
import { toShanghaiIso } from '../../shared/domain/time';
import { logger } from '../../shared/http/logger';
import { getOrder, notifyUser, refundOrder } from '../../shared/orders/service';
import type { Order } from '../../shared/orders/model';
import { cruiseKeys } from './keys';
import './order-plugin';

const MARKERS_PER_RUN = 20;

function balanceOverdue(order: Order, now: Date): boolean {
  return order.status === 'PAID' && order.charges.some((c) => c.purpose === 'balance' && c.status === 'DUE' && !!c.dueBy && Date.parse(c.dueBy) < now.getTime());
}

async function settleVoyage(db: Db, voyageId: string, now: Date): Promise<boolean> {
  let settled = true;
  for (const id of await activeVoyageOrderIds(db, voyageId)) {
    try {
      const order = await getOrder(db, id);
      if (!order || !balanceOverdue(order, now)) continue;
      await refundOrder(db, order, { reason: 'balance_unpaid', now });
      logger.info('cruise booking cancelled: balance unpaid', { orderId: id, voyageId });
      await notifyUser(
        db,
        order.userId,
        { type: 'cruise_balance_unpaid', title: '邮轮订单已取消', body: '尾款未在截止时间前支付，订单已按取消规则取消，定金扣除违约金后原路退还。', orderId: id },
        now,
      ).catch(() => undefined);
    } catch (e) {
      // Settled meanwhile by another run (or the guest paid just in time): re-read decides.
      const again = await getOrder(db, id).catch(() => undefined);
      if (again && balanceOverdue(again, now)) {
        settled = false;
        logger.error('cruise balance sweep: order not settled', { orderId: id, voyageId, error: e as Error });
      }
    }
  }
  return settled;
}

/** Cancels bookings whose balance is unpaid after its deadline. */
export async function sweepUnpaidBalances(db: Db, now: Date): Promise<number> {
  const r = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :p AND GSI1SK < :now',
      ExpressionAttributeValues: { ':p': cruiseKeys.balanceDueGsi, ':now': toShanghaiIso(now) },
      Limit: MARKERS_PER_RUN,
    }),
  );
  let done = 0;
  for (const m of r.Items ?? []) {
    // Only markers whose deadline instant has truly passed (string order is exact for same-offset ISO).
    if (Date.parse(m.dueBy) >= now.getTime()) continue;
    if (await settleVoyage(db, m.voyageId, now)) {
      await db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: cruiseKeys.balanceMarker(m.voyageId) }));
      done++;
    }
  }
  return done;
}

export const jobs = [async (db: Db, now: Date) => void (await sweepUnpaidBalances(db, now))];
