/**
 * Driver search: spots free for a whole window near a point, nearest first.
 * Reads only the precision-5 geohash cells the circle touches (GSI1 `PGEO#<cell>`), so the
 * cost grows with the spots near the point, then the taken-slot days of the candidates
 * that pass the distance and schedule filters. No Scan.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../shared/db/client';
import { parseIso, toShanghaiIso } from '../../shared/domain/time';
import { badRequest, unprocessable } from '../../shared/http/errors';
import { cellsCovering, haversineM } from './geohash';
import { GEO_PRECISION, parkingKeys } from './keys';
import { RuleError, checkWindow, firstUnavailableSlot, priceFen, slotsByDay } from './rules';
import { batchGet, type SpotItem } from './store';
import { spotPublicView } from './spots';

export const MAX_RADIUS_M = 5000;

export interface SearchInput {
  lat: number;
  lng: number;
  radiusM: number;
  start: string | Date;
  end: string | Date;
  limit?: number;
}

export type SpotSearchResult = ReturnType<typeof spotPublicView> & { distanceM: number; priceFen: number };

const toMs = (x: string | Date, field: string) => {
  const d = x instanceof Date ? x : parseIso(x);
  if (!d || Number.isNaN(d.getTime())) throw badRequest('validation_failed', `${field} must be an ISO 8601 date-time with offset.`, { errors: [{ field: `/query/${field}`, message: 'is invalid' }] });
  return d.getTime();
};

/** Turns a rule failure on the window into 400 (malformed) or 422 (business rule). */
export function windowError(e: unknown, where: 'query' | 'body') {
  if (!(e instanceof RuleError)) return e;
  const errors = [{ field: `/${where}${e.field ?? ''}`, message: e.detail }];
  return e.code === 'invalid_window' ? badRequest(e.code, e.detail, { errors }) : unprocessable(e.code, e.detail, { errors });
}

async function spotsInCell(db: Db, cell: string): Promise<SpotItem[]> {
  const out: SpotItem[] = [];
  let ExclusiveStartKey: Record<string, any> | undefined;
  do {
    const r = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': parkingKeys.geoCell(cell) },
        ExclusiveStartKey,
      }),
    );
    out.push(...((r.Items ?? []) as SpotItem[]));
    ExclusiveStartKey = r.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return out;
}

/**
 * Spots free for the whole window (rounded outward to quarter hours), nearest first, with
 * `distanceM` and `priceFen` for that window. Also used by the chat function.
 * Slots held by an unpaid hold that has expired but not yet been swept still count as
 * taken (the sweep runs every minute).
 */
export async function searchSpots(db: Db, input: SearchInput, now = new Date()): Promise<SpotSearchResult[]> {
  if (!(input.radiusM > 0 && input.radiusM <= MAX_RADIUS_M)) throw badRequest('invalid_radius', `radiusM must be 1..${MAX_RADIUS_M}.`);
  let w: { start: number; end: number };
  try {
    w = checkWindow(toMs(input.start, 'start'), toMs(input.end, 'end'), now.getTime());
  } catch (e) {
    throw windowError(e, 'query');
  }
  const cells = cellsCovering(input.lat, input.lng, input.radiusM, GEO_PRECISION);
  const found = (await Promise.all(cells.map((c) => spotsInCell(db, c)))).flat();
  const near = found
    .filter((s) => s.active)
    .map((s) => ({ s, d: haversineM(input.lat, input.lng, s.lat, s.lng) }))
    .filter(({ d }) => d <= input.radiusM)
    .filter(({ s }) => firstUnavailableSlot(s, w.start, w.end) === undefined);
  if (!near.length) return [];
  const days = [...slotsByDay(w.start, w.end)];
  const dayItems = await batchGet(
    db,
    near.flatMap(({ s }) => days.map(([day]) => parkingKeys.day(s.spotId, day))),
  );
  const taken = new Map(dayItems.map((i) => [`${i.PK}|${i.SK}`, i.taken as Set<string> | undefined]));
  const free = near.filter(({ s }) =>
    days.every(([day, slots]) => {
      const k = parkingKeys.day(s.spotId, day);
      const set = taken.get(`${k.PK}|${k.SK}`);
      return !set || slots.every((i) => !set.has(String(i)));
    }),
  );
  free.sort((a, b) => a.d - b.d || a.s.spotId.localeCompare(b.s.spotId));
  const limit = input.limit ?? 20;
  return free.slice(0, limit).map(({ s, d }) => ({
    ...spotPublicView(s),
    distanceM: Math.round(d),
    priceFen: priceFen(s.pricePerHourFen, s.dailyCapFen, w.start, w.end),
  }));
}

/** The aligned window a search or reservation uses, in Shanghai time. */
export function windowView(startMs: number, endMs: number, rounded: boolean) {
  return { start: toShanghaiIso(startMs), end: toShanghaiIso(endMs), rounded };
}
