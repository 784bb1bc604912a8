/**
 * Check-in / check-out on DynamoDB Local with a moved clock (only Date is faked; nothing
 * waits): check-in window, check-out with and without overstay (a second charge on the
 * same order, paid through the sandbox, then the order completes), and a stale unpaid hold
 * expired on the spot when a new reservation needs its time.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, expectProblem, tokenFor } from '../support/api';

const Q = 900_000;
let owner: string;
let spotId: string;

function at(ms: number) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(ms);
}

afterEach(() => {
  vi.useRealTimers();
});

beforeAll(async () => {
  owner = await tokenFor('co-owner');
  const r = await call('POST', '/v1/parking/spots', {
    token: owner,
    body: {
      title: '北京南站 P2 共享车位',
      address: '北京市丰台区永外大街车站路 12 号',
      city: 'beijing',
      location: { lat: 39.8652, lng: 116.3786 },
      pricePerHourFen: 1000,
      availability: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' }],
    },
  });
  expect(r.status, r.text).toBe(201);
  spotId = r.body.spotId;
});

async function paidReservation(driverId: string, startMs: number, endMs: number) {
  const token = await tokenFor(driverId);
  const r = await call('POST', '/v1/parking/reservations', { token, body: { spotId, start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString(), plate: '京AF12345' } });
  expect(r.status, r.text).toBe(201);
  const p = await call('POST', `/v1/dev/payments/${r.body.id}/succeed`, { token });
  expect(p.body.status).toBe('PAID');
  return { token, id: r.body.id as string };
}

describe('check-in and check-out', () => {
  it('overstay past end becomes a second charge on the same order; paying it completes the order', async () => {
    const start = Math.ceil(Date.now() / Q) * Q + 4 * Q + 3 * 24 * 3600_000;
    const end = start + 2 * 3600_000;
    const { token, id } = await paidReservation('co-driver-1', start, end);

    expectProblem(await call('POST', `/v1/parking/reservations/${id}/check-out`, { token }), 409, 'not_checked_in');
    at(start - 20 * 60_000);
    const t1 = await tokenFor('co-driver-1');
    expectProblem(await call('POST', `/v1/parking/reservations/${id}/check-in`, { token: t1 }), 422, 'too_early');

    at(start - 10 * 60_000);
    const ci = await call('POST', `/v1/parking/reservations/${id}/check-in`, { token: t1 });
    expect(ci.status, ci.text).toBe(200);
    expect(Date.parse(ci.body.reservation.checkedInAt)).toBe(start - 10 * 60_000);
    const again = await call('POST', `/v1/parking/reservations/${id}/check-in`, { token: t1 });
    expect(again.body.reservation.checkedInAt).toBe(ci.body.reservation.checkedInAt);
    expectProblem(await call('POST', `/v1/parking/reservations/${id}/cancel`, { token: t1 }), 422, 'refund_not_allowed');

    at(end + 20 * 60_000 + 5000); // 20 min 5 s late → 2 started quarters at 1.5× 1000/h = 750
    const t2 = await tokenFor('co-driver-1');
    const co = await call('POST', `/v1/parking/reservations/${id}/check-out`, { token: t2 });
    expect(co.status, co.text).toBe(200);
    expect(co.body).toMatchObject({ status: 'PAID', amountFen: 2000 + 750, paidFen: 2000, amountDueFen: 750, nextCharge: { purpose: 'overstay', amountFen: 750 } });
    expect(co.body.reservation).toMatchObject({ overstayFen: 750, overstayMinutes: 30, finalChargeFen: 750, totalFen: 2750 });
    const co2 = await call('POST', `/v1/parking/reservations/${id}/check-out`, { token: t2 });
    expect(co2.status).toBe(200);
    expect(co2.body.charges.filter((c: any) => c.purpose === 'overstay')).toHaveLength(1);
    expect(co2.body.reservation.checkedOutAt).toBe(co.body.reservation.checkedOutAt);

    const paid = await call('POST', `/v1/dev/payments/${id}/succeed`, { token: t2 });
    expect(paid.status, paid.text).toBe(200);
    const done = await call('GET', `/v1/parking/reservations/${id}`, { token: t2 });
    expect(done.body).toMatchObject({ status: 'COMPLETED', paidFen: 2750, amountDueFen: 0 });
    const list = await call('GET', `/v1/parking/spots/${spotId}/reservations`, { token: await tokenFor('co-owner') });
    expect(list.body.items.find((i: any) => i.orderId === id)).toMatchObject({ status: 'COMPLETED', overstayFen: 750, earningsFen: 2750 });
  });

  it('leaving on time completes the order with no further charge', async () => {
    const start = Math.ceil(Date.now() / Q) * Q + 4 * 24 * 3600_000;
    const end = start + 3600_000;
    const { id } = await paidReservation('co-driver-2', start, end);
    at(start + 60_000);
    const t = await tokenFor('co-driver-2');
    expect((await call('POST', `/v1/parking/reservations/${id}/check-in`, { token: t })).status).toBe(200);
    // the owner cannot force-cancel a reservation while the car is parked
    const off = await call('PATCH', `/v1/parking/spots/${spotId}`, { token: await tokenFor('co-owner'), body: { active: false, force: true } });
    expectProblem(off, 409, 'conflicts_with_checked_in');
    expect(off.body.reservations.map((r: any) => r.orderId)).toEqual([id]);
    at(end);
    const co = await call('POST', `/v1/parking/reservations/${id}/check-out`, { token: t });
    expect(co.status, co.text).toBe(200);
    expect(co.body).toMatchObject({ status: 'COMPLETED', amountFen: 1000, amountDueFen: 0 });
    expect(co.body.reservation).toMatchObject({ finalChargeFen: 0, overstayFen: 0 });
  });

  it('cannot check in unpaid or after end', async () => {
    const start = Math.ceil(Date.now() / Q) * Q + 5 * 24 * 3600_000;
    const end = start + 3600_000;
    const token = await tokenFor('co-driver-3');
    const r = await call('POST', '/v1/parking/reservations', { token, body: { spotId, start: new Date(start).toISOString(), end: new Date(end).toISOString(), plate: '京A12345' } });
    expectProblem(await call('POST', `/v1/parking/reservations/${r.body.id}/check-in`, { token }), 409, 'invalid_state');
    await call('POST', `/v1/dev/payments/${r.body.id}/succeed`, { token });
    at(end + 1000);
    const t = await tokenFor('co-driver-3');
    expectProblem(await call('POST', `/v1/parking/reservations/${r.body.id}/check-in`, { token: t }), 422, 'reservation_over');
    expectProblem(await call('POST', `/v1/parking/reservations/${r.body.id}/cancel`, { token: t }), 422, 'refund_not_allowed');
  });
});

describe('stale holds', () => {
  it('a hold past its expiry does not block a new reservation, even before the sweep runs', async () => {
    const start = Math.ceil(Date.now() / Q) * Q + 6 * 24 * 3600_000;
    const end = start + 2 * 3600_000;
    const a = await tokenFor('co-hold-a');
    const first = await call('POST', '/v1/parking/reservations', { token: a, body: { spotId, start: new Date(start).toISOString(), end: new Date(end).toISOString(), plate: '京A12345' } });
    expect(first.status, first.text).toBe(201);
    at(Date.parse(first.body.holdExpiresAt) + 1000);
    const b = await tokenFor('co-hold-b');
    const second = await call('POST', '/v1/parking/reservations', { token: b, body: { spotId, start: new Date(start + 3600_000).toISOString(), end: new Date(end + 3600_000).toISOString(), plate: '京B12345' } });
    expect(second.status, second.text).toBe(201);
    const old = await call('GET', `/v1/parking/reservations/${first.body.id}`, { token: await tokenFor('co-hold-a') });
    expect(old.body.status).toBe('EXPIRED');
  });
});
