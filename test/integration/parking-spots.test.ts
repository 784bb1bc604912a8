/**
 * Parking owners and search on DynamoDB Local: listing spots (validation, midnight-crossing
 * windows), owner-only access, changes that conflict with paid reservations (409 / force),
 * and the geohash search (distance, schedule, taken slots, price).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { call, expectProblem, tokenFor } from '../support/api';
import { db } from '../../shared/db/client';
import { addDays, atShanghaiTime, serviceDay, dayOfWeek } from '../../shared/domain/time';
import { seeder, DEMO_SPOTS } from '../../infra/local/seeders/parking';

const ALL_WEEK = [{ days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' }];
let owner: string;
let other: string;
let driver: string;

beforeAll(async () => {
  owner = await tokenFor('owner-1');
  other = await tokenFor('owner-2');
  driver = await tokenFor('driver-1');
});

const tomorrow = () => addDays(serviceDay(Date.now()), 1);
const iso = (day: string, hhmm: string) => atShanghaiTime(day, hhmm).toISOString();

function spotBody(over: Record<string, unknown> = {}) {
  return {
    title: '人民广场 地下车位 B2-018',
    address: '上海市黄浦区人民大道 120 号',
    city: 'shanghai',
    location: { lat: 31.2323, lng: 121.475 },
    pricePerHourFen: 1000,
    availability: ALL_WEEK,
    features: ['underground', 'covered'],
    accessNotes: 'B2 层，电梯旁',
    ...over,
  };
}

async function createSpot(token: string, over: Record<string, unknown> = {}) {
  const r = await call('POST', '/v1/parking/spots', { token, body: spotBody(over) });
  expect(r.status, r.text).toBe(201);
  return r.body;
}

async function reserveAndPay(spotId: string, start: string, end: string, token = driver) {
  const r = await call('POST', '/v1/parking/reservations', { token, body: { spotId, start, end, plate: '沪A12345' } });
  expect(r.status, r.text).toBe(201);
  const paid = await call('POST', `/v1/dev/payments/${r.body.id}/succeed`, { token });
  expect(paid.status, paid.text).toBe(200);
  expect(paid.body.status).toBe('PAID');
  return r.body;
}

describe('POST /v1/parking/spots', () => {
  it('creates a spot with a window crossing midnight; the owner sees it in /mine', async () => {
    const r = await call('POST', '/v1/parking/spots', {
      token: owner,
      body: spotBody({ availability: [{ days: [1, 2, 3, 4], start: '22:00', end: '07:00' }, { days: [5], start: '22:00', end: '24:00' }, { days: [6, 7], start: '00:00', end: '24:00' }], dailyCapFen: 6000 }),
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ spotId: expect.stringMatching(/^spt_/), ownerId: 'owner-1', active: true, dailyCapFen: 6000, accessNotes: 'B2 层，电梯旁' });
    const mine = await call('GET', '/v1/parking/spots/mine', { token: owner });
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((s: any) => s.spotId)).toContain(r.body.spotId);
    const theirs = await call('GET', '/v1/parking/spots/mine', { token: other });
    expect(theirs.body.items.map((s: any) => s.spotId)).not.toContain(r.body.spotId);
  });

  it.each([
    ['bad coordinates', { location: { lat: 91, lng: 121 } }, 'validation_failed'],
    ['coordinates outside China', { location: { lat: 48.85, lng: 2.35 } }, 'validation_failed'],
    ['empty availability', { availability: [] }, 'validation_failed'],
    ['end = start', { availability: [{ days: [1], start: '09:00', end: '09:00' }] }, 'empty_window'],
    ['overlapping windows', { availability: [{ days: [1, 2], start: '08:00', end: '18:00' }, { days: [2], start: '17:00', end: '20:00' }] }, 'overlapping_windows'],
    ['a midnight window overlapping the next morning', { availability: [{ days: [1], start: '22:00', end: '07:00' }, { days: [2], start: '06:00', end: '09:00' }] }, 'overlapping_windows'],
    ['times off the quarter hour', { availability: [{ days: [1], start: '09:10', end: '10:00' }] }, 'validation_failed'],
    ['a blackout ending before it starts', { blackouts: [{ start: '2026-12-01T10:00:00+08:00', end: '2026-12-01T09:00:00+08:00' }] }, 'invalid_blackout'],
    ['unknown fields', { colour: 'red' }, 'validation_failed'],
    ['zero price', { pricePerHourFen: 0 }, 'validation_failed'],
  ])('400 for %s', async (_name, over, code) => {
    const r = await call('POST', '/v1/parking/spots', { token: owner, body: spotBody(over) });
    expectProblem(r, 400, code);
  });

  it('needs a signed-in user', async () => {
    expectProblem(await call('POST', '/v1/parking/spots', { body: spotBody() }), 401, 'unauthorized');
  });

  it('is idempotent with an Idempotency-Key', async () => {
    const a = await call('POST', '/v1/parking/spots', { token: owner, body: spotBody({ title: 'idem' }), idempotencyKey: 'spot-idem-0001' });
    const b = await call('POST', '/v1/parking/spots', { token: owner, body: spotBody({ title: 'idem' }), idempotencyKey: 'spot-idem-0001' });
    expect(a.status).toBe(201);
    expect(b.body.spotId).toBe(a.body.spotId);
    const c = await call('POST', '/v1/parking/spots', { token: owner, body: spotBody({ title: 'other' }), idempotencyKey: 'spot-idem-0001' });
    expectProblem(c, 422, 'idempotency_key_reused');
  });
});

describe('owner-only access', () => {
  it("another user's spot is 404 for PATCH and reservations; GET shows the public view", async () => {
    const s = await createSpot(owner);
    expectProblem(await call('PATCH', `/v1/parking/spots/${s.spotId}`, { token: other, body: { pricePerHourFen: 1 } }), 404, 'spot_not_found');
    expectProblem(await call('GET', `/v1/parking/spots/${s.spotId}/reservations`, { token: other }), 404, 'spot_not_found');
    const pub = await call('GET', `/v1/parking/spots/${s.spotId}`, { token: other });
    expect(pub.status).toBe(200);
    expect(pub.body.accessNotes).toBeUndefined();
    expect(pub.body.ownerId).toBeUndefined();
    const own = await call('GET', `/v1/parking/spots/${s.spotId}`, { token: owner });
    expect(own.body.accessNotes).toBe('B2 层，电梯旁');
    expectProblem(await call('GET', '/v1/parking/spots/spt_01JAAAAAAAAAAAAAAAAAAAAAAA/reservations', { token: owner }), 404, 'spot_not_found');
  });

  it('a deactivated spot is 404 to others and leaves the search index', async () => {
    const s = await createSpot(owner, { location: { lat: 30.5, lng: 114.3 } });
    const p = await call('PATCH', `/v1/parking/spots/${s.spotId}`, { token: owner, body: { active: false } });
    expect(p.status, p.text).toBe(200);
    expect(p.body.active).toBe(false);
    expectProblem(await call('GET', `/v1/parking/spots/${s.spotId}`, { token: other }), 404, 'spot_not_found');
    const d = db();
    const idx = await d.doc.send(new QueryCommand({ TableName: d.tableName, IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :p', ExpressionAttributeValues: { ':p': 'PGEO#wt3mf' } }));
    expect((idx.Items ?? []).map((i) => i.spotId)).not.toContain(s.spotId);
    const back = await call('PATCH', `/v1/parking/spots/${s.spotId}`, { token: owner, body: { active: true } });
    expect(back.body.active).toBe(true);
  });
});

describe('PATCH conflicts with paid reservations', () => {
  it('narrowing windows: 409 conflicts_with_reservations listing them; force refunds them in full and frees the slots', async () => {
    const s = await createSpot(owner, { location: { lat: 22.54, lng: 114.05 }, city: 'shenzhen' });
    const day = addDays(tomorrow(), 1);
    const res = await reserveAndPay(s.spotId, iso(day, '20:00'), iso(day, '22:00'));
    // a change that keeps the reservation is fine
    const ok = await call('PATCH', `/v1/parking/spots/${s.spotId}`, { token: owner, body: { availability: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '12:00', end: '23:00' }], pricePerHourFen: 1200 } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.pricePerHourFen).toBe(1200);

    const narrow = { availability: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '08:00', end: '18:00' }] };
    const r = await call('PATCH', `/v1/parking/spots/${s.spotId}`, { token: owner, body: narrow });
    expectProblem(r, 409, 'conflicts_with_reservations');
    expect(r.body.reservations).toEqual([expect.objectContaining({ orderId: res.id, plate: '沪A12345', status: 'PAID' })]);
    // unchanged
    expect((await call('GET', `/v1/parking/spots/${s.spotId}`, { token: owner })).body.availability[0].start).toBe('12:00');

    const forced = await call('PATCH', `/v1/parking/spots/${s.spotId}`, { token: owner, body: { ...narrow, force: true } });
    expect(forced.status, forced.text).toBe(200);
    expect(forced.body.cancelledReservations.map((c: any) => c.orderId)).toEqual([res.id]);
    const order = await call('GET', `/v1/orders/${res.id}`, { token: driver });
    expect(['REFUND_PENDING', 'REFUNDED']).toContain(order.body.status);
    expect(order.body.refund).toMatchObject({ amountFen: 2000, feeFen: 0 });
    // slots are free again: widen and reserve the same time
    await call('PATCH', `/v1/parking/spots/${s.spotId}`, { token: owner, body: { availability: ALL_WEEK } });
    const again = await call('POST', '/v1/parking/reservations', { token: driver, body: { spotId: s.spotId, start: iso(day, '20:00'), end: iso(day, '22:00'), plate: '沪A12345' } });
    expect(again.status, again.text).toBe(201);
    // owner's view: plate, times, status, earnings
    const list = await call('GET', `/v1/parking/spots/${s.spotId}/reservations`, { token: owner });
    expect(list.status).toBe(200);
    const refunded = list.body.items.find((i: any) => i.orderId === res.id);
    expect(refunded).toMatchObject({ plate: '沪A12345', earningsFen: 0, priceFen: 2000 });
    expect(list.body.items.find((i: any) => i.orderId === again.body.id)).toMatchObject({ status: 'PENDING_PAYMENT', earningsFen: 0 });
  });

  it('adding a blackout over a reservation or deactivating conflicts too; a blackout elsewhere does not', async () => {
    const s = await createSpot(owner, { location: { lat: 23.13, lng: 113.26 }, city: 'guangzhou' });
    const day = addDays(tomorrow(), 2);
    const res = await reserveAndPay(s.spotId, iso(day, '10:00'), iso(day, '11:00'));
    const blackout = { blackouts: [{ start: iso(day, '00:00'), end: iso(addDays(day, 1), '00:00') }] };
    const b = await call('PATCH', `/v1/parking/spots/${s.spotId}`, { token: owner, body: blackout });
    expectProblem(b, 409, 'conflicts_with_reservations');
    expect(b.body.reservations[0].orderId).toBe(res.id);
    const off = await call('PATCH', `/v1/parking/spots/${s.spotId}`, { token: owner, body: { active: false } });
    expectProblem(off, 409, 'conflicts_with_reservations');
    // a blackout on another day is fine
    const other = await call('PATCH', `/v1/parking/spots/${s.spotId}`, { token: owner, body: { blackouts: [{ start: iso(addDays(day, 1), '00:00'), end: iso(addDays(day, 2), '00:00') }] } });
    expect(other.status, other.text).toBe(200);
    const earn = await call('GET', `/v1/parking/spots/${s.spotId}/reservations`, { token: owner });
    expect(earn.body.items[0]).toMatchObject({ orderId: res.id, status: 'PAID', earningsFen: 1000 });
  });
});

describe('GET /v1/parking/spots/search', () => {
  // A neighbourhood of its own (西湖, 杭州) so other tests' spots do not interfere.
  const C = { lat: 30.2590, lng: 120.1300 };
  let near: any, mid: any, far: any, outside: any, nights: any, blacked: any;
  const q = (o: Record<string, string | number>) => '?' + new URLSearchParams(Object.entries(o).map(([k, v]) => [k, String(v)] as [string, string])).toString();

  beforeAll(async () => {
    const day = addDays(serviceDay(Date.now()), 3);
    near = await createSpot(owner, { title: 'near', city: 'hangzhou', location: { lat: C.lat + 0.001, lng: C.lng }, pricePerHourFen: 800, dailyCapFen: 3000 });
    mid = await createSpot(owner, { title: 'mid', city: 'hangzhou', location: { lat: C.lat, lng: C.lng + 0.02 } });
    far = await createSpot(owner, { title: 'far', city: 'hangzhou', location: { lat: C.lat + 0.04, lng: C.lng } }); // ~4.4 km
    outside = await createSpot(owner, { title: 'outside', city: 'hangzhou', location: { lat: C.lat + 0.1, lng: C.lng } }); // ~11 km
    nights = await createSpot(owner, { title: 'nights', city: 'hangzhou', location: { lat: C.lat - 0.002, lng: C.lng }, availability: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '22:00', end: '07:00' }] });
    blacked = await createSpot(owner, { title: 'blacked', city: 'hangzhou', location: { lat: C.lat - 0.003, lng: C.lng }, blackouts: [{ start: iso(day, '00:00'), end: iso(addDays(day, 1), '00:00') }] });
  });

  it('finds spots within the radius, nearest first, with distance and the window price', async () => {
    const day = addDays(serviceDay(Date.now()), 3);
    const r = await call('GET', `/v1/parking/spots/search${q({ ...C, radiusM: 5000, start: iso(day, '09:00'), end: iso(day, '12:00') })}`);
    expect(r.status, r.text).toBe(200);
    const ids = r.body.items.map((i: any) => i.title);
    expect(ids).toEqual(['near', 'mid', 'far']); // nights: not offered at 09:00; blacked: blackout day; outside: 11 km
    expect(r.body.items[0].distanceM).toBeGreaterThan(100);
    expect(r.body.items[0].distanceM).toBeLessThan(120);
    expect(r.body.items[0].priceFen).toBe(2400);
    expect(r.body.items[0].accessNotes).toBeUndefined();
    expect(r.body.window).toEqual({ start: `${day}T09:00:00+08:00`, end: `${day}T12:00:00+08:00`, rounded: false });
    const small = await call('GET', `/v1/parking/spots/search${q({ ...C, radiusM: 1000, start: iso(day, '09:00'), end: iso(day, '12:00') })}`);
    expect(small.body.items.map((i: any) => i.title)).toEqual(['near']);
  });

  it('caps the price per calendar day and shows a midnight-crossing spot at night', async () => {
    const day = addDays(serviceDay(Date.now()), 3);
    const r = await call('GET', `/v1/parking/spots/search${q({ ...C, radiusM: 500, start: iso(day, '23:00'), end: iso(addDays(day, 1), '06:50') })}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.window.rounded).toBe(true);
    const byTitle = Object.fromEntries(r.body.items.map((i: any) => [i.title, i]));
    expect(Object.keys(byTitle).sort()).toEqual(['near', 'nights']); // blacked is blacked out on `day`
    // near: 1 h on day (800) + 7 h next day (5600, capped 3000)
    expect(byTitle.near.priceFen).toBe(3800);
    expect(byTitle.nights.priceFen).toBe(8000);
  });

  it('leaves out a spot whose time is taken by a hold', async () => {
    const day = addDays(serviceDay(Date.now()), 4);
    const res = await call('POST', '/v1/parking/reservations', { token: driver, body: { spotId: mid.spotId, start: iso(day, '10:00'), end: iso(day, '11:00'), plate: '浙A12345' } });
    expect(res.status, res.text).toBe(201);
    const overlap = await call('GET', `/v1/parking/spots/search${q({ ...C, radiusM: 5000, start: iso(day, '10:45'), end: iso(day, '12:00') })}`);
    expect(overlap.body.items.map((i: any) => i.title)).not.toContain('mid');
    const after = await call('GET', `/v1/parking/spots/search${q({ ...C, radiusM: 5000, start: iso(day, '11:00'), end: iso(day, '12:00') })}`);
    expect(after.body.items.map((i: any) => i.title)).toContain('mid');
    expect(far.spotId).toBeTruthy();
    expect(outside.spotId).toBeTruthy();
    expect(blacked.spotId).toBeTruthy();
    expect(nights.spotId).toBeTruthy();
  });

  it('rejects a radius over 5 km, a past window and a window without offset', async () => {
    const day = addDays(serviceDay(Date.now()), 3);
    expectProblem(await call('GET', `/v1/parking/spots/search${q({ ...C, radiusM: 5001, start: iso(day, '09:00'), end: iso(day, '10:00') })}`), 400, 'validation_failed');
    expectProblem(await call('GET', `/v1/parking/spots/search${q({ ...C, start: iso(addDays(day, -5), '09:00'), end: iso(day, '10:00') })}`), 422, 'start_in_past');
    expectProblem(await call('GET', `/v1/parking/spots/search${q({ ...C, start: `${day}T09:00:00`, end: iso(day, '10:00') })}`), 400, 'validation_failed');
    expect(dayOfWeek(day)).toBeGreaterThan(0);
  });
});

describe('demo data', () => {
  it('seeds spots in two cities idempotently; a driver finds the 陆家嘴 spot at night', async () => {
    const now = new Date();
    await seeder.run(db(), now);
    await seeder.run(db(), now);
    const o1 = await tokenFor('demo-owner-1');
    const mine = await call('GET', '/v1/parking/spots/mine?limit=100', { token: o1 });
    const ids = mine.body.items.map((s: any) => s.spotId);
    expect(ids.filter((id: string) => id === DEMO_SPOTS[0].id)).toHaveLength(1);
    expect(new Set(DEMO_SPOTS.map((s) => s.spot.city))).toEqual(new Set(['shanghai', 'beijing']));
    // Saturday is always in the window of the 陆家嘴 spot
    let d = addDays(serviceDay(now), 1);
    while (dayOfWeek(d) !== 6) d = addDays(d, 1);
    const q = new URLSearchParams({ lat: '31.2400', lng: '121.5000', radiusM: '1000', start: iso(d, '10:00'), end: iso(d, '12:00') });
    const r = await call('GET', `/v1/parking/spots/search?${q}`, { token: driver });
    expect(r.body.items.map((i: any) => i.spotId)).toContain(DEMO_SPOTS[0].id);
  });
});
