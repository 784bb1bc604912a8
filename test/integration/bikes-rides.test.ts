/** Zones, real-name riders, unlock race, lock with fences and fares, orders, my rides, regulator stats. */
import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { call, expectProblem, tokenFor } from '../support/api';
import { db } from '../../shared/db/client';
import { idCheckChar } from '../../shared/domain/idnumber';
import { addDays, todayInShanghai } from '../../shared/domain/time';

const idFor = (birth: string, seq = '123') => {
  const first17 = `110101${birth.replace(/-/g, '')}${seq}`;
  return first17 + idCheckChar(first17);
};

let regulator: string;
let otherRegulator: string;
let operator: string;
let alice: string;
let bob: string;
let carol: string;

// City "sandbox": parking zone P = lng 121.470..121.480, lat 31.220..31.240, with a hole
// H = 121.472..121.474 x 31.225..31.227, and a no-parking zone N inside P = 121.476..121.478 x 31.232..31.234.
const ring = (x0: number, y0: number, x1: number, y1: number) => [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];
const P = { type: 'Polygon', coordinates: [ring(121.47, 31.22, 121.48, 31.24), ring(121.472, 31.225, 121.474, 31.227)] };
const N = { type: 'Polygon', coordinates: [ring(121.476, 31.232, 121.478, 31.234)] };
let parkingZoneId: string;
let noParkingZoneId: string;

beforeAll(async () => {
  regulator = await tokenFor('reg-sb', ['regulator'], { cityId: 'sandbox' });
  otherRegulator = await tokenFor('reg-other', ['regulator'], { cityId: 'elsewhere' });
  operator = await tokenFor('op-qj', ['bike-operator'], { operatorId: 'qingju' });
  alice = await tokenFor('alice');
  bob = await tokenFor('bob');
  carol = await tokenFor('carol');
  await call('PUT', '/v1/bikes/cities/sandbox/operators/qingju/quota', { token: regulator, body: { maxBikes: 50 } });
  await call('PUT', '/v1/bikes/cities/sandbox/operators/qingju/pricing', { token: operator, body: { startFeeFen: 100, per15MinFen: 150 } });
  await call('PUT', '/v1/bikes/cities/nofence/operators/qingju/quota', { token: await tokenFor('reg-nf', ['regulator'], { cityId: 'nofence' }), body: { maxBikes: 5 } });
  await call('PUT', '/v1/bikes/cities/nofence/operators/qingju/pricing', { token: operator, body: { startFeeFen: 0, per15MinFen: 0 } });
  for (let i = 1; i <= 6; i++) {
    const r = await call('POST', '/v1/bikes', { token: operator, body: { code: `SB-QJ-000${i}`, cityId: 'sandbox', vehicleType: i % 2 ? 'bicycle' : 'ebike', location: { lat: 31.23, lng: 121.475 } } });
    expect(r.status).toBe(201);
  }
  expect((await call('POST', '/v1/bikes', { token: operator, body: { code: 'NF-QJ-0001', cityId: 'nofence', vehicleType: 'bicycle' } })).status).toBe(201);
});

describe('zones', () => {
  it('creates (201), lists and reads zones publicly; only the city regulator may write', async () => {
    const p = await call('POST', '/v1/bikes/cities/sandbox/zones', { token: regulator, body: { kind: 'parking', name: '人民广场停车区', polygon: P }, idempotencyKey: 'zone-p-1' });
    expect(p.status).toBe(201);
    expect(p.body).toMatchObject({ kind: 'parking', name: '人民广场停车区', cityId: 'sandbox', polygon: P });
    parkingZoneId = p.body.id;
    const n = await call('POST', '/v1/bikes/cities/sandbox/zones', { token: regulator, body: { kind: 'no_parking', name: '地铁口禁停区', polygon: N } });
    expect(n.status).toBe(201);
    noParkingZoneId = n.body.id;
    expectProblem(await call('POST', '/v1/bikes/cities/sandbox/zones', { token: otherRegulator, body: { kind: 'parking', name: 'x', polygon: P } }), 403, 'city_out_of_scope');
    expectProblem(await call('POST', '/v1/bikes/cities/sandbox/zones', { token: operator, body: { kind: 'parking', name: 'x', polygon: P } }), 403, 'forbidden');
    const list = await call('GET', '/v1/bikes/cities/sandbox/zones');
    expect(list.status).toBe(200);
    expect(list.body.items.map((z: any) => z.id).sort()).toEqual([parkingZoneId, noParkingZoneId].sort());
    expect((await call('GET', `/v1/bikes/cities/sandbox/zones/${parkingZoneId}`)).body.name).toBe('人民广场停车区');
    expect((await call('GET', '/v1/bikes/cities/elsewhere/zones')).body.items).toEqual([]);
  });

  it('refuses unclosed, self-intersecting and bad-hole polygons with 400', async () => {
    const bad = async (polygon: any) => call('POST', '/v1/bikes/cities/sandbox/zones', { token: regulator, body: { kind: 'parking', name: 'bad', polygon } });
    const unclosed = await bad({ type: 'Polygon', coordinates: [[[121.4, 31.2], [121.41, 31.2], [121.41, 31.21], [121.4, 31.21]]] });
    expectProblem(unclosed, 400, 'invalid_polygon');
    expect(unclosed.body.errors[0]).toMatchObject({ field: '/body/polygon/coordinates/0' });
    expectProblem(await bad({ type: 'Polygon', coordinates: [[[121.4, 31.2], [121.41, 31.21], [121.41, 31.2], [121.4, 31.21], [121.4, 31.2]]] }), 400, 'invalid_polygon');
    expectProblem(await bad({ type: 'Polygon', coordinates: [ring(121.4, 31.2, 121.41, 31.21), ring(121.5, 31.5, 121.51, 31.51)] }), 400, 'invalid_polygon');
    expectProblem(await bad({ type: 'Polygon', coordinates: [[[121.4, 31.2], [121.41, 31.2], [121.4, 31.2]]] }), 400, 'invalid_polygon');
    expectProblem(await bad({ type: 'MultiPolygon', coordinates: [] }), 400, 'validation_failed');
    expect((await call('GET', '/v1/bikes/cities/sandbox/zones')).body.items).toHaveLength(2);
  });

  it('deletes a zone (404 afterwards / for unknown ids)', async () => {
    const z = await call('POST', '/v1/bikes/cities/sandbox/zones', { token: regulator, body: { kind: 'parking', name: 'tmp', polygon: { type: 'Polygon', coordinates: [ring(121.3, 31.1, 121.31, 31.11)] } } });
    expectProblem(await call('DELETE', `/v1/bikes/cities/sandbox/zones/${z.body.id}`, { token: otherRegulator }), 403, 'city_out_of_scope');
    expect((await call('DELETE', `/v1/bikes/cities/sandbox/zones/${z.body.id}`, { token: regulator })).status).toBe(204);
    expectProblem(await call('DELETE', `/v1/bikes/cities/sandbox/zones/${z.body.id}`, { token: regulator }), 404, 'zone_not_found');
    expectProblem(await call('GET', `/v1/bikes/cities/sandbox/zones/${z.body.id}`), 404, 'zone_not_found');
  });
});

describe('riders', () => {
  it('registers a real-name rider: masked, encrypted at rest, deposit-free', async () => {
    const idNumber = idFor('1990-03-07');
    const r = await call('POST', '/v1/bikes/riders', { token: alice, body: { name: '张小花', idNumber, phone: '+86 138-1234-5678' } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ userId: 'alice', name: '张*花', idNumber: `1101**********${idNumber.slice(-4)}`, phone: '138****5678', depositFen: 0 });
    expect(r.text).not.toContain(idNumber);
    const stored = await db().doc.send(new GetCommand({ TableName: db().tableName, Key: { PK: 'BRIDER#alice', SK: 'RIDER' } }));
    const dump = JSON.stringify(stored.Item);
    expect(dump).not.toContain(idNumber);
    expect(dump).not.toContain('13812345678');
    expect(dump).not.toContain('张小花');
    expect((await call('GET', '/v1/bikes/riders/me', { token: alice })).body.idNumber).toBe(r.body.idNumber);
    // nowhere in the table (test-only Scan)
    const all = await db().doc.send(new ScanCommand({ TableName: db().tableName }));
    const table = JSON.stringify(all.Items);
    expect(table).not.toContain(idNumber);
    expect(table).not.toContain('13812345678');
  });

  it('one rider per person and per account (409)', async () => {
    const idNumber = idFor('1990-03-07');
    expectProblem(await call('POST', '/v1/bikes/riders', { token: bob, body: { name: '王五', idNumber: idNumber.toLowerCase(), phone: '13900000000' } }), 409, 'id_number_already_registered');
    expectProblem(await call('POST', '/v1/bikes/riders', { token: alice, body: { name: '张小花', idNumber: idFor('1991-01-01'), phone: '13812345678' } }), 409, 'rider_already_registered');
  });

  it('checks the ID check digit and the phone (400)', async () => {
    const good = idFor('1985-06-15', '246');
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    expectProblem(await call('POST', '/v1/bikes/riders', { token: bob, body: { name: '王五', idNumber: bad, phone: '13900000000' } }), 400, 'invalid_id_number');
    expectProblem(await call('POST', '/v1/bikes/riders', { token: bob, body: { name: '王五', idNumber: good, phone: '12345678901' } }), 400, 'invalid_phone');
  });

  it('refuses riders under 12 (422 too_young) and accepts a 12th birthday today', async () => {
    const today = todayInShanghai();
    const [y, m, d] = today.split('-');
    const twelveToday = `${Number(y) - 12}-${m}-${d === '29' && m === '02' ? '28' : d}`;
    const elevenTomorrow = addDays(`${Number(y) - 12}-${m}-${d === '29' && m === '02' ? '28' : d}`, 1);
    expectProblem(await call('POST', '/v1/bikes/riders', { token: carol, body: { name: '小明', idNumber: idFor(elevenTomorrow, '135'), phone: '13700000000' } }), 422, 'too_young');
    expectProblem(await call('GET', '/v1/bikes/riders/me', { token: carol }), 404, 'rider_not_registered');
    const ok = await call('POST', '/v1/bikes/riders', { token: carol, body: { name: '小明', idNumber: idFor(twelveToday, '135'), phone: '13700000000' } });
    expect(ok.status).toBe(201);
    expect((await call('POST', '/v1/bikes/riders', { token: bob, body: { name: '王五', idNumber: idFor('1985-06-15', '246'), phone: '13900000000' } })).status).toBe(201);
  });
});

describe('riding', () => {
  const here = { lat: 31.23, lng: 121.475 };

  it('an unregistered user cannot unlock (403 rider_not_registered); unknown bikes are 404', async () => {
    const dave = await tokenFor('dave');
    expectProblem(await call('POST', '/v1/bikes/SB-QJ-0001/unlock', { token: dave, body: { location: here } }), 403, 'rider_not_registered');
    expectProblem(await call('POST', '/v1/bikes/SB-QJ-9999/unlock', { token: alice, body: { location: here } }), 404, 'bike_not_found');
  });

  it('two riders racing for one bike: exactly one wins', async () => {
    const [a, b] = await Promise.all([
      call('POST', '/v1/bikes/SB-QJ-0001/unlock', { token: alice, body: { location: here } }),
      call('POST', '/v1/bikes/SB-QJ-0001/unlock', { token: bob, body: { location: here } }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([201, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body.code).toBe('bike_in_use');
    const winner = a.status === 201 ? a : b;
    expect(winner.body.rideId).toMatch(/^rid_/);
    expect(winner.body.ride).toMatchObject({ bikeCode: 'SB-QJ-0001', status: 'OPEN', pricing: { startFeeFen: 100, per15MinFen: 150 } });
    // end it so the rest of the file starts clean
    const tok = winner === a ? alice : bob;
    const locked = await call('POST', `/v1/rides/${winner.body.rideId}/lock`, { token: tok, body: { location: here } });
    expect(locked.status).toBe(200);
    expect(locked.body.fareFen).toBe(250);
    expect((await call('POST', `/v1/dev/payments/${locked.body.order.id}/succeed`, { token: tok })).status).toBeLessThan(300);
  });

  it('one open ride per rider, also when racing for two bikes', async () => {
    const [a, b] = await Promise.all([
      call('POST', '/v1/bikes/SB-QJ-0002/unlock', { token: carol, body: { location: here } }),
      call('POST', '/v1/bikes/SB-QJ-0003/unlock', { token: carol, body: { location: here } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body.code).toBe('ride_in_progress');
    const winner = a.status === 201 ? a : b;
    // the losing bike is still free
    const other = winner === a ? 'SB-QJ-0003' : 'SB-QJ-0002';
    const bike = await db().doc.send(new GetCommand({ TableName: db().tableName, Key: { PK: `BIKE#${other}`, SK: 'BIKE' } }));
    expect(bike.Item?.status).toBe('AVAILABLE');
    expectProblem(await call('POST', '/v1/bikes/SB-QJ-0004/unlock', { token: carol, body: { location: here } }), 409, 'ride_in_progress');
    expect((await call('POST', `/v1/rides/${winner.body.rideId}/lock`, { token: carol, body: { location: here } })).status).toBe(200);
  });

  it('lock: edges count as inside, holes and no-parking (even inside parking) refuse with the nearest zone, the ride continues', async () => {
    const u = await call('POST', '/v1/bikes/SB-QJ-0005/unlock', { token: bob, body: { location: here } });
    expect(u.status).toBe(201);
    const rideId = u.body.rideId;
    const lock = (location: { lat: number; lng: number }, token = bob) => call('POST', `/v1/rides/${rideId}/lock`, { token, body: { location } });

    const outside = await lock({ lat: 31.23, lng: 121.49 });
    expectProblem(outside, 422, 'outside_parking_zone');
    expect(outside.body.reason).toBe('outside_parking_zones');
    expect(outside.body.nearestParkingZone).toMatchObject({ zoneId: parkingZoneId, name: '人民广场停车区' });
    expect(outside.body.nearestParkingZone.distanceMeters).toBeGreaterThan(900);
    expect(outside.body.nearestParkingZone.distanceMeters).toBeLessThan(1000);

    const inHole = await lock({ lat: 31.226, lng: 121.473 });
    expectProblem(inHole, 422, 'outside_parking_zone');
    expect(inHole.body.nearestParkingZone.distanceMeters).toBeGreaterThan(0);

    const inNoParking = await lock({ lat: 31.233, lng: 121.477 });
    expectProblem(inNoParking, 422, 'outside_parking_zone');
    expect(inNoParking.body).toMatchObject({ reason: 'no_parking_zone', noParkingZoneId });

    const onNoParkingEdge = await lock({ lat: 31.233, lng: 121.476 });
    expectProblem(onNoParkingEdge, 422, 'outside_parking_zone');

    expectProblem(await lock({ lat: 31.24, lng: 121.475 }, alice), 404, 'ride_not_found');
    const rides = await call('GET', '/v1/rides', { token: bob });
    expect(rides.body.items.find((r: any) => r.id === rideId).status).toBe('OPEN');

    // back-date the start 31 minutes: 3 started blocks
    await db().doc.send(
      new UpdateCommand({ TableName: db().tableName, Key: { PK: `BRIDE#${rideId}`, SK: 'RIDE' }, UpdateExpression: 'SET startedAt = :s', ExpressionAttributeValues: { ':s': new Date(Date.now() - 31 * 60_000).toISOString() } }),
    );
    const onEdge = await lock({ lat: 31.24, lng: 121.475 }, bob);
    expect(onEdge.status).toBe(200);
    expect(onEdge.body.fareFen).toBe(100 + 3 * 150);
    expect(onEdge.body.paymentRequired).toBe(true);
    expect(onEdge.body.ride).toMatchObject({ status: 'ENDED', fareFen: 550, paymentStatus: 'DUE', endLocation: { lat: 31.24, lng: 121.475 } });
    expect(onEdge.body.ride.durationSeconds).toBeGreaterThanOrEqual(31 * 60);
    expect(onEdge.body.order).toMatchObject({ kind: 'bike', status: 'PENDING_PAYMENT', amountFen: 550, amountDueFen: 550 });
    expect(onEdge.body.order.holdExpiresAt).toBeDefined();
    const order = await db().doc.send(new GetCommand({ TableName: db().tableName, Key: { PK: `ORDER#${onEdge.body.order.id}`, SK: 'ORDER' } }));
    expect(order.Item).toMatchObject({ kind: 'bike', userId: 'bob', amountFen: 550, ref: { rideId } });

    expectProblem(await lock({ lat: 31.23, lng: 121.475 }), 409, 'ride_already_ended');
    // an unpaid ride blocks the next unlock
    expectProblem(await call('POST', '/v1/bikes/SB-QJ-0006/unlock', { token: bob, body: { location: here } }), 422, 'unpaid_ride');
    // the bike is parked again at the lock position
    const bike = await db().doc.send(new GetCommand({ TableName: db().tableName, Key: { PK: 'BIKE#SB-QJ-0005', SK: 'BIKE' } }));
    expect(bike.Item).toMatchObject({ status: 'AVAILABLE', location: { lat: 31.24, lng: 121.475 } });
    expect(bike.Item?.currentRideId).toBeUndefined();
  });

  it('paying the ride order (sandbox) clears the debt and marks the ride paid', async () => {
    const rides = await call('GET', '/v1/rides', { token: bob });
    const ride = rides.body.items.find((r: any) => r.paymentStatus === 'DUE');
    expect(ride).toBeDefined();
    const paid = await call('POST', `/v1/dev/payments/${ride.orderId}/succeed`, { token: bob });
    expect(paid.status).toBeLessThan(300);
    const after = await call('GET', '/v1/rides', { token: bob });
    expect(after.body.items.find((r: any) => r.id === ride.id).paymentStatus).toBe('PAID');
    const u = await call('POST', '/v1/bikes/SB-QJ-0006/unlock', { token: bob, body: { location: here } });
    expect(u.status).toBe(201);
    expect((await call('POST', `/v1/rides/${u.body.rideId}/lock`, { token: bob, body: { location: here } })).status).toBe(200);
  });

  it('a city without parking zones accepts any lock position; fare 0 needs no payment', async () => {
    const u = await call('POST', '/v1/bikes/NF-QJ-0001/unlock', { token: alice, body: { location: { lat: 1, lng: 1 } } });
    expect(u.status).toBe(201);
    const l = await call('POST', `/v1/rides/${u.body.rideId}/lock`, { token: alice, body: { location: { lat: 10, lng: 10 } } });
    expect(l.status).toBe(200);
    expect(l.body).toMatchObject({ fareFen: 0, paymentRequired: false });
    expect(l.body.order).toBeUndefined();
    expect(l.body.ride.paymentStatus).toBe('NONE');
    // and alice can ride again straight away
    const again = await call('POST', '/v1/bikes/NF-QJ-0001/unlock', { token: alice, body: { location: { lat: 10, lng: 10 } } });
    expect(again.status).toBe(201);
    expect((await call('POST', `/v1/rides/${again.body.rideId}/lock`, { token: alice, body: { location: { lat: 10, lng: 10 } } })).status).toBe(200);
  });

  it('a bike on a ride cannot be retired (409 bike_in_use)', async () => {
    const u = await call('POST', '/v1/bikes/SB-QJ-0004/unlock', { token: alice, body: { location: here } });
    expect(u.status).toBe(201);
    expectProblem(await call('DELETE', '/v1/bikes/SB-QJ-0004', { token: operator }), 409, 'bike_in_use');
    // left open on purpose: the stats test below counts it as in use
  });

  it('GET /v1/rides lists my rides only, newest first, paged', async () => {
    const page1 = await call('GET', '/v1/rides?limit=2', { token: alice });
    expect(page1.status).toBe(200);
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.items.every((r: any) => r.id.startsWith('rid_'))).toBe(true);
    expect(page1.body.items[0].startedAt >= page1.body.items[1].startedAt).toBe(true);
    expect(page1.body.nextCursor).toBeDefined();
    const page2 = await call('GET', `/v1/rides?limit=2&cursor=${page1.body.nextCursor}`, { token: alice });
    expect(page2.body.items.length).toBeGreaterThan(0);
    const ids = new Set([...page1.body.items, ...page2.body.items].map((r: any) => r.id));
    expect(ids.size).toBe(page1.body.items.length + page2.body.items.length);
    expectProblem(await call('GET', `/v1/rides?cursor=${page1.body.nextCursor}`, { token: bob }), 400, 'invalid_cursor');
    const dave = await tokenFor('dave');
    expect((await call('GET', '/v1/rides', { token: dave })).body.items).toEqual([]);
  });
});

describe('regulator stats', () => {
  it('per operator: registered, in use, parked outside fences, rides today', async () => {
    // one bike placed outside every parking zone, one inside the no-parking zone
    await call('POST', '/v1/bikes', { token: operator, body: { code: 'SB-QJ-0100', cityId: 'sandbox', vehicleType: 'bicycle', location: { lat: 31.3, lng: 121.6 } } });
    await call('POST', '/v1/bikes', { token: operator, body: { code: 'SB-QJ-0101', cityId: 'sandbox', vehicleType: 'bicycle', location: { lat: 31.233, lng: 121.477 } } });
    const s = await call('GET', '/v1/bikes/cities/sandbox/stats', { token: regulator });
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({ cityId: 'sandbox', day: todayInShanghai(), zones: 2 });
    const qj = s.body.operators.find((o: any) => o.operatorId === 'qingju');
    // 8 registered; SB-QJ-0004 on a ride; 7 parked of which 2 outside; rides started today in sandbox:
    // race winner (1) + carol (1) + bob 0005 (1) + bob 0006 (1) + alice 0004 (1) = 5
    expect(qj).toEqual({ operatorId: 'qingju', maxBikes: 50, registered: 8, inUse: 1, parked: 7, parkedOutsideFences: 2, ridesToday: 5 });
    expectProblem(await call('GET', '/v1/bikes/cities/sandbox/stats', { token: otherRegulator }), 403, 'city_out_of_scope');
    expectProblem(await call('GET', '/v1/bikes/cities/sandbox/stats', { token: operator }), 403, 'forbidden');
    // the index behind "rides today" is a Query on the day's partition
    const q = await db().doc.send(new QueryCommand({ TableName: db().tableName, IndexName: 'GSI3', KeyConditionExpression: 'GSI3PK = :p', ExpressionAttributeValues: { ':p': `BRIDEDAY#sandbox#qingju#${todayInShanghai()}` }, Select: 'COUNT' }));
    expect(q.Count).toBe(5);
  });
});
