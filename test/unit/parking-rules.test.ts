import { describe, expect, it } from 'vitest';
import {
  RuleError,
  alignWindow,
  cancellationQuote,
  checkWindow,
  firstUnavailableSlot,
  hhmmToSlot,
  overstay,
  priceFen,
  slotsByDay,
  weeklyMask,
} from '../../functions/parking/rules';
import { dayOfWeek } from '../../shared/domain/time';

const at = (s: string) => Date.parse(s);
// 2026-11-30 is a Monday.
const MON = '2026-11-30';

const ruleCode = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof RuleError) return e.code;
    throw e;
  }
  return 'ok';
};

describe('weeklyMask', () => {
  it('marks windows, including one crossing midnight and Sunday→Monday wrap', () => {
    expect(dayOfWeek(MON)).toBe(1);
    const m = weeklyMask([{ days: [7], start: '22:00', end: '07:00' }]);
    expect(m[6 * 96 + 88]).toBe(1); // Sunday 22:00
    expect(m[6 * 96 + 87]).toBe(0);
    expect(m[0]).toBe(1); // Monday 00:00
    expect(m[27]).toBe(1); // Monday 06:45
    expect(m[28]).toBe(0); // Monday 07:00
    expect(m.reduce((a, b) => a + b, 0)).toBe(36);
  });
  it('accepts touching windows and 24:00', () => {
    expect(ruleCode(() => weeklyMask([{ days: [1], start: '00:00', end: '12:00' }, { days: [1], start: '12:00', end: '24:00' }]))).toBe('ok');
  });
  it('rejects overlapping windows, end = start and empty lists', () => {
    expect(ruleCode(() => weeklyMask([{ days: [1, 2], start: '08:00', end: '18:00' }, { days: [2], start: '17:00', end: '20:00' }]))).toBe('overlapping_windows');
    expect(ruleCode(() => weeklyMask([{ days: [1], start: '22:00', end: '07:00' }, { days: [2], start: '06:00', end: '09:00' }]))).toBe('overlapping_windows');
    expect(ruleCode(() => weeklyMask([{ days: [3], start: '09:00', end: '09:00' }]))).toBe('empty_window');
    expect(ruleCode(() => weeklyMask([]))).toBe('empty_availability');
    expect(ruleCode(() => weeklyMask([{ days: [3], start: '09:10', end: '10:00' }]))).toBe('invalid_time');
  });
  it('hhmmToSlot', () => {
    expect(hhmmToSlot('00:00')).toBe(0);
    expect(hhmmToSlot('08:45')).toBe(35);
    expect(hhmmToSlot('24:00')).toBe(96);
  });
});

describe('firstUnavailableSlot', () => {
  const spot = { availability: [{ days: [1], start: '22:00', end: '07:00' }], blackouts: [] as { start: string; end: string }[] };
  it('a window crossing midnight covers the next morning', () => {
    expect(firstUnavailableSlot(spot, at(`${MON}T23:00:00+08:00`), at('2026-12-01T06:00:00+08:00'))).toBeUndefined();
    expect(firstUnavailableSlot(spot, at(`${MON}T23:00:00+08:00`), at('2026-12-01T07:15:00+08:00'))).toBe(at('2026-12-01T07:00:00+08:00'));
    // Tuesday night is not offered
    expect(firstUnavailableSlot(spot, at('2026-12-01T22:00:00+08:00'), at('2026-12-01T23:00:00+08:00'))).toBe(at('2026-12-01T22:00:00+08:00'));
  });
  it('a blackout blocks every quarter it touches', () => {
    const s = { ...spot, blackouts: [{ start: '2026-11-30T23:50:00+08:00', end: '2026-12-01T00:05:00+08:00' }] };
    expect(firstUnavailableSlot(s, at(`${MON}T22:00:00+08:00`), at('2026-12-01T02:00:00+08:00'))).toBe(at(`${MON}T23:45:00+08:00`));
    expect(firstUnavailableSlot(s, at('2026-12-01T00:15:00+08:00'), at('2026-12-01T02:00:00+08:00'))).toBeUndefined();
  });
});

describe('slots and windows', () => {
  it('groups slots by Shanghai day', () => {
    const m = slotsByDay(at(`${MON}T23:30:00+08:00`), at('2026-12-01T00:30:00+08:00'));
    expect([...m]).toEqual([
      [MON, [94, 95]],
      ['2026-12-01', [0, 1]],
    ]);
    // 7 days from 10:00 touch 8 days
    expect(slotsByDay(at(`${MON}T10:00:00+08:00`), at('2026-12-07T10:00:00+08:00')).size).toBe(8);
  });
  it('rounds outward to quarter hours', () => {
    expect(alignWindow(at(`${MON}T10:05:00+08:00`), at(`${MON}T10:50:00+08:00`))).toEqual({ start: at(`${MON}T10:00:00+08:00`), end: at(`${MON}T11:00:00+08:00`), rounded: true });
    expect(alignWindow(at(`${MON}T10:00:00+08:00`), at(`${MON}T11:00:00+08:00`)).rounded).toBe(false);
  });
  it('checkWindow enforces 30 min .. 7 days, not past, 30 days ahead', () => {
    const now = at(`${MON}T09:07:00+08:00`);
    expect(ruleCode(() => checkWindow(at(`${MON}T10:00:00+08:00`), at(`${MON}T10:15:00+08:00`), now))).toBe('too_short');
    expect(ruleCode(() => checkWindow(at(`${MON}T10:00:00+08:00`), at(`${MON}T10:20:00+08:00`), now))).toBe('ok'); // rounds to 30 min
    expect(ruleCode(() => checkWindow(at(`${MON}T10:00:00+08:00`), at('2026-12-07T10:00:00+08:00'), now))).toBe('ok');
    expect(ruleCode(() => checkWindow(at(`${MON}T10:00:00+08:00`), at('2026-12-07T10:01:00+08:00'), now))).toBe('too_long');
    expect(ruleCode(() => checkWindow(at(`${MON}T09:00:00+08:00`), at(`${MON}T10:00:00+08:00`), now))).toBe('ok'); // current quarter
    expect(ruleCode(() => checkWindow(at(`${MON}T08:55:00+08:00`), at(`${MON}T10:00:00+08:00`), now))).toBe('start_in_past');
    expect(ruleCode(() => checkWindow(at('2027-01-05T10:00:00+08:00'), at('2027-01-05T11:00:00+08:00'), now))).toBe('too_far_ahead');
    expect(ruleCode(() => checkWindow(at(`${MON}T11:00:00+08:00`), at(`${MON}T10:00:00+08:00`), now))).toBe('invalid_window');
  });
});

describe('priceFen', () => {
  it('bills per started quarter of the hourly price', () => {
    expect(priceFen(1000, undefined, at(`${MON}T10:00:00+08:00`), at(`${MON}T11:00:00+08:00`))).toBe(1000);
    expect(priceFen(1000, undefined, at(`${MON}T10:00:00+08:00`), at(`${MON}T10:45:00+08:00`))).toBe(750);
    expect(priceFen(1000, undefined, at(`${MON}T10:00:00+08:00`), at(`${MON}T10:31:00+08:00`))).toBe(750); // started quarter
    expect(priceFen(999, undefined, at(`${MON}T10:00:00+08:00`), at(`${MON}T10:15:00+08:00`))).toBe(250); // 249.75 → 250
  });
  it('caps each calendar day', () => {
    // 20:00 Mon → 10:00 Tue: 4 h on Monday (4000, capped 3000) + 10 h Tuesday (10000, capped 3000)
    expect(priceFen(1000, 3000, at(`${MON}T20:00:00+08:00`), at('2026-12-01T10:00:00+08:00'))).toBe(6000);
    expect(priceFen(1000, 5000, at(`${MON}T20:00:00+08:00`), at('2026-12-01T02:00:00+08:00'))).toBe(6000);
  });
});

describe('overstay', () => {
  it('charges 1.5× per started quarter past end', () => {
    const end = at(`${MON}T12:00:00+08:00`);
    expect(overstay(1000, end, end)).toEqual({ quarters: 0, fen: 0 });
    expect(overstay(1000, end, end - 60_000)).toEqual({ quarters: 0, fen: 0 });
    expect(overstay(1000, end, end + 1000)).toEqual({ quarters: 1, fen: 375 });
    expect(overstay(1000, end, end + 31 * 60_000)).toEqual({ quarters: 3, fen: 1125 });
    expect(overstay(1001, end, end + 15 * 60_000)).toEqual({ quarters: 1, fen: 375 }); // 375.375
  });
});

describe('cancellationQuote', () => {
  const start = at(`${MON}T12:00:00+08:00`);
  const end = at(`${MON}T15:00:00+08:00`);
  it('is free until 1 hour before start', () => {
    expect(cancellationQuote(3000, 1000, start, end, start - 3600_000 - 1)).toEqual({ refundFen: 3000, feeFen: 0 });
  });
  it('keeps the first hour from 1 hour before start', () => {
    expect(cancellationQuote(3000, 1000, start, end, start - 3600_000)).toEqual({ refundFen: 2000, feeFen: 1000 });
    expect(cancellationQuote(3000, 1000, start, end, start + 600_000)).toEqual({ refundFen: 2000, feeFen: 1000 });
    expect(cancellationQuote(500, 1000, start, end, start)).toEqual({ refundFen: 0, feeFen: 500 });
  });
  it('refuses after end', () => {
    expect(cancellationQuote(3000, 1000, start, end, end)).toBeNull();
  });
});
