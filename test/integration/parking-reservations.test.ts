/**
 * Driver reservations on DynamoDB Local: the order (kind parking) and its slots in one
 * transaction, rounding, plates, windows (midnight, blackout days), slot_taken, cancellation
 * fee, expired/cancelled holds freeing their hours, idempotency and ownership.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { call, expectProblem, tokenFor } from '../support/api';
import { db } from '../../shared/db/client';
import { addDays, atShanghaiTime, serviceDay } from '../../shared/domain/time';
import { expireHolds } from '../../functions/orders/jobs';

const ALL_WEEK = [{ days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' }];
let owner: string;
let driver: string;
let driver2: string;
let spotId: string;

const day = (n: number) => addDays(serviceDay(Date.now()), n);
const iso = (d: string, hhmm: string) => atShanghaiTime(d, hhmm).toISOString();
const sh = (d: string, hhmm: string) => `${d}T${hhmm}:00+08:00`;

async function createSpot(over: Record<string, unknown> = {}) {
  const r = await call('POST', '/v1/parking/spots', {
    token: owner,
    body: {
      title: '国贸 写字楼 夜间车位',
      address: '北京市朝阳区建国门外大街 1 号',
      city: 'beijing',
      location: { lat: 39.9087, lng: 116.4605 },
      pricePerHourFen: 1000,
      availability: ALL_WEEK,
      accessNotes: '入口在东三环辅路',
      ...over,
    },
  });
  expect(r.status, r.text).toBe(201);
  return r.body.spotId as string;
}

const reserve = (body: Record<string, unknown>, token = driver, idempotencyKey?: string) =>
  call('POST', '/v1/parking/reservations', { token, body: { spotId, plate: '京A12345', ...body }, idempotencyKey });

async function taken(spot: string, d: string): Promise<string[]> {
  const x = db();
  const r = await x.doc.send(new GetCommand({ TableName: x.tableName, Key: { PK: `PSPOT#${spot}`, SK: `DAY#${d}` }, ConsistentRead: true }));
  return [...((r.Item?.taken as Set<string>) ?? [])].sort((a, b) => Number(a) - Number(b));
}

beforeAll(async () => {
  owner = await tokenFor('res-owner');
  driver = await tokenFor('res-driver');
  driver2 = await tokenFor('res-driver-2');
  spotId = await createSpot({ dailyCapFen: 5000 });
});

describe('POST /v1/parking/reservations', () => {
  it('creates a parking order holding the hours, rounded outward, with the slots taken', async () => {
    const d = day(2);
    const r = await reserve({ start: sh(d, '10:05'), end: sh(d, '11:20') });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ kind: 'parking', status: 'PENDING_PAYMENT', amountFen: 1500, amountDueFen: 1500 });
    expect(r.body.id).toMatch(/^ord_/);
    expect(r.body.reservation).toMatchObject({
      spotId,
      start: sh(d, '10:00'),
      end: sh(d, '11:30'),
      plate: '京A12345',
      rounded: true,
      requested: { start: sh(d, '10:05'), end: sh(d, '11:20') },
    });
    expect(r.body.reservation.note).toMatch(/rounded/);
    expect(r.body.items[0]).toMatchObject({ type: 'parking', accessNotes: '入口在东三环辅路' });
    expect(await taken(spotId, d)).toEqual(['40', '41', '42', '43', '44', '45']);
    const got = await call('GET', `/v1/parking/reservations/${r.body.id}`, { token: driver });
    expect(got.status).toBe(200);
    expect(got.body.reservation.start).toBe(sh(d, '10:00'));
    // ownership: 404 for another user
    expectProblem(await call('GET', `/v1/parking/reservations/${r.body.id}`, { token: driver2 }), 404, 'order_not_found');
    expectProblem(await call('POST', `/v1/parking/reservations/${r.body.id}/cancel`, { token: driver2 }), 404, 'order_not_found');
    expectProblem(await call('POST', `/v1/parking/reservations/${r.body.id}/check-in`, { token: driver2 }), 404, 'order_not_found');
  });

  it('409 slot_taken on any overlap with a hold; adjacent windows are fine', async () => {
    const d = day(3);
    expect((await reserve({ start: sh(d, '10:00'), end: sh(d, '12:00') })).status).toBe(201);
    expectProblem(await reserve({ start: sh(d, '11:45'), end: sh(d, '13:00') }, driver2), 409, 'slot_taken');
    expectProblem(await reserve({ start: sh(d, '09:00'), end: sh(d, '10:15') }, driver2), 409, 'slot_taken');
    expectProblem(await reserve({ start: sh(d, '09:00'), end: sh(d, '13:00') }, driver2), 409, 'slot_taken');
    expect((await reserve({ start: sh(d, '12:00'), end: sh(d, '13:00') }, driver2)).status).toBe(201);
    expect((await reserve({ start: sh(d, '09:00'), end: sh(d, '10:00') }, driver2)).status).toBe(201);
    // the failed attempts left nothing behind: 09:00–13:00 is exactly the three reservations
    expect((await taken(spotId, d)).length).toBe(16);
  });

  it('takes slots on every day a reservation touches (7 days = 8 days touched) and caps per day', async () => {
    const s = await createSpot({ location: { lat: 39.98, lng: 116.31 }, dailyCapFen: 3000 });
    const d = day(5);
    const r = await call('POST', '/v1/parking/reservations', { token: driver, body: { spotId: s, start: sh(d, '10:00'), end: sh(addDays(d, 7), '10:00'), plate: '京AD12345' } });
    expect(r.status, r.text).toBe(201);
    // day 1: 14 h → 3000 (cap); 6 full days → 6 × 3000; last day: 10 h → 3000
    expect(r.body.amountFen).toBe(8 * 3000);
    expect((await taken(s, d)).length).toBe(56);
    expect((await taken(s, addDays(d, 3))).length).toBe(96);
    expect((await taken(s, addDays(d, 7))).length).toBe(40);
    const longer = await call('POST', '/v1/parking/reservations', { token: driver, body: { spotId: s, start: sh(addDays(d, 8), '10:00'), end: sh(addDays(d, 15), '10:15'), plate: '京A12345' } });
    expectProblem(longer, 422, 'too_long');
  });

  it.each([
    ['京A12345', 201],
    ['京AD12345', 201],
    ['粤B12345F', 201],
    ['京a·123 45', 201],
    ['京I12345', 400],
    ['ABC1234', 400],
    ['京A1234', 400],
  ])('plate %s → %i', async (plate, status) => {
    const s = await createSpot({ location: { lat: 39.86, lng: 116.37 } });
    const d = day(6);
    const r = await call('POST', '/v1/parking/reservations', { token: driver, body: { spotId: s, start: sh(d, '08:00'), end: sh(d, '09:00'), plate } });
    if (status === 400) expectProblem(r, 400, plate.length < 7 ? 'validation_failed' : 'invalid_plate');
    else {
      expect(r.status, r.text).toBe(201);
      expect(r.body.reservation.plate).toMatch(/^[京粤][A-Z0-9]+$/);
    }
  });

  it('enforces 30 minutes minimum, start not in the past, and a known spot', async () => {
    const d = day(2);
    expectProblem(await reserve({ start: sh(d, '15:00'), end: sh(d, '15:15') }), 422, 'too_short');
    expectProblem(await reserve({ start: sh(day(-1), '15:00'), end: sh(d, '15:15') }), 422, 'start_in_past');
    expectProblem(await reserve({ start: sh(d, '16:00'), end: sh(d, '15:00') }), 400, 'invalid_window');
    expectProblem(await reserve({ start: sh(day(40), '16:00'), end: sh(day(40), '17:00') }), 422, 'too_far_ahead');
    expectProblem(await reserve({ spotId: 'spt_01JAAAAAAAAAAAAAAAAAAAAAAA', start: sh(d, '15:00'), end: sh(d, '16:00') }), 404, 'spot_not_found');
    expectProblem(await reserve({ start: sh(d, '15:00'), end: sh(d, '16:00') }, owner), 422, 'own_spot');
    expectProblem(await reserve({ start: `${d}T15:00:00`, end: sh(d, '16:00') }), 400, 'validation_failed');
  });

  it('422 outside_availability: a window crossing midnight covers the next morning only; blackout days are refused', async () => {
    const d = day(2);
    const nights = await createSpot({ location: { lat: 39.91, lng: 116.46 }, availability: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '22:00', end: '07:00' }], blackouts: [{ start: iso(day(4), '00:00'), end: iso(day(5), '00:00') }] });
    const ok = await call('POST', '/v1/parking/reservations', { token: driver, body: { spotId: nights, start: sh(d, '22:00'), end: sh(addDays(d, 1), '07:00'), plate: '京A12345' } });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.amountFen).toBe(9000);
    const late = await call('POST', '/v1/parking/reservations', { token: driver, body: { spotId: nights, start: sh(addDays(d, 1), '06:30'), end: sh(addDays(d, 1), '07:30'), plate: '京A12345' } });
    expectProblem(late, 422, 'outside_availability');
    expect(late.body.unavailableFrom).toBe(sh(addDays(d, 1), '07:00'));
    const early = await call('POST', '/v1/parking/reservations', { token: driver, body: { spotId: nights, start: sh(d, '21:00'), end: sh(d, '23:00'), plate: '京A12345' } });
    expectProblem(early, 422, 'outside_availability');
    // blackout: the night starting the evening before the blackout day runs into it
    const black = await call('POST', '/v1/parking/reservations', { token: driver, body: { spotId: nights, start: sh(day(3), '23:00'), end: sh(day(4), '01:00'), plate: '京A12345' } });
    expectProblem(black, 422, 'outside_availability');
    expect(black.body.unavailableFrom).toBe(sh(day(4), '00:00'));
    const before = await call('POST', '/v1/parking/reservations', { token: driver, body: { spotId: nights, start: sh(day(3), '22:00'), end: sh(day(4), '00:00'), plate: '京A12345' } });
    expect(before.status, before.text).toBe(201);
  });

  it('a deactivated spot cannot be reserved', async () => {
    const s = await createSpot({ location: { lat: 39.95, lng: 116.45 } });
    await call('PATCH', `/v1/parking/spots/${s}`, { token: owner, body: { active: false } });
    const r = await call('POST', '/v1/parking/reservations', { token: driver, body: { spotId: s, start: sh(day(2), '10:00'), end: sh(day(2), '11:00'), plate: '京A12345' } });
    expectProblem(r, 422, 'spot_inactive');
  });

  it('the same Idempotency-Key returns the same order; a different body is 422', async () => {
    const d = day(7);
    const a = await reserve({ start: sh(d, '08:00'), end: sh(d, '09:00') }, driver, 'park-idem-000001');
    const b = await reserve({ start: sh(d, '08:00'), end: sh(d, '09:00') }, driver, 'park-idem-000001');
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).toBe(a.body.id);
    expectProblem(await reserve({ start: sh(d, '09:00'), end: sh(d, '10:00') }, driver, 'park-idem-000001'), 422, 'idempotency_key_reused');
  });
});

describe('holds, cancellation and the fee', () => {
  it('a cancelled hold frees its hours', async () => {
    const d = day(8);
    const a = await reserve({ start: sh(d, '10:00'), end: sh(d, '12:00') });
    expect(a.status).toBe(201);
    const c = await call('POST', `/v1/parking/reservations/${a.body.id}/cancel`, { token: driver });
    expect(c.status, c.text).toBe(200);
    expect(c.body.status).toBe('CANCELLED');
    expect(await taken(spotId, d)).toEqual([]);
    expect((await reserve({ start: sh(d, '10:00'), end: sh(d, '12:00') }, driver2)).status).toBe(201);
    expectProblem(await call('POST', `/v1/parking/reservations/${a.body.id}/cancel`, { token: driver }), 409, 'invalid_state');
  });

  it('an expired hold frees its hours (the sweep)', async () => {
    const d = day(9);
    const a = await reserve({ start: sh(d, '10:00'), end: sh(d, '12:00') });
    expectProblem(await reserve({ start: sh(d, '11:00'), end: sh(d, '13:00') }, driver2), 409, 'slot_taken');
    await expireHolds(db(), new Date(Date.parse(a.body.holdExpiresAt) + 1000));
    const o = await call('GET', `/v1/parking/reservations/${a.body.id}`, { token: driver });
    expect(o.body.status).toBe('EXPIRED');
    expect(await taken(spotId, d)).toEqual([]);
    expect((await reserve({ start: sh(d, '11:00'), end: sh(d, '13:00') }, driver2)).status).toBe(201);
  });

  it('a paid reservation cancelled more than 1 hour before start is refunded in full', async () => {
    const d = day(10);
    const a = await reserve({ start: sh(d, '10:00'), end: sh(d, '13:00') });
    expect((await call('POST', `/v1/dev/payments/${a.body.id}/succeed`, { token: driver })).body.status).toBe('PAID');
    const c = await call('POST', `/v1/parking/reservations/${a.body.id}/cancel`, { token: driver });
    expect(c.status, c.text).toBe(200);
    expect(['REFUND_PENDING', 'REFUNDED']).toContain(c.body.status);
    expect(c.body.refund).toMatchObject({ amountFen: 3000, feeFen: 0 });
    expect(await taken(spotId, d)).toEqual([]);
  });

  it('within 1 hour of start the first hour is kept', async () => {
    const s = await createSpot({ location: { lat: 39.93, lng: 116.40 } });
    const now = Date.now();
    const start = new Date(Math.ceil(now / 900_000) * 900_000 + 15 * 60_000); // 15–30 min from now
    const end = new Date(start.getTime() + 3 * 3600_000);
    const a = await call('POST', '/v1/parking/reservations', { token: driver, body: { spotId: s, start: start.toISOString(), end: end.toISOString(), plate: '京A12345' } });
    expect(a.status, a.text).toBe(201);
    expect(a.body.amountFen).toBe(3000);
    await call('POST', `/v1/dev/payments/${a.body.id}/succeed`, { token: driver });
    const c = await call('POST', `/v1/parking/reservations/${a.body.id}/cancel`, { token: driver });
    expect(c.status, c.text).toBe(200);
    expect(c.body.refund).toMatchObject({ amountFen: 2000, feeFen: 1000 });
    const list = await call('GET', `/v1/parking/spots/${s}/reservations`, { token: owner });
    expect(list.body.items[0]).toMatchObject({ orderId: a.body.id, earningsFen: 1000 });
  });
});
