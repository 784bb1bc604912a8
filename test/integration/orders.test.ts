/**
 * The order path end to end on DynamoDB Local, through API Gateway v2 events: holds, the
 * WeChat Pay sandbox (real signatures and encryption), cancel, expiry, refunds, late
 * payments, idempotency and ownership. A test-only plug-in (test/support/test-plugin.ts)
 * stands in for a selling domain.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { call, tokenFor, expectProblem } from '../support/api';
import { createTestOrder, remaining, stock } from '../support/test-plugin';
import { db } from '../../shared/db/client';
import { expireHolds } from '../../functions/orders/jobs';
import { buildSandboxNotification, sandbox, transactionResource } from '../../shared/payments/sandbox';
import { verifyJsapiPaySign } from '../../shared/payments/wechatpay/crypto';
import { withIdempotency } from '../../shared/http/idempotency';
import { listRoutes } from '../../shared/api/routes';
import type { RouteContext } from '../../shared/http/handler';
import { getOrder } from '../../shared/orders/service';

const ALICE = 'alice';
const BOB = 'bob';
let alice: string;
let bob: string;

beforeAll(async () => {
  alice = await tokenFor(ALICE);
  bob = await tokenFor(BOB);
});

async function notifyCount(userId: string, kind: string) {
  const d = db();
  const r = await d.doc.send(
    new QueryCommand({ TableName: d.tableName, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)', ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':sk': 'NOTIF#' } }),
  );
  return (r.Items ?? []).filter((n) => n.kind === kind).length;
}

const past = (minutes: number) => new Date(Date.now() - minutes * 60_000);

describe('hold → pay → PAID', () => {
  it('holds inventory, returns wx.requestPayment parameters signed by the merchant key, and the sandbox notification marks it PAID', async () => {
    await stock(db(), 'sku-pay', 5);
    const order = await createTestOrder(db(), ALICE, 'sku-pay', 2);
    expect(await remaining(db(), 'sku-pay')).toBe(3);

    const got = await call('GET', `/v1/orders/${order.id}`, { token: alice });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: order.id, kind: 'test', status: 'PENDING_PAYMENT', amountFen: 20000, currency: 'CNY', amountDueFen: 20000 });
    expect(Date.parse(got.body.holdExpiresAt)).toBeGreaterThan(Date.now());

    const pay = await call('POST', `/v1/orders/${order.id}/pay`, { token: alice });
    expect(pay.status).toBe(200);
    expect(pay.body.provider).toBe('wechatpay');
    const p = pay.body.params;
    expect(p).toMatchObject({ signType: 'RSA', package: expect.stringMatching(/^prepay_id=/) });
    expect(Object.keys(p).sort()).toEqual(['appId', 'nonceStr', 'package', 'paySign', 'signType', 'timeStamp']);
    expect(verifyJsapiPaySign(p, sandbox().keys().merchant.publicKeyPem)).toBe(true);

    const paid = await call('POST', `/v1/dev/payments/${order.id}/succeed`, { token: alice });
    expect(paid.status).toBe(200);
    expect(paid.body.status).toBe('PAID');
    expect(paid.body.paidAt).toBeTruthy();
    expect(paid.body.amountDueFen).toBe(0);
    expect(await remaining(db(), 'sku-pay')).toBe(3);
    // paying again: nothing left to pay
    expectProblem(await call('POST', `/v1/orders/${order.id}/pay`, { token: alice }), 409, 'invalid_state');
    expect(await notifyCount(ALICE, 'order_paid')).toBeGreaterThanOrEqual(1);
  });
});

describe('cancel', () => {
  it('cancels an unpaid order once and releases its inventory once', async () => {
    await stock(db(), 'sku-cancel', 4);
    const order = await createTestOrder(db(), ALICE, 'sku-cancel', 3);
    expect(await remaining(db(), 'sku-cancel')).toBe(1);
    const res = await call('POST', `/v1/orders/${order.id}/cancel`, { token: alice });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('CANCELLED');
    expect(await remaining(db(), 'sku-cancel')).toBe(4);
    expectProblem(await call('POST', `/v1/orders/${order.id}/cancel`, { token: alice }), 409, 'invalid_state');
    expectProblem(await call('POST', `/v1/orders/${order.id}/pay`, { token: alice }), 409, 'invalid_state');
    expect(await remaining(db(), 'sku-cancel')).toBe(4);
  });

  it('refuses to sell more than the stock (conditional inventory)', async () => {
    await stock(db(), 'sku-few', 2);
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => createTestOrder(db(), ALICE, 'sku-few', 1)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(await remaining(db(), 'sku-few')).toBe(0);
  });
});

describe('expiry', () => {
  it('shows a past hold as EXPIRED before the sweep, and two concurrent sweeps release it exactly once', async () => {
    await stock(db(), 'sku-exp', 10);
    const order = await createTestOrder(db(), ALICE, 'sku-exp', 4, 100, past(30));
    expect(await remaining(db(), 'sku-exp')).toBe(6);
    const before = await call('GET', `/v1/orders/${order.id}`, { token: alice });
    expect(before.body.status).toBe('EXPIRED');
    expectProblem(await call('POST', `/v1/orders/${order.id}/pay`, { token: alice }), 409, 'hold_expired');

    const counts = await Promise.all([expireHolds(db()), expireHolds(db()), expireHolds(db())]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await remaining(db(), 'sku-exp')).toBe(10);
    expect((await getOrder(db(), order.id))!.status).toBe('EXPIRED');
    expect(await expireHolds(db())).toBe(0);
    expect(await remaining(db(), 'sku-exp')).toBe(10);
    expect(await notifyCount(ALICE, 'order_expired')).toBe(1);
  });

  it('a payment that arrives after the hold ended is recorded and refunded in full, and inventory is released once', async () => {
    await stock(db(), 'sku-late', 3);
    const order = await createTestOrder(db(), BOB, 'sku-late', 1, 5000, past(20));
    const charge = order.charges[0];
    const s = sandbox();
    const n = buildSandboxNotification(s, 'TRANSACTION.SUCCESS', 'transaction', transactionResource(charge.id, 5000, 'SUCCESS'));
    const res = await call('POST', '/v1/payments/wechatpay/notify', { rawBody: n.body, headers: { ...n.headers, 'content-type': 'application/json' } });
    expect(res.status).toBe(204);
    const after = await call('GET', `/v1/orders/${order.id}`, { token: bob });
    expect(after.body.status).toBe('EXPIRED');
    expect(after.body.refund).toMatchObject({ amountFen: 5000, feeFen: 0, status: 'SUCCEEDED', reason: 'paid_after_hold_ended' });
    expect(after.body.refundedFen).toBe(5000);
    expect(await remaining(db(), 'sku-late')).toBe(3);
    // WeChat retries the same notification: nothing changes twice
    const again = await call('POST', '/v1/payments/wechatpay/notify', { rawBody: n.body, headers: { ...n.headers, 'content-type': 'application/json' } });
    expect(again.status).toBe(204);
    const stored = await getOrder(db(), order.id);
    expect(stored!.refunds).toHaveLength(1);
    expect(stored!.latePayments).toHaveLength(1);
    expect(await remaining(db(), 'sku-late')).toBe(3);
  });
});

describe('refund', () => {
  it('quotes the fee, refunds under the plug-in rule, releases inventory and ends REFUNDED', async () => {
    await stock(db(), 'sku-ref', 2);
    const order = await createTestOrder(db(), ALICE, 'sku-ref', 1, 12345);
    expectProblem(await call('POST', `/v1/orders/${order.id}/refund`, { token: alice }), 409, 'invalid_state');
    await call('POST', `/v1/dev/payments/${order.id}/succeed`, { token: alice });
    const quote = await call('GET', `/v1/orders/${order.id}/refund-quote`, { token: alice });
    expect(quote.body).toEqual({ paidFen: 12345, refundFen: 12345 - 1235, feeFen: 1235 });
    const res = await call('POST', `/v1/orders/${order.id}/refund`, { token: alice });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('REFUNDED');
    expect(res.body.refund).toMatchObject({ amountFen: 11110, feeFen: 1235, status: 'SUCCEEDED' });
    expect(await remaining(db(), 'sku-ref')).toBe(2);
    expectProblem(await call('POST', `/v1/orders/${order.id}/refund`, { token: alice }), 409, 'invalid_state');
    expect(await remaining(db(), 'sku-ref')).toBe(2);
    expect(await notifyCount(ALICE, 'order_refunded')).toBeGreaterThanOrEqual(1);
  });
});

describe('WeChat Pay notification security', () => {
  async function pendingOrder() {
    await stock(db(), 'sku-sec', 100);
    return createTestOrder(db(), ALICE, 'sku-sec', 1, 880);
  }
  const post = (body: string, headers: Record<string, string>) => call('POST', '/v1/payments/wechatpay/notify', { rawBody: body, headers: { ...headers, 'content-type': 'application/json' } });

  it('rejects a tampered body with 401 and changes nothing', async () => {
    const order = await pendingOrder();
    const n = buildSandboxNotification(sandbox(), 'TRANSACTION.SUCCESS', 'transaction', transactionResource(order.charges[0].id, 880, 'SUCCESS'));
    const tampered = n.body.replace('"event_type":"TRANSACTION.SUCCESS"', '"event_type":"TRANSACTION.SUCCESS" ');
    expectProblem(await post(tampered, n.headers), 401, 'invalid_signature');
    expect((await getOrder(db(), order.id))!.status).toBe('PENDING_PAYMENT');
  });

  it('rejects an unknown serial, a missing signature and a stale timestamp', async () => {
    const order = await pendingOrder();
    const n = buildSandboxNotification(sandbox(), 'TRANSACTION.SUCCESS', 'transaction', transactionResource(order.charges[0].id, 880, 'SUCCESS'));
    expectProblem(await post(n.body, { ...n.headers, 'wechatpay-serial': 'SOMEONE-ELSE' }), 401, 'invalid_signature');
    const { ['wechatpay-signature']: _omit, ...noSig } = n.headers;
    expectProblem(await post(n.body, noSig), 401, 'invalid_signature');
    const stale = buildSandboxNotification(sandbox(), 'TRANSACTION.SUCCESS', 'transaction', transactionResource(order.charges[0].id, 880, 'SUCCESS'), past(6));
    expectProblem(await post(stale.body, stale.headers), 401, 'invalid_signature');
    expect((await getOrder(db(), order.id))!.status).toBe('PENDING_PAYMENT');
  });

  it('rejects an amount that does not match the order', async () => {
    const order = await pendingOrder();
    const n = buildSandboxNotification(sandbox(), 'TRANSACTION.SUCCESS', 'transaction', transactionResource(order.charges[0].id, 1, 'SUCCESS'));
    expectProblem(await post(n.body, n.headers), 400, 'amount_mismatch');
    expect((await getOrder(db(), order.id))!.status).toBe('PENDING_PAYMENT');
  });

  it('applies a duplicate notification once (parallel replays included)', async () => {
    const order = await pendingOrder();
    const n = buildSandboxNotification(sandbox(), 'TRANSACTION.SUCCESS', 'transaction', transactionResource(order.charges[0].id, 880, 'SUCCESS'));
    const results = await Promise.all(Array.from({ length: 5 }, () => post(n.body, n.headers)));
    expect(results.map((r) => r.status)).toEqual([204, 204, 204, 204, 204]);
    const stored = await getOrder(db(), order.id);
    expect(stored!.status).toBe('PAID');
    const version = stored!.version;
    expect((await post(n.body, n.headers)).status).toBe(204);
    expect((await getOrder(db(), order.id))!.version).toBe(version);
  });

  it('a failed payment leaves the order payable', async () => {
    const order = await pendingOrder();
    const res = await call('POST', `/v1/dev/payments/${order.id}/fail`, { token: alice });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('PENDING_PAYMENT');
    expect(await notifyCount(ALICE, 'payment_failed')).toBeGreaterThanOrEqual(1);
  });
});

describe('ownership', () => {
  it("another user's order is 404 on every route, never 403", async () => {
    await stock(db(), 'sku-own', 1);
    const order = await createTestOrder(db(), ALICE, 'sku-own', 1);
    for (const [m, path] of [
      ['GET', `/v1/orders/${order.id}`],
      ['POST', `/v1/orders/${order.id}/pay`],
      ['POST', `/v1/orders/${order.id}/cancel`],
      ['POST', `/v1/orders/${order.id}/refund`],
      ['GET', `/v1/orders/${order.id}/refund-quote`],
    ] as const) {
      expectProblem(await call(m, path, { token: bob }), 404, 'order_not_found');
    }
    expect((await getOrder(db(), order.id))!.status).toBe('PENDING_PAYMENT');
    expectProblem(await call('GET', `/v1/orders/${order.id}`), 401, 'unauthorized');
  });
});

describe('idempotency', () => {
  const route = listRoutes().find((r) => r.routeKey === 'POST /v1/orders/{orderId}/pay')!;
  const ctx = (key: string, body: unknown) => ({ route, user: { id: 'carol', roles: ['passenger'] }, idempotencyKey: key, body, lambdaContext: { getRemainingTimeInMillis: () => 29_000 } }) as unknown as RouteContext;

  it('the same key ×20 in parallel creates one order; every answer is that order or 409 in progress', async () => {
    await stock(db(), 'sku-idem', 50);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        withIdempotency(ctx('key-idem-000001', { qty: 1 }), async () => {
          const o = await createTestOrder(db(), 'carol', 'sku-idem', 1);
          return { status: 201, body: { id: o.id } };
        }),
      ),
    );
    const ok = results.filter((r): r is PromiseFulfilledResult<any> => r.status === 'fulfilled');
    const ids = new Set(ok.map((r) => r.value.body.id));
    expect(ids.size).toBe(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as Error).name).toBe('IdempotencyAlreadyInProgressError');
    expect(await remaining(db(), 'sku-idem')).toBe(49);
    // a later retry with the same key returns the same order
    const again = await withIdempotency(ctx('key-idem-000001', { qty: 1 }), async () => ({ status: 201, body: { id: 'new' } }));
    expect(again.body).toEqual({ id: [...ids][0] });
  });

  it('the same key with a different body is 422 idempotency_key_reused', async () => {
    await withIdempotency(ctx('key-idem-000002', { qty: 1 }), async () => ({ status: 201, body: { ok: 1 } }));
    await expect(withIdempotency(ctx('key-idem-000002', { qty: 2 }), async () => ({ status: 201, body: { ok: 2 } }))).rejects.toMatchObject({ name: 'IdempotencyValidationError' });
  });

  it('over HTTP: the same Idempotency-Key on pay returns the same parameters', async () => {
    await stock(db(), 'sku-idem2', 5);
    const order = await createTestOrder(db(), ALICE, 'sku-idem2', 1);
    const a = await call('POST', `/v1/orders/${order.id}/pay`, { token: alice, idempotencyKey: 'pay-key-0001' });
    const b = await call('POST', `/v1/orders/${order.id}/pay`, { token: alice, idempotencyKey: 'pay-key-0001' });
    expect(a.status).toBe(200);
    expect(b.body).toEqual(a.body);
  });
});

describe('listing', () => {
  it('lists my orders newest first with an opaque cursor and filters by status', async () => {
    await stock(db(), 'sku-list', 100);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createTestOrder(db(), 'dave', 'sku-list', 1)).id);
    const dave = await tokenFor('dave');
    await call('POST', `/v1/dev/payments/${ids[1]}/succeed`, { token: dave });
    const page1 = await call('GET', '/v1/orders?limit=3', { token: dave });
    expect(page1.body.orders.map((o: any) => o.id)).toEqual([ids[4], ids[3], ids[2]]);
    expect(page1.body.nextCursor).toBeTruthy();
    const page2 = await call('GET', `/v1/orders?limit=3&cursor=${page1.body.nextCursor}`, { token: dave });
    expect(page2.body.orders.map((o: any) => o.id)).toEqual([ids[1], ids[0]]);
    const paid = await call('GET', '/v1/orders?status=PAID', { token: dave });
    expect(paid.body.orders.map((o: any) => o.id)).toEqual([ids[1]]);
    expectProblem(await call('GET', '/v1/orders?cursor=not-a-cursor', { token: dave }), 400, 'invalid_cursor');
    expectProblem(await call('GET', '/v1/orders?status=LOST', { token: dave }), 400, 'validation_failed');
    const notes = await call('GET', '/v1/me/notifications', { token: dave });
    expect(notes.body.notifications[0]).toMatchObject({ kind: 'order_paid', orderId: ids[1] });
  });
});
