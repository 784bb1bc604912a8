/**
 * Cruise money: full price vs deposit + balance, the balance deadline (jobs), the penalty
 * schedule at every boundary (default and per voyage), and voyage cancellation (everyone
 * refunded in full, holds cancelled, cabins closed).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { call, expectProblem, tokenFor } from '../support/api';
import { db } from '../../shared/db/client';
import { addDays, todayInShanghai } from '../../shared/domain/time';
import { idCheckChar } from '../../shared/domain/idnumber';
import { createPassenger } from '../../shared/passengers/index';
import { getOrder } from '../../shared/orders/service';
import { cruiseKeys } from '../../functions/cruise/keys';
import { jobs, sweepUnpaidBalances } from '../../functions/cruise/jobs';
import '../../functions/cruise/order-plugin';

const today = todayInShanghai();
let op: string;
let seq = 700;

function idCard(n: number): string {
  const first17 = `110101${1970 + (n % 40)}${String(1 + (n % 12)).padStart(2, '0')}${String(1 + (n % 28)).padStart(2, '0')}${String(n % 1000).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

async function addPassenger(userId: string): Promise<string> {
  const n = seq++;
  const body = { name: `旅客${n}`, idType: 'id_card' as const, idNumber: idCard(n) };
  const r = await call('POST', '/v1/me/passengers', { token: await tokenFor(userId), body }).catch(() => undefined);
  if (r?.status === 201) return r.body.id;
  if (r && !(r.status === 404 && (!r.text || r.body?.code === 'route_not_found'))) throw new Error(`passenger: ${r.status} ${r.text}`);
  return (await createPassenger(db(), userId, body)).id;
}

async function makeVoyage(inDays: number, extra: Record<string, unknown> = {}) {
  const r = await call('POST', '/v1/operator/cruise/voyages', {
    token: op,
    body: {
      shipName: '鼓浪屿号',
      name: `航次 ${inDays}`,
      departPort: { code: 'CNSHA', name: '上海吴淞口' },
      departDate: addDays(today, inDays),
      nights: 2,
      international: false,
      itinerary: [{ day: 1, port: '上海' }, { day: 3, port: '上海' }],
      categories: [{ code: 'BAL', name: '阳台房', kind: 'balcony', pricesFen: { '1': 900000, '2': 600000 } }],
      cabins: [
        { number: '9001', categoryCode: 'BAL', deck: 9, maxGuests: 2 },
        { number: '9002', categoryCode: 'BAL', deck: 9, maxGuests: 2 },
        { number: '9003', categoryCode: 'BAL', deck: 9, maxGuests: 2 },
        { number: '9004', categoryCode: 'BAL', deck: 9, maxGuests: 2 },
      ],
      ...extra,
    },
  });
  if (r.status !== 201) throw new Error(`voyage: ${r.status} ${r.text}`);
  return r.body;
}

async function bookAs(user: string, voyageId: string, guests = 1) {
  const ids = [];
  for (let i = 0; i < guests; i++) ids.push(await addPassenger(user));
  const r = await call('POST', '/v1/cruise/bookings', { token: await tokenFor(user), body: { voyageId, categoryCode: 'BAL', passengerIds: ids } });
  if (r.status !== 201) throw new Error(`booking: ${r.status} ${r.text}`);
  return r.body;
}

async function pay(user: string, orderId: string) {
  const r = await call('POST', `/v1/dev/payments/${orderId}/succeed`, { token: await tokenFor(user) });
  if (r.status !== 200) throw new Error(`pay: ${r.status} ${r.text}`);
  return r.body;
}

async function cabinStatus(voyageId: string, number: string) {
  const d = db();
  return (await d.doc.send(new GetCommand({ TableName: d.tableName, Key: cruiseKeys.cabin(voyageId, number), ConsistentRead: true }))).Item?.status;
}

beforeAll(async () => {
  op = await tokenFor('pay-op', ['operator']);
});

describe('payment plan', () => {
  it('60 days or less before sailing: the full price in one charge', async () => {
    const v = await makeVoyage(60);
    const o = await bookAs('plan-60', v.id, 2);
    expect(o.items[0].paymentPlan).toBe('full');
    expect(o.charges).toEqual([{ purpose: 'initial', amountFen: 1200000, status: 'DUE' }]);
  });

  it('more than 60 days: a 20% deposit now, the balance due by the end of the day 45 days before sailing; paying both settles it', async () => {
    const v = await makeVoyage(61);
    const user = 'plan-61';
    const o = await bookAs(user, v.id, 2);
    const dueBy = `${addDays(v.departDate, -45)}T23:59:59+08:00`;
    expect(o.items[0].paymentPlan).toBe('deposit');
    expect(o.amountFen).toBe(1200000);
    expect(o.charges).toEqual([
      { purpose: 'deposit', amountFen: 240000, status: 'DUE' },
      { purpose: 'balance', amountFen: 960000, status: 'DUE', dueBy },
    ]);
    expect(o.nextCharge).toEqual({ purpose: 'deposit', amountFen: 240000 });

    const afterDeposit = await pay(user, o.id);
    expect(afterDeposit).toMatchObject({ status: 'PAID', paidFen: 240000, amountDueFen: 960000, nextCharge: { purpose: 'balance', amountFen: 960000, dueBy } });
    const afterBalance = await pay(user, o.id);
    expect(afterBalance).toMatchObject({ status: 'PAID', paidFen: 1200000, amountDueFen: 0 });
    expect(afterBalance.nextCharge).toBeUndefined();
  });

  it('a voyage may set its own deposit percent', async () => {
    const v = await makeVoyage(120, { depositPercent: 35 });
    const o = await bookAs('plan-35', v.id, 1);
    expect(o.charges.map((c: any) => c.amountFen)).toEqual([315000, 585000]);
  });
});

describe('balance deadline (jobs)', () => {
  it('cancels deposit-only bookings after the deadline, keeping the penalty on the deposit; leaves paid-up and unpaid holds alone', async () => {
    const v = await makeVoyage(100);
    const paidUp = await bookAs('bal-a', v.id, 2);
    await pay('bal-a', paidUp.id);
    await pay('bal-a', paidUp.id);
    const depositOnly = await bookAs('bal-b', v.id, 2);
    await pay('bal-b', depositOnly.id);
    const dueBy = Date.parse(depositOnly.charges[1].dueBy);
    expect(depositOnly.charges[1].dueBy).toBe(`${addDays(v.departDate, -45)}T23:59:59+08:00`);

    // just before the deadline: nothing happens
    await sweepUnpaidBalances(db(), new Date(dueBy - 1000));
    expect((await getOrder(db(), depositOnly.id))?.status).toBe('PAID');
    const d0 = db();
    expect((await d0.doc.send(new GetCommand({ TableName: d0.tableName, Key: cruiseKeys.balanceMarker(v.id), ConsistentRead: true }))).Item).toBeDefined();

    // after it: 44 days before sailing → the 30–59 day tier, 25% of the 240 000 fen deposit kept
    const after = new Date(dueBy + 1000);
    for (const job of jobs) await job(db(), after);
    const cancelled = (await getOrder(db(), depositOnly.id))!;
    expect(['REFUND_PENDING', 'REFUNDED']).toContain(cancelled.status);
    expect(cancelled.refund).toMatchObject({ amountFen: 180000, feeFen: 60000, reason: 'balance_unpaid' });
    expect(cancelled.charges.find((c) => c.purpose === 'balance')?.status).toBe('VOID');
    expect(await cabinStatus(v.id, depositOnly.items[0].cabinNumber)).toBe('free');
    expect((await getOrder(db(), paidUp.id))?.status).toBe('PAID');

    // the voyage's marker is gone: another run does nothing
    const d = db();
    const marker = await d.doc.send(new GetCommand({ TableName: d.tableName, Key: cruiseKeys.balanceMarker(v.id), ConsistentRead: true }));
    expect(marker.Item).toBeUndefined();
    await sweepUnpaidBalances(db(), new Date(dueBy + 60_000));
    expect((await getOrder(db(), depositOnly.id))!.refunds.reduce((s, r) => s + r.amountFen, 0)).toBe(180000);
    expect((await getOrder(db(), paidUp.id))?.status).toBe('PAID');
  });

  it('two overlapping sweeps settle each booking once', async () => {
    const v = await makeVoyage(90);
    const a = await bookAs('bal-c', v.id, 1);
    await pay('bal-c', a.id);
    const after = new Date(Date.parse(a.charges[1].dueBy) + 1000);
    await Promise.all([sweepUnpaidBalances(db(), after), sweepUnpaidBalances(db(), after)]);
    const o = (await getOrder(db(), a.id))!;
    expect(o.refund).toMatchObject({ amountFen: 135000, feeFen: 45000 });
    expect(o.refunds.reduce((s, r) => s + r.amountFen, 0)).toBe(135000);
  });
});

describe('cancellation penalties', () => {
  // booked and refunded the same day, full price 900 000 fen (60 days or less) unless noted
  const cases: [number, number][] = [
    [60, 10],
    [59, 25],
    [30, 25],
    [29, 50],
    [15, 50],
    [14, 100],
    [1, 100],
  ];
  it.each(cases)('%i days before sailing: %i percent kept', async (days, percent) => {
    const v = await makeVoyage(days);
    const user = `pen-${days}`;
    const o = await bookAs(user, v.id, 1);
    await pay(user, o.id);
    const fee = (900000 * percent) / 100;
    const quote = await call('GET', `/v1/orders/${o.id}/refund-quote`, { token: await tokenFor(user) });
    expect(quote.body).toEqual({ paidFen: 900000, refundFen: 900000 - fee, feeFen: fee });
    const r = await call('POST', `/v1/orders/${o.id}/refund`, { token: await tokenFor(user) });
    expect(r.status).toBe(200);
    expect(r.body.refund).toMatchObject({ amountFen: 900000 - fee, feeFen: fee });
    expect(await cabinStatus(v.id, o.items[0].cabinNumber)).toBe('free');
  });

  it('more than 60 days with only the deposit paid: 10% of the deposit kept', async () => {
    const v = await makeVoyage(61);
    const o = await bookAs('pen-61', v.id, 1);
    await pay('pen-61', o.id);
    const r = await call('POST', `/v1/orders/${o.id}/refund`, { token: await tokenFor('pen-61') });
    expect(r.body.refund).toMatchObject({ amountFen: 162000, feeFen: 18000 });
  });

  it('a voyage may set its own schedule', async () => {
    const v = await makeVoyage(95, { penalties: [{ daysBefore: 0, percent: 80 }, { daysBefore: 90, percent: 5 }, { daysBefore: 96, percent: 0 }] });
    expect(v.penalties).toEqual([
      { daysBefore: 96, percent: 0 },
      { daysBefore: 90, percent: 5 },
      { daysBefore: 0, percent: 80 },
    ]);
    const o = await bookAs('pen-custom', v.id, 1);
    await pay('pen-custom', o.id);
    const r = await call('POST', `/v1/orders/${o.id}/refund`, { token: await tokenFor('pen-custom') });
    expect(r.body.refund).toMatchObject({ amountFen: 171000, feeFen: 9000 });
  });
});

describe('voyage cancellation', () => {
  it('refunds every paid booking in full, cancels unpaid holds, closes every cabin and hides the voyage', async () => {
    const v = await makeVoyage(100);
    const full = await bookAs('vc-a', v.id, 2);
    await pay('vc-a', full.id);
    await pay('vc-a', full.id);
    const deposit = await bookAs('vc-b', v.id, 1);
    await pay('vc-b', deposit.id);
    const pending = await bookAs('vc-c', v.id, 1);

    expectProblem(await call('PATCH', `/v1/operator/cruise/voyages/${v.id}`, { token: await tokenFor('pay-op-2', ['operator']), body: { status: 'CANCELLED' } }), 404, 'voyage_not_found');
    expectProblem(await call('PATCH', `/v1/operator/cruise/voyages/${v.id}`, { token: await tokenFor('vc-a'), body: { status: 'CANCELLED' } }), 403, 'forbidden');
    expectProblem(await call('PATCH', `/v1/operator/cruise/voyages/${v.id}`, { token: op, body: { status: 'SCHEDULED' } }), 400, 'validation_failed');

    const r = await call('PATCH', `/v1/operator/cruise/voyages/${v.id}`, { token: op, body: { status: 'CANCELLED', reason: '台风' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'CANCELLED', cancelReason: '台风', bookings: { refunded: 2, cancelled: 1, failed: 0 } });

    const a = (await getOrder(db(), full.id))!;
    expect(a.refund).toMatchObject({ amountFen: 1200000, feeFen: 0, reason: 'voyage_cancelled' });
    const b = (await getOrder(db(), deposit.id))!;
    expect(b.refund).toMatchObject({ amountFen: 180000, feeFen: 0 });
    expect((await getOrder(db(), pending.id))!.status).toBe('CANCELLED');
    for (const n of ['9001', '9002', '9003', '9004']) expect(await cabinStatus(v.id, n)).toBe('closed');

    const detail = await call('GET', `/v1/cruise/voyages/${v.id}`);
    expect(detail.body.status).toBe('CANCELLED');
    expect(detail.body.categories[0].cabinsLeft).toBe(0);
    const search = await call('GET', `/v1/cruise/voyages?from=${addDays(today, 99)}&to=${addDays(today, 101)}`);
    expect(search.body.items.map((x: any) => x.id)).not.toContain(v.id);
    const late = await call('POST', '/v1/cruise/bookings', { token: await tokenFor('vc-d'), body: { voyageId: v.id, categoryCode: 'BAL', passengerIds: [await addPassenger('vc-d')] } });
    expectProblem(late, 409, 'voyage_cancelled');

    // repeating is safe and finds nothing left to do
    const again = await call('PATCH', `/v1/operator/cruise/voyages/${v.id}`, { token: op, body: { status: 'CANCELLED' } });
    expect(again.status).toBe(200);
    expect(again.body.bookings).toEqual({ refunded: 0, cancelled: 0, failed: 0 });
    // the balance job has nothing to do for it either
    await sweepUnpaidBalances(db(), new Date(Date.parse(deposit.charges[1].dueBy) + 1000));
    expect((await getOrder(db(), deposit.id))!.refunds.reduce((s, x) => s + x.amountFen, 0)).toBe(180000);
    // every guest was told
    const d = db();
    const notes = await d.doc.send(new QueryCommand({ TableName: d.tableName, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :s)', ExpressionAttributeValues: { ':pk': 'USER#vc-a', ':s': 'NOTIF#' } }));
    expect((notes.Items ?? []).some((n) => n.kind === 'cruise_voyage_cancelled')).toBe(true);
  });
});
