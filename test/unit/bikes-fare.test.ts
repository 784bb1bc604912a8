import { describe, expect, it } from 'vitest';
import { rideFareFen, startedBlocks } from '../../functions/bikes/fare';

const t0 = new Date('2026-05-01T08:00:00+08:00');
const at = (ms: number) => new Date(t0.getTime() + ms);
const MIN = 60_000;

describe('ride fare: start fee + per started 15 minutes', () => {
  it('counts started blocks, at least one', () => {
    expect(startedBlocks(t0, t0)).toBe(1);
    expect(startedBlocks(t0, at(1000))).toBe(1);
    expect(startedBlocks(t0, at(15 * MIN))).toBe(1);
    expect(startedBlocks(t0, at(15 * MIN + 1))).toBe(2);
    expect(startedBlocks(t0, at(31 * MIN))).toBe(3);
    expect(startedBlocks(t0, at(-5000))).toBe(1);
  });
  it('prices integer fen', () => {
    const plan = { startFeeFen: 100, per15MinFen: 150 };
    expect(rideFareFen(plan, t0, at(10 * MIN))).toBe(250);
    expect(rideFareFen(plan, t0, at(46 * MIN))).toBe(100 + 4 * 150);
    expect(rideFareFen({ startFeeFen: 0, per15MinFen: 0 }, t0, at(200 * MIN))).toBe(0);
  });
});
