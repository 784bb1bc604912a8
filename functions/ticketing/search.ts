/**
 * Search (also imported by the chat function): stations by prefix, direct trips A→B on a
 * day with exact remaining seats, journeys with at most one transfer, trips by number.
 * Every read is a Query on a key built from the question, so the cost grows with the
 * answer, never with the table.
 */
import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../shared/db/client';
import { addDays, minutesBetween } from '../../shared/domain/time';
import { arriveAt, departAt, fareFen, ms, remainingSeats, salesOpen, segmentsOf, tk, MIN_TRANSFER_MINUTES, type Mode, type Trip } from './model';
import { loadTripSnapshot, toTrip, type TripSnapshot } from './inventory';
import { normaliseTerm } from './trips';

export interface StationView {
  stationId: string;
  name: string;
  city?: string;
  lat?: number;
  lng?: number;
}

async function queryAll(db: Db, input: Record<string, any>, max = 2000): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  let start: Record<string, any> | undefined;
  do {
    const r = await db.doc.send(new QueryCommand({ TableName: db.tableName, ...input, ExclusiveStartKey: start } as any));
    out.push(...(r.Items ?? []));
    start = r.LastEvaluatedKey;
  } while (start && out.length < max);
  return out;
}

/** Stations whose Chinese name, id (pinyin) or city starts with `q`. */
export async function findStations(db: Db, q: string, limit = 20): Promise<StationView[]> {
  const term = normaliseTerm(q);
  if (!term) return [];
  const items = await queryAll(
    db,
    {
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :q)',
      ExpressionAttributeValues: { ':pk': tk.stationTermGsi(term), ':q': term },
      Limit: 100,
    },
    200,
  );
  const ids: string[] = [];
  for (const it of items) if (!ids.includes(it.stationId)) ids.push(it.stationId);
  // Exact matches first, then shorter names.
  const stations = await getStations(db, ids.slice(0, 100));
  const score = (s: StationView) => (normaliseTerm(s.name) === term || s.stationId === term ? 0 : 1);
  return stations.sort((a, b) => score(a) - score(b) || a.name.length - b.name.length || a.name.localeCompare(b.name)).slice(0, limit);
}

export async function getStations(db: Db, ids: string[]): Promise<StationView[]> {
  const found = new Map<string, StationView>();
  for (let i = 0; i < ids.length; i += 100) {
    let keys: any[] = ids.slice(i, i + 100).map((id) => tk.station(id));
    for (let attempt = 0; keys.length && attempt < 5; attempt++) {
      const r = await db.doc.send(new BatchGetCommand({ RequestItems: { [db.tableName]: { Keys: keys } } }));
      for (const it of r.Responses?.[db.tableName] ?? []) found.set(it.stationId, stationView(it));
      keys = (r.UnprocessedKeys?.[db.tableName]?.Keys as any[]) ?? [];
    }
  }
  return ids.map((id) => found.get(id)).filter((s): s is StationView => !!s);
}

const stationView = (it: Record<string, any>): StationView => ({
  stationId: it.stationId,
  name: it.name,
  ...(it.city ? { city: it.city } : {}),
  ...(it.lat !== undefined ? { lat: it.lat } : {}),
  ...(it.lng !== undefined ? { lng: it.lng } : {}),
});

/**
 * The stations of a city (or the one station) a name designates: '上海' → 上海虹桥, 上海站,
 * 吴淞口...; '北京南' → 北京南. Matches the city or station name exactly (after
 * normalisation), else falls back to stations whose name starts with it.
 */
export async function resolveCityStations(db: Db, cityOrStationName: string): Promise<StationView[]> {
  const term = normaliseTerm(cityOrStationName);
  if (!term) return [];
  const candidates = await findStations(db, term, 50);
  const exactCity = candidates.filter((s) => s.city && normaliseTerm(s.city) === term);
  if (exactCity.length) return exactCity;
  const exact = candidates.filter((s) => normaliseTerm(s.name) === term || s.stationId === term);
  if (exact.length) return exact;
  return candidates.filter((s) => normaliseTerm(s.name).startsWith(term));
}

/** Trips with this number on this service day (normally one). */
export async function getTripByNumber(db: Db, number: string, date: string): Promise<Trip | undefined> {
  const items = await queryAll(db, {
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk',
    ExpressionAttributeValues: { ':pk': tk.tripNumberGsi(number, date) },
  });
  const trips = items.filter((it) => it.type === 'Trip').map(toTrip);
  return trips.sort((a, b) => a.tripId.localeCompare(b.tripId))[0];
}

export interface TripOffer {
  tripId: string;
  mode: Mode;
  number: string;
  operatorName: string;
  from: { stationId: string; name: string; city?: string; depart: string };
  to: { stationId: string; name: string; city?: string; arrive: string };
  durationMinutes: number;
  status: Trip['status'];
  delayMinutes: number;
  salesOpen: boolean;
  classes: { code: string; name: string; remaining: number; priceFen: number }[];
}

/** What one trip offers from stop a to stop b: times, and per class the exact remaining seats and price. */
export function offerOf(snap: TripSnapshot, a: number, b: number, now: Date): TripOffer {
  const t = snap.trip;
  const segs = segmentsOf(a, b);
  const open = salesOpen(t, a, now);
  const st = (i: number) => ({ stationId: t.stops[i].stationId, name: t.stops[i].name, ...(t.stops[i].city ? { city: t.stops[i].city } : {}) });
  return {
    tripId: t.tripId,
    mode: t.mode,
    number: t.number,
    operatorName: t.operatorName,
    from: { ...st(a), depart: departAt(t, a) },
    to: { ...st(b), arrive: arriveAt(t, b) },
    durationMinutes: minutesBetween(departAt(t, a), arriveAt(t, b)),
    status: t.status,
    delayMinutes: t.delayMinutes,
    salesOpen: open,
    classes: t.classes.map((c) => ({
      code: c.code,
      name: c.name,
      remaining: t.status === 'cancelled' ? 0 : remainingSeats(c.seats, snap.occupancy.get(c.code) ?? new Map(), segs),
      priceFen: fareFen(c, a, b),
    })),
  };
}

async function snapshots(db: Db, tripIds: string[]): Promise<Map<string, TripSnapshot>> {
  const out = new Map<string, TripSnapshot>();
  const unique = [...new Set(tripIds)];
  // Bounded parallelism: one query per trip (trip item + its seat blocks share a partition).
  for (let i = 0; i < unique.length; i += 16) {
    const got = await Promise.all(unique.slice(i, i + 16).map((id) => loadTripSnapshot(db, id)));
    got.forEach((s) => s && out.set(s.trip.tripId, s));
  }
  return out;
}

/** Direct trips from `from` to `to` leaving `from` on `date` (Shanghai day), sorted by departure. */
export async function searchTrips(db: Db, q: { from: string; to: string; date: string; modes?: Mode[] }, now = new Date()): Promise<{ trips: TripOffer[] }> {
  if (q.from === q.to) return { trips: [] };
  const hits = await queryAll(db, {
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': tk.odPk(q.from, q.to, q.date) },
  });
  const wanted = hits.filter((h) => !q.modes?.length || q.modes.includes(h.mode));
  const snaps = await snapshots(db, wanted.map((h) => h.tripId));
  const trips: TripOffer[] = [];
  for (const h of wanted) {
    const snap = snaps.get(h.tripId);
    if (snap) trips.push(offerOf(snap, h.fromIdx, h.toIdx, now));
  }
  trips.sort((x, y) => ms(x.from.depart) - ms(y.from.depart) || x.number.localeCompare(y.number));
  return { trips };
}

export interface Journey {
  depart: string;
  arrive: string;
  durationMinutes: number;
  transfers: number;
  transferMinutes?: number;
  legs: TripOffer[];
}

const MAX_JOURNEYS = 30;
const MAX_WAIT_MINUTES = 12 * 60;

/**
 * Itineraries from `from` to `to` leaving on `date`: direct trips and trips with one
 * transfer at the same station or another station of the same city, at least 20 minutes
 * (and at most 12 hours) apart, across modes. Sorted by arrival. Cancelled and departed
 * trips are left out.
 */
export async function searchJourneys(db: Db, q: { from: string; to: string; date: string; modes?: Mode[] }, now = new Date()): Promise<{ journeys: Journey[] }> {
  if (q.from === q.to) return { journeys: [] };
  const [deps, arrs1, arrs2] = await Promise.all([
    queryAll(db, { KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': tk.depPk(q.from, q.date) } }),
    queryAll(db, { KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': tk.arrPk(q.to, q.date) } }),
    queryAll(db, { KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': tk.arrPk(q.to, addDays(q.date, 1)) } }),
  ]);
  const modeOk = (m: Mode) => !q.modes?.length || q.modes.includes(m);
  type Cand = { legs: { tripId: string; a: number; b: number }[]; arrive: number; depart: number; wait?: number };
  const cands: Cand[] = [];
  const arrs = [...arrs1, ...arrs2].filter((x) => modeOk(x.mode));
  for (const d of deps) {
    if (!modeOk(d.mode)) continue;
    const departMs = ms(d.SK.split('#')[0]);
    if (departMs <= now.getTime()) continue;
    // Direct.
    const direct = (d.down as any[]).find((s) => s.s === q.to);
    if (direct) {
      cands.push({ legs: [{ tripId: d.tripId, a: d.idx, b: direct.i }], depart: departMs, arrive: ms(direct.a) });
      continue;
    }
    // One transfer: best (earliest arriving, then shortest wait) pairing per second trip.
    for (const x of arrs) {
      if (x.tripId === d.tripId) continue;
      let best: Cand | undefined;
      for (const down of d.down as any[]) {
        for (const up of x.up as any[]) {
          const same = down.s === up.s || (down.c && up.c && down.c === up.c);
          if (!same) continue;
          const wait = (ms(up.d) - ms(down.a)) / 60_000;
          if (wait < MIN_TRANSFER_MINUTES || wait > MAX_WAIT_MINUTES) continue;
          const c: Cand = { legs: [{ tripId: d.tripId, a: d.idx, b: down.i }, { tripId: x.tripId, a: up.i, b: x.idx }], depart: departMs, arrive: ms(x.SK.split('#')[0]), wait };
          if (!best || c.wait! < best.wait!) best = c;
        }
      }
      if (best) cands.push(best);
    }
  }
  cands.sort((a, b) => a.arrive - b.arrive || b.depart - a.depart || a.legs.length - b.legs.length);
  const chosen = cands.slice(0, MAX_JOURNEYS * 2);
  const snaps = await snapshots(db, chosen.flatMap((c) => c.legs.map((l) => l.tripId)));
  const journeys: Journey[] = [];
  for (const c of chosen) {
    const legs = c.legs.map((l) => {
      const s = snaps.get(l.tripId);
      return s ? offerOf(s, l.a, l.b, now) : undefined;
    });
    if (legs.some((l) => !l || l.status === 'cancelled')) continue;
    const ls = legs as TripOffer[];
    journeys.push({
      depart: ls[0].from.depart,
      arrive: ls[ls.length - 1].to.arrive,
      durationMinutes: minutesBetween(ls[0].from.depart, ls[ls.length - 1].to.arrive),
      transfers: ls.length - 1,
      ...(ls.length > 1 ? { transferMinutes: minutesBetween(ls[0].to.arrive, ls[1].from.depart) } : {}),
      legs: ls,
    });
    if (journeys.length >= MAX_JOURNEYS) break;
  }
  return { journeys };
}
