/**
 * The order path's scheduled work (run by the jobs function every minute):
 * - expire holds whose time ran out, releasing inventory exactly once (the status change is
 *   conditional, so two overlapping sweeps cannot both release);
 * - retry refund requests the payment provider has not accepted yet.
 * Both read the sparse, sharded GSI2 — the cost follows the work to do, not the table.
 */
import type { Db } from '../../shared/db/client';
import { logger } from '../../shared/http/logger';
import { getOrder, requestRefunds } from '../../shared/orders/service';
import { dueOrderItems, expireIfStale } from '../../shared/orders/sweep';

export async function expireHolds(db: Db, now = new Date()): Promise<number> {
  let expired = 0;
  for await (const { orderId } of dueOrderItems(db, 'HOLDS', now.toISOString())) {
    if (await expireIfStale(db, orderId, now)) expired++;
  }
  return expired;
}

export async function retryRefunds(db: Db, now = new Date()): Promise<number> {
  let retried = 0;
  // Leave a minute for the request that created the refund to send it itself.
  const before = new Date(now.getTime() + 1).toISOString();
  for await (const { orderId } of dueOrderItems(db, 'REFUNDQ', before)) {
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
