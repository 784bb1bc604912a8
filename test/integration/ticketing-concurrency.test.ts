/**
 * 300 concurrent buyers at 100 seats over overlapping segments: exactly what fits is sold,
 * no seat is sold twice on any segment, every refusal is a real sell-out, and `remaining`
 * agrees with the tickets sold.
 */
import { describe, expect, it } from 'vitest';
import { call, tokenFor } from '../support/api';
import { db } from '../../shared/db/client';
import { createPassenger } from '../../shared/passengers/index';
import { idNumber, makeTrip, operatorToken } from './ticketing-support';

const S: [string, string, string][] = [
  ['cc-a', '甲', '甲市'],
  ['cc-b', '乙', '乙市'],
  ['cc-c', '丙', '丙市'],
  ['cc-d', '丁', '丁市'],
];

describe('concurrent bookings', () => {
  it('300 buyers, 100 seats: no oversell, exact remaining', { timeout: 120_000 }, async () => {
    const op = await operatorToken('op-cc');
    const { tripId, serviceDate } = await makeTrip({ token: op, stations: S, classes: [{ code: 'SE', name: '二等座', seats: 100, fare: 1000 }] });
    // 120 × A→C (segments 0,1), 60 × B→C (segment 1), 120 × C→D (segment 2).
    const plan: [string, string][] = [
      ...Array.from({ length: 120 }, () => ['cc-a', 'cc-c'] as [string, string]),
      ...Array.from({ length: 60 }, () => ['cc-b', 'cc-c'] as [string, string]),
      ...Array.from({ length: 120 }, () => ['cc-c', 'cc-d'] as [string, string]),
    ];
    const buyers: { token: string; passengerId: string; from: string; to: string }[] = [];
    for (let i = 0; i < plan.length; i += 50) {
      buyers.push(
        ...(await Promise.all(
          plan.slice(i, i + 50).map(async ([from, to], k) => {
            const n = i + k;
            const user = `cc-user-${n}`;
            const p = await createPassenger(db(), user, { name: '乘客', idType: 'id_card', idNumber: idNumber(n, '19850101') });
            return { token: await tokenFor(user), passengerId: p.id, from, to };
          }),
        )),
      );
    }
    const results = await Promise.all(
      buyers.map((b) => call('POST', '/v1/ticket-orders', { token: b.token, body: { legs: [{ tripId, from: b.from, to: b.to, classCode: 'SE' }], passengerIds: [b.passengerId] } })),
    );
    const statuses = new Map<string, number>();
    for (const r of results) statuses.set(`${r.status} ${r.body?.code ?? ''}`, (statuses.get(`${r.status} ${r.body?.code ?? ''}`) ?? 0) + 1);
    // Every answer is a sale or a real sell-out.
    expect([...statuses.keys()].sort()).toEqual(['201 ', '409 sold_out']);
    const sold = results.filter((r) => r.status === 201).map((r) => r.body.items[0]);
    const count = (from: string, to: string) => sold.filter((t) => t.from === from && t.to === to).length;
    // Segment 1 (B→C) has 100 seats: A→C and B→C sales share it exactly; C→D fills up alone.
    expect(count('cc-a', 'cc-c') + count('cc-b', 'cc-c')).toBe(100);
    expect(count('cc-c', 'cc-d')).toBe(100);
    expect(sold).toHaveLength(200);
    // No seat sold twice on any segment.
    const idx = (s: string) => S.findIndex((x) => x[0] === s);
    for (let seg = 0; seg < 3; seg++) {
      const seats = sold.filter((t) => idx(t.from) <= seg && seg < idx(t.to)).map((t) => t.seat);
      expect(new Set(seats).size).toBe(seats.length);
    }
    // remaining for every pair equals the seats with no ticket overlapping it.
    for (let a = 0; a < 3; a++) {
      for (let b = a + 1; b < 4; b++) {
        const busy = new Set(sold.filter((t) => idx(t.from) < b && a < idx(t.to)).map((t) => t.seat));
        const r = await call('GET', `/v1/trips/search?from=${S[a][0]}&to=${S[b][0]}&date=${serviceDate}`);
        expect(r.body.trips[0].classes[0].remaining, `${S[a][0]}→${S[b][0]}`).toBe(100 - busy.size);
      }
    }
    expect(await call('GET', `/v1/trips/search?from=cc-a&to=cc-b&date=${serviceDate}`).then((r) => r.body.trips[0].classes[0].remaining)).toBe(100 - count('cc-a', 'cc-c'));
  });
});
