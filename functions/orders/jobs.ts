/**
 * The order path's scheduled work (run by the jobs function every minute):
 * - expire holds whose time ran out, releasing inventory exactly once (the status change is
 *   conditional, so two overlapping sweeps cannot both release);
 * - retry refund requests the payment provider has not accepted yet.
 * Both read the sparse, sharded GSI2 — the cost follows the work to do, not the table.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../shared/db/client';
import { ApiError } from '../../shared/http/errors';
import { logger } from '../../shared/http/logger';
import { HOLD_SHARDS } from '../../shared/orders/model';
import { cancelOrder, getOrder, requestRefunds } from '../../shared/orders/service';

async function* dueKeys(db: Db, prefix: string, before: string) {
  for (let shard = 0; shard < HOLD_SHARDS; shard++) {
    let start: Record<string, any> | undefined;
    do {
      const r = await db.doc.send(
        new QueryCommand({
          TableName: db.tableName,
          IndexName: 'GSI2',
          KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK < :before',
          ExpressionAttributeValues: { ':pk': `${prefix}#${shard}`, ':before': before },
          ProjectionExpression: 'PK',
          ExclusiveStartKey: start,
          Limit: 100,
        }),
      );
      for (const item of r.Items ?? []) yield String(item.PK).slice('ORDER#'.length);
      start = r.LastEvaluatedKey;
    } while (start);
  }
}

export async function expireHolds(db: Db, now = new Date()): Promise<number> {
  let expired = 0;
  for await (const orderId of dueKeys(db, 'HOLDS', now.toISOString())) {
    const order = await getOrder(db, orderId);
    if (!order || order.status !== 'PENDING_PAYMENT' || !order.holdExpiresAt || Date.parse(order.holdExpiresAt) > now.getTime()) continue;
    try {
      await cancelOrder(db, order, { to: 'EXPIRED', now });
      expired++;
    } catch (e) {
      // Someone else (a payment, a cancel, another sweep) changed it first: nothing to do.
      if (!(e instanceof ApiError)) logger.error('expiring a hold failed', { orderId, error: e as Error });
    }
  }
  return expired;
}

export async function retryRefunds(db: Db, now = new Date()): Promise<number> {
  let retried = 0;
  // Leave a minute for the request that created the refund to send it itself.
  const before = new Date(now.getTime() + 1).toISOString();
  for await (const orderId of dueKeys(db, 'REFUNDQ', before)) {
    const order = await getOrder(db, orderId);
    if (!order || !order.refunds.some((r) => !r.requested)) continue;
    const stale = order.refunds.filter((r) => !r.requested && Date.parse(r.requestedAt) < now.getTime() - 60_000);
    if (!stale.length) continue;
    await requestRefunds(db, order).catch((e) => logger.error('refund retry failed', { orderId, error: e as Error }));
    retried++;
  }
  return retried;
}

export const jobs = [expireHolds, retryRefunds];
