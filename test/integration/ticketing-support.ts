/** Shared helpers of the ticketing integration tests. */
import { expect } from 'vitest';
import { call, tokenFor } from '../support/api';
import { idCheckChar } from '../../shared/domain/idnumber';
import { toShanghaiIso } from '../../shared/domain/time';

/** A valid mainland ID number (GB 11643) with sequence `seq` (0..999). */
export function idNumber(seq: number, birth = '19900307', region = '110101'): string {
  const first17 = `${region}${birth}${String(seq).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

export const at = (base: Date, minutes: number) => toShanghaiIso(new Date(base.getTime() + minutes * 60_000));

let tripCounter = 0;

/**
 * An operator creates a trip. `stations` are [id, name, city?]; departures start `startMin`
 * minutes from now, `legMin` apart (1 minute dwell).
 */
export async function makeTrip(opts: {
  token: string;
  mode?: 'rail' | 'coach' | 'ferry' | 'air';
  number?: string;
  stations: [string, string, string?][];
  startMin?: number;
  legMin?: number;
  start?: Date;
  classes?: { code: string; name: string; seats: number; fare?: number }[];
}) {
  const start = opts.start ?? new Date(Date.now() + (opts.startMin ?? 3 * 24 * 60) * 60_000);
  const legMin = opts.legMin ?? 60;
  const n = opts.stations.length;
  const stops = opts.stations.map(([stationId, name, city], i) => ({
    stationId,
    name,
    ...(city ? { city } : {}),
    ...(i > 0 ? { arrive: at(start, i * legMin) } : {}),
    ...(i < n - 1 ? { depart: at(start, i * legMin + (i > 0 ? 1 : 0)) } : {}),
  }));
  const classes = (opts.classes ?? [{ code: 'SE', name: '二等座', seats: 100, fare: 10000 }]).map((c) => ({
    code: c.code,
    name: c.name,
    seats: c.seats,
    fareFenPerSegment: Array.from({ length: n - 1 }, () => c.fare ?? 10000),
  }));
  const serviceDate = stops[0].depart!.slice(0, 10);
  const r = await call('POST', '/v1/operator/trips', {
    token: opts.token,
    body: { mode: opts.mode ?? 'rail', number: opts.number ?? `G${++tripCounter}${Math.floor(Math.random() * 1e6)}`, operatorName: '国铁集团', serviceDate, stops, classes, realName: true },
  });
  expect(r.status, r.text).toBe(201);
  return { tripId: r.body.tripId as string, serviceDate, stops };
}

export async function addPassenger(token: string, seq: number, name = '张三') {
  const r = await call('POST', '/v1/me/passengers', { token, body: { name, idType: 'id_card', idNumber: idNumber(seq) } });
  expect(r.status, r.text).toBe(201);
  return r.body.id as string;
}

export async function operatorToken(id = 'op-1') {
  return tokenFor(id, ['operator']);
}
export { call, tokenFor };
