/**
 * Cruise rules that need no I/O: occupancy pricing, the payment plan (deposit + balance or
 * full price), the cancellation penalty schedule, and the nights a guest spends aboard.
 * See docs/cruise.md.
 */
import { addDays, daysBetween, serviceDay, shanghaiMidnight, toShanghaiIso } from '../../shared/domain/time';
import { percentOf } from '../../shared/domain/money';

export interface PenaltyTier {
  /** From this many days before sailing (inclusive) ... */
  daysBefore: number;
  /** ... this percent of what was paid is kept. */
  percent: number;
}

/** Default: ≥60 days 10%, 30–59 days 25%, 15–29 days 50%, under 15 days 100%. */
export const DEFAULT_PENALTIES: PenaltyTier[] = [
  { daysBefore: 60, percent: 10 },
  { daysBefore: 30, percent: 25 },
  { daysBefore: 15, percent: 50 },
  { daysBefore: 0, percent: 100 },
];
export const DEFAULT_DEPOSIT_PERCENT = 20;
/** A deposit is taken when sailing is MORE than this many days away. */
export const DEPOSIT_WHEN_MORE_THAN_DAYS = 60;
/** The balance is due this many days before sailing (end of that Shanghai day). */
export const BALANCE_DUE_DAYS = 45;

/** Whole Shanghai calendar days from `now` until the departure day (0 on the day, negative after). */
export function daysBeforeSailing(departDate: string, now: Date): number {
  return daysBetween(serviceDay(now), departDate);
}

/** Tiers sorted from the most days before sailing to the fewest. */
export function normalisePenalties(tiers: PenaltyTier[]): PenaltyTier[] {
  return [...tiers].sort((a, b) => b.daysBefore - a.daysBefore);
}

/** Why a penalty schedule is unusable, or null when it is fine. */
export function penaltyScheduleProblem(tiers: PenaltyTier[]): string | null {
  const sorted = normalisePenalties(tiers);
  if (new Set(sorted.map((t) => t.daysBefore)).size !== sorted.length) return 'Two penalty tiers start at the same number of days.';
  if (sorted[sorted.length - 1]?.daysBefore !== 0) return 'The penalty schedule must have a tier starting at 0 days before sailing.';
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].percent < sorted[i - 1].percent) return 'A penalty may not fall as sailing gets closer.';
  }
  return null;
}

/** The percent kept when cancelling `daysBefore` days before sailing (100 when no tier applies). */
export function penaltyPercent(tiers: PenaltyTier[], daysBefore: number): number {
  for (const t of normalisePenalties(tiers)) if (daysBefore >= t.daysBefore) return t.percent;
  return 100;
}

/** Refund and fee for cancelling at `now` having paid `paidFen`. The fee is rounded half up to the fen. */
export function penaltyQuote(tiers: PenaltyTier[], departDate: string, paidFen: number, now: Date) {
  const daysBefore = daysBeforeSailing(departDate, now);
  const percent = penaltyPercent(tiers, daysBefore);
  const feeFen = percentOf(paidFen, percent, 'half_up');
  return { daysBefore, percent, feeFen, refundFen: paidFen - feeFen };
}

/** Price of a cabin for `guests` guests: the per-guest price at this occupancy × guests. */
export function cabinPrice(pricesFen: Record<string, number>, guests: number): { perGuestFen: number; totalFen: number } | null {
  const perGuestFen = pricesFen[String(guests)];
  if (!Number.isSafeInteger(perGuestFen) || perGuestFen <= 0) return null;
  return { perGuestFen, totalFen: perGuestFen * guests };
}

/** The lowest per-guest price over all occupancies of a category. */
export function lowestPerGuest(pricesFen: Record<string, number>): number {
  return Math.min(...Object.values(pricesFen));
}

export type PaymentPlan =
  | { plan: 'full'; charges: [{ purpose: 'initial'; amountFen: number }] }
  | { plan: 'deposit'; charges: [{ purpose: 'deposit'; amountFen: number }, { purpose: 'balance'; amountFen: number; dueBy: string }] };

/** The last instant the balance may be paid: the end of the Shanghai day BALANCE_DUE_DAYS before sailing. */
export function balanceDueBy(departDate: string): string {
  const nextDayStart = shanghaiMidnight(addDays(departDate, -BALANCE_DUE_DAYS + 1));
  return toShanghaiIso(new Date(nextDayStart.getTime() - 1000));
}

/**
 * Full price, or (sailing more than DEPOSIT_WHEN_MORE_THAN_DAYS days away) a deposit now
 * (depositPercent of the total, rounded half up) and the balance due BALANCE_DUE_DAYS before sailing.
 */
export function paymentPlan(totalFen: number, depositPercent: number, departDate: string, now: Date): PaymentPlan {
  const days = daysBeforeSailing(departDate, now);
  if (days > DEPOSIT_WHEN_MORE_THAN_DAYS) {
    const deposit = percentOf(totalFen, depositPercent, 'half_up');
    const balance = totalFen - deposit;
    if (deposit > 0 && balance > 0) {
      return { plan: 'deposit', charges: [{ purpose: 'deposit', amountFen: deposit }, { purpose: 'balance', amountFen: balance, dueBy: balanceDueBy(departDate) }] };
    }
  }
  return { plan: 'full', charges: [{ purpose: 'initial', amountFen: totalFen }] };
}

/** The nights aboard, as the Shanghai days they start on: departDate .. departDate + nights - 1. */
export function nightsAboard(departDate: string, nights: number): string[] {
  return Array.from({ length: nights }, (_, i) => addDays(departDate, i));
}
