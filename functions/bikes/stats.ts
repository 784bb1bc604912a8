/**
 * The regulator's view of a city, per operator: registered (quota counter), in use (count
 * of the sparse in-use index), parked outside fences (parked bikes checked against the
 * city's current zones), rides today (count of the rides-per-day index). No Scan.
 */
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../shared/db/client';
import { serviceDay } from '../../shared/domain/time';
import { bikeKeys } from './keys';
import { strip, type LatLng, type QuotaItem } from './model';
import { listZones } from './zones';
import { parkingVerdict } from './geo';

async function countQuery(db: Db, input: Omit<QueryCommandInput, 'TableName'>): Promise<number> {
  let n = 0;
  let start: Record<string, any> | undefined;
  do {
    const out = await db.doc.send(new QueryCommand({ ...input, TableName: db.tableName, Select: 'COUNT', ExclusiveStartKey: start }));
    n += out.Count ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  return n;
}

export async function queryAll(db: Db, input: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let start: Record<string, any> | undefined;
  do {
    const out = await db.doc.send(new QueryCommand({ ...input, TableName: db.tableName, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

export async function listQuotas(db: Db, cityId: string): Promise<QuotaItem[]> {
  const items = await queryAll(db, {
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
    ExpressionAttributeValues: { ':pk': bikeKeys.cityPk(cityId), ':p': bikeKeys.quotaPrefix },
    ConsistentRead: true,
  });
  return items.map((it) => strip<QuotaItem>(it));
}

/** Parked bikes of an operator in a city (sparse GSI1), with what GBFS and the fence check need. */
export async function parkedBikes(db: Db, cityId: string, operatorId: string) {
  const items = await queryAll(db, {
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk',
    ExpressionAttributeValues: { ':pk': bikeKeys.availableGsi(cityId, operatorId) },
  });
  return items
    .filter((it) => it.status === 'AVAILABLE')
    .map((it) => ({ code: it.code as string, publicId: it.publicId as string, vehicleType: it.vehicleType as string, location: it.location as LatLng | undefined, lastReportedAt: it.lastReportedAt as string }));
}

export async function cityStats(db: Db, cityId: string, now: Date) {
  const day = serviceDay(now);
  const [quotas, zones] = await Promise.all([listQuotas(db, cityId), listZones(db, cityId)]);
  const operators = await Promise.all(
    quotas.map(async (q) => {
      const [inUse, ridesToday, parked] = await Promise.all([
        countQuery(db, { IndexName: 'GSI3', KeyConditionExpression: 'GSI3PK = :pk', ExpressionAttributeValues: { ':pk': bikeKeys.inUseGsi(cityId, q.operatorId) } }),
        countQuery(db, { IndexName: 'GSI3', KeyConditionExpression: 'GSI3PK = :pk', ExpressionAttributeValues: { ':pk': bikeKeys.ridesDayGsi(cityId, q.operatorId, day) } }),
        parkedBikes(db, cityId, q.operatorId),
      ]);
      const placed = parked.filter((b) => b.location);
      const outside = placed.filter((b) => !parkingVerdict(zones, b.location!.lng, b.location!.lat).ok).length;
      return {
        operatorId: q.operatorId,
        maxBikes: q.maxBikes,
        registered: q.registered,
        inUse,
        parked: parked.length,
        parkedOutsideFences: outside,
        ridesToday,
      };
    }),
  );
  operators.sort((a, b) => a.operatorId.localeCompare(b.operatorId));
  return { cityId, day, zones: zones.length, operators };
}
