/**
 * Public identifiers: a short type prefix, an underscore and a ULID
 * (`ord_01JF3Z6W9K8D2Q4N7M5X0R1T2V`). ULIDs sort by creation time, so ids also
 * work as time-ordered sort keys; the prefix tells a human (and a validator) what
 * kind of thing an id names.
 */
import { decodeTime, monotonicFactory, ulid } from 'ulid';

/** The prefix of each kind of id. Add new kinds here, never reuse a prefix. */
export const ID_PREFIXES = {
  order: 'ord',
  trip: 'trp',
  ticket: 'tkt',
  passenger: 'psg',
  user: 'usr',
  spot: 'spt',
  bike: 'bik',
  ride: 'rid',
  voyage: 'voy',
  booking: 'bkg',
  zone: 'zon',
  notification: 'ntf',
  payment: 'pay',
  refund: 'ref',
  station: 'stn',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;
export type IdPrefix = (typeof ID_PREFIXES)[IdKind];
/** An id of the given prefix, e.g. `Id<'ord'>` is `ord_${string}`. */
export type Id<P extends IdPrefix = IdPrefix> = `${P}_${string}`;

const KNOWN_PREFIXES: ReadonlySet<string> = new Set(Object.values(ID_PREFIXES));
/** Crockford base32, 26 chars, first char <= 7 (48-bit time). */
const ULID_RE = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** Monotonic within this process: ids made in the same millisecond still sort in creation order. */
const monotonicUlid = monotonicFactory();

/**
 * A new id with the given prefix: `newId('ord')` -> 'ord_01J...'.
 * @param seedTime epoch ms to embed (tests, imports of historical data); when
 *   omitted the current time is used and ids are monotonic within the process.
 */
export function newId<P extends IdPrefix>(prefix: P, seedTime?: number): Id<P> {
  if (!KNOWN_PREFIXES.has(prefix)) throw new RangeError(`unknown id prefix: ${String(prefix)}`);
  const u = seedTime === undefined ? monotonicUlid() : ulid(seedTime);
  return `${prefix}_${u}` as Id<P>;
}

/** True when `s` is an id of exactly this prefix with a well-formed ULID. */
export function isId<P extends IdPrefix>(prefix: P, s: unknown): s is Id<P> {
  return typeof s === 'string' && s.length === prefix.length + 27 && s.startsWith(`${prefix}_`) && ULID_RE.test(s.slice(prefix.length + 1));
}

/** The prefix of a well-formed id of any known kind, or null. */
export function idPrefixOf(s: unknown): IdPrefix | null {
  if (typeof s !== 'string') return null;
  const i = s.indexOf('_');
  const p = s.slice(0, i);
  return i > 0 && KNOWN_PREFIXES.has(p) && isId(p as IdPrefix, s) ? (p as IdPrefix) : null;
}

/** The creation time embedded in an id's ULID. Throws on a malformed id. */
export function idTime(id: string): Date {
  const p = idPrefixOf(id);
  if (!p) throw new RangeError(`not an id: ${id}`);
  return new Date(decodeTime(id.slice(p.length + 1)));
}
