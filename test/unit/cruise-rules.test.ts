import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PENALTIES,
  balanceDueBy,
  cabinPrice,
  daysBeforeSailing,
  lowestPerGuest,
  nightsAboard,
  paymentPlan,
  penaltyPercent,
  penaltyQuote,
  penaltyScheduleProblem,
} from '../../functions/cruise/rules';

// 2026-06-01 10:00 in Shanghai
const now = new Date('2026-06-01T10:00:00+08:00');

describe('days before sailing', () => {
  it('counts Shanghai calendar days', () => {
    expect(daysBeforeSailing('2026-06-01', now)).toBe(0);
    expect(daysBeforeSailing('2026-07-31', now)).toBe(60);
    // 23:30 UTC on 31 May is already 1 June in Shanghai
    expect(daysBeforeSailing('2026-06-02', new Date('2026-05-31T23:30:00Z'))).toBe(1);
    expect(daysBeforeSailing('2026-05-31', now)).toBe(-1);
  });
});

describe('default penalty schedule boundaries', () => {
  it.each([
    [400, 10],
    [60, 10],
    [59, 25],
    [30, 25],
    [29, 50],
    [15, 50],
    [14, 100],
    [0, 100],
  ])('%i days → %i', (days, pct) => {
    expect(penaltyPercent(DEFAULT_PENALTIES, days)).toBe(pct);
  });

  it('quotes fee and refund on what was paid, rounding the fee half up', () => {
    expect(penaltyQuote(DEFAULT_PENALTIES, '2026-07-31', 240000, now)).toEqual({ daysBefore: 60, percent: 10, feeFen: 24000, refundFen: 216000 });
    expect(penaltyQuote(DEFAULT_PENALTIES, '2026-07-30', 1001, now)).toMatchObject({ percent: 25, feeFen: 250, refundFen: 751 });
    expect(penaltyQuote(DEFAULT_PENALTIES, '2026-07-30', 1002, now)).toMatchObject({ feeFen: 251, refundFen: 751 });
  });

  it('a schedule without a 0-day tier, with duplicate starts or with a falling penalty is refused', () => {
    expect(penaltyScheduleProblem(DEFAULT_PENALTIES)).toBeNull();
    expect(penaltyScheduleProblem([{ daysBefore: 10, percent: 100 }])).toMatch(/0 days/);
    expect(penaltyScheduleProblem([{ daysBefore: 0, percent: 100 }, { daysBefore: 0, percent: 50 }])).toMatch(/same/);
    expect(penaltyScheduleProblem([{ daysBefore: 0, percent: 10 }, { daysBefore: 30, percent: 50 }])).toMatch(/fall/);
  });
});

describe('prices', () => {
  const prices = { '1': 500000, '2': 300000, '3': 250000 };
  it('per-guest price at this occupancy × guests', () => {
    expect(cabinPrice(prices, 1)).toEqual({ perGuestFen: 500000, totalFen: 500000 });
    expect(cabinPrice(prices, 2)).toEqual({ perGuestFen: 300000, totalFen: 600000 });
    expect(cabinPrice(prices, 3)).toEqual({ perGuestFen: 250000, totalFen: 750000 });
    expect(cabinPrice(prices, 4)).toBeNull();
    expect(lowestPerGuest(prices)).toBe(250000);
  });
});

describe('payment plan', () => {
  it('full price at 60 days or less, deposit + balance beyond', () => {
    expect(paymentPlan(600000, 20, '2026-07-31', now)).toEqual({ plan: 'full', charges: [{ purpose: 'initial', amountFen: 600000 }] });
    expect(paymentPlan(600000, 20, '2026-08-01', now)).toEqual({
      plan: 'deposit',
      charges: [
        { purpose: 'deposit', amountFen: 120000 },
        { purpose: 'balance', amountFen: 480000, dueBy: '2026-06-17T23:59:59+08:00' },
      ],
    });
  });
  it('a 100% deposit is simply the full price', () => {
    expect(paymentPlan(600000, 100, '2026-12-01', now).plan).toBe('full');
  });
  it('the balance is due at the end of the Shanghai day 45 days before sailing', () => {
    expect(balanceDueBy('2026-03-01')).toBe('2026-01-15T23:59:59+08:00');
    expect(daysBeforeSailing('2026-03-01', new Date('2026-01-15T23:59:59+08:00'))).toBe(45);
  });
});

describe('nights aboard', () => {
  it('one per night, from the departure day; the return day is not a night aboard', () => {
    expect(nightsAboard('2026-12-30', 3)).toEqual(['2026-12-30', '2026-12-31', '2027-01-01']);
  });
});
