/** City zones (parking / no-parking electronic fences), stored per city: Query by city, never Scan. */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../shared/db/client';
import { newId } from '../../shared/domain/ids';
import { badRequest, notFound } from '../../shared/http/errors';
import { bbox, polygonProblems, roundPolygon, type GeoPolygon } from './geo';
import { bikeKeys } from './keys';
import { strip, type ZoneItem } from './model';
import type { Deps } from './fleet';

/** Cap per city: a lock evaluates every zone of the city. */
export const MAX_ZONES_PER_CITY = 500;

export async function createZone({ db, now }: Deps, cityId: string, input: { kind: 'parking' | 'no_parking'; name: string; polygon: GeoPolygon }): Promise<ZoneItem> {
  const polygon = roundPolygon(input.polygon);
  const problems = polygonProblems(polygon);
  if (problems.length) throw badRequest('invalid_polygon', 'The polygon is not a valid GeoJSON Polygon (closed, non-self-intersecting rings; holes inside the outer ring).', { errors: problems });
  const existing = await listZones(db, cityId);
  if (existing.length >= MAX_ZONES_PER_CITY) throw badRequest('too_many_zones', `A city may have at most ${MAX_ZONES_PER_CITY} zones.`);
  const zone: ZoneItem = {
    id: newId('zon'),
    cityId,
    kind: input.kind,
    name: input.name,
    polygon,
    bbox: bbox(polygon),
    createdAt: now.toISOString(),
  };
  await db.doc.send(new PutCommand({ TableName: db.tableName, Item: { ...bikeKeys.zone(cityId, zone.id), type: 'BikeZone', ...zone }, ConditionExpression: 'attribute_not_exists(PK)' }));
  return zone;
}

/** All zones of a city (one Query on the city partition, paged). */
export async function listZones(db: Db, cityId: string): Promise<ZoneItem[]> {
  const out: ZoneItem[] = [];
  let start: Record<string, any> | undefined;
  do {
    const page = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
        ExpressionAttributeValues: { ':pk': bikeKeys.cityPk(cityId), ':p': bikeKeys.zonePrefix },
        ExclusiveStartKey: start,
      }),
    );
    for (const it of page.Items ?? []) out.push(strip<ZoneItem>(it));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

export async function getZone(db: Db, cityId: string, zoneId: string): Promise<ZoneItem> {
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: bikeKeys.zone(cityId, zoneId) }));
  if (!out.Item) throw notFound('zone_not_found', 'No such zone in this city.');
  return strip<ZoneItem>(out.Item);
}

export async function deleteZone(db: Db, cityId: string, zoneId: string): Promise<void> {
  try {
    await db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: bikeKeys.zone(cityId, zoneId), ConditionExpression: 'attribute_exists(PK)' }));
  } catch (e: any) {
    if (e?.name === 'ConditionalCheckFailedException') throw notFound('zone_not_found', 'No such zone in this city.');
    throw e;
  }
}
