/** The demo data: a city with zones, two operators with quotas, pricing and bikes; idempotent. */
import { describe, expect, it } from 'vitest';
import { call, tokenFor } from '../support/api';
import { db } from '../../shared/db/client';
import { seeder } from '../../infra/local/seeders/bikes';
import { polygonProblems } from '../../functions/bikes/geo';

describe('bikes demo seeder', () => {
  it('seeds shanghai twice without changing anything the second time', async () => {
    await seeder.run(db(), new Date());
    await seeder.run(db(), new Date());
    const zones = (await call('GET', '/v1/bikes/cities/shanghai/zones')).body.items;
    expect(zones.map((z: any) => z.kind).sort()).toEqual(['no_parking', 'no_parking', 'parking', 'parking']);
    for (const z of zones) expect(polygonProblems(z.polygon)).toEqual([]);
    const reg = await tokenFor('demo-regulator', ['regulator'], { cityId: 'shanghai' });
    const stats = await call('GET', '/v1/bikes/cities/shanghai/stats', { token: reg });
    expect(stats.body.operators).toEqual([
      expect.objectContaining({ operatorId: 'hellobike', registered: 10, parked: 10, parkedOutsideFences: 0, inUse: 0 }),
      expect.objectContaining({ operatorId: 'qingju', registered: 10, parked: 10, parkedOutsideFences: 0, inUse: 0 }),
    ]);
    const vs = await call('GET', '/v1/gbfs/shanghai/qingju/vehicle_status.json');
    expect(vs.body.data.vehicles).toHaveLength(10);
    const plans = await call('GET', '/v1/gbfs/shanghai/hellobike/system_pricing_plans.json');
    expect(plans.body.data.plans).toHaveLength(1);
  });
});
