import { describe, expect, it } from 'vitest';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { call, expectProblem, tokenFor } from '../support/api';
import { db } from '../../shared/db/client';
import { addPassenger, makeTrip, operatorToken } from './ticketing-support';

const S: [string, string, string][] = [
  ['bk-a', '甲站', '甲市'],
  ['bk-b', '乙站', '乙市'],
  ['bk-c', '丙站', '丙市'],
  ['bk-d', '丁站', '丁市'],
];

const remaining = async (tripFrom: string, to: string, date: string, tripId: string, cls = 'SE') => {
  const r = await call('GET', `/v1/trips/search?from=${tripFrom}&to=${to}&date=${date}`);
  return r.body.trips.find((t: any) => t.tripId === tripId).classes.find((c: any) => c.code === cls).remaining as number;
};

describe('ticket orders', () => {
  it('holds seats for a party in one row, one ticket per passenger, and remaining is exact per segment', async () => {
    const op = await operatorToken('op-bk');
    const { tripId, serviceDate } = await makeTrip({ token: op, stations: S, classes: [{ code: 'SE', name: '二等座', seats: 100, fare: 5000 }] });
    const u = await tokenFor('bk-user-1');
    const p1 = await addPassenger(u, 1, '张三');
    const p2 = await addPassenger(u, 2, '李四');
    const p3 = await addPassenger(u, 3, '王五');
    const r = await call('POST', '/v1/ticket-orders', { token: u, body: { legs: [{ tripId, from: 'bk-a', to: 'bk-c', classCode: 'SE' }], passengerIds: [p1, p2, p3] }, idempotencyKey: 'order-key-0001' });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ kind: 'ticket', status: 'PENDING_PAYMENT', amountFen: 30000 });
    expect(r.body.items).toHaveLength(3);
    expect(r.body.items.map((t: any) => t.passengerName)).toEqual(['张三', '李四', '王五']);
    for (const t of r.body.items) expect(t).toMatchObject({ tripId, from: 'bk-a', to: 'bk-c', classCode: 'SE', priceFen: 10000 });
    const seats = r.body.items.map((t: any) => t.seat as string);
    expect(new Set(seats).size).toBe(3);
    // Same car and row (e.g. 01车07A, 01车07B, 01车07C).
    expect(new Set(seats.map((s: string) => s.slice(0, 5))).size).toBe(1);
    // 30-minute hold for a departure days away.
    const hold = Date.parse(r.body.holdExpiresAt) - Date.parse(r.body.createdAt);
    expect(hold).toBe(30 * 60_000);
    // Same key, same body: the same order.
    const again = await call('POST', '/v1/ticket-orders', { token: u, body: { legs: [{ tripId, from: 'bk-a', to: 'bk-c', classCode: 'SE' }], passengerIds: [p1, p2, p3] }, idempotencyKey: 'order-key-0001' });
    expect(again.body.id).toBe(r.body.id);

    expect(await remaining('bk-a', 'bk-b', serviceDate, tripId)).toBe(97);
    expect(await remaining('bk-b', 'bk-c', serviceDate, tripId)).toBe(97);
    expect(await remaining('bk-c', 'bk-d', serviceDate, tripId)).toBe(100);
    expect(await remaining('bk-a', 'bk-d', serviceDate, tripId)).toBe(97);

    // The same people cannot hold a second ticket on an overlapping part of the trip —
    // even booked from another account.
    const u2 = await tokenFor('bk-user-2');
    const same = await addPassenger(u2, 2, '李四');
    const c = await call('POST', '/v1/ticket-orders', { token: u2, body: { legs: [{ tripId, from: 'bk-b', to: 'bk-d', classCode: 'SE' }], passengerIds: [same] } });
    expectProblem(c, 409, 'passenger_conflict');
    expect(c.body).toMatchObject({ leg: 0, passengerId: same });
    // A non-overlapping part is fine.
    const ok = await call('POST', '/v1/ticket-orders', { token: u2, body: { legs: [{ tripId, from: 'bk-c', to: 'bk-d', classCode: 'SE' }], passengerIds: [same] } });
    expect(ok.status, ok.text).toBe(201);

    // Contract and rule failures.
    const six = await call('POST', '/v1/ticket-orders', { token: u, body: { legs: [{ tripId, from: 'bk-a', to: 'bk-c', classCode: 'SE' }], passengerIds: [p1, p2, p3, 'psg_01JAAAAAAAAAAAAAAAAAAAAAAA', 'psg_01JAAAAAAAAAAAAAAAAAAAAAAB', 'psg_01JAAAAAAAAAAAAAAAAAAAAAAC'] } });
    expectProblem(six, 400, 'validation_failed');
    expectProblem(await call('POST', '/v1/ticket-orders', { token: u, body: { legs: [{ tripId, from: 'bk-c', to: 'bk-a', classCode: 'SE' }], passengerIds: [p1] } }), 422, 'invalid_segment');
    expectProblem(await call('POST', '/v1/ticket-orders', { token: u, body: { legs: [{ tripId, from: 'bk-a', to: 'bk-b', classCode: 'XX' }], passengerIds: [p1] } }), 422, 'unknown_class');
    expectProblem(await call('POST', '/v1/ticket-orders', { token: u, body: { legs: [{ tripId: 'trp_01JAAAAAAAAAAAAAAAAAAAAAAA', from: 'bk-a', to: 'bk-b', classCode: 'SE' }], passengerIds: [p1] } }), 404, 'trip_not_found');
    expectProblem(await call('POST', '/v1/ticket-orders', { token: u2, body: { legs: [{ tripId, from: 'bk-a', to: 'bk-b', classCode: 'SE' }], passengerIds: [p1] } }), 404, 'passenger_not_found');
  });

  it('a seat sold A→B is sold again B→C; sold_out names the leg and class; legs are all or nothing', async () => {
    const op = await operatorToken('op-bk2');
    const one = await makeTrip({ token: op, stations: S.slice(0, 3), classes: [{ code: 'SE', name: '二等座', seats: 1, fare: 1000 }] });
    const big = await makeTrip({ token: op, stations: [['bk-x', '戊站', '戊市'], ['bk-a', '甲站', '甲市']], startMin: 2 * 24 * 60, classes: [{ code: 'SE', name: '二等座', seats: 10, fare: 1000 }] });
    const u = await tokenFor('bk-user-3');
    const pa = await addPassenger(u, 11);
    const pb = await addPassenger(u, 12);
    const pc = await addPassenger(u, 13);
    const ab = await call('POST', '/v1/ticket-orders', { token: u, body: { legs: [{ tripId: one.tripId, from: 'bk-a', to: 'bk-b', classCode: 'SE' }], passengerIds: [pa] } });
    expect(ab.status, ab.text).toBe(201);
    const bc = await call('POST', '/v1/ticket-orders', { token: u, body: { legs: [{ tripId: one.tripId, from: 'bk-b', to: 'bk-c', classCode: 'SE' }], passengerIds: [pb] } });
    expect(bc.status, bc.text).toBe(201);
    expect(bc.body.items[0].seat).toBe(ab.body.items[0].seat);
    expect(await remaining('bk-a', 'bk-b', one.serviceDate, one.tripId)).toBe(0);
    // A 2-leg order whose second leg is sold out holds nothing on the first.
    const before = await remaining('bk-x', 'bk-a', big.serviceDate, big.tripId);
    const r = await call('POST', '/v1/ticket-orders', {
      token: u,
      body: { legs: [{ tripId: big.tripId, from: 'bk-x', to: 'bk-a', classCode: 'SE' }, { tripId: one.tripId, from: 'bk-a', to: 'bk-c', classCode: 'SE' }], passengerIds: [pc] },
    });
    expectProblem(r, 409, 'sold_out');
    expect(r.body).toMatchObject({ leg: 1, tripId: one.tripId, classCode: 'SE' });
    expect(await remaining('bk-x', 'bk-a', big.serviceDate, big.tripId)).toBe(before);
    // Two legs that fit: one order, tickets on both trips.
    const two = await call('POST', '/v1/ticket-orders', { token: u, body: { legs: [{ tripId: big.tripId, from: 'bk-x', to: 'bk-a', classCode: 'SE' }], passengerIds: [pc, pa] } });
    expect(two.status).toBe(201);
    expectProblem(await call('POST', '/v1/ticket-orders', { token: u, body: { legs: [{ tripId: big.tripId, from: 'bk-x', to: 'bk-a', classCode: 'SE' }, { tripId: big.tripId, from: 'bk-x', to: 'bk-a', classCode: 'SE' }], passengerIds: [pb] } }), 422, 'invalid_legs');
  });

  it('sales close 30 minutes before departure; a departure within 2 hours holds for 10 minutes', async () => {
    const op = await operatorToken('op-bk3');
    const soon = await makeTrip({ token: op, stations: S.slice(0, 2), startMin: 20 });
    const inAnHour = await makeTrip({ token: op, stations: S.slice(0, 2), startMin: 90 });
    const u = await tokenFor('bk-user-4');
    const p = await addPassenger(u, 21);
    const closed = await call('POST', '/v1/ticket-orders', { token: u, body: { legs: [{ tripId: soon.tripId, from: 'bk-a', to: 'bk-b', classCode: 'SE' }], passengerIds: [p] } });
    expectProblem(closed, 422, 'sales_closed');
    const search = await call('GET', `/v1/trips/search?from=bk-a&to=bk-b&date=${soon.serviceDate}`);
    expect(search.body.trips.find((t: any) => t.tripId === soon.tripId)?.salesOpen ?? false).toBe(false);
    const r = await call('POST', '/v1/ticket-orders', { token: u, body: { legs: [{ tripId: inAnHour.tripId, from: 'bk-a', to: 'bk-b', classCode: 'SE' }], passengerIds: [p] } });
    expect(r.status, r.text).toBe(201);
    expect(Date.parse(r.body.holdExpiresAt) - Date.parse(r.body.createdAt)).toBe(10 * 60_000);
  });

  it('a hold whose time ran out does not block seats or passengers, even before the sweep', async () => {
    const op = await operatorToken('op-bk4');
    const one = await makeTrip({ token: op, stations: S.slice(0, 2), classes: [{ code: 'SE', name: '二等座', seats: 2, fare: 1000 }] });
    const u = await tokenFor('bk-user-5');
    const p = await addPassenger(u, 81);
    const first = await call('POST', '/v1/ticket-orders', { token: u, body: { legs: [{ tripId: one.tripId, from: 'bk-a', to: 'bk-b', classCode: 'SE' }], passengerIds: [p] } });
    expect(first.status).toBe(201);
    // The hold runs out (as if 30 minutes passed); no sweep has run.
    const past = new Date(Date.now() - 1000).toISOString();
    await db().doc.send(new UpdateCommand({ TableName: db().tableName, Key: { PK: `ORDER#${first.body.id}`, SK: 'ORDER' }, UpdateExpression: 'SET holdExpiresAt = :p, GSI2SK = :s', ExpressionAttributeValues: { ':p': past, ':s': `${past}#${first.body.id}` } }));
    const again = await call('POST', '/v1/ticket-orders', { token: u, body: { legs: [{ tripId: one.tripId, from: 'bk-a', to: 'bk-b', classCode: 'SE' }], passengerIds: [p] } });
    expect(again.status, again.text).toBe(201);
    expect((await call('GET', `/v1/orders/${first.body.id}`, { token: u })).body.status).toBe('EXPIRED');
    // The expired hold's seat came back: one of two seats is held now, and the live hold still counts.
    expect(await remaining('bk-a', 'bk-b', one.serviceDate, one.tripId)).toBe(1);
    expectProblem(await call('POST', '/v1/ticket-orders', { token: u, body: { legs: [{ tripId: one.tripId, from: 'bk-a', to: 'bk-b', classCode: 'SE' }], passengerIds: [p] } }), 409, 'passenger_conflict');
  });
});
