/**
 * Time in Asia/Shanghai. China uses UTC+8 all year (no daylight saving since
 * 1991), so a fixed offset is exact for every date the platform deals with and we
 * never need a time-zone database.
 *
 * Conventions:
 * - A "day" is a 'YYYY-MM-DD' string meaning a calendar day in Shanghai (the
 *   service day of a train, a parking reservation, a voyage).
 * - Instants cross the API as RFC 3339 strings with an explicit offset
 *   ('2026-12-01T08:30:00+08:00' or '...Z'); a string without an offset is
 *   ambiguous and rejected.
 */

/** Shanghai's offset from UTC, in minutes. */
export const SHANGHAI_OFFSET_MINUTES = 8 * 60;
const OFFSET_MS = SHANGHAI_OFFSET_MINUTES * 60_000;
const DAY_MS = 86_400_000;
/** Years before 1000 are rejected (Date.UTC maps 0..99 to 1900..1999; no booking is that old). */
const MIN_YEAR = 1000;

const pad2 = (n: number) => String(n).padStart(2, '0');
const pad4 = (n: number) => String(n).padStart(4, '0');

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2}))$/;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** True for a real calendar day written 'YYYY-MM-DD'. */
export function isDay(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const m = DAY_RE.exec(s);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  return y >= MIN_YEAR && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

function assertDay(day: string): void {
  if (!isDay(day)) throw new RangeError(`not a day (YYYY-MM-DD): ${String(day)}`);
}

/** Epoch ms of 00:00 UTC on the given (validated) day. */
function dayStartUtcMs(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return Date.UTC(y, m - 1, d);
}

/**
 * Parse an RFC 3339 date-time that carries an offset (`Z` or `±HH:MM`). Seconds are
 * optional, fractions are kept to the millisecond. Returns null for anything else
 * (no offset, impossible date or time, garbage). Never relies on Date.parse's
 * implementation-defined leniency.
 */
export function parseIso(s: unknown): Date | null {
  if (typeof s !== 'string') return null;
  const m = ISO_RE.exec(s);
  if (!m) return null;
  const [, ys, mos, ds, hs, mis, ss, frac, z, sign, ohs, oms] = m;
  const y = Number(ys);
  const mo = Number(mos);
  const d = Number(ds);
  const h = Number(hs);
  const mi = Number(mis);
  const sec = ss === undefined ? 0 : Number(ss);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  if (h > 23 || mi > 59 || sec > 59) return null;
  let offsetMin = 0;
  if (z !== 'Z') {
    const oh = Number(ohs);
    const om = Number(oms);
    if (oh > 23 || om > 59) return null;
    offsetMin = (sign === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const ms = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  const utc = Date.UTC(y, mo - 1, d, h, mi, sec, ms) - offsetMin * 60_000;
  const out = new Date(utc);
  return y < MIN_YEAR || Number.isNaN(out.getTime()) ? null : out;
}

/** True when {@link parseIso} accepts the string (i.e. it has an explicit offset). */
export function isIsoWithOffset(s: unknown): s is string {
  return parseIso(s) !== null;
}

/** Like {@link parseIso} but throws a RangeError naming the field. */
export function requireIso(s: unknown, field = 'value'): Date {
  const d = parseIso(s);
  if (!d) throw new RangeError(`${field} must be an ISO 8601 date-time with an offset, got ${JSON.stringify(s)}`);
  return d;
}

function toDate(x: Date | string | number): Date {
  if (x instanceof Date) {
    if (Number.isNaN(x.getTime())) throw new RangeError('invalid Date');
    return x;
  }
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw new RangeError('invalid epoch milliseconds');
    return new Date(x);
  }
  return requireIso(x);
}

/** Wall-clock fields of an instant in Shanghai. */
function shanghaiFields(d: Date) {
  const s = new Date(d.getTime() + OFFSET_MS);
  return {
    y: s.getUTCFullYear(),
    mo: s.getUTCMonth() + 1,
    d: s.getUTCDate(),
    h: s.getUTCHours(),
    mi: s.getUTCMinutes(),
    sec: s.getUTCSeconds(),
  };
}

/**
 * The Shanghai calendar day of an instant: `serviceDay('2026-11-30T17:00:00Z')`
 * is '2026-12-01'. Accepts a Date, epoch milliseconds, an ISO string with offset,
 * or an already-formed day 'YYYY-MM-DD' (returned as is).
 */
export function serviceDay(x: Date | string | number): string {
  if (typeof x === 'string' && DAY_RE.test(x)) {
    assertDay(x);
    return x;
  }
  const f = shanghaiFields(toDate(x));
  return `${pad4(f.y)}-${pad2(f.mo)}-${pad2(f.d)}`;
}

/** Today in Shanghai as 'YYYY-MM-DD'. */
export function todayInShanghai(now: Date | number = Date.now()): string {
  return serviceDay(now);
}

/**
 * An instant written in Shanghai time with its offset, to the second:
 * `toShanghaiIso(new Date('2026-12-01T00:30:00Z'))` is '2026-12-01T08:30:00+08:00'.
 */
export function toShanghaiIso(x: Date | string | number): string {
  const f = shanghaiFields(toDate(x));
  return `${pad4(f.y)}-${pad2(f.mo)}-${pad2(f.d)}T${pad2(f.h)}:${pad2(f.mi)}:${pad2(f.sec)}+08:00`;
}

/** 'YYYY-MM-DD' plus n days (n may be negative). */
export function addDays(day: string, n: number): string {
  assertDay(day);
  if (!Number.isInteger(n)) throw new RangeError('addDays needs an integer');
  const t = new Date(dayStartUtcMs(day) + n * DAY_MS);
  return `${pad4(t.getUTCFullYear())}-${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())}`;
}

/** Whole days from `from` to `to` (both 'YYYY-MM-DD'); negative if `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  assertDay(from);
  assertDay(to);
  const a = dayStartUtcMs(from);
  const b = dayStartUtcMs(to);
  return Math.round((b - a) / DAY_MS);
}

/** ISO day of week of a day: 1 = Monday ... 7 = Sunday. */
export function dayOfWeek(day: string): number {
  assertDay(day);
  const wd = new Date(dayStartUtcMs(day)).getUTCDay(); // 0 = Sunday
  return wd === 0 ? 7 : wd;
}

/** The instant a Shanghai day starts: `shanghaiMidnight('2026-12-01')` is 2026-11-30T16:00:00Z. */
export function shanghaiMidnight(day: string): Date {
  assertDay(day);
  return new Date(dayStartUtcMs(day) - OFFSET_MS);
}

/**
 * The instant of a Shanghai wall-clock time on a service day. `time` is 'HH:MM' or
 * 'HH:MM:SS'; hours may exceed 23 (GTFS-style times past midnight belong to the
 * service day they started on): `atShanghaiTime('2026-12-01', '25:10')` is
 * 2026-12-02T01:10+08:00.
 */
export function atShanghaiTime(day: string, time: string): Date {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(time);
  if (!m) throw new RangeError(`not a time (HH:MM[:SS]): ${time}`);
  const h = Number(m[1]);
  const mi = Number(m[2]);
  const s = m[3] === undefined ? 0 : Number(m[3]);
  if (h > 47 || mi > 59 || s > 59) throw new RangeError(`time out of range: ${time}`);
  return new Date(shanghaiMidnight(day).getTime() + ((h * 60 + mi) * 60 + s) * 1000);
}

/**
 * Minutes from `a` to `b`, truncated toward zero (negative when b is earlier).
 * Accepts Dates, epoch milliseconds or ISO strings with an offset.
 */
export function minutesBetween(a: Date | string | number, b: Date | string | number): number {
  const diff = toDate(b).getTime() - toDate(a).getTime();
  return Math.trunc(diff / 60_000) + 0; // + 0 turns -0 into 0
}
