/**
 * Identity documents and phone numbers: syntactic validation only (no I/O, no
 * look-ups against any register). Everything here is pure.
 *
 * - Mainland resident ID (居民身份证号码), GB 11643-1999: 6-digit region code,
 *   8-digit birth date, 3-digit sequence (odd = male, even = female), 1 check
 *   character from ISO 7064 MOD 11-2.
 * - Passports: Chinese ordinary passports and a generic foreign shape.
 * - Mainland mobile numbers.
 */
import { todayInShanghai } from './time';

/** Weights for the 17 leading digits (2^(17-i) mod 11), GB 11643-1999. */
export const ID_CHECK_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
/** Check character indexed by (weighted sum mod 11). */
export const ID_CHECK_CHARS = '10X98765432';

/**
 * First two digits of the region code (GB/T 2260 provinces). 71 (Taiwan), 81 (Hong Kong),
 * 82 (Macao) are listed in GB/T 2260; 83 is the prefix used on residence permits for
 * Taiwan residents (830000), which carry an 18-character number of the same format.
 */
export const PROVINCE_CODES: ReadonlySet<string> = new Set([
  '11', '12', '13', '14', '15',
  '21', '22', '23',
  '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46',
  '50', '51', '52', '53', '54',
  '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
]);

/** Earliest birth year accepted (anything older is a typo, not a passenger). */
const MIN_BIRTH_YEAR = 1900;

export type IdNumberInvalidReason = 'format' | 'region' | 'birth_date' | 'checksum';

export type ParsedIdNumber =
  | { valid: false; reason: IdNumberInvalidReason }
  | {
      valid: true;
      /** The normalised number (upper-case X). */
      idNumber: string;
      /** 'YYYY-MM-DD' */
      birthDate: string;
      gender: 'M' | 'F';
      /** The 6-digit administrative division code. */
      regionCode: string;
    };

/** Trim surrounding/inner whitespace and upper-case a trailing x. */
export function normaliseIdNumber(s: string): string {
  return s.replace(/\s+/g, '').toUpperCase();
}

/** The check character for the first 17 digits of an ID number. */
export function idCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('idCheckChar needs exactly 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_CHECK_WEIGHTS[i];
  return ID_CHECK_CHARS[sum % 11];
}

/** True when y-m-d is a real calendar date. */
function isCalendarDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const dim = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= dim;
}

/**
 * Parse and validate an 18-character mainland resident ID number.
 *
 * @param s      the number; whitespace is ignored and a lower-case `x` is accepted.
 * @param today  'YYYY-MM-DD' used for the "birth date not in the future" rule
 *               (defaults to today in Asia/Shanghai). Pass it in tests and use cases
 *               that have a clock.
 * Checks, in order: shape (17 digits + digit/X), region (first digit 1-9 and a
 * known province prefix), birth date (real date, year >= 1900, not after `today`),
 * check character.
 */
export function parseIdNumber(s: string, today: string = todayInShanghai()): ParsedIdNumber {
  if (typeof s !== 'string') return { valid: false, reason: 'format' };
  const id = normaliseIdNumber(s);
  if (!/^\d{17}[\dX]$/.test(id)) return { valid: false, reason: 'format' };

  const regionCode = id.slice(0, 6);
  if (id[0] === '0' || !PROVINCE_CODES.has(id.slice(0, 2))) return { valid: false, reason: 'region' };

  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const birthDate = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  if (y < MIN_BIRTH_YEAR || !isCalendarDate(y, m, d) || birthDate > today) {
    return { valid: false, reason: 'birth_date' };
  }

  if (idCheckChar(id.slice(0, 17)) !== id[17]) return { valid: false, reason: 'checksum' };

  const gender = Number(id[16]) % 2 === 1 ? 'M' : 'F';
  return { valid: true, idNumber: id, birthDate, gender, regionCode };
}

/** Convenience: true when {@link parseIdNumber} accepts the number. */
export function isValidIdNumber(s: string, today?: string): boolean {
  return parseIdNumber(s, today).valid;
}

/**
 * Age in completed years on a given day. Both arguments are 'YYYY-MM-DD' (or
 * 'YYYYMMDD'). Someone born on 29 February becomes a year older on 1 March in
 * common years. Returns a negative number if `on` is before the birth date.
 */
export function ageOn(birthDate: string, on: string): number {
  const b = splitDay(birthDate);
  const o = splitDay(on);
  let age = o.y - b.y;
  if (o.m < b.m || (o.m === b.m && o.d < b.d)) age -= 1;
  return age;
}

function splitDay(day: string): { y: number; m: number; d: number } {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(day);
  if (!m) throw new RangeError(`not a date (YYYY-MM-DD): ${day}`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (!isCalendarDate(y, mo, d)) throw new RangeError(`not a calendar date: ${day}`);
  return { y, m: mo, d };
}

// ---------------------------------------------------------------------------
// Passports

/** Upper-case and drop whitespace. */
export function normalisePassport(s: string): string {
  return s.replace(/\s+/g, '').toUpperCase();
}

/**
 * Chinese ordinary passport: `E` + 8 digits (older e-passports), `E` + one letter
 * (not I/O) + 7 digits (issued since 2017 once the digit series ran out), or `G` +
 * 8 digits (pre-2012 passports, still seen in old records).
 */
export function isValidChinesePassport(s: string): boolean {
  const p = normalisePassport(s);
  return /^(?:E\d{8}|E[A-HJ-NP-Z]\d{7}|G\d{8})$/.test(p);
}

/**
 * Any passport number we accept for real-name travel: a Chinese passport, or a
 * generic foreign one (5–20 letters/digits, at least one digit). The generic rule
 * is deliberately loose: foreign formats vary and the carrier checks the document.
 */
export function isValidPassport(s: string): boolean {
  if (typeof s !== 'string') return false;
  const p = normalisePassport(s);
  if (isValidChinesePassport(p)) return true;
  return /^[A-Z0-9]{5,20}$/.test(p) && /\d/.test(p);
}

// ---------------------------------------------------------------------------
// Phones

/** Mainland mobile number, 11 digits without country code. */
export const MAINLAND_MOBILE_RE = /^1[3-9]\d{9}$/;

/**
 * Normalise a mainland mobile number to its 11 digits. Accepts spaces, hyphens
 * and dots as separators, and an optional country code `+86`, `0086` or `86`
 * (the bare `86` only when 13 digits remain). Returns null when the result is
 * not a mainland mobile number.
 *
 *   normalisePhone('+86 138-1234-5678') === '13812345678'
 */
export function normalisePhone(s: string): string | null {
  if (typeof s !== 'string') return null;
  let p = s.trim().replace(/[\s\-.()]/g, '');
  if (p.startsWith('+86')) p = p.slice(3);
  else if (p.startsWith('0086')) p = p.slice(4);
  else if (p.length === 13 && p.startsWith('86')) p = p.slice(2);
  return MAINLAND_MOBILE_RE.test(p) ? p : null;
}

/** True when {@link normalisePhone} accepts the number. */
export function isValidMobile(s: string): boolean {
  return normalisePhone(s) !== null;
}
