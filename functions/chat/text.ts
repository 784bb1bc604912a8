/**
 * Understanding what a passenger types (Simplified Chinese), and writing short replies.
 * Pure functions only: normalisation, dates, the command grammar, safe truncation.
 */
import { addDays, dayOfWeek, isDay, toShanghaiIso } from '../../shared/domain/time';

/** WeChat shows at most about 2048 bytes of a text reply; stay under it. */
export const MAX_REPLY_BYTES = 2000;

/** NFKC (full-width letters, digits, spaces and punctuation become ASCII), trimmed, single spaces. */
export function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u200B-\u200D\uFEFF]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[?!。.~]+$/u, '')
    .trim();
}

const WEEKDAYS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7, 七: 7 };

/** A day from a month and day without a year: this year, or next year when it has passed. */
function monthDay(today: string, mo: number, d: number): string | 'invalid' {
  const y = Number(today.slice(0, 4));
  const mk = (yy: number) => `${yy}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const thisYear = mk(y);
  if (!isDay(thisYear)) {
    // 2月29日 in a non-leap year may be next year's (or not exist at all).
    const next = mk(y + 1);
    return isDay(next) && next >= today ? next : 'invalid';
  }
  if (thisYear >= today) return thisYear;
  const next = mk(y + 1);
  return isDay(next) ? next : 'invalid';
}

/**
 * A service day written the ways passengers write it: 今天/明天/后天/大后天, 周五/星期五,
 * 12月1日/12月1号, 2026-12-01 (also / and . and 年月日), 12-01, 12/1. Returns null when the
 * token is not a date at all, 'invalid' when it looks like one but is not a real day.
 */
export function parseDay(token: string, today: string): string | 'invalid' | null {
  const t = token.trim();
  const rel: Record<string, number> = { 今天: 0, 今日: 0, 明天: 1, 明日: 1, 后天: 2, 大后天: 3 };
  if (t in rel) return addDays(today, rel[t]);
  let m = /^(?:周|星期|礼拜)([一二三四五六日天七])$/.exec(t);
  if (m) {
    const want = WEEKDAYS[m[1]];
    const diff = (want - dayOfWeek(today) + 7) % 7;
    return addDays(today, diff);
  }
  m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?$/.exec(t);
  if (m) {
    const day = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
    return isDay(day) ? day : 'invalid';
  }
  m = /^(\d{1,2})月(\d{1,2})[日号]?$/.exec(t) ?? /^(\d{1,2})[-/](\d{1,2})$/.exec(t);
  if (m) return monthDay(today, Number(m[1]), Number(m[2]));
  return null;
}

export type Command =
  | { kind: 'tickets'; from: string; to: string; date: string }
  | { kind: 'tickets_usage'; reason: 'missing' | 'bad_date' | 'past_date' }
  | { kind: 'trip'; number: string; date?: string }
  | { kind: 'orders' }
  | { kind: 'bind' }
  | { kind: 'unbind' }
  | { kind: 'parking'; lat: number; lng: number; label?: string }
  | { kind: 'parking_place'; place: string }
  | { kind: 'parking_usage' }
  | { kind: 'help' };

const TRIP_NO = /^[A-Za-z]{0,3}[0-9]{1,5}[A-Za-z]?$/;
const TRIP_NO_LOOSE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

/** Coordinates "31.23,121.47" / "31.23 121.47" (lat, lng; swapped if given as lng, lat). */
export function parseLatLng(s: string): { lat: number; lng: number } | null {
  const m = /^(-?\d{1,3}(?:\.\d+)?)\s*[,，;\s]\s*(-?\d{1,3}(?:\.\d+)?)$/.exec(s.trim());
  if (!m) return null;
  let a = Number(m[1]);
  let b = Number(m[2]);
  if (Math.abs(a) > 90 && Math.abs(b) <= 90) [a, b] = [b, a];
  if (!(Math.abs(a) <= 90 && Math.abs(b) <= 180)) return null;
  return { lat: a, lng: b };
}

function ticketsCommand(rest: string, today: string): Command {
  let tokens = rest.split(/[\s,]+/).filter(Boolean);
  let date: string | undefined;
  const kept: string[] = [];
  for (const tok of tokens) {
    const d = parseDay(tok, today);
    if (d === 'invalid') return { kind: 'tickets_usage', reason: 'bad_date' };
    if (d !== null && date === undefined) date = d;
    else kept.push(tok);
  }
  tokens = kept;
  if (tokens.length === 1) tokens = tokens[0].split(/到|至|->|→|—|-|~/).filter(Boolean);
  else if (tokens.length === 3 && /^(到|至|->|→|-|—|~)$/.test(tokens[1])) tokens = [tokens[0], tokens[2]];
  if (tokens.length === 2 && /^(从|由)./.test(tokens[0])) tokens[0] = tokens[0].slice(1);
  if (tokens.length === 2 && /^(到|至|去)./.test(tokens[1])) tokens[1] = tokens[1].slice(1);
  if (tokens.length !== 2) return { kind: 'tickets_usage', reason: 'missing' };
  const day = date ?? today;
  if (day < today) return { kind: 'tickets_usage', reason: 'past_date' };
  return { kind: 'tickets', from: tokens[0], to: tokens[1], date: day };
}

/** The command a (normalised or not) message asks for. `today` is the Shanghai day. */
export function parseCommand(raw: string, today: string): Command {
  const text = normalise(raw);
  if (!text) return { kind: 'help' };
  let m = /^(?:余票|查票|车票|查余票)\s*(.*)$/.exec(text);
  if (m) return ticketsCommand(m[1], today);
  m = /^(?:车次|航班|班次)\s*([A-Za-z0-9_-]+)(?:\s+(\S+))?(?:\s*(?:状态|正晚点|晚点))?$/.exec(text);
  if (m && TRIP_NO_LOOSE.test(m[1])) return tripCommand(m[1], m[2], today);
  m = /^([A-Za-z0-9][A-Za-z0-9_-]{0,31})\s*(?:(\S+)\s+)?(?:状态|正晚点|晚点|到哪了|经停)$/.exec(text);
  if (m) return tripCommand(m[1], m[2], today);
  m = /^([A-Za-z0-9][A-Za-z0-9_-]{0,31})(?:\s+(\S+))?$/.exec(text);
  if (m && TRIP_NO.test(m[1]) && /[A-Za-z]/.test(m[1]) && (m[2] === undefined || parseDay(m[2], today) !== null)) return tripCommand(m[1], m[2], today);
  if (/^(?:我的)?订单$/.test(text) || /^查订单$/.test(text)) return { kind: 'orders' };
  if (/^绑定(?:账号|帐号)?$/.test(text)) return { kind: 'bind' };
  if (/^(?:解绑|解除绑定)$/.test(text)) return { kind: 'unbind' };
  m = /^停车(?:位|场)?\s*(.*)$/.exec(text);
  if (m) {
    const rest = m[1].replace(/^(?:在|于)/, '').replace(/(?:附近|周边)$/, '').trim();
    if (!rest) return { kind: 'parking_usage' };
    const ll = parseLatLng(rest);
    if (ll) return { kind: 'parking', ...ll };
    return { kind: 'parking_place', place: rest };
  }
  return { kind: 'help' };
}

function tripCommand(number: string, dateTok: string | undefined, today: string): Command {
  const date = dateTok ? parseDay(dateTok, today) : null;
  return { kind: 'trip', number: number.toUpperCase(), ...(date && date !== 'invalid' ? { date } : {}) };
}

/** Truncates to `maxBytes` of UTF-8 on a code-point boundary, ending with '…' when cut. */
export function truncateUtf8(text: string, maxBytes = MAX_REPLY_BYTES): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const ell = '…';
  const budget = maxBytes - Buffer.byteLength(ell, 'utf8');
  let used = 0;
  let out = '';
  for (const ch of text) {
    const b = Buffer.byteLength(ch, 'utf8');
    if (used + b > budget) break;
    out += ch;
    used += b;
  }
  // Prefer cutting at a line end when one is reasonably close.
  const nl = out.lastIndexOf('\n');
  if (nl > out.length * 0.7) out = out.slice(0, nl);
  return out + ell;
}

/** ¥553 or ¥553.5 — short prices for chat. */
export function yuan(fen: number): string {
  const y = Math.floor(fen / 100);
  const c = fen % 100;
  if (c === 0) return `¥${y}`;
  return `¥${y}.${String(c).padStart(2, '0').replace(/0$/, '')}`;
}

/** 'HH:MM' of an ISO date-time written in +08:00 (our stored form). */
export function hhmm(iso: string | undefined): string {
  if (!iso) return '--:--';
  const m = /T(\d{2}:\d{2})/.exec(toShanghaiIso(iso));
  return m ? m[1] : '--:--';
}

/** '12月1日' of a day. */
export function cnDay(day: string): string {
  const [, mo, d] = day.split('-').map(Number);
  return `${mo}月${d}日`;
}

export function duration(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h ? (m ? `${h}小时${m}分` : `${h}小时`) : `${m}分`;
}
