/**
 * Ticketing: the trip model, key builders and the pure rules (trip validation, fares,
 * seat labels and seat choice, hold length, refund fee). No I/O here.
 */
import { createHash } from 'node:crypto';
import { parseIso, serviceDay, toShanghaiIso, addDays } from '../../shared/domain/time';
import { percentOf, roundToHalfYuan } from '../../shared/domain/money';
import { unprocessable } from '../../shared/http/errors';

export type Mode = 'rail' | 'coach' | 'ferry' | 'air';
export type TripStatus = 'on_time' | 'delayed' | 'cancelled';
export type TicketStatus = 'HELD' | 'AWAITING_PAYMENT' | 'ISSUED' | 'USED' | 'VOID';

export interface Stop {
  stationId: string;
  name: string;
  city?: string;
  lat?: number;
  lng?: number;
  /** ISO +08:00; absent on the first stop. */
  arrive?: string;
  /** ISO +08:00; absent on the last stop. */
  depart?: string;
}

export interface TripClass {
  code: string;
  name: string;
  seats: number;
  fareFenPerSegment: number[];
}

export interface Trip {
  tripId: string;
  mode: Mode;
  number: string;
  operatorName: string;
  serviceDate: string;
  realName: boolean;
  status: TripStatus;
  delayMinutes: number;
  stops: Stop[];
  classes: TripClass[];
  createdBy: string;
  operatorId?: string;
  createdAt: string;
  /** Import source (GTFS feed), for idempotent re-imports. */
  source?: string;
}

/** One ticket's claim on inventory, kept in the order's `ref` (what release gives back). */
export interface TicketRef {
  ticketId: string;
  passengerId: string;
  tripId: string;
  mode: Mode;
  classCode: string;
  block: number;
  seatIdx: number;
  fromIdx: number;
  toIdx: number;
  idHash: string;
  priceFen: number;
  /** Scheduled departure from the boarding stop (ISO). */
  depart: string;
}

// ---------------------------------------------------------------------------
// Keys (single table; see docs/ticketing.md for the access patterns)

export const tk = {
  trip: (tripId: string) => ({ PK: `TRIP#${tripId}`, SK: 'TRIP' }),
  tripPk: (tripId: string) => `TRIP#${tripId}`,
  /** Seat occupancy of one block of a class: attribute s<k> = number set of taken segments. */
  block: (tripId: string, classCode: string, block: number) => ({ PK: `TRIP#${tripId}`, SK: `INV#${classCode}#${String(block).padStart(3, '0')}` }),
  invPrefix: (classCode?: string) => (classCode ? `INV#${classCode}#` : 'INV#'),
  /** GSI1 on the trip: trips by number and service date. */
  tripNumberGsi: (number: string, serviceDate: string) => `TRIPNO#${number.toUpperCase()}#${serviceDate}`,
  /** Uniqueness of (mode, number, service date) for operator-created trips. */
  tripNumberGuard: (mode: string, number: string, serviceDate: string) => ({ PK: `TRIPNO#${mode}#${number.toUpperCase()}#${serviceDate}`, SK: 'TRIPNO' }),
  /** Direct-search index: one item per (from, to) pair of a trip, by departure day at `from`. */
  odPk: (from: string, to: string, day: string) => `OD#${from}#${to}#${day}`,
  /** Journey index: departures from a station on a day, with the stops downstream. */
  depPk: (station: string, day: string) => `DEP#${station}#${day}`,
  /** Journey index: arrivals at a station on a day, with the stops upstream. */
  arrPk: (station: string, day: string) => `ARR#${station}#${day}`,
  station: (stationId: string) => ({ PK: `STATION#${stationId}`, SK: 'STATION' }),
  stationTerm: (stationId: string, term: string) => ({ PK: `STATION#${stationId}`, SK: `TERM#${term}` }),
  /** GSI1 partition of station search terms, by the term's first character. */
  stationTermGsi: (term: string) => `STNQ#${Array.from(term)[0] ?? ''}`,
  /** One passenger (blind index) on one trip: number set of the segments they hold. */
  paxGuard: (tripId: string, idHash: string) => ({ PK: `TRIPPAX#${tripId}#${idHash}`, SK: 'PAX' }),
  ticket: (ticketId: string) => ({ PK: `TICKET#${ticketId}`, SK: 'TICKET' }),
  /** Link from a trip to an order whose other leg is on it (GSI3 TRIP#<id>#ORDERS). */
  tripOrderLink: (tripId: string, orderId: string) => ({ PK: `TRIPORDER#${tripId}`, SK: orderId }),
  tripOrdersGsi: (tripId: string) => `TRIP#${tripId}#ORDERS`,
};

// ---------------------------------------------------------------------------
// Stops and times

/** Departure time at stop i (ISO), the arrival for a stop without a departure. */
export const departAt = (t: Pick<Trip, 'stops'>, i: number) => (t.stops[i].depart ?? t.stops[i].arrive)!;
export const arriveAt = (t: Pick<Trip, 'stops'>, i: number) => (t.stops[i].arrive ?? t.stops[i].depart)!;
export const ms = (iso: string) => parseIso(iso)!.getTime();

export const SALES_CLOSE_MINUTES = 30;
export const CHANGE_CLOSE_MINUTES = 30;
export const MIN_TRANSFER_MINUTES = 20;

export function salesOpen(trip: Pick<Trip, 'stops' | 'status'>, fromIdx: number, now: Date): boolean {
  return trip.status !== 'cancelled' && ms(departAt(trip, fromIdx)) - now.getTime() >= SALES_CLOSE_MINUTES * 60_000;
}

export function stopIndex(trip: Pick<Trip, 'stops'>, stationId: string): number {
  return trip.stops.findIndex((s) => s.stationId === stationId);
}

/** Validates an operator's trip and returns it normalised (times as +08:00). Throws 422 invalid_trip. */
export function normaliseTripInput(input: any): Omit<Trip, 'tripId' | 'status' | 'delayMinutes' | 'createdBy' | 'createdAt'> {
  const problems: { field: string; message: string }[] = [];
  const stops: Stop[] = input.stops.map((s: any, i: number) => {
    const out: Stop = { stationId: s.stationId, name: s.name.trim() };
    if (s.city) out.city = s.city.trim();
    if (typeof s.lat === 'number') out.lat = s.lat;
    if (typeof s.lng === 'number') out.lng = s.lng;
    if (s.arrive) out.arrive = toShanghaiIso(s.arrive);
    if (s.depart) out.depart = toShanghaiIso(s.depart);
    if (i > 0 && !out.arrive && !out.depart) problems.push({ field: `/body/stops/${i}/arrive`, message: 'is required' });
    if (i === 0 && !out.depart) problems.push({ field: `/body/stops/0/depart`, message: 'the first stop needs a departure time' });
    if (i === input.stops.length - 1 && i > 0 && !out.arrive) problems.push({ field: `/body/stops/${i}/arrive`, message: 'the last stop needs an arrival time' });
    return out;
  });
  const seen = new Set<string>();
  stops.forEach((s, i) => {
    if (seen.has(s.stationId)) problems.push({ field: `/body/stops/${i}/stationId`, message: 'a trip calls at a station once' });
    seen.add(s.stationId);
  });
  let last = -Infinity;
  stops.forEach((s, i) => {
    for (const k of ['arrive', 'depart'] as const) {
      const v = s[k];
      if (!v) continue;
      const t = ms(v);
      const strictly = k === 'arrive' || !s.arrive;
      if (strictly ? t <= last : t < last) problems.push({ field: `/body/stops/${i}/${k}`, message: 'times must increase along the trip' });
      last = t;
    }
  });
  const segments = stops.length - 1;
  input.classes.forEach((c: any, i: number) => {
    if (c.fareFenPerSegment.length !== segments) problems.push({ field: `/body/classes/${i}/fareFenPerSegment`, message: `needs one fare per segment (${segments})` });
  });
  const codes = new Set(input.classes.map((c: any) => c.code));
  if (codes.size !== input.classes.length) problems.push({ field: '/body/classes', message: 'class codes must be unique' });
  if (!problems.length && stops[0].depart) {
    const firstDay = serviceDay(stops[0].depart);
    if (firstDay !== input.serviceDate && firstDay !== addDays(input.serviceDate, 1)) {
      problems.push({ field: '/body/serviceDate', message: 'the first departure must be on the service day (or past midnight of it)' });
    }
  }
  if (problems.length) throw unprocessable('invalid_trip', 'The trip is not consistent.', { errors: problems });
  return {
    mode: input.mode,
    number: input.number.toUpperCase(),
    operatorName: input.operatorName.trim(),
    serviceDate: input.serviceDate,
    realName: input.realName !== false,
    stops,
    classes: input.classes.map((c: any) => ({ code: c.code, name: c.name, seats: c.seats, fareFenPerSegment: [...c.fareFenPerSegment] })),
  };
}

/** Fare of one class between two stops: the sum of its segment fares. */
export function fareFen(cls: TripClass, fromIdx: number, toIdx: number): number {
  let sum = 0;
  for (let i = fromIdx; i < toIdx; i++) sum += cls.fareFenPerSegment[i];
  return sum;
}

export function segmentsOf(fromIdx: number, toIdx: number): number[] {
  const out: number[] = [];
  for (let i = fromIdx; i < toIdx; i++) out.push(i);
  return out;
}

// ---------------------------------------------------------------------------
// Seats

/** Seats side by side in a row, by mode (rail 2+3 ABC DF, air 3+3, coach 2+2, ferry rows of 8). */
export const ROW_SIZE: Record<Mode, number> = { rail: 5, air: 6, coach: 4, ferry: 8 };
/** Seats per inventory item: 20 rows (a rail car is one block of 100 seats). */
export const blockSize = (mode: Mode) => ROW_SIZE[mode] * 20;

export function seatBlock(mode: Mode, seatIdx: number) {
  return { block: Math.floor(seatIdx / blockSize(mode)), slot: seatIdx % blockSize(mode) };
}

const RAIL_LETTERS = 'ABCDF';
const AIR_LETTERS = 'ABCDEF';

/** A seat's label, e.g. rail '03车12A', air '12C', coach '07号', ferry '3排5号'. Cars/rows continue across classes. */
export function seatLabel(trip: Pick<Trip, 'mode' | 'classes'>, classCode: string, seatIdx: number): string {
  const mode = trip.mode;
  const row = ROW_SIZE[mode];
  // Rows (and rail cars) of earlier classes come first.
  let rowBase = 0;
  let carBase = 0;
  for (const c of trip.classes) {
    if (c.code === classCode) break;
    rowBase += Math.ceil(c.seats / row);
    carBase += Math.ceil(c.seats / blockSize(mode));
  }
  const pad = (n: number) => String(n).padStart(2, '0');
  switch (mode) {
    case 'rail': {
      const car = carBase + Math.floor(seatIdx / blockSize(mode)) + 1;
      const inCar = seatIdx % blockSize(mode);
      return `${pad(car)}车${pad(Math.floor(inCar / row) + 1)}${RAIL_LETTERS[inCar % row]}`;
    }
    case 'air':
      return `${rowBase + Math.floor(seatIdx / row) + 1}${AIR_LETTERS[seatIdx % row]}`;
    case 'coach':
      return `${pad(rowBase * row + seatIdx + 1)}号`;
    case 'ferry':
      return `${rowBase + Math.floor(seatIdx / row) + 1}排${(seatIdx % row) + 1}号`;
  }
}

/** Occupied segments per seat index of one class (absent = free on every segment). */
export type Occupancy = Map<number, Set<number>>;

export function isFree(occ: Occupancy, seatIdx: number, segs: number[]): boolean {
  const taken = occ.get(seatIdx);
  return !taken || segs.every((g) => !taken.has(g));
}

export function remainingSeats(seats: number, occ: Occupancy, segs: number[]): number {
  let taken = 0;
  for (const [idx, set] of occ) if (idx < seats && segs.some((g) => set.has(g))) taken++;
  return seats - taken;
}

/**
 * Chooses `k` seats free on every segment of `segs`, or null when fewer than `k` are free.
 * A party sits in one row when a row has room, else as close together as possible in one
 * block (rail car). A single traveller preferably gets a seat that is already used on other
 * segments (keeps whole-route seats for long journeys). Among equally good choices it picks
 * at random, so concurrent buyers rarely race for the same seat.
 */
export function chooseSeats(mode: Mode, seats: number, occ: Occupancy, segs: number[], k: number, rnd: () => number = Math.random): number[] | null {
  const free: number[] = [];
  for (let i = 0; i < seats; i++) if (isFree(occ, i, segs)) free.push(i);
  if (free.length < k) return null;
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  if (k === 1) {
    const reused = free.filter((i) => (occ.get(i)?.size ?? 0) > 0);
    return [pick(reused.length ? reused : free)];
  }
  const row = ROW_SIZE[mode];
  const byRow = new Map<number, number[]>();
  for (const i of free) {
    const r = Math.floor(i / row);
    if (!byRow.has(r)) byRow.set(r, []);
    byRow.get(r)!.push(i);
  }
  const rows = [...byRow.values()].filter((xs) => xs.length >= k);
  if (rows.length) return pick(rows).slice(0, k);
  // Closest window of k free seats within one block.
  const bs = blockSize(mode);
  let best = Infinity;
  let windows: number[][] = [];
  for (let i = 0; i + k <= free.length; i++) {
    const w = free.slice(i, i + k);
    if (Math.floor(w[0] / bs) !== Math.floor(w[k - 1] / bs)) continue;
    const span = w[k - 1] - w[0];
    if (span < best) {
      best = span;
      windows = [w];
    } else if (span === best) windows.push(w);
  }
  if (windows.length) return pick(windows);
  const start = Math.floor(rnd() * (free.length - k + 1));
  return free.slice(start, start + k);
}

// ---------------------------------------------------------------------------
// Holds and refunds

export const HOLD_SECONDS = 30 * 60;
export const SHORT_HOLD_SECONDS = 10 * 60;

/** 30 minutes, or 10 when the first departure is within 2 hours (HOLD_SECONDS overrides in createOrder). */
export function ticketHoldSeconds(firstDepartureMs: number, now: Date): number {
  return firstDepartureMs - now.getTime() <= 2 * 3600_000 ? SHORT_HOLD_SECONDS : HOLD_SECONDS;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

/**
 * The refund fee percentage at `msBefore` before departure (12306's rule): 0% at 8 days or
 * more, 5% from 8 days down to 48 hours, 10% from 48 to 24 hours, 20% in the last 24 hours;
 * null (no refund) from departure on. A boundary belongs to the cheaper side (exactly 48 h
 * before departure is 5%).
 */
export function refundFeePercent(msBefore: number): number | null {
  if (msBefore >= 8 * DAY) return 0;
  if (msBefore >= 48 * HOUR) return 5;
  if (msBefore >= 24 * HOUR) return 10;
  if (msBefore > 0) return 20;
  return null;
}

/** Fee for refunding `priceFen` at `msBefore` before departure, rounded to 0.5 yuan; null when no refund is possible. */
export function refundFeeFen(priceFen: number, msBefore: number): number | null {
  const pct = refundFeePercent(msBefore);
  if (pct === null) return null;
  return Math.min(priceFen, roundToHalfYuan(percentOf(priceFen, pct)));
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A stable trip id from a seed (demo data, GTFS imports): `trp_0` + 25 Crockford base32
 * characters of SHA-256(seed). Valid under isId('trp'); re-importing yields the same id.
 */
export function deterministicTripId(seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  let out = '0';
  for (let i = 0; i < 25; i++) out += CROCKFORD[digest[i] % 32];
  return `trp_${out}`;
}
