import { describe, expect, it } from 'vitest';
import { chooseSeats, deterministicTripId, normaliseTripInput, refundFeeFen, refundFeePercent, remainingSeats, seatLabel, ticketHoldSeconds, type Occupancy } from '../../functions/ticketing/model';
import { ticketRefundQuote } from '../../functions/ticketing/order-plugin';
import { isId } from '../../shared/domain/ids';
import type { Order } from '../../shared/orders/model';

const H = 3_600_000;
const D = 24 * H;

describe('refund fee rule (12306)', () => {
  it('has the right percentage on each side of every boundary', () => {
    expect(refundFeePercent(9 * D)).toBe(0);
    expect(refundFeePercent(8 * D)).toBe(0);
    expect(refundFeePercent(8 * D - 1)).toBe(5);
    expect(refundFeePercent(48 * H)).toBe(5);
    expect(refundFeePercent(48 * H - 1)).toBe(10);
    expect(refundFeePercent(24 * H)).toBe(10);
    expect(refundFeePercent(24 * H - 1)).toBe(20);
    expect(refundFeePercent(1)).toBe(20);
    expect(refundFeePercent(0)).toBeNull();
    expect(refundFeePercent(-1)).toBeNull();
  });
  it('rounds the fee to 0.5 yuan like 12306', () => {
    expect(refundFeeFen(12345, 3 * D)).toBe(600); // 617.25 → 617 → 6.0 yuan
    expect(refundFeeFen(12345, 30 * H)).toBe(1250); // 1234.5 → 1235 → 12.5 yuan
    expect(refundFeeFen(12345, H)).toBe(2450); // 2469 → 24.5 yuan
    expect(refundFeeFen(10000, 3 * D)).toBe(500);
    expect(refundFeeFen(100, H)).toBe(0); // 20 fen → 0
    expect(refundFeeFen(10000, 0)).toBeNull();
  });
  it('quotes an order: per ticket by its own departure, refused after departure or once used', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const dep = (ms: number) => new Date(now.getTime() + ms).toISOString();
    const order = {
      ref: {
        tickets: [
          { priceFen: 10000, depart: dep(10 * D) },
          { priceFen: 10000, depart: dep(3 * D) },
          { priceFen: 10000, depart: dep(H) },
        ],
        used: {},
      },
    } as unknown as Order;
    expect(ticketRefundQuote(order, 30000, now)).toEqual({ feeFen: 0 + 500 + 2000, refundFen: 27500 });
    const departed = { ref: { tickets: [{ priceFen: 10000, depart: dep(-1000) }], used: {} } } as unknown as Order;
    expect(() => ticketRefundQuote(departed, 10000, now)).toThrow(/refund/);
    const used = { ref: { tickets: [{ priceFen: 10000, depart: dep(10 * D) }], used: { tkt_x: 'x' } } } as unknown as Order;
    expect(() => ticketRefundQuote(used, 10000, now)).toThrow(/used/);
  });
});

describe('seats', () => {
  const occ: Occupancy = new Map([
    [0, new Set([0])],
    [1, new Set([1, 2])],
  ]);
  it('remaining counts seats free on every segment asked', () => {
    expect(remainingSeats(3, occ, [0])).toBe(2);
    expect(remainingSeats(3, occ, [1])).toBe(2);
    expect(remainingSeats(3, occ, [0, 1])).toBe(1);
    expect(remainingSeats(3, occ, [3])).toBe(3);
  });
  it('a single traveller reuses a partly sold seat; a party sits in one row; null when it does not fit', () => {
    expect(chooseSeats('rail', 3, occ, [1], 1)).toEqual([0]);
    expect(chooseSeats('rail', 3, occ, [0, 1], 2)).toBeNull();
    const empty: Occupancy = new Map();
    for (let i = 0; i < 20; i++) {
      const seats = chooseSeats('rail', 100, empty, [0], 3)!;
      expect(new Set(seats.map((s) => Math.floor(s / 5))).size).toBe(1);
    }
    // Rows full except scattered seats: the closest window in one car.
    const scattered: Occupancy = new Map();
    for (let i = 0; i < 200; i++) if (![7, 13, 150].includes(i)) scattered.set(i, new Set([0]));
    expect(chooseSeats('rail', 200, scattered, [0], 2)).toEqual([7, 13]);
  });
  it('labels seats by mode, continuing cars and rows across classes', () => {
    const trip = { mode: 'rail' as const, classes: [{ code: 'FC', name: '', seats: 50, fareFenPerSegment: [] }, { code: 'SE', name: '', seats: 300, fareFenPerSegment: [] }] };
    expect(seatLabel(trip, 'FC', 0)).toBe('01车01A');
    expect(seatLabel(trip, 'SE', 0)).toBe('02车01A');
    expect(seatLabel(trip, 'SE', 104)).toBe('03车01F');
    expect(seatLabel({ mode: 'air', classes: [{ code: 'Y', name: '', seats: 150, fareFenPerSegment: [] }] }, 'Y', 7)).toBe('2B');
    expect(seatLabel({ mode: 'coach', classes: [{ code: 'S', name: '', seats: 45, fareFenPerSegment: [] }] }, 'S', 6)).toBe('07号');
    expect(seatLabel({ mode: 'ferry', classes: [{ code: 'E', name: '', seats: 45, fareFenPerSegment: [] }] }, 'E', 9)).toBe('2排2号');
  });
});

describe('trip input and ids', () => {
  const base = {
    mode: 'rail',
    number: 'g1',
    operatorName: ' 国铁 ',
    serviceDate: '2026-12-01',
    stops: [
      { stationId: 'a', name: 'A', depart: '2026-12-01T08:00:00+08:00' },
      { stationId: 'b', name: 'B', arrive: '2026-12-01T09:00:00+08:00', depart: '2026-12-01T09:02:00+08:00' },
      { stationId: 'c', name: 'C', arrive: '2026-12-01T10:00:00Z' },
    ],
    classes: [{ code: 'SE', name: '二等座', seats: 10, fareFenPerSegment: [100, 200] }],
  };
  it('normalises times to +08:00 and upper-cases the number', () => {
    const t = normaliseTripInput(base);
    expect(t.number).toBe('G1');
    expect(t.stops[2].arrive).toBe('2026-12-01T18:00:00+08:00');
    expect(t.realName).toBe(true);
  });
  it('refuses times going backwards, repeated stations, wrong fare counts and a wrong service day', () => {
    const bad = (patch: any) => expect(() => normaliseTripInput({ ...base, ...patch })).toThrow(/not consistent/);
    bad({ stops: [base.stops[0], { ...base.stops[1], arrive: '2026-12-01T07:00:00+08:00' }, base.stops[2]] });
    bad({ stops: [base.stops[0], { ...base.stops[1], stationId: 'a' }, base.stops[2]] });
    bad({ classes: [{ ...base.classes[0], fareFenPerSegment: [1] }] });
    bad({ serviceDate: '2026-11-20' });
    bad({ stops: [{ stationId: 'a', name: 'A' }, base.stops[2]] });
  });
  it('derives stable, valid trip ids', () => {
    const id = deterministicTripId('gtfs:feed:trip1:2026-12-01');
    expect(isId('trp', id)).toBe(true);
    expect(deterministicTripId('gtfs:feed:trip1:2026-12-01')).toBe(id);
    expect(deterministicTripId('gtfs:feed:trip1:2026-12-02')).not.toBe(id);
  });
  it('holds 10 minutes when departure is within 2 hours, else 30', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    expect(ticketHoldSeconds(now.getTime() + 2 * H, now)).toBe(600);
    expect(ticketHoldSeconds(now.getTime() + 2 * H + 1, now)).toBe(1800);
  });
});
