/**
 * Pure parking rules: weekly availability windows, 15-minute slots, blackouts, prices,
 * overstay and the cancellation fee. No I/O here; everything is unit-tested.
 */
import { dayOfWeek, serviceDay, shanghaiMidnight } from '../../shared/domain/time';

export const SLOT_MINUTES = 15;
export const SLOT_MS = SLOT_MINUTES * 60_000;
export const SLOTS_PER_DAY = 96;
export const WEEK_SLOTS = 7 * SLOTS_PER_DAY;
export const MIN_RESERVATION_MS = 30 * 60_000;
export const MAX_RESERVATION_MS = 7 * 24 * 3600_000;
/** How far ahead a reservation (or a search window) may start. */
export const MAX_AHEAD_MS = 30 * 24 * 3600_000;
/** Free cancellation until this long before start. */
export const FREE_CANCEL_BEFORE_MS = 3600_000;
/** Check-in opens this long before start. */
export const EARLY_CHECK_IN_MS = 15 * 60_000;

export interface AvailabilityWindow {
  /** ISO days of week, 1 = Monday ... 7 = Sunday (the day the window starts on). */
  days: number[];
  /** 'HH:MM' on a quarter hour. */
  start: string;
  /** 'HH:MM' on a quarter hour, '24:00' allowed; earlier than start = crosses midnight. */
  end: string;
}

export interface Blackout {
  start: string;
  end: string;
}

export class RuleError extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
    readonly field?: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

/** 'HH:MM' → slot index in a day (0..96). */
export function hhmmToSlot(hhmm: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new RuleError('invalid_time', `not HH:MM: ${hhmm}`);
  const h = Number(m[1]);
  const mi = Number(m[2]);
  if (h > 24 || mi > 59 || (h === 24 && mi !== 0) || mi % SLOT_MINUTES !== 0) throw new RuleError('invalid_time', `not a quarter hour: ${hhmm}`);
  return (h * 60 + mi) / SLOT_MINUTES;
}

/**
 * The week as 672 quarter-hour slots (Monday 00:00 = 0), 1 where the spot is offered.
 * Throws RuleError for end = start and for windows that overlap each other (touching is fine).
 * A window crossing midnight on Sunday wraps to Monday morning.
 */
export function weeklyMask(windows: AvailabilityWindow[]): Uint8Array {
  if (!windows.length) throw new RuleError('empty_availability', 'At least one availability window is required.', '/body/availability');
  const mask = new Uint8Array(WEEK_SLOTS);
  windows.forEach((w, wi) => {
    const s = hhmmToSlot(w.start);
    const e = hhmmToSlot(w.end);
    const field = `/body/availability/${wi}`;
    if (s === SLOTS_PER_DAY) throw new RuleError('invalid_window', 'A window cannot start at 24:00.', `${field}/start`);
    if (e === s || (s === 0 && e === 0)) throw new RuleError('empty_window', 'A window must not end when it starts.', `${field}/end`);
    const len = e > s ? e - s : SLOTS_PER_DAY - s + e;
    if (new Set(w.days).size !== w.days.length) throw new RuleError('invalid_window', 'Days repeat in one window.', `${field}/days`);
    for (const d of w.days) {
      if (!Number.isInteger(d) || d < 1 || d > 7) throw new RuleError('invalid_window', 'Days are 1 (Monday) to 7 (Sunday).', `${field}/days`);
      const base = (d - 1) * SLOTS_PER_DAY + s;
      for (let k = 0; k < len; k++) {
        const i = (base + k) % WEEK_SLOTS;
        if (mask[i]) throw new RuleError('overlapping_windows', `Availability window ${wi} overlaps another window (day ${d}).`, field);
        mask[i] = 1;
      }
    }
  });
  return mask;
}

/** Rounds an instant down / up to a quarter hour (Shanghai has a whole-hour offset, so UTC quarters are local quarters). */
export const floorSlot = (ms: number) => Math.floor(ms / SLOT_MS) * SLOT_MS;
export const ceilSlot = (ms: number) => Math.ceil(ms / SLOT_MS) * SLOT_MS;

/** Position of the quarter hour starting at `ms`: Shanghai day, slot in the day, slot in the week. */
export function slotOf(ms: number): { day: string; index: number; weekIndex: number } {
  const day = serviceDay(ms);
  const index = Math.floor((ms - shanghaiMidnight(day).getTime()) / SLOT_MS);
  return { day, index, weekIndex: (dayOfWeek(day) - 1) * SLOTS_PER_DAY + index };
}

/** The quarter-hour slots of [startMs, endMs) (aligned), grouped by Shanghai day, in order. */
export function slotsByDay(startMs: number, endMs: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (let t = startMs; t < endMs; t += SLOT_MS) {
    const { day, index } = slotOf(t);
    let list = out.get(day);
    if (!list) out.set(day, (list = []));
    list.push(index);
  }
  return out;
}

export interface SpotRules {
  availability: AvailabilityWindow[];
  blackouts?: Blackout[];
}

/**
 * The first quarter hour of [startMs, endMs) the spot does not offer (outside every
 * window, or touching a blackout), or undefined when the whole range is offered.
 */
export function firstUnavailableSlot(spot: SpotRules, startMs: number, endMs: number, mask = weeklyMask(spot.availability)): number | undefined {
  const blackouts = (spot.blackouts ?? []).map((b) => [Date.parse(b.start), Date.parse(b.end)] as const);
  for (let t = startMs; t < endMs; t += SLOT_MS) {
    if (!mask[slotOf(t).weekIndex]) return t;
    if (blackouts.some(([bs, be]) => bs < t + SLOT_MS && be > t)) return t;
  }
  return undefined;
}

/** Half-up integer division (non-negative operands). */
const divHalfUp = (num: number, den: number) => Math.floor((2 * num + den) / (2 * den));

/**
 * Price of [startMs, endMs): the hourly price per started 15 minutes (a quarter of the
 * hourly price each, rounded half-up to the fen per calendar day), capped by dailyCapFen
 * per Shanghai calendar day.
 */
export function priceFen(pricePerHourFen: number, dailyCapFen: number | undefined, startMs: number, endMs: number): number {
  let total = 0;
  for (const [, slots] of slotsByDay(floorSlot(startMs), ceilSlot(endMs))) {
    const day = divHalfUp(slots.length * pricePerHourFen, 4);
    total += dailyCapFen === undefined || dailyCapFen === null ? day : Math.min(day, dailyCapFen);
  }
  return total;
}

/** Overstay past `endMs` at check-out: 1.5× the hourly price per started 15 minutes (not capped). */
export function overstay(pricePerHourFen: number, endMs: number, checkoutMs: number): { quarters: number; fen: number } {
  if (checkoutMs <= endMs) return { quarters: 0, fen: 0 };
  const quarters = Math.ceil((checkoutMs - endMs) / SLOT_MS);
  return { quarters, fen: divHalfUp(quarters * pricePerHourFen * 3, 8) };
}

/**
 * Cancellation of a paid reservation: free until 1 hour before start; from then until
 * `end` the first hour's price is kept; after `end` nothing is refunded (null).
 */
export function cancellationQuote(paid: number, firstHourFen: number, startMs: number, endMs: number, nowMs: number): { refundFen: number; feeFen: number } | null {
  if (nowMs >= endMs) return null;
  if (nowMs < startMs - FREE_CANCEL_BEFORE_MS) return { refundFen: paid, feeFen: 0 };
  const fee = Math.min(paid, firstHourFen);
  return { refundFen: paid - fee, feeFen: fee };
}

/** The requested window rounded outward to quarter hours. */
export function alignWindow(startMs: number, endMs: number) {
  const start = floorSlot(startMs);
  const end = ceilSlot(endMs);
  return { start, end, rounded: start !== startMs || end !== endMs };
}

/**
 * Checks a (requested) reservation window: end after start, at least 30 minutes and at
 * most 7 days once rounded, start not before the current quarter hour, and at most 30
 * days ahead. Returns the aligned window; throws RuleError (with an HTTP status hint in code).
 */
export function checkWindow(startMs: number, endMs: number, nowMs: number) {
  if (!(endMs > startMs)) throw new RuleError('invalid_window', 'end must be after start.', '/end');
  const w = alignWindow(startMs, endMs);
  if (w.start < floorSlot(nowMs)) throw new RuleError('start_in_past', 'The window starts in the past.', '/start');
  if (w.start - nowMs > MAX_AHEAD_MS) throw new RuleError('too_far_ahead', 'Reservations open 30 days ahead.', '/start');
  if (w.end - w.start < MIN_RESERVATION_MS) throw new RuleError('too_short', 'The minimum is 30 minutes.', '/end');
  if (w.end - w.start > MAX_RESERVATION_MS) throw new RuleError('too_long', 'The maximum is 7 days.', '/end');
  return w;
}
