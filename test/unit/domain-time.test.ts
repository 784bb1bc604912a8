import { describe, expect, it } from 'vitest';
import {
  addDays,
  atShanghaiTime,
  dayOfWeek,
  daysBetween,
  isDay,
  isIsoWithOffset,
  minutesBetween,
  parseIso,
  requireIso,
  serviceDay,
  shanghaiMidnight,
  todayInShanghai,
  toShanghaiIso,
} from '../../shared/domain/time';

describe('parseIso / isIsoWithOffset', () => {
  it('parses Z and ±HH:MM offsets to the same instant', () => {
    const a = parseIso('2026-12-01T08:30:00+08:00');
    const b = parseIso('2026-12-01T00:30:00Z');
    const c = parseIso('2026-11-30T19:30:00-05:00');
    expect(a?.toISOString()).toBe('2026-12-01T00:30:00.000Z');
    expect(b?.getTime()).toBe(a?.getTime());
    expect(c?.getTime()).toBe(a?.getTime());
  });
  it('keeps milliseconds and accepts omitted seconds', () => {
    expect(parseIso('2026-12-01T08:30:00.1234+08:00')?.toISOString()).toBe('2026-12-01T00:30:00.123Z');
    expect(parseIso('2026-12-01T08:30+08:00')?.toISOString()).toBe('2026-12-01T00:30:00.000Z');
  });
  it.each([
    '2026-12-01T08:30:00', // no offset
    '2026-12-01',
    '2026-12-01 08:30:00+08:00',
    '2026-02-30T08:30:00Z',
    '2026-12-01T24:00:00Z',
    '2026-12-01T08:60:00Z',
    '2026-12-01T08:30:00+0800',
    'yesterday',
    '',
  ])('rejects %s', (s) => {
    expect(parseIso(s)).toBeNull();
    expect(isIsoWithOffset(s)).toBe(false);
  });
  it('rejects non-strings', () => {
    expect(parseIso(1764547800000)).toBeNull();
    expect(isIsoWithOffset(null)).toBe(false);
  });
  it('requireIso names the field', () => {
    expect(() => requireIso('2026-12-01T08:30:00', 'departAt')).toThrow(/departAt/);
    expect(requireIso('2026-12-01T08:30:00Z').getTime()).toBe(Date.UTC(2026, 11, 1, 8, 30));
  });
});

describe('serviceDay / toShanghaiIso', () => {
  it('uses the Shanghai calendar day', () => {
    expect(serviceDay('2026-11-30T15:59:59Z')).toBe('2026-11-30');
    expect(serviceDay('2026-11-30T16:00:00Z')).toBe('2026-12-01');
    expect(serviceDay(new Date('2026-11-30T17:00:00Z'))).toBe('2026-12-01');
    expect(serviceDay(Date.UTC(2026, 11, 31, 16))).toBe('2027-01-01');
  });
  it('passes a day through and rejects a bad one', () => {
    expect(serviceDay('2026-12-01')).toBe('2026-12-01');
    expect(() => serviceDay('2026-13-01')).toThrow(RangeError);
    expect(() => serviceDay('2026-12-01T08:00:00')).toThrow(RangeError);
  });
  it('formats with +08:00 to the second', () => {
    expect(toShanghaiIso(new Date('2026-12-01T00:30:00.999Z'))).toBe('2026-12-01T08:30:00+08:00');
    expect(toShanghaiIso('2026-11-30T23:59:59-08:00')).toBe('2026-12-01T15:59:59+08:00');
  });
  it('round-trips through parseIso', () => {
    const d = new Date('2026-06-15T21:05:07Z');
    expect(parseIso(toShanghaiIso(d))?.getTime()).toBe(d.getTime());
  });
  it('todayInShanghai follows the clock', () => {
    expect(todayInShanghai(Date.UTC(2026, 10, 24, 16, 0))).toBe('2026-11-25');
  });
});

describe('day arithmetic', () => {
  it('addDays crosses months, years and leap days', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-12-01', 0)).toBe('2026-12-01');
    expect(() => addDays('2026-12-01', 1.5)).toThrow(RangeError);
  });
  it('daysBetween', () => {
    expect(daysBetween('2026-12-01', '2027-01-01')).toBe(31);
    expect(daysBetween('2027-01-01', '2026-12-01')).toBe(-31);
  });
  it('dayOfWeek is ISO (1 = Monday, 7 = Sunday)', () => {
    expect(dayOfWeek('2026-11-23')).toBe(1); // Monday
    expect(dayOfWeek('2026-11-28')).toBe(6);
    expect(dayOfWeek('2026-11-29')).toBe(7); // Sunday
  });
  it('isDay checks the calendar', () => {
    expect(isDay('2028-02-29')).toBe(true);
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2026-1-01')).toBe(false);
  });
});

describe('shanghaiMidnight / atShanghaiTime', () => {
  it('midnight in Shanghai is 16:00 UTC the day before', () => {
    expect(shanghaiMidnight('2026-12-01').toISOString()).toBe('2026-11-30T16:00:00.000Z');
    expect(serviceDay(shanghaiMidnight('2026-12-01'))).toBe('2026-12-01');
  });
  it('wall-clock times, including GTFS times past 24:00', () => {
    expect(toShanghaiIso(atShanghaiTime('2026-12-01', '08:30'))).toBe('2026-12-01T08:30:00+08:00');
    expect(toShanghaiIso(atShanghaiTime('2026-12-01', '25:10:05'))).toBe('2026-12-02T01:10:05+08:00');
    expect(() => atShanghaiTime('2026-12-01', '8h30')).toThrow(RangeError);
    expect(() => atShanghaiTime('2026-12-01', '08:61')).toThrow(RangeError);
  });
});

describe('minutesBetween', () => {
  it('whole minutes, truncated toward zero', () => {
    expect(minutesBetween('2026-12-01T08:30:00+08:00', '2026-12-01T12:48:59+08:00')).toBe(258);
    expect(minutesBetween('2026-12-01T12:48:59+08:00', '2026-12-01T08:30:00+08:00')).toBe(-258);
    expect(minutesBetween(new Date(0), 59_999)).toBe(0);
    expect(Object.is(minutesBetween(59_999, 0), 0)).toBe(true);
  });
  it('mixes offsets correctly', () => {
    expect(minutesBetween('2026-12-01T00:00:00Z', '2026-12-01T08:00:00+08:00')).toBe(0);
  });
});
