import { describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { call } from '../support/api';
import { db } from '../../shared/db/client';
import { addDays, todayInShanghai } from '../../shared/domain/time';
import { seedDemoTrips, seeder, DEMO_TRIPS } from '../../infra/local/seeders/ticketing';
import { getTripByNumber } from '../../functions/ticketing/search';

describe('demo data', () => {
  it('seeds rail, coach, ferry and air trips for 14 days, idempotently, with a cross-mode journey', { timeout: 120_000 }, async () => {
    const now = new Date();
    await seedDemoTrips(db(), now, 2);
    const tomorrow = addDays(todayInShanghai(now), 1);
    const g101 = await getTripByNumber(db(), 'G101', tomorrow);
    expect(g101?.stops.map((s) => s.name)).toEqual(['北京南', '济南西', '南京南', '上海虹桥']);
    const count = async () =>
      (await db().doc.send(new QueryCommand({ TableName: db().tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `OD#beijingnan#shanghaihongqiao#${tomorrow}` }, Select: 'COUNT' }))).Count;
    expect(await count()).toBe(3);
    // Running the seeder again changes nothing.
    await seedDemoTrips(db(), now, 2);
    expect(await count()).toBe(3);
    expect(seeder.name).toBe('ticketing');

    const modes = new Set(DEMO_TRIPS.map((t) => t.mode));
    expect([...modes].sort()).toEqual(['air', 'coach', 'ferry', 'rail']);
    const stations = await call('GET', `/v1/stations?q=${encodeURIComponent('上海')}`);
    expect(stations.body.stations.map((s: any) => s.stationId)).toEqual(expect.arrayContaining(['shanghaihongqiao', 'wusongkou', 'shanghaihongqiaojichang']));
    expect((await call('GET', '/v1/stations?q=zhou')).body.stations).toEqual([]);
    expect((await call('GET', '/v1/stations?q=putuo')).body.stations[0].name).toBe('舟山普陀山');
    const j = await call('GET', `/v1/journeys/search?from=beijingnan&to=putuoshan&date=${tomorrow}`);
    expect(j.body.journeys[0].legs.map((l: any) => `${l.mode}:${l.number}`)).toEqual(['rail:G101', 'ferry:WS1']);
    const air = await call('GET', `/v1/trips/search?from=beijingshoudu&to=shanghaihongqiaojichang&date=${tomorrow}`);
    expect(air.body.trips.map((t: any) => t.number)).toEqual(['MU5101', 'CA1519']);
  });
});
