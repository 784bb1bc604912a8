/**
 * A tiny selling domain for testing the order path on its own: an inventory counter per
 * SKU, a 10% refund fee, and a marker written when a charge is paid.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../shared/db/client';
import { createOrder, type NewOrder } from '../../shared/orders/create';
import { conflict } from '../../shared/http/errors';
import { registerOrderPlugin } from '../../shared/orders/plugin';
import { percentOf } from '../../shared/domain/money';

const invKey = (sku: string) => ({ PK: `TESTINV#${sku}`, SK: 'INV' });

registerOrderPlugin({
  kind: 'test',
  releaseActions: (order) => [
    {
      Update: {
        TableName: '',
        Key: invKey(order.ref.sku),
        UpdateExpression: 'ADD remaining :q',
        ExpressionAttributeValues: { ':q': order.ref.qty },
      },
    },
  ],
  refundQuote: (_order, paid) => {
    const fee = percentOf(paid, 10);
    return { refundFen: paid - fee, feeFen: fee };
  },
  onChargePaid: async (order, charge, db) => {
    await db.doc.send(
      new PutCommand({ TableName: db.tableName, Item: { PK: `TESTPAID#${order.id}`, SK: charge.id, at: new Date().toISOString() } }),
    );
  },
});

export async function stock(db: Db, sku: string, remaining: number) {
  await db.doc.send(new PutCommand({ TableName: db.tableName, Item: { ...invKey(sku), remaining } }));
}

export async function remaining(db: Db, sku: string): Promise<number> {
  const r = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: invKey(sku), ConsistentRead: true }));
  return r.Item?.remaining as number;
}

export function createTestOrder(db: Db, userId: string, sku: string, qty: number, priceFen = 10000, now = new Date(), extra: Partial<NewOrder> = {}) {
  return createOrder(
    db,
    { kind: 'test', userId, title: `测试商品 ×${qty}`, amountFen: priceFen * qty, items: [{ sku, qty }], ref: { sku, qty }, ...extra },
    [
      {
        Update: {
          TableName: '',
          Key: invKey(sku),
          UpdateExpression: 'ADD remaining :neg',
          ConditionExpression: 'remaining >= :q',
          ExpressionAttributeValues: { ':neg': -qty, ':q': qty },
        },
      },
    ],
    () => conflict('sold_out', 'Sold out.'),
    now,
  );
}
