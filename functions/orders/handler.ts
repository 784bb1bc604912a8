/** orders: my orders, pay (WeChat Pay JSAPI), cancel, refund, the WeChat Pay notification, notifications feed. */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createHttpHandler } from '../../shared/http/handler';
import { withIdempotency } from '../../shared/http/idempotency';
import { conflict, unprocessable } from '../../shared/http/errors';
import { db } from '../../shared/db/client';
import { keys } from '../../shared/db/keys';
import { decodeCursor, encodeCursor } from '../../shared/db/cursor';
import { effectiveStatus, nextDueCharge, orderKeys, orderView, type Order } from '../../shared/orders/model';
import { cancelOrder, getOwnOrder, refundOrder, refundQuote } from '../../shared/orders/service';
import { handleWechatPayNotification } from '../../shared/orders/notify';
import { orderPlugin } from '../../shared/orders/plugin';
import { paymentProvider } from '../../shared/payments/provider';
import { buildSandboxNotification, sandbox, transactionResource } from '../../shared/payments/sandbox';
import './plugins';

const MAX_PAGES = 10;

export const handler = createHttpHandler('orders', {
  'GET /v1/orders': async ({ user, query }) => {
    const d = db();
    const now = new Date();
    const limit = Number(query.limit ?? 20);
    let start = decodeCursor(query.cursor, ['PK', 'SK', 'GSI1PK', 'GSI1SK']);
    const out: ReturnType<typeof orderView>[] = [];
    let last: Record<string, unknown> | undefined;
    // Filters apply after the key condition; keep reading pages until the page is full.
    for (let i = 0; i < MAX_PAGES && out.length < limit; i++) {
      const r = await d.doc.send(
        new QueryCommand({
          TableName: d.tableName,
          IndexName: 'GSI1',
          KeyConditionExpression: 'GSI1PK = :pk',
          ExpressionAttributeValues: { ':pk': orderKeys.userOrdersGsi(user.id), ...(query.kind ? { ':kind': query.kind } : {}) },
          ...(query.kind ? { FilterExpression: 'kind = :kind' } : {}),
          ScanIndexForward: false,
          Limit: limit - out.length,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of r.Items ?? []) {
        const view = orderView(stripKeys(item), now);
        if (!query.status || view.status === query.status) out.push(view);
      }
      last = r.LastEvaluatedKey;
      start = last;
      if (!last) break;
    }
    return { body: { orders: out, ...(last ? { nextCursor: encodeCursor(last) } : {}) } };
  },

  'GET /v1/orders/{orderId}': async ({ user, params }) => ({ body: orderView(await getOwnOrder(db(), user.id, params.orderId), new Date()) }),

  'POST /v1/orders/{orderId}/pay': async (ctx) =>
    withIdempotency(ctx, async () => {
      const d = db();
      const now = new Date();
      const order = await getOwnOrder(d, ctx.user.id, ctx.params.orderId);
      const status = effectiveStatus(order, now);
      if (status === 'EXPIRED') throw conflict('hold_expired', 'The hold on this order has expired; book again.');
      const charge = nextDueCharge(order);
      if ((status !== 'PENDING_PAYMENT' && status !== 'PAID') || !charge) {
        throw conflict('invalid_state', `The order is ${status} and has nothing to pay.`, { extra: { status } });
      }
      const provider = paymentProvider();
      let openid: string | undefined;
      if (provider.name === 'wechatpay') {
        const u = await d.doc.send(new GetCommand({ TableName: d.tableName, Key: keys.user(ctx.user.id) }));
        openid = u.Item?.openid;
        if (!openid) throw unprocessable('wechat_not_linked', 'Sign in with WeChat to pay.');
      }
      const { prepayId } = await provider.prepay({
        outTradeNo: charge.id,
        amountFen: charge.amountFen,
        description: `一站出行-${order.title}`,
        openid,
        ...(order.status === 'PENDING_PAYMENT' && order.holdExpiresAt ? { timeExpire: order.holdExpiresAt } : {}),
      });
      return {
        body: { provider: 'wechatpay', ...(provider.name === 'sandbox' ? { sandbox: true } : {}), amountFen: charge.amountFen, params: await provider.payParams(prepayId) },
      };
    }),

  'POST /v1/orders/{orderId}/cancel': async (ctx) =>
    withIdempotency(ctx, async () => {
      const d = db();
      const now = new Date();
      const order = await getOwnOrder(d, ctx.user.id, ctx.params.orderId);
      if (orderPlugin(order.kind).userCancellable === false) throw unprocessable('not_cancellable', 'This order cannot be cancelled; it pays for a service already used.');
      const after = await cancelOrder(d, order, { reason: 'user', now });
      if (after.status === 'EXPIRED') throw conflict('hold_expired', 'The hold had already expired; the order is EXPIRED.');
      return { body: orderView(after, now) };
    }),

  'GET /v1/orders/{orderId}/refund-quote': async ({ user, params }) => {
    const order = await getOwnOrder(db(), user.id, params.orderId);
    assertUserRefundable(order);
    const q = refundQuote(order, new Date());
    return { body: { paidFen: q.paidFen, refundFen: q.refundFen, feeFen: q.feeFen } };
  },

  'POST /v1/orders/{orderId}/refund': async (ctx) =>
    withIdempotency(ctx, async () => {
      const d = db();
      const now = new Date();
      const order = await getOwnOrder(d, ctx.user.id, ctx.params.orderId);
      assertUserRefundable(order);
      const after = await refundOrder(d, order, { reason: 'user', now });
      return { body: orderView(after, new Date()) };
    }),

  'POST /v1/payments/wechatpay/notify': async ({ headers, rawBody }) => {
    await handleWechatPayNotification(db(), paymentProvider(), { headers, body: rawBody });
    return { status: 204 };
  },

  'GET /v1/me/notifications': async ({ user, query }) => {
    const d = db();
    const r = await d.doc.send(
      new QueryCommand({
        TableName: d.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
        ExpressionAttributeValues: { ':pk': `USER#${user.id}`, ':sk': 'NOTIF#' },
        ScanIndexForward: false,
        Limit: Number(query.limit ?? 20),
        ExclusiveStartKey: decodeCursor(query.cursor, ['PK', 'SK']),
      }),
    );
    const notifications = (r.Items ?? []).map((n) => ({ id: n.id, kind: n.kind, title: n.title, body: n.body, ...(n.orderId ? { orderId: n.orderId } : {}), createdAt: n.createdAt }));
    return { body: { notifications, ...(r.LastEvaluatedKey ? { nextCursor: encodeCursor(r.LastEvaluatedKey) } : {}) } };
  },

  'POST /v1/dev/payments/{orderId}/succeed': async ({ user, params }) => devPay(user.id, params.orderId, 'SUCCESS'),
  'POST /v1/dev/payments/{orderId}/fail': async ({ user, params }) => devPay(user.id, params.orderId, 'PAYERROR'),
});

async function devPay(userId: string, orderId: string, state: 'SUCCESS' | 'PAYERROR') {
  const d = db();
  const now = new Date();
  const order = await getOwnOrder(d, userId, orderId);
  const charge = nextDueCharge(order);
  if (!charge) throw conflict('invalid_state', `The order is ${effectiveStatus(order, now)} and has nothing to pay.`);
  const s = sandbox();
  const n = buildSandboxNotification(s, state === 'SUCCESS' ? 'TRANSACTION.SUCCESS' : 'TRANSACTION.FAIL', 'transaction', transactionResource(charge.id, charge.amountFen, state, now), now);
  await handleWechatPayNotification(d, s, n, now);
  return { body: orderView((await getOwnOrder(d, userId, orderId)) as Order, new Date()) };
}

function assertUserRefundable(order: Order) {
  if (orderPlugin(order.kind).userRefundable === false) throw unprocessable('refund_not_allowed', 'Refunds of this order are handled by customer service.');
}

function stripKeys(item: Record<string, any>): Order {
  const { PK, SK, GSI1PK, GSI1SK, GSI2PK, GSI2SK, GSI3PK, GSI3SK, type, ...rest } = item;
  return { refunds: [], ...rest } as unknown as Order;
}
