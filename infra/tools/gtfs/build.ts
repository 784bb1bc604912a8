/**
 * GTFS → Yizhan trips, one per (GTFS trip, service date, frequency start) in a date range.
 * Pure: no I/O. Rules (docs/ticketing.md):
 * - service dates from calendar (weekday flags within start/end) ± calendar_dates (1 adds, 2 removes);
 *   with --repeat-weekly the weekday flags apply to every day of the range (feeds whose calendar expired);
 * - frequencies expand a trip into one trip per headway start in [start_time, end_time);
 * - times are wall-clock times of the agency's time zone (agency_timezone), stored as instants
 *   (+08:00); times past 24:00 belong to the service day they started on;
 * - mode from route_type: 2/100–117/400–405/900 rail, 3/200–299/700–716/800 coach,
 *   4/1000–1099/1200 ferry, 1100–1199 air, anything else coach;
 * - fares: the route's fare (fare_rules by route_id, else a fare with no rules) split over the
 *   trip's segments (the whole ride costs the fare); without one, a per-segment default by mode;
 *   prices are read as yuan;
 * - seats: --seats, else a default by mode; one class `STD`.
 */
import { createHash } from 'node:crypto';
import { addDays, dayOfWeek, toShanghaiIso } from '../../../shared/domain/time';
import { deterministicTripId, type Mode, type Stop, type Trip } from '../../../functions/ticketing/model';
import type { Feed, Row } from './read';

export const DEFAULT_SEATS: Record<Mode, number> = { rail: 500, coach: 45, ferry: 300, air: 160 };
export const DEFAULT_FARE_PER_SEGMENT_FEN: Record<Mode, number> = { rail: 2000, coach: 1500, ferry: 3000, air: 50000 };

export function modeOf(routeType: string): Mode {
  const t = Number(routeType);
  if (t === 2 || (t >= 100 && t <= 117) || (t >= 400 && t <= 405) || t === 900 || t === 0 || t === 1 || t === 5 || t === 7 || t === 12) return 'rail';
  if (t === 4 || (t >= 1000 && t <= 1099) || t === 1200) return 'ferry';
  if (t >= 1100 && t <= 1199) return 'air';
  return 'coach';
}

export function parseGtfsTime(s: string): number | null {
  const m = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(s.trim());
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : null;
}

const gtfsDay = (d: string) => `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;

/** Offset of `tz` from UTC at instant `ms`, in ms (Intl, full ICU). */
function tzOffsetMs(tz: string, ms: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(ms / 1000) * 1000;
}

/** The instant of wall-clock `secs` after midnight of `day` in `tz`. */
export function wallClockToInstant(day: string, secs: number, tz: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d) + secs * 1000;
  let guess = wall - tzOffsetMs(tz, wall);
  guess = wall - tzOffsetMs(tz, guess);
  return new Date(guess);
}

/** Service dates of each service_id within [from, to]. */
export function serviceDates(feed: Feed, from: string, to: string, repeatWeekly = false): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (sid: string, day: string) => {
    if (!out.has(sid)) out.set(sid, new Set());
    out.get(sid)!.add(day);
  };
  const names = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
  for (const c of feed.get('calendar') ?? []) {
    const start = gtfsDay(c.start_date);
    const end = gtfsDay(c.end_date);
    for (let day = from; day <= to; day = addDays(day, 1)) {
      if (!repeatWeekly && (day < start || day > end)) continue;
      if (c[names[dayOfWeek(day) - 1]] === '1') add(c.service_id, day);
    }
  }
  for (const x of repeatWeekly ? [] : (feed.get('calendar_dates') ?? [])) {
    const day = gtfsDay(x.date);
    if (day < from || day > to) continue;
    if (x.exception_type === '1') add(x.service_id, day);
    if (x.exception_type === '2') out.get(x.service_id)?.delete(day);
  }
  return out;
}

function yuanToFenLoose(price: string): number {
  const n = Number(price);
  return Number.isFinite(n) && n >= 0 ? Math.round(n * 100) : 0;
}

/** Route id → fare in fen (fare_rules by route, else the feed's only rule-less fare). */
export function routeFares(feed: Feed): { byRoute: Map<string, number>; fallback?: number } {
  const attrs = new Map((feed.get('fare_attributes') ?? []).map((f) => [f.fare_id, yuanToFenLoose(f.price)]));
  const byRoute = new Map<string, number>();
  const ruled = new Set<string>();
  for (const r of feed.get('fare_rules') ?? []) {
    ruled.add(r.fare_id);
    if (r.route_id && attrs.has(r.fare_id) && !byRoute.has(r.route_id)) byRoute.set(r.route_id, attrs.get(r.fare_id)!);
  }
  const unruled = [...attrs.keys()].filter((k) => !ruled.has(k));
  return { byRoute, ...(unruled.length === 1 ? { fallback: attrs.get(unruled[0]) } : {}) };
}

export function splitFare(totalFen: number, segments: number): number[] {
  const base = Math.floor(totalFen / segments);
  const out = Array.from({ length: segments }, () => base);
  out[segments - 1] += totalFen - base * segments;
  return out;
}

export interface BuildOptions {
  from: string;
  to: string;
  feedId: string;
  operator?: string;
  seats?: number;
  /** Run each calendar's weekly pattern on every day of the range, ignoring its start/end dates and exceptions (old sample feeds). */
  repeatWeekly?: boolean;
  now?: Date;
}

export interface BuildResult {
  trips: Trip[];
  warnings: string[];
}

const sanitise = (s: string) => s.replace(/[^A-Za-z0-9_.:-]/g, '_');
export const stationIdOf = (feedId: string, stopId: string) => `gtfs-${sanitise(feedId)}-${sanitise(stopId)}`.slice(0, 64);

export function buildTrips(feed: Feed, opts: BuildOptions): BuildResult {
  const warnings: string[] = [];
  const agencies = new Map((feed.get('agency') ?? []).map((a) => [a.agency_id ?? '', a]));
  const firstAgency = (feed.get('agency') ?? [])[0];
  const routes = new Map((feed.get('routes') ?? []).map((r) => [r.route_id, r]));
  const stops = new Map((feed.get('stops') ?? []).map((s) => [s.stop_id, s]));
  const fares = routeFares(feed);
  for (const f of feed.get('fare_attributes') ?? []) if (f.currency_type && f.currency_type !== 'CNY') warnings.push(`fare ${f.fare_id} is in ${f.currency_type}; read as yuan`);
  const dates = serviceDates(feed, opts.from, opts.to, opts.repeatWeekly);
  if (![...dates.values()].some((d) => d.size)) {
    const ranges = (feed.get('calendar') ?? []).map((c) => `${c.service_id} ${gtfsDay(c.start_date)}..${gtfsDay(c.end_date)}`);
    warnings.push(`no service between ${opts.from} and ${opts.to} (calendars: ${ranges.join(', ') || 'none'}); --repeat-weekly runs the weekly pattern in the range`);
  }
  const timesByTrip = new Map<string, Row[]>();
  for (const st of feed.get('stop_times') ?? []) {
    if (!timesByTrip.has(st.trip_id)) timesByTrip.set(st.trip_id, []);
    timesByTrip.get(st.trip_id)!.push(st);
  }
  const freqs = new Map<string, Row[]>();
  for (const f of feed.get('frequencies') ?? []) {
    if (!freqs.has(f.trip_id)) freqs.set(f.trip_id, []);
    freqs.get(f.trip_id)!.push(f);
  }
  const trips: Trip[] = [];
  for (const t of feed.get('trips') ?? []) {
    const route = routes.get(t.route_id);
    if (!route) {
      warnings.push(`trip ${t.trip_id}: unknown route ${t.route_id}`);
      continue;
    }
    const days = dates.get(t.service_id);
    if (!days?.size) continue;
    const rows = (timesByTrip.get(t.trip_id) ?? []).slice().sort((a, b) => Number(a.stop_sequence) - Number(b.stop_sequence));
    if (rows.length < 2) {
      warnings.push(`trip ${t.trip_id}: fewer than 2 stops`);
      continue;
    }
    // Times in seconds after the service day's midnight; untimed stops interpolated.
    const arr = rows.map((r) => parseGtfsTime(r.arrival_time || r.departure_time || ''));
    const dep = rows.map((r) => parseGtfsTime(r.departure_time || r.arrival_time || ''));
    for (let i = 0; i < rows.length; i++) {
      if (arr[i] !== null) continue;
      let a = i - 1;
      let b = i + 1;
      while (b < rows.length && arr[b] === null) b++;
      if (a < 0 || b >= rows.length || dep[a] === null) break;
      const v = Math.round(dep[a]! + ((arr[b]! - dep[a]!) * (i - a)) / (b - a));
      arr[i] = v;
      dep[i] = v;
    }
    if (arr.some((x) => x === null) || dep.some((x) => x === null)) {
      warnings.push(`trip ${t.trip_id}: stop times missing`);
      continue;
    }
    const mode = modeOf(route.route_type);
    const agency = agencies.get(route.agency_id ?? '') ?? firstAgency;
    const tz = agency?.agency_timezone || 'Asia/Shanghai';
    const operatorName = opts.operator ?? agency?.agency_name ?? 'GTFS';
    const segments = rows.length - 1;
    const fare = fares.byRoute.get(route.route_id) ?? fares.fallback;
    const fareFenPerSegment = fare !== undefined ? splitFare(fare, segments) : Array.from({ length: segments }, () => DEFAULT_FARE_PER_SEGMENT_FEN[mode]);
    const seats = opts.seats ?? DEFAULT_SEATS[mode];
    const starts: number[] = [];
    const f = freqs.get(t.trip_id);
    if (f?.length) {
      for (const x of f) {
        const s = parseGtfsTime(x.start_time);
        const e = parseGtfsTime(x.end_time);
        const h = Number(x.headway_secs);
        if (s === null || e === null || !(h > 0)) continue;
        for (let v = s; v < e; v += h) starts.push(v);
      }
    } else starts.push(dep[0]!);
    const baseName = t.trip_short_name || route.route_short_name || route.route_id;
    const seen = new Set<string>();
    const stopSeen = new Set<string>();
    const dupStop = rows.some((r) => (stopSeen.has(r.stop_id) ? true : (stopSeen.add(r.stop_id), false)));
    if (dupStop) {
      warnings.push(`trip ${t.trip_id}: calls at a stop twice (loop); skipped`);
      continue;
    }
    for (const day of [...days].sort()) {
      for (const start of starts) {
        const shift = start - dep[0]!;
        const hhmm = `${String(Math.floor(start / 3600)).padStart(2, '0')}${String(Math.floor((start % 3600) / 60)).padStart(2, '0')}`;
        const key = f?.length ? `${t.trip_id}@${hhmm}` : t.trip_id;
        if (seen.has(`${day}|${key}`)) continue;
        seen.add(`${day}|${key}`);
        const at = (secs: number) => toShanghaiIso(wallClockToInstant(day, secs + shift, tz));
        const tripStops: Stop[] = rows.map((r, i) => {
          const s = stops.get(r.stop_id);
          const lat = Number(s?.stop_lat);
          const lng = Number(s?.stop_lon);
          return {
            stationId: stationIdOf(opts.feedId, r.stop_id),
            name: s?.stop_name || r.stop_id,
            ...(Number.isFinite(lat) && s?.stop_lat ? { lat } : {}),
            ...(Number.isFinite(lng) && s?.stop_lon ? { lng } : {}),
            ...(i > 0 ? { arrive: at(arr[i]!) } : {}),
            ...(i < rows.length - 1 ? { depart: at(dep[i]!) } : {}),
          };
        });
        const number = (f?.length ? `${baseName}-${hhmm}` : t.trip_short_name || `${baseName}-${t.trip_id}`).replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 32).toUpperCase();
        trips.push({
          tripId: deterministicTripId(`gtfs:${opts.feedId}:${key}:${day}`),
          mode,
          number,
          operatorName,
          serviceDate: day,
          realName: mode !== 'coach',
          status: 'on_time',
          delayMinutes: 0,
          stops: tripStops,
          classes: [{ code: 'STD', name: mode === 'air' ? '经济舱' : mode === 'ferry' ? '散席' : '标准座', seats, fareFenPerSegment }],
          createdBy: 'gtfs-import',
          createdAt: `${day}T00:00:00+08:00`,
          source: `gtfs:${opts.feedId}`,
        });
      }
    }
  }
  return { trips, warnings };
}

/** A stable hash of what a trip says (re-imports skip unchanged trips). */
export function tripHash(t: Trip): string {
  return createHash('sha256').update(JSON.stringify([t.mode, t.number, t.operatorName, t.serviceDate, t.realName, t.stops, t.classes])).digest('hex').slice(0, 32);
}
