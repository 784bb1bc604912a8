/**
 * Paying issues signed e-tickets; the gate checks them in once; refund fees at each
 * boundary; a cancelled trip refunds everyone in full; delays notify; 改签.
 */
import { describe, expect, it } from 'vitest';
import { call, expectProblem, tokenFor } from '../support/api';
import { verifyTicket } from '../../shared/crypto/ticket-sign';
import { addPassenger, makeTrip, operatorToken } from './ticketing-support';

const S: [string, string, string][] = [
  ['tk-a', '甲站', '甲市'],
  ['tk-b', '乙站', '乙市'],
  ['tk-c', '丙站', '丙市'],
];

async function book(token: string, tripId: string, passengerIds: string[], from = 'tk-a', to = 'tk-c', classCode = 'SE') {
  const r = await call('POST', '/v1/ticket-orders', { token, body: { legs: [{ tripId, from, to, classCode }], passengerIds } });
  expect(r.status, r.text).toBe(201);
  return r.body;
}
async function pay(token: string, orderId: string) {
  const r = await call('POST', `/v1/dev/payments/${orderId}/succeed`, { token });
  expect(r.status, r.text).toBe(200);
  return r.body;
}
const remainingOf = async (tripId: string, date: string, from = 'tk-a', to = 'tk-c') =>
  (await call('GET', `/v1/trips/search?from=${from}&to=${to}&date=${date}`)).body.trips.find((t: any) => t.tripId === tripId).classes[0].remaining as number;

describe('e-tickets', () => {
  it('paying issues a signed QR; the gate checks it in once and refuses forgeries', async () => {
    const op = await operatorToken('op-tk');
    const { tripId } = await makeTrip({ token: op, stations: S });
    const u = await tokenFor('tk-user-1');
    const p = await addPassenger(u, 31, '张三丰');
    const order = await book(u, tripId, [p]);
    const ticketId = order.items[0].ticketId;
    const held = await call('GET', `/v1/tickets/${ticketId}`, { token: u });
    expect(held.body).toMatchObject({ status: 'HELD', ticketId, orderId: order.id });
    expect(held.body.qr).toBeUndefined();
    expectProblem(await call('GET', `/v1/tickets/${ticketId}`, { token: await tokenFor('someone-else') }), 404, 'ticket_not_found');

    const paid = await pay(u, order.id);
    expect(paid.status).toBe('PAID');
    const t = (await call('GET', `/v1/tickets/${ticketId}`, { token: u })).body;
    expect(t.status).toBe('ISSUED');
    expect(t.qr).toMatch(/^YZ1\./);
    const key = await call('GET', '/v1/tickets/public-key');
    expect(key.body.alg).toBe('EdDSA');
    const payload = verifyTicket(key.body.jwk, t.qr);
    expect(payload).toMatchObject({ tid: ticketId, trp: tripId, frm: 'tk-a', to: 'tk-c', cls: 'SE', seat: t.seat, psg: '张*丰' });

    // Forged and altered codes.
    const [v, body, sig] = t.qr.split('.');
    const altered = `${v}.${Buffer.from(Buffer.from(body, 'base64url').toString().replace('tk-a', 'tk-b')).toString('base64url')}.${sig}`;
    expectProblem(await call('POST', '/v1/operator/checkins', { token: op, body: { qr: altered } }), 400, 'invalid_ticket');
    expectProblem(await call('POST', '/v1/operator/checkins', { token: op, body: { qr: 'hello' } }), 400, 'invalid_ticket');
    expectProblem(await call('POST', '/v1/operator/checkins', { token: u, body: { qr: t.qr } }), 403, 'forbidden');
    // Another operator's gate does not board this trip; a gate of another trip refuses it.
    expectProblem(await call('POST', '/v1/operator/checkins', { token: await operatorToken('op-other'), body: { qr: t.qr } }), 404, 'trip_not_found');
    expectProblem(await call('POST', '/v1/operator/checkins', { token: op, body: { qr: t.qr, tripId: 'trp_01JAAAAAAAAAAAAAAAAAAAAAAA' } }), 422, 'wrong_trip');

    const first = await call('POST', '/v1/operator/checkins', { token: op, body: { qr: t.qr, tripId } });
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ ticketId, status: 'USED', passengerName: '张*丰' });
    expectProblem(await call('POST', '/v1/operator/checkins', { token: op, body: { qr: t.qr } }), 409, 'already_used');
    expect((await call('GET', `/v1/tickets/${ticketId}`, { token: u })).body.status).toBe('USED');
    // A used ticket cannot be refunded.
    expectProblem(await call('POST', `/v1/orders/${order.id}/refund`, { token: u }), 422, 'refund_not_allowed');
  });

  it('refund fee: free ≥ 8 days, 5% to 48 h, 10% to 24 h, 20% after, rounded to 0.5 yuan; refunded tickets no longer board', async () => {
    const op = await operatorToken('op-fee');
    const u = await tokenFor('tk-user-2');
    const p = await addPassenger(u, 41);
    const H = 60;
    // [minutes before departure, expected fee] for a 123.45 yuan ticket.
    const cases: [number, number][] = [
      [8 * 24 * H + 10, 0],
      [8 * 24 * H - 10, 600], // 5% = 6.17 → 6.0
      [48 * H + 10, 600],
      [48 * H - 10, 1250], // 10% = 12.35 → 12.5
      [24 * H + 10, 1250],
      [24 * H - 10, 2450], // 20% = 24.69 → 24.5
    ];
    for (const [minutes, fee] of cases) {
      const { tripId } = await makeTrip({ token: op, stations: S.slice(0, 2), startMin: minutes, classes: [{ code: 'SE', name: '二等座', seats: 10, fare: 12345 }] });
      const order = await book(u, tripId, [p], 'tk-a', 'tk-b');
      await pay(u, order.id);
      const q = await call('GET', `/v1/orders/${order.id}/refund-quote`, { token: u });
      expect(q.body, `${minutes} min before`).toMatchObject({ paidFen: 12345, feeFen: fee, refundFen: 12345 - fee });
      const r = await call('POST', `/v1/orders/${order.id}/refund`, { token: u });
      expect(r.status, r.text).toBe(200);
      expect(r.body.refund).toMatchObject({ amountFen: 12345 - fee, feeFen: fee });
      const t = (await call('GET', `/v1/tickets/${order.items[0].ticketId}`, { token: u })).body;
      expect(t.status).toBe('VOID');
    }
  });

  it('cancelling a trip refunds every paid order in full and cancels every held one; a delay notifies holders', async () => {
    const op = await operatorToken('op-cancel');
    const feeder = await makeTrip({ token: op, stations: [['tk-z', '庚站', '庚市'], ['tk-a', '甲站', '甲市']], startMin: 2 * 24 * 60 - 240 });
    const { tripId, serviceDate } = await makeTrip({ token: op, stations: S, startMin: 2 * 24 * 60 });
    const ua = await tokenFor('tk-cancel-a');
    const ub = await tokenFor('tk-cancel-b');
    const uc = await tokenFor('tk-cancel-c');
    const paidOrder = await book(ua, tripId, [await addPassenger(ua, 51), await addPassenger(ua, 52)]);
    await pay(ua, paidOrder.id);
    const heldOrder = await book(ub, tripId, [await addPassenger(ub, 53)]);
    // A two-leg order whose second leg is on the cancelled trip.
    const pc = await addPassenger(uc, 54);
    const multi = await call('POST', '/v1/ticket-orders', { token: uc, body: { legs: [{ tripId: feeder.tripId, from: 'tk-z', to: 'tk-a', classCode: 'SE' }, { tripId, from: 'tk-a', to: 'tk-c', classCode: 'SE' }], passengerIds: [pc] } });
    expect(multi.status, multi.text).toBe(201);
    await pay(uc, multi.body.id);
    expect(await remainingOf(tripId, serviceDate)).toBe(96);

    // Delay: holders are told.
    const delayed = await call('PATCH', `/v1/operator/trips/${tripId}`, { token: op, body: { status: 'delayed', delayMinutes: 25 } });
    expect(delayed.status, delayed.text).toBe(200);
    expect(delayed.body.trip).toMatchObject({ status: 'delayed', delayMinutes: 25 });
    expect(delayed.body.orders.notified).toBe(3);
    expect(delayed.body.trip.stops[0].expectedDepart).toBeDefined();
    const notes = await call('GET', '/v1/me/notifications', { token: ub });
    expect(JSON.stringify(notes.body)).toContain('delayed');
    expectProblem(await call('PATCH', `/v1/operator/trips/${tripId}`, { token: await operatorToken('op-intruder'), body: { status: 'cancelled' } }), 404, 'trip_not_found');

    const cancelled = await call('PATCH', `/v1/operator/trips/${tripId}`, { token: op, body: { status: 'cancelled' } });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.body.orders).toMatchObject({ refunded: 2, cancelled: 1, failed: 0 });
    const a = (await call('GET', `/v1/orders/${paidOrder.id}`, { token: ua })).body;
    expect(['REFUND_PENDING', 'REFUNDED']).toContain(a.status);
    expect(a.refund).toMatchObject({ amountFen: paidOrder.amountFen, feeFen: 0 });
    expect((await call('GET', `/v1/orders/${heldOrder.id}`, { token: ub })).body.status).toBe('CANCELLED');
    const c = (await call('GET', `/v1/orders/${multi.body.id}`, { token: uc })).body;
    expect(c.refund).toMatchObject({ amountFen: multi.body.amountFen, feeFen: 0 });
    // Seats came back on both trips, nothing sells on the cancelled one, it cannot run again.
    expect(await remainingOf(feeder.tripId, feeder.serviceDate, 'tk-z', 'tk-a')).toBe(100);
    expect(await remainingOf(tripId, serviceDate)).toBe(0);
    expectProblem(await call('POST', '/v1/ticket-orders', { token: ua, body: { legs: [{ tripId, from: 'tk-a', to: 'tk-b', classCode: 'SE' }], passengerIds: [(await call('GET', '/v1/me/passengers', { token: ua })).body.passengers[0].id] } }), 422, 'trip_cancelled');
    expectProblem(await call('PATCH', `/v1/operator/trips/${tripId}`, { token: op, body: { status: 'on_time' } }), 422, 'trip_cancelled');
    // Running the cancellation again changes nothing.
    const again = await call('PATCH', `/v1/operator/trips/${tripId}`, { token: op, body: { status: 'cancelled' } });
    expect(again.body.orders).toMatchObject({ refunded: 0, cancelled: 0 });
  });

  it('改签: once, fare difference paid as a second charge or refunded minus the fee, old seat released', async () => {
    const op = await operatorToken('op-chg');
    const start = 5 * 24 * 60;
    const orig = await makeTrip({ token: op, stations: S, startMin: start, classes: [{ code: 'SE', name: '二等座', seats: 100, fare: 10000 }, { code: 'FC', name: '一等座', seats: 10, fare: 16000 }] });
    const later = await makeTrip({ token: op, stations: S, startMin: start + 120, classes: [{ code: 'SE', name: '二等座', seats: 100, fare: 12000 }] });
    const cheap = await makeTrip({ token: op, mode: 'coach', stations: [['tk-a2', '甲市汽车站', '甲市'], ['tk-c2', '丙市汽车站', '丙市']], startMin: start + 60, classes: [{ code: 'SE', name: '座位', seats: 40, fare: 5000 }] });
    const elsewhere = await makeTrip({ token: op, stations: [['tk-a', '甲站', '甲市'], ['tk-q', '辛站', '辛市']], startMin: start + 30 });
    const u = await tokenFor('tk-chg');
    const p1 = await addPassenger(u, 61);
    const p2 = await addPassenger(u, 62);
    const order = await book(u, orig.tripId, [p1, p2]);
    await pay(u, order.id);
    const [t1, t2] = order.items.map((i: any) => i.ticketId);

    expectProblem(await call('POST', `/v1/tickets/${t1}/change`, { token: u, body: { tripId: elsewhere.tripId, classCode: 'SE' } }), 422, 'change_route_mismatch');
    // Dearer: a second payment, the new QR once it is paid.
    const up = await call('POST', `/v1/tickets/${t1}/change`, { token: u, body: { tripId: later.tripId, classCode: 'SE' } });
    expect(up.status, up.text).toBe(200);
    expect(up.body.fareDifferenceFen).toBe(4000);
    expect(up.body.ticket).toMatchObject({ tripId: later.tripId, status: 'AWAITING_PAYMENT', changed: true, priceFen: 24000 });
    expect(up.body.ticket.qr).toBeUndefined();
    expect(up.body.order.nextCharge).toMatchObject({ purpose: 'fare_difference', amountFen: 4000 });
    expect(await remainingOf(orig.tripId, orig.serviceDate)).toBe(99);
    expect(await remainingOf(later.tripId, later.serviceDate)).toBe(99);
    await pay(u, order.id);
    const issued = (await call('GET', `/v1/tickets/${t1}`, { token: u })).body;
    expect(issued.status).toBe('ISSUED');
    expect(verifyTicket((await call('GET', '/v1/tickets/public-key')).body.pem, issued.qr).trp).toBe(later.tripId);
    expectProblem(await call('POST', `/v1/tickets/${t1}/change`, { token: u, body: { tripId: orig.tripId, classCode: 'SE' } }), 422, 'already_changed');

    // Cheaper, other stations of the same cities: refund of the difference minus 5% of it.
    const down = await call('POST', `/v1/tickets/${t2}/change`, { token: u, body: { tripId: cheap.tripId, classCode: 'SE' } });
    expect(down.status, down.text).toBe(200);
    expect(down.body).toMatchObject({ fareDifferenceFen: -15000, feeFen: 750, refundFen: 14250 });
    expect(down.body.ticket).toMatchObject({ tripId: cheap.tripId, from: 'tk-a2', to: 'tk-c2', status: 'ISSUED' });
    expect(down.body.ticket.qr).toMatch(/^YZ1\./);
    expect(await remainingOf(orig.tripId, orig.serviceDate)).toBe(100);
    // The order's tickets follow the change: a trip cancellation finds and refunds it.
    const c = await call('PATCH', `/v1/operator/trips/${cheap.tripId}`, { token: op, body: { status: 'cancelled' } });
    expect(c.body.orders.refunded).toBe(1);
  });

  it('改签 within 48 hours only to a trip leaving no later than the original day; on the same trip only the class changes', async () => {
    const op = await operatorToken('op-chg2');
    const base = new Date(Date.now() + 30 * 3600_000);
    base.setUTCHours(1, 0, 0, 0); // 09:00 Shanghai, 1–2 days ahead: within 48 hours
    const orig = await makeTrip({ token: op, stations: S.slice(0, 2), start: base, classes: [{ code: 'SE', name: '二等座', seats: 10, fare: 10000 }, { code: 'FC', name: '一等座', seats: 10, fare: 15000 }] });
    const sameDay = await makeTrip({ token: op, stations: S.slice(0, 2), start: new Date(base.getTime() + 6 * 3600_000) });
    const nextDay = await makeTrip({ token: op, stations: S.slice(0, 2), start: new Date(base.getTime() + 24 * 3600_000) });
    const u = await tokenFor('tk-chg2');
    const p1 = await addPassenger(u, 71);
    const p2 = await addPassenger(u, 72);
    const order = await book(u, orig.tripId, [p1, p2], 'tk-a', 'tk-b');
    await pay(u, order.id);
    const [t1, t2] = order.items.map((i: any) => i.ticketId);
    const oldQr = (await call('GET', `/v1/tickets/${t1}`, { token: u })).body.qr;
    expectProblem(await call('POST', `/v1/tickets/${t1}/change`, { token: u, body: { tripId: nextDay.tripId, classCode: 'SE' } }), 422, 'change_too_late');
    expectProblem(await call('POST', `/v1/tickets/${t1}/change`, { token: u, body: { tripId: orig.tripId, classCode: 'SE' } }), 422, 'change_same_trip');
    expectProblem(await call('POST', `/v1/tickets/${t1}/change`, { token: await tokenFor('tk-intruder'), body: { tripId: sameDay.tripId, classCode: 'SE' } }), 404, 'ticket_not_found');
    const ok = await call('POST', `/v1/tickets/${t1}/change`, { token: u, body: { tripId: sameDay.tripId, classCode: 'SE' } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ fareDifferenceFen: 0, refundFen: 0 });
    // Class upgrade on the same trip: the difference is a second charge.
    const up = await call('POST', `/v1/tickets/${t2}/change`, { token: u, body: { tripId: orig.tripId, classCode: 'FC' } });
    expect(up.status, up.text).toBe(200);
    expect(up.body.ticket).toMatchObject({ tripId: orig.tripId, classCode: 'FC', status: 'AWAITING_PAYMENT' });
    // The old QR of a changed ticket no longer boards; the new one does.
    expectProblem(await call('POST', '/v1/operator/checkins', { token: op, body: { qr: oldQr } }), 400, 'invalid_ticket');
    const newQr = (await call('GET', `/v1/tickets/${t1}`, { token: u })).body.qr;
    expect((await call('POST', '/v1/operator/checkins', { token: op, body: { qr: newQr, tripId: sameDay.tripId } })).status).toBe(200);
  });
});
