import { describe, expect, it } from 'vitest';
import { call, expectProblem, tokenFor } from '../support/api';
import { db } from '../../shared/db/client';
import { findStations, getTripByNumber, resolveCityStations, searchTrips } from '../../functions/ticketing/search';
import { at, makeTrip, operatorToken } from './ticketing-support';

const BJ: [string, string, string] = ['beijingnan', '北京南', '北京'];
const JN: [string, string, string] = ['jinanxi', '济南西', '济南'];
const NJ: [string, string, string] = ['nanjingnan', '南京南', '南京'];
const SH: [string, string, string] = ['shanghaihongqiao', '上海虹桥', '上海'];

describe('trips, stations and search', () => {
  it('operators create trips; stations become searchable by Chinese, pinyin and city prefix', async () => {
    const op = await operatorToken();
    const pax = await tokenFor('p1');
    const { tripId, serviceDate, stops } = await makeTrip({ token: op, number: 'G101', stations: [BJ, JN, NJ, SH], classes: [{ code: 'SE', name: '二等座', seats: 100, fare: 10000 }, { code: 'FC', name: '一等座', seats: 20, fare: 16000 }] });
    expect(tripId).toMatch(/^trp_/);

    // Roles and validation.
    const body = { mode: 'rail', number: 'G1', operatorName: 'x', serviceDate, stops, classes: [{ code: 'SE', name: 'x', seats: 10, fareFenPerSegment: [1, 1, 1] }] };
    expectProblem(await call('POST', '/v1/operator/trips', { token: pax, body }), 403, 'forbidden');
    const backwards = { ...body, stops: [stops[1], stops[0]].map((s, i) => ({ ...s, ...(i === 0 ? { depart: stops[2].depart, arrive: undefined } : { arrive: stops[0].depart, depart: undefined }) })), classes: [{ code: 'SE', name: 'x', seats: 10, fareFenPerSegment: [1] }] };
    expectProblem(await call('POST', '/v1/operator/trips', { token: op, body: backwards }), 422, 'invalid_trip');
    expectProblem(await call('POST', '/v1/operator/trips', { token: op, body: { ...body, classes: [{ code: 'SE', name: 'x', seats: 10, fareFenPerSegment: [1] }] } }), 422, 'invalid_trip');
    expectProblem(await call('POST', '/v1/operator/trips', { token: op, body: { ...body, mode: 'bus' } }), 400, 'validation_failed');
    // The same trip sent again by its operator (a retry without Idempotency-Key) answers its id.
    const first = await call('POST', '/v1/operator/trips', { token: op, body: { ...body, number: 'D9' } });
    expect(first.status, first.text).toBe(201);
    expect((await call('POST', '/v1/operator/trips', { token: op, body: { ...body, number: 'D9' } })).body.tripId).toBe(first.body.tripId);
    // Same number on the same day: 409.
    expectProblem(await call('POST', '/v1/operator/trips', { token: op, body: { ...body, number: 'G101' } }), 409, 'duplicate_trip');

    const trip = await call('GET', `/v1/trips/${tripId}`);
    expect(trip.status).toBe(200);
    expect(trip.body).toMatchObject({ tripId, mode: 'rail', number: 'G101', status: 'on_time', delayMinutes: 0 });
    expect(trip.body.stops.map((s: any) => s.name)).toEqual(['北京南', '济南西', '南京南', '上海虹桥']);
    expect(trip.body.stops[1].arrive).toMatch(/\+08:00$/);
    expectProblem(await call('GET', '/v1/trips/trp_01JAAAAAAAAAAAAAAAAAAAAAAA'), 404, 'trip_not_found');

    const zh = await call('GET', `/v1/stations?q=${encodeURIComponent('上海')}`);
    expect(zh.body.stations.map((s: any) => s.stationId)).toContain('shanghaihongqiao');
    const py = await call('GET', '/v1/stations?q=Jin');
    expect(py.body.stations).toEqual([expect.objectContaining({ stationId: 'jinanxi', name: '济南西', city: '济南' })]);
    expect((await call('GET', `/v1/stations?q=${encodeURIComponent('南京')}`)).body.stations[0].stationId).toBe('nanjingnan');
    expect((await findStations(db(), 'zzz'))).toEqual([]);
    expect((await resolveCityStations(db(), '北京')).map((s) => s.stationId)).toEqual(['beijingnan']);
    expect((await getTripByNumber(db(), 'g101', serviceDate))?.tripId).toBe(tripId);
    // Another operator cannot rename a station it did not create.
    await makeTrip({ token: await operatorToken('op-rogue'), stations: [['beijingnan', '假站', '假城'], ['rogue-b', '乙']] });
    expect((await call('GET', '/v1/stations?q=beijingnan')).body.stations[0]).toMatchObject({ name: '北京南', city: '北京' });
    expect((await call('GET', `/v1/stations?q=${encodeURIComponent('假站')}`)).body.stations).toEqual([]);
  });

  it('search: direct trips A→B by departure, exact price per segment and remaining, mode filter', async () => {
    const op = await operatorToken('op-search');
    const start = new Date(Date.now() + 5 * 24 * 3600_000);
    start.setUTCHours(0, 0, 0, 0); // 08:00 Shanghai: every departure below stays on one service day, whatever the time of the run
    const late = await makeTrip({ token: op, number: 'G7', stations: [BJ, JN, SH], start: new Date(start.getTime() + 3 * 3600_000), classes: [{ code: 'SE', name: '二等座', seats: 50, fare: 20000 }] });
    const early = await makeTrip({ token: op, number: 'G5', stations: [BJ, JN, NJ, SH], start, classes: [{ code: 'SE', name: '二等座', seats: 100, fare: 10000 }] });
    const flight = await makeTrip({ token: op, mode: 'air', number: 'MU5101', stations: [['pek', '北京首都', '北京'], ['sha', '上海虹桥机场', '上海']], start, classes: [{ code: 'Y', name: '经济舱', seats: 120, fare: 90000 }] });
    const date = early.serviceDate;
    const r = await call('GET', `/v1/trips/search?from=jinanxi&to=shanghaihongqiao&date=${date}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.trips.map((t: any) => t.number)).toEqual(['G5', 'G7']);
    const g5 = r.body.trips[0];
    expect(g5).toMatchObject({ tripId: early.tripId, mode: 'rail', from: { stationId: 'jinanxi', name: '济南西' }, to: { stationId: 'shanghaihongqiao', name: '上海虹桥' }, status: 'on_time', delayMinutes: 0 });
    expect(g5.durationMinutes).toBe(119);
    expect(g5.classes).toEqual([{ code: 'SE', name: '二等座', remaining: 100, priceFen: 20000 }]);
    expect(r.body.trips[1].classes[0]).toMatchObject({ remaining: 50, priceFen: 20000 });
    // Reverse direction and other days: nothing.
    expect((await call('GET', `/v1/trips/search?from=shanghaihongqiao&to=jinanxi&date=${date}`)).body.trips).toEqual([]);
    // Modes.
    expect((await call('GET', `/v1/trips/search?from=pek&to=sha&date=${date}&modes=air`)).body.trips.map((t: any) => t.tripId)).toEqual([flight.tripId]);
    expect((await call('GET', `/v1/trips/search?from=pek&to=sha&date=${date}&modes=rail,ferry`)).body.trips).toEqual([]);
    expectProblem(await call('GET', `/v1/trips/search?from=pek&to=sha&date=${date}&modes=bus`), 400, 'validation_failed');
    expectProblem(await call('GET', `/v1/trips/search?from=pek&to=sha&date=tomorrow`), 400, 'validation_failed');
    // The exported function answers the same.
    expect((await searchTrips(db(), { from: 'jinanxi', to: 'shanghaihongqiao', date })).trips.map((t) => t.number)).toEqual(['G5', 'G7']);
    void late;
  });
});
