/** GBFS v3.0: every file validates against the official schemas after a scenario with bikes, rides and zones. */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { call, expectProblem, tokenFor } from '../support/api';
import { idCheckChar } from '../../shared/domain/idnumber';

const schemaDir = new URL('../../../shared/standards/gbfs/v3.0/', import.meta.url);
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validators = new Map<string, ReturnType<typeof ajv.compile>>();
for (const f of readdirSync(fileURLToPath(schemaDir)).filter((f) => f.endsWith('.json'))) {
  validators.set(f.replace(/\.json$/, ''), ajv.compile(JSON.parse(readFileSync(new URL(f, schemaDir), 'utf8'))));
}

function expectValid(name: string, body: unknown) {
  const v = validators.get(name);
  expect(v, `schema ${name}`).toBeDefined();
  const ok = v!(body);
  expect(ok, `${name}: ${JSON.stringify(v!.errors)}`).toBe(true);
}

const ring = (x0: number, y0: number, x1: number, y1: number) => [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];
const base = '/v1/gbfs/gbfscity/qingju';
let rider: string;
let operator: string;

beforeAll(async () => {
  const regulator = await tokenFor('reg-g', ['regulator'], { cityId: 'gbfscity' });
  operator = await tokenFor('op-qj', ['bike-operator'], { operatorId: 'qingju' });
  rider = await tokenFor('rider-g');
  await call('PUT', '/v1/bikes/cities/gbfscity/operators/qingju/quota', { token: regulator, body: { maxBikes: 20, operatorName: '青桔单车' } });
  await call('PUT', '/v1/bikes/cities/gbfscity/operators/hellobike/quota', { token: regulator, body: { maxBikes: 20, operatorName: '哈啰' } });
  await call('PUT', '/v1/bikes/cities/gbfscity/operators/qingju/pricing', { token: operator, body: { startFeeFen: 150, per15MinFen: 100 } });
  await call('POST', '/v1/bikes/cities/gbfscity/zones', { token: regulator, body: { kind: 'parking', name: '停车区', polygon: { type: 'Polygon', coordinates: [ring(121.47, 31.22, 121.48, 31.24), ring(121.472, 31.225, 121.474, 31.227)] } } });
  await call('POST', '/v1/bikes/cities/gbfscity/zones', { token: regulator, body: { kind: 'no_parking', name: '禁停区', polygon: { type: 'Polygon', coordinates: [ring(121.476, 31.232, 121.478, 31.234)] } } });
  for (let i = 1; i <= 4; i++) {
    await call('POST', '/v1/bikes', { token: operator, body: { code: `GB-QJ-000${i}`, cityId: 'gbfscity', vehicleType: i % 2 ? 'bicycle' : 'ebike', location: { lat: 31.23, lng: 121.471 + i * 0.001 } } });
  }
  await call('POST', '/v1/bikes', { token: operator, body: { code: 'GB-QJ-0099', cityId: 'gbfscity', vehicleType: 'bicycle' } }); // not deployed: no position
  const first17 = '11010119900307123';
  await call('POST', '/v1/bikes/riders', { token: rider, body: { name: '李四', idNumber: first17 + idCheckChar(first17), phone: '13812345678' } });
});

const feed = (file: string) => call('GET', `${base}/${file}.json`);

describe('GBFS v3.0 feeds', () => {
  it('every file validates against the official schema, is public and cacheable', async () => {
    // a ride in progress and a finished ride
    const r1 = await call('POST', '/v1/bikes/GB-QJ-0001/unlock', { token: rider, body: { location: { lat: 31.23, lng: 121.472 } } });
    expect(r1.status).toBe(201);
    // the validators do reject a broken file (a vehicle with neither position nor station)
    expect(validators.get('vehicle_status')!({ last_updated: '2026-01-01T00:00:00+08:00', ttl: 30, version: '3.0', data: { vehicles: [{ vehicle_id: 'a', is_reserved: false, is_disabled: false }] } })).toBe(false);
    const disco = await feed('gbfs');
    expect(disco.status).toBe(200);
    expectValid('gbfs', disco.body);
    const names = disco.body.data.feeds.map((f: any) => f.name);
    expect(names).toEqual(['system_information', 'vehicle_types', 'vehicle_status', 'geofencing_zones', 'system_pricing_plans']);
    for (const f of disco.body.data.feeds) {
      expect(f.url).toBe(`http://localhost${base}/${f.name}.json`);
      const r = await call('GET', new URL(f.url).pathname);
      expect(r.status, f.name).toBe(200);
      expectValid(f.name, r.body);
      expect(r.body.version).toBe('3.0');
      expect(r.headers['cache-control']).toBe(`public, max-age=${r.body.ttl}`);
    }
    const manifest = await call('GET', '/v1/gbfs/gbfscity/manifest.json');
    expect(manifest.status).toBe(200);
    expectValid('manifest', manifest.body);
    expect(manifest.body.data.datasets.map((d: any) => d.system_id).sort()).toEqual(['yizhan-gbfscity-hellobike', 'yizhan-gbfscity-qingju']);
    const si = await feed('system_information');
    expect(si.body.data).toMatchObject({ system_id: 'yizhan-gbfscity-qingju', timezone: 'Asia/Shanghai', manifest_url: 'http://localhost/v1/gbfs/gbfscity/manifest.json' });
    expect(si.body.data.operator[0].text).toBe('青桔单车');
    const plans = await feed('system_pricing_plans');
    expect(plans.body.data.plans[0]).toMatchObject({ currency: 'CNY', price: 1.5, per_min_pricing: [{ start: 0, rate: 1, interval: 15 }] });
    // the other operator has no pricing yet: still a valid (empty) plans file
    const hbPlans = await call('GET', '/v1/gbfs/gbfscity/hellobike/system_pricing_plans.json');
    expectValid('system_pricing_plans', hbPlans.body);
    expect(hbPlans.body.data.plans).toEqual([]);
    expectValid('vehicle_status', (await call('GET', '/v1/gbfs/gbfscity/hellobike/vehicle_status.json')).body);
  });

  it('vehicle_status: bikes on a ride are absent, no codes or rider data, vehicle_id rotates after every ride', async () => {
    const before = await feed('vehicle_status');
    const vs = before.body.data.vehicles;
    // GB-QJ-0001 is on a ride (previous test), GB-QJ-0099 has no position
    expect(vs).toHaveLength(3);
    expect(before.text).not.toMatch(/GB-QJ|rider-g|rid_/);
    expect(before.body.ttl).toBeLessThanOrEqual(60);
    const ids = new Set(vs.map((v: any) => v.vehicle_id));
    const rides = await call('GET', '/v1/rides', { token: rider });
    const open = rides.body.items.find((r: any) => r.status === 'OPEN');
    const locked = await call('POST', `/v1/rides/${open.id}/lock`, { token: rider, body: { location: { lat: 31.235, lng: 121.471 } } });
    expect(locked.status).toBe(200);
    const after = await feed('vehicle_status');
    expectValid('vehicle_status', after.body);
    expect(after.body.data.vehicles).toHaveLength(4);
    const back = after.body.data.vehicles.find((v: any) => v.lat === 31.235 && v.lon === 121.471);
    expect(back).toBeDefined();
    expect(ids.has(back.vehicle_id)).toBe(false);
    // the others kept their ids
    for (const v of after.body.data.vehicles.filter((v: any) => v !== back)) expect(ids.has(v.vehicle_id)).toBe(true);
    // pay, ride the same bike again: yet another id
    await call('POST', `/v1/dev/payments/${locked.body.order.id}/succeed`, { token: rider });
    const r2 = await call('POST', '/v1/bikes/GB-QJ-0001/unlock', { token: rider, body: { location: { lat: 31.235, lng: 121.471 } } });
    expect(r2.status).toBe(201);
    expect((await feed('vehicle_status')).body.data.vehicles.some((v: any) => v.vehicle_id === back.vehicle_id)).toBe(false);
    expect((await call('POST', `/v1/rides/${r2.body.rideId}/lock`, { token: rider, body: { location: { lat: 31.235, lng: 121.471 } } })).status).toBe(200);
    const third = (await feed('vehicle_status')).body.data.vehicles.find((v: any) => v.lat === 31.235);
    expect(third.vehicle_id).not.toBe(back.vehicle_id);
  });

  it('geofencing_zones: no-parking listed first (GBFS: first match wins), holes kept, global rule forbids ending elsewhere', async () => {
    const g = await feed('geofencing_zones');
    expectValid('geofencing_zones', g.body);
    const [first, second] = g.body.data.geofencing_zones.features;
    expect(first.properties.rules[0]).toEqual({ ride_start_allowed: true, ride_end_allowed: false, ride_through_allowed: true });
    expect(second.properties.rules[0].ride_end_allowed).toBe(true);
    expect(second.geometry.type).toBe('MultiPolygon');
    expect(second.geometry.coordinates[0]).toHaveLength(2);
    expect(g.body.data.global_rules[0].ride_end_allowed).toBe(false);
  });

  it('unknown datasets are 404', async () => {
    expectProblem(await call('GET', '/v1/gbfs/gbfscity/nobody/gbfs.json'), 404, 'gbfs_feed_not_found');
    expectProblem(await call('GET', '/v1/gbfs/nowhere/manifest.json'), 404, 'gbfs_feed_not_found');
  });
});
