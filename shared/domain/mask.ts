/**
 * Masks for personal information shown in responses and logs (PIPL; GB/T 35273
 * de-identification by partial masking). Masks are idempotent: masking a mask
 * returns it unchanged, so a value may pass through several layers safely.
 *
 * `redactPii` is the safety net used by the logger and the PII audit test: it
 * deep-walks any value and masks known PII keys and anything in free text that
 * looks like a mainland ID number or mobile number. It errs on the side of
 * masking too much.
 */
import { normalisePhone } from './idnumber';

const STAR = '*';

/** Keep `head` leading and `tail` trailing code points, star the rest. */
function keepEnds(s: string, head: number, tail: number): string {
  const chars = Array.from(s);
  if (chars.length <= head + tail) return STAR.repeat(chars.length);
  return chars.slice(0, head).join('') + STAR.repeat(chars.length - head - tail) + chars.slice(chars.length - tail).join('');
}

/**
 * ID number: first 4 and last 4 kept, `maskIdNumber('110101199003071234')` is
 * '1101**********1234'. Values of 8 characters or fewer are fully starred.
 */
export function maskIdNumber(id: string): string {
  const s = String(id).replace(/\s+/g, '');
  return keepEnds(s, 4, 4);
}

/**
 * Passport number: the leading letters (one, or two when the first two are both
 * letters) and the last 3 characters kept: 'E12345678' -> 'E*****678',
 * 'EA1234567' -> 'EA****567'. Values of 5 characters or fewer keep only the last
 * character.
 */
export function maskPassport(passport: string): string {
  const s = String(passport).replace(/\s+/g, '');
  const chars = Array.from(s);
  if (chars.length <= 5) return keepEnds(s, 0, Math.min(1, chars.length - 1));
  const head = /^[A-Za-z]{2}/.test(s) ? 2 : 1;
  return keepEnds(s, head, 3);
}

/**
 * Phone: a mainland mobile (with or without +86 and separators) becomes
 * '138****5678'. Anything else keeps its first 3 and last 4 characters when long
 * enough (>= 9), otherwise only its last 2.
 */
export function maskPhone(phone: string): string {
  const raw = String(phone);
  const mobile = normalisePhone(raw);
  if (mobile) return `${mobile.slice(0, 3)}****${mobile.slice(7)}`;
  const s = raw.replace(/[\s\-.()]/g, '');
  if (/^1\d{2}\*{4}\d{4}$/.test(s)) return s; // already masked
  const n = Array.from(s).length;
  return n >= 9 ? keepEnds(s, 3, 4) : keepEnds(s, 0, Math.min(2, Math.max(0, n - 1)));
}

/**
 * Person name. Chinese names (no spaces): 1 character -> '*', 2 -> '*三' (the
 * given name kept), 3 or more -> first and last kept ('张*丰', '欧**娜').
 * Names with spaces (Latin script): the first letter of each word kept
 * ('John Smith' -> 'J*** S****').
 */
export function maskName(name: string): string {
  const s = String(name).trim();
  if (/\s/.test(s)) {
    return s
      .split(/\s+/)
      .map((w) => keepEnds(w, 1, 0))
      .join(' ');
  }
  const n = Array.from(s).length;
  if (n <= 1) return STAR.repeat(n);
  if (n === 2) return keepEnds(s, 0, 1);
  return keepEnds(s, 1, 1);
}

// ---------------------------------------------------------------------------
// Deep redaction

type Masker = (v: string) => string;

/** Masks any document number: an ID-number shape gets the ID mask, anything else the passport mask. */
function maskDocumentNumber(v: string): string {
  return /^\d{17}[\dXx]$/.test(v.replace(/\s+/g, '')) ? maskIdNumber(v) : maskPassport(v);
}

/**
 * Keys (compared case-insensitively, ignoring '_' and '-') whose values are
 * always masked, whatever they look like.
 */
const KEY_MASKERS: ReadonlyMap<string, Masker> = new Map<string, Masker>([
  ['idnumber', maskIdNumber],
  ['idcard', maskIdNumber],
  ['idcardnumber', maskIdNumber],
  ['passportnumber', maskPassport],
  ['passport', maskPassport],
  ['documentnumber', maskDocumentNumber],
  ['phone', maskPhone],
  ['phonenumber', maskPhone],
  ['mobile', maskPhone],
  ['mobilephone', maskPhone],
]);

/** The masker for an object key, if the key names PII. */
export function piiKeyMasker(key: string): Masker | undefined {
  return KEY_MASKERS.get(key.toLowerCase().replace(/[_-]/g, ''));
}

/**
 * 18-character ID numbers: 17 digits + digit/X, not part of a longer digit run
 * (so 19+ digit numbers such as WeChat transaction ids are left alone). The check
 * character is not verified on purpose: a mistyped ID is still PII.
 */
const ID_IN_TEXT = /(?<!\d)\d{17}[\dXx](?!\d)/g;
/**
 * Mainland mobiles, optionally with +86/0086/86 and separated as 3-4-4, not part
 * of a longer digit run.
 */
const MOBILE_IN_TEXT = /(?<![\d+])(?:(?:\+|00)?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)/g;

/** Mask ID-number and mobile-number look-alikes inside free text. */
export function redactPiiInText(text: string): string {
  return text
    .replace(ID_IN_TEXT, (m) => maskIdNumber(m))
    .replace(MOBILE_IN_TEXT, (m) => maskPhone(m));
}

const MAX_DEPTH = 32;

/**
 * Return a redacted deep copy of `value`:
 * - values under PII keys (idNumber, idCard, passportNumber, documentNumber,
 *   phone, mobile, ... case-insensitive) are masked; strings and numbers are
 *   masked directly, nested objects/arrays under such keys are walked with the
 *   same masker applied to every leaf string;
 * - every other string has ID/mobile look-alikes masked ({@link redactPiiInText});
 * - Errors become `{name, message, stack, ...own props}` with the same treatment;
 * - Dates, numbers, booleans, null/undefined, bigint pass through; Buffers and
 *   typed arrays are replaced by '[binary N bytes]'; Maps/Sets become arrays/objects;
 * - cycles become '[Circular]' and depth beyond 32 becomes '[Truncated]'.
 * The input is never modified.
 */
export function redactPii(value: unknown): unknown {
  return walk(value, undefined, new WeakSet(), 0);
}

function walk(value: unknown, masker: Masker | undefined, seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === 'string') return masker ? masker(value) : redactPiiInText(value);
  if (typeof value === 'number') return masker ? masker(String(value)) : value;
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' ? '[Function]' : value;
  }
  if (value instanceof Date) return value;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    return `[binary ${value.byteLength} bytes]`;
  }
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => walk(v, masker, seen, depth + 1));
    if (value instanceof Set) return [...value].map((v) => walk(v, masker, seen, depth + 1));
    let entries: [string, unknown][];
    if (value instanceof Map) {
      entries = [...value.entries()].map(([k, v]) => [String(k), v]);
    } else if (value instanceof Error) {
      entries = [
        ['name', value.name],
        ['message', value.message],
        ['stack', value.stack],
        ...Object.entries(value),
      ];
      if ('cause' in value && value.cause !== undefined) entries.push(['cause', value.cause]);
    } else {
      entries = Object.entries(value);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      out[k] = walk(v, masker ?? piiKeyMasker(k), seen, depth + 1);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}
