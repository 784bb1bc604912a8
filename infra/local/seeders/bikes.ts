/**
 * Demo data for bikes: city `shanghai` with parking zones around 人民广场 and 陆家嘴 (one with
 * a hole) and no-parking zones at metro exits, operators `qingju` and `hellobike` with quotas
 * and pricing, and 20 parked bikes. Idempotent: fixed ids; quotas, pricing and zones are
 * deterministic overwrites; bikes are created once (with their quota count) and never touched
 * again, so rides in a running demo survive a restart.
 */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Seeder } from '../seed';
import { bikeKeys } from '../../../functions/bikes/keys';
import { bikeItem, newBikeItem } from '../../../functions/bikes/fleet';
import { bbox, type GeoPolygon } from '../../../functions/bikes/geo';
import { transact, cancellationReasons } from '../../../functions/bikes/tx';

const CITY = 'shanghai';
const ring = (x0: number, y0: number, x1: number, y1: number) => [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];

const ZONES: { id: string; kind: 'parking' | 'no_parking'; name: string; polygon: GeoPolygon }[] = [
  { id: 'zon_01JDEMQ0000000000000000001', kind: 'parking', name: '人民广场停车区', polygon: { type: 'Polygon', coordinates: [ring(121.468, 31.227, 121.480, 31.236), ring(121.4735, 31.2305, 121.4755, 31.2325)] } },
  { id: 'zon_01JDEMQ0000000000000000002', kind: 'no_parking', name: '人民广场地铁站出口禁停区', polygon: { type: 'Polygon', coordinates: [ring(121.4745, 31.2330, 121.4765, 31.2345)] } },
  { id: 'zon_01JDEMQ0000000000000000003', kind: 'parking', name: '陆家嘴停车区', polygon: { type: 'Polygon', coordinates: [ring(121.495, 31.232, 121.510, 31.244)] } },
  { id: 'zon_01JDEMQ0000000000000000004', kind: 'no_parking', name: '东方明珠广场禁停区', polygon: { type: 'Polygon', coordinates: [ring(121.4985, 31.2385, 121.5005, 31.2405)] } },
];

const OPERATORS = [
  { id: 'qingju', name: '青桔单车', maxBikes: 200, startFeeFen: 150, per15MinFen: 100 },
  { id: 'hellobike', name: '哈啰单车', maxBikes: 150, startFeeFen: 100, per15MinFen: 150 },
];

/** 10 bikes per operator, spread over both parking areas (outside the no-parking zones). */
function demoBikes(op: string, prefix: string) {
  return Array.from({ length: 10 }, (_, i) => {
    const inPeople = i < 6;
    const lat = inPeople ? 31.2285 + (i % 3) * 0.0015 : 31.234 + (i % 4) * 0.002;
    const lng = inPeople ? 121.4695 + Math.floor(i / 3) * 0.002 + (op === 'qingju' ? 0 : 0.0007) : 121.497 + (i % 4) * 0.002 + (op === 'qingju' ? 0 : 0.0007);
    return { code: `SH-${prefix}-${String(i + 1).padStart(5, '0')}`, vehicleType: (i % 3 === 2 ? 'ebike' : 'bicycle') as 'bicycle' | 'ebike', location: { lat: Number(lat.toFixed(6)), lng: Number(lng.toFixed(6)) } };
  });
}

export const seeder: Seeder = {
  name: 'bikes',
  run: async (db, now) => {
    const at = now.toISOString();
    for (const z of ZONES) {
      await db.doc.send(new PutCommand({ TableName: db.tableName, Item: { ...bikeKeys.zone(CITY, z.id), type: 'BikeZone', ...z, cityId: CITY, bbox: bbox(z.polygon), createdAt: at } }));
    }
    for (const op of OPERATORS) {
      await db.doc.send(
        new UpdateCommand({
          TableName: db.tableName,
          Key: bikeKeys.quota(CITY, op.id),
          UpdateExpression: 'SET maxBikes = :m, registered = if_not_exists(registered, :zero), cityId = :c, operatorId = :o, operatorName = :n, updatedAt = :now, #t = :type',
          ExpressionAttributeNames: { '#t': 'type' },
          ExpressionAttributeValues: { ':m': op.maxBikes, ':zero': 0, ':c': CITY, ':o': op.id, ':n': op.name, ':now': at, ':type': 'BikeQuota' },
        }),
      );
      await db.doc.send(
        new PutCommand({
          TableName: db.tableName,
          Item: { ...bikeKeys.pricing(CITY, op.id), type: 'BikePricing', cityId: CITY, operatorId: op.id, startFeeFen: op.startFeeFen, per15MinFen: op.per15MinFen, updatedAt: at },
        }),
      );
      for (const b of demoBikes(op.id, op.id === 'qingju' ? 'QJ' : 'HB')) {
        // Same transaction as a real registration, so the counter matches the fleet.
        try {
          await transact(db, [
            {
              Update: {
                TableName: db.tableName,
                Key: bikeKeys.quota(CITY, op.id),
                UpdateExpression: 'SET registered = registered + :one',
                ConditionExpression: 'registered < maxBikes',
                ExpressionAttributeValues: { ':one': 1 },
              },
            },
            { Put: { TableName: db.tableName, Item: bikeItem(newBikeItem(CITY, op.id, b, now)), ConditionExpression: 'attribute_not_exists(PK)' } },
          ]);
        } catch (e) {
          if (cancellationReasons(e)[1]?.Code !== 'ConditionalCheckFailed') throw e; // already seeded
        }
      }
    }
  },
};
