import { describe, expect, it } from 'vitest';
import { assertFen, formatYuan, isFen, percentOf, roundToHalfYuan, sumFen, yuanToFen } from '../../shared/domain/money';

describe('assertFen / isFen', () => {
  it('accepts safe non-negative integers', () => {
    expect(() => assertFen(0)).not.toThrow();
    expect(() => assertFen(Number.MAX_SAFE_INTEGER)).not.toThrow();
    expect(isFen(1250)).toBe(true);
  });
  it.each([-1, 1.5, Number.NaN, Infinity, Number.MAX_SAFE_INTEGER + 1, '100', null])('rejects %s', (v) => {
    expect(isFen(v)).toBe(false);
    expect(() => assertFen(v, 'price')).toThrow(/price must be/);
  });
});

describe('formatYuan', () => {
  it.each([
    [1250, '¥12.50'],
    [5, '¥0.05'],
    [0, '¥0.00'],
    [100, '¥1.00'],
    [123456789, '¥1234567.89'],
    [-1250, '-¥12.50'],
    [Number.MAX_SAFE_INTEGER, '¥90071992547409.91'],
  ])('%i fen -> %s', (fen, s) => {
    expect(formatYuan(fen)).toBe(s);
  });
  it('rejects non-integers', () => {
    expect(() => formatYuan(12.5)).toThrow(RangeError);
  });
});

describe('yuanToFen', () => {
  it.each([
    ['12', 1200],
    ['12.5', 1250],
    ['12.50', 1250],
    ['¥0.05', 5],
    [' 0.1 ', 10],
  ])('%s -> %i', (s, fen) => {
    expect(yuanToFen(s)).toBe(fen);
  });
  it.each(['12.505', '-1', '1e3', '', '12.', '.5'])('rejects %s', (s) => {
    expect(() => yuanToFen(s)).toThrow(RangeError);
  });
  it('round-trips with formatYuan', () => {
    for (const fen of [0, 1, 99, 100, 101, 987654321]) expect(yuanToFen(formatYuan(fen))).toBe(fen);
  });
});

describe('sumFen', () => {
  it('adds and validates', () => {
    expect(sumFen([100, 250, 5])).toBe(355);
    expect(sumFen([])).toBe(0);
    expect(() => sumFen([100, -1])).toThrow(RangeError);
    expect(() => sumFen([Number.MAX_SAFE_INTEGER, 1])).toThrow(RangeError);
  });
});

describe('percentOf (round half up to the fen)', () => {
  it('exact results', () => {
    expect(percentOf(10000, 5)).toBe(500);
    expect(percentOf(10000, 0)).toBe(0);
    expect(percentOf(10000, 100)).toBe(10000);
  });
  it('rounds below half down, exactly half and above up', () => {
    expect(percentOf(1005, 5)).toBe(50); // 50.25
    expect(percentOf(1010, 5)).toBe(51); // 50.5
    expect(percentOf(1015, 5)).toBe(51); // 50.75
    expect(percentOf(30, 5)).toBe(2); // 1.5 -> 2 (not banker's, which would give 2 too)
    expect(percentOf(50, 5)).toBe(3); // 2.5 -> 3 (banker's would give 2)
  });
  it('supports fractional percentages without float error', () => {
    expect(percentOf(1000, 12.5)).toBe(125);
    expect(percentOf(1000, 0.1)).toBe(1);
    expect(percentOf(5000, 0.01)).toBe(1); // 0.5 -> 1
    expect(percentOf(1234567, 0.6)).toBe(7407); // 7407.402
  });
  it('honours explicit rounding modes', () => {
    expect(percentOf(1015, 5, 'down')).toBe(50);
    expect(percentOf(1001, 5, 'up')).toBe(51); // 50.05 -> 51
    expect(percentOf(1000, 5, 'up')).toBe(50); // exact stays
  });
  it('is exact for large amounts (BigInt)', () => {
    expect(percentOf(Number.MAX_SAFE_INTEGER, 50)).toBe(4503599627370496); // 4503599627370495.5 -> up
  });
  it('rejects bad inputs', () => {
    expect(() => percentOf(100, -1)).toThrow(RangeError);
    expect(() => percentOf(100, 0.00001)).toThrow(/4 decimals/);
    expect(() => percentOf(100, Number.NaN)).toThrow(RangeError);
    expect(() => percentOf(1.5, 5)).toThrow(RangeError);
  });
});

describe('roundToHalfYuan (12306 fee rule)', () => {
  it.each([
    [0, 0],
    [1200, 1200],
    [1224, 1200], // 0.24 yuan dropped
    [1225, 1250], // 0.25 -> 0.5
    [1250, 1250],
    [1274, 1250], // 0.74 -> 0.5
    [1275, 1300], // 0.75 -> 1
    [1299, 1300],
    [24, 0],
    [25, 50],
    [74, 50],
    [75, 100],
  ])('%i fen -> %i fen', (fen, out) => {
    expect(roundToHalfYuan(fen)).toBe(out);
  });
  it('always returns a multiple of 50', () => {
    for (let f = 0; f < 1000; f++) expect(roundToHalfYuan(f) % 50).toBe(0);
  });
  it('rejects non-fen', () => {
    expect(() => roundToHalfYuan(-25)).toThrow(RangeError);
  });
});
