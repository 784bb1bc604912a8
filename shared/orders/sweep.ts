/**
 * Reading the order path's sparse, sharded GSI2 (pending holds by expiry, unrequested refunds)
 * and expiring a stale hold. Used by the jobs function's sweep and by
 * domains that must free inventory held by a hold that ran out before the sweep reached it.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../db/client';
import { ApiError } from '../http/errors';
import { logger } from '../http/logger';
import { HOLD_SHARDS } from './model';
import { cancelOrder, getOrder } from './service';

/** Order items in every shard of `prefix` (`HOLDS`, `REFUNDQ`) whose GSI2SK sorts before `before`. */
export async function* dueOrderItems(db: Db, prefix: 'HOLDS' | 'REFUNDQ', before: string, projection = 'PK') {
  const names = projection.includes('#ref') ? { ExpressionAttributeNames: { '#ref': 'ref' } } : {};
  for (let shard = 0; shard < HOLD_SHARDS; shard++) {
    let start: Record<string, any> | undefined;
    do {
      const r = await db.doc.send(
        new QueryCommand({
          TableName: db.tableName,
          IndexName: 'GSI2',
          KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK < :before',
          ExpressionAttributeValues: { ':pk': `${prefix}#${shard}`, ':before': before },
          ProjectionExpression: projection,
          ...names,
          ExclusiveStartKey: start,
          Limit: 100,
        }),
      );
      for (const item of r.Items ?? []) yield { ...item, orderId: String(item.PK).slice('ORDER#'.length) } as Record<string, any> & { orderId: string };
      start = r.LastEvaluatedKey;
    } while (start);
  }
}

/**
 * Expires the order if it is still an unpaid hold past its end, releasing its inventory.
 * Returns false when there was nothing to do or another writer (payment, cancel, another
 * sweep) changed the order first.
 */
export async function expireIfStale(db: Db, orderId: string, now: Date): Promise<boolean> {
  const order = await getOrder(db, orderId);
  if (!order || order.status !== 'PENDING_PAYMENT' || !order.holdExpiresAt || Date.parse(order.holdExpiresAt) > now.getTime()) return false;
  try {
    await cancelOrder(db, order, { to: 'EXPIRED', now });
    return true;
  } catch (e) {
    if (!(e instanceof ApiError)) logger.error('expiring a hold failed', { orderId, error: e as Error });
    return false;
  }
}
