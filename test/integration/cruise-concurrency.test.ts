/**
 * No cabin is ever held by two bookings: 100 concurrent bookings for a category of 30
 * cabins hold exactly 30 distinct cabins; cancelled and expired holds return the cabin.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { call, expectProblem, tokenFor } from '../support/api';
import { db } from '../../shared/db/client';
import { addDays, todayInShanghai } from '../../shared/domain/time';
import { idCheckChar } from '../../shared/domain/idnumber';
import { createPassenger } from '../../shared/passengers/index';
import { cancelOrder, getOrder } from '../../shared/orders/service';
import { cruiseKeys } from '../../functions/cruise/keys';
import '../../functions/cruise/order-plugin';

const N = 100;
const CABINS = 30;
const today = todayInShanghai();

function idCard(n: number): string {
  const first17 = `110101${1970 + (n % 40)}${String(1 + (n % 12)).padStart(2, '0')}${String(1 + (n % 28)).padStart(2, '0')}${String(n % 1000).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

async function addPassenger(userId: string, n: number): Promise<string> {
  const body = { name: `旅客${n}`, idType: 'id_card' as const, idNumber: idCard(n) };
  const r = await call('POST', '/v1/me/passengers', { token: await tokenFor(userId), body }).catch(() => undefined);
  if (r?.status === 201) return r.body.id;
  if (r && !(r.status === 404 && (!r.text || r.body?.code === 'route_not_found'))) throw new Error(`passenger: ${r.status} ${r.text}`);
  return (await createPassenger(db(), userId, body)).id;
}

async function cabins(voyageId: string) {
  const d = db();
  const r = await d.doc.send(
    new QueryCommand({
      TableName: d.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :c)',
      ExpressionAttributeValues: { ':pk': cruiseKeys.voyage(voyageId).PK, ':c': 'CABIN#' },
      ConsistentRead: true,
    }),
  );
  return r.Items ?? [];
}

let voyageId: string;
const users = Array.from({ length: N }, (_, i) => `cc-user-${i}`);
const passengers: string[] = [];

beforeAll(async () => {
  const op = await tokenFor('cc-op', ['operator']);
  const v = await call('POST', '/v1/operator/cruise/voyages', {
    token: op,
    body: {
      shipName: '海洋光谱号',
      name: '并发测试航次',
      departPort: { code: 'CNSHA', name: '上海吴淞口' },
      departDate: addDays(today, 20),
      nights: 2,
      international: false,
      itinerary: [{ day: 1, port: '上海' }, { day: 3, port: '上海' }],
      categories: [
        { code: 'IN', name: '内舱房', kind: 'inside', pricesFen: { '1': 300000, '2': 200000 } },
        { code: 'STE', name: '套房', kind: 'suite', pricesFen: { '1': 1500000, '2': 1000000 } },
      ],
      cabins: [
        ...Array.from({ length: CABINS }, (_, i) => ({ number: `6${String(i).padStart(3, '0')}`, categoryCode: 'IN', deck: 6, maxGuests: 2 })),
        { number: '12001', categoryCode: 'STE', deck: 12, maxGuests: 2 },
      ],
    },
  });
  expect(v.status).toBe(201);
  voyageId = v.body.id;
  for (let i = 0; i < N; i += 20) passengers.push(...(await Promise.all(users.slice(i, i + 20).map((u, j) => addPassenger(u, 300 + i + j)))));
});

describe('100 concurrent bookings for 30 cabins', () => {
  it('hold exactly 30 distinct cabins; every other request is a 409', async () => {
    const results = await Promise.all(
      users.map(async (u, i) => call('POST', '/v1/cruise/bookings', { token: await tokenFor(u), body: { voyageId, categoryCode: 'IN', passengerIds: [passengers[i]] } })),
    );
    const ok = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status !== 201);
    expect(ok).toHaveLength(CABINS);
    for (const r of refused) {
      expect(r.status).toBe(409);
      expect(r.body.code).toBe('sold_out');
    }
    const taken = ok.map((r) => r.body.items[0].cabinNumber);
    expect(new Set(taken).size).toBe(CABINS);

    // the table agrees: every IN cabin held by exactly the order that says it holds it
    const items = (await cabins(voyageId)).filter((c) => c.categoryCode === 'IN');
    expect(items.every((c) => c.status === 'held')).toBe(true);
    const holder = new Map(items.map((c) => [c.number, c.orderId]));
    for (const r of ok) expect(holder.get(r.body.items[0].cabinNumber)).toBe(r.body.id);

    const detail = await call('GET', `/v1/cruise/voyages/${voyageId}`);
    expect(detail.body.categories.find((c: any) => c.code === 'IN').cabinsLeft).toBe(0);
    expect(detail.body.categories.find((c: any) => c.code === 'STE').cabinsLeft).toBe(1);

    // ---- a cancelled hold returns its cabin, and exactly one new booking gets it
    const cancelled = ok[0];
    const cancelledUser = users[results.indexOf(cancelled)];
    const c = await call('POST', `/v1/orders/${cancelled.body.id}/cancel`, { token: await tokenFor(cancelledUser) });
    expect(c.status).toBe(200);
    expect(c.body.status).toBe('CANCELLED');
    const freed = cancelled.body.items[0].cabinNumber;
    expect((await cabins(voyageId)).find((x) => x.number === freed)).toMatchObject({ status: 'free' });

    const losers = refused.slice(0, 5).map((r) => results.indexOf(r));
    const retry = await Promise.all(
      losers.map(async (i) => call('POST', '/v1/cruise/bookings', { token: await tokenFor(users[i]), body: { voyageId, categoryCode: 'IN', passengerIds: [passengers[i]] } })),
    );
    const won = retry.filter((r) => r.status === 201);
    expect(won).toHaveLength(1);
    expect(won[0].body.items[0].cabinNumber).toBe(freed);
    for (const r of retry.filter((x) => x.status !== 201)) expectProblem(r, 409, 'sold_out');

    // ---- an expired hold returns its cabin (the sweep's path: cancelOrder to EXPIRED)
    const expiring = ok[1];
    const order = await getOrder(db(), expiring.body.id);
    const expired = await cancelOrder(db(), order!, { to: 'EXPIRED' });
    expect(expired.status).toBe('EXPIRED');
    const back = expiring.body.items[0].cabinNumber;
    expect((await cabins(voyageId)).find((x) => x.number === back)).toMatchObject({ status: 'free' });
    const i = losers.find((x) => !retry[losers.indexOf(x)] || retry[losers.indexOf(x)].status !== 201)!;
    const again = await call('POST', '/v1/cruise/bookings', { token: await tokenFor(users[i]), body: { voyageId, categoryCode: 'IN', passengerIds: [passengers[i]], cabinNumber: back } });
    expect(again.status).toBe(201);
    expect(again.body.items[0].cabinNumber).toBe(back);
  });
});
