/**
 * Creating an order together with the inventory it takes, in one TransactWriteItems:
 * either the order exists and every unit of inventory is held, or nothing changed.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../db/client';
import { newId } from '../domain/ids';
import { ApiError } from '../http/errors';
import { config } from '../runtime/config';
import { orderKeys, type Charge, type ChargePurpose, type Order, type OrderKind, type TxItem } from './model';

export interface NewOrder {
  kind: OrderKind;
  userId: string;
  title: string;
  /** Total price. */
  amountFen: number;
  items: Record<string, unknown>[];
  ref?: Record<string, any>;
  /** Domain's hold length; HOLD_SECONDS (when set) overrides it. */
  holdSeconds?: number;
  /**
   * The charges to collect, in order. Default: one `initial` charge of amountFen. A cruise
   * deposit passes [{purpose:'deposit',...},{purpose:'balance', dueBy}].
   */
  charges?: { purpose: ChargePurpose; amountFen: number; dueBy?: string }[];
  /** Optional extra index for the domain (e.g. GSI3PK `TRIP#id#ORDERS` to find a trip's orders). */
  gsi3?: { GSI3PK: string; GSI3SK: string };
  /** Use this id (e.g. made before building inventory actions that mention it). */
  id?: string;
}

export type CancellationMapper = (failedIndex: number, reason: { Code?: string; Item?: Record<string, any> }) => ApiError | undefined;

export function holdSecondsFor(domainSeconds?: number) {
  return config.holdSecondsOverride ?? domainSeconds ?? config.defaultHoldSeconds;
}

export function buildOrder(input: NewOrder, now: Date): Order {
  const id = input.id ?? newId('ord');
  const charges: Charge[] = (input.charges ?? [{ purpose: 'initial', amountFen: input.amountFen }]).map((c) => ({
    id: newId('pay'),
    purpose: c.purpose,
    amountFen: c.amountFen,
    status: 'DUE',
    ...(c.dueBy ? { dueBy: c.dueBy } : {}),
  }));
  const needsPayment = charges.some((c) => c.amountFen > 0);
  return {
    id,
    kind: input.kind,
    userId: input.userId,
    status: needsPayment ? 'PENDING_PAYMENT' : 'PAID',
    amountFen: input.amountFen,
    currency: 'CNY',
    title: input.title,
    createdAt: now.toISOString(),
    ...(needsPayment ? { holdExpiresAt: new Date(now.getTime() + holdSecondsFor(input.holdSeconds) * 1000).toISOString() } : { paidAt: now.toISOString() }),
    charges,
    refunds: [],
    items: input.items,
    ref: input.ref ?? {},
    ...(input.gsi3 ? { gsi3: input.gsi3 } : {}),
    version: 1,
  };
}

/**
 * The order item as stored, with its index attributes. GSI2 is sparse and says what the
 * jobs function must look at: a pending hold (by expiry) or an unrequested refund.
 */
export function orderItem(order: Order): Record<string, any> {
  let gsi2: Record<string, string> = {};
  if (order.status === 'PENDING_PAYMENT' && order.holdExpiresAt) {
    gsi2 = { GSI2PK: orderKeys.holdShard(order.id), GSI2SK: `${order.holdExpiresAt}#${order.id}` };
  } else if ((order.refunds ?? []).some((r) => !r.requested)) {
    gsi2 = { GSI2PK: orderKeys.refundRetryShard(order.id), GSI2SK: `${order.createdAt}#${order.id}` };
  }
  return {
    ...orderKeys.order(order.id),
    type: 'Order',
    ...order,
    GSI1PK: orderKeys.userOrdersGsi(order.userId),
    GSI1SK: `${order.createdAt}#${order.id}`,
    ...gsi2,
    ...(order.gsi3 ?? {}),
  };
}

export function chargeLinkItems(order: Order): TxItem[] {
  return order.charges.map((c) => ({
    Put: { TableName: '', Item: { ...orderKeys.charge(c.id), type: 'ChargeLink', orderId: order.id, amountFen: c.amountFen } },
  }));
}

/**
 * Writes the order, its charge links and the domain's inventory actions in one transaction.
 * `mapCancellation` turns the index of the failed inventory action (0-based within
 * `inventory`) into the precise 409 (sold_out, slot_taken, cabin_taken...).
 */
export async function createOrder(db: Db, input: NewOrder, inventory: TxItem[], mapCancellation: CancellationMapper, now = new Date()): Promise<Order> {
  const order = buildOrder(input, now);
  const withTable = (a: TxItem): TxItem => {
    const [k, v] = Object.entries(a)[0] as [string, any];
    return { [k]: { ...v, TableName: db.tableName } } as TxItem;
  };
  const items: TxItem[] = [
    ...inventory.map(withTable),
    withTable({ Put: { TableName: '', Item: orderItem(order), ConditionExpression: 'attribute_not_exists(PK)' } }),
    ...chargeLinkItems(order).map(withTable),
  ];
  if (items.length > 100) throw new ApiError(422, 'order_too_large', 'This order would change too many items at once.');
  try {
    await db.doc.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: order.id.slice(-36) }));
  } catch (e: any) {
    if (e?.name === 'TransactionCanceledException') {
      const reasons: any[] = e.CancellationReasons ?? [];
      const idx = reasons.findIndex((r) => r?.Code === 'ConditionalCheckFailed');
      if (idx >= 0 && idx < inventory.length) {
        const mapped = mapCancellation(idx, reasons[idx]);
        if (mapped) throw mapped;
        throw new ApiError(409, 'unavailable', 'What you asked for is no longer available.');
      }
    }
    throw e;
  }
  return order;
}
