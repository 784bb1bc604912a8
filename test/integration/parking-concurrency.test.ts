/**
 * No double booking: 50 concurrent reservation attempts with random overlapping windows on
 * one spot (real DynamoDB Local transactions). Accepted windows are pairwise disjoint, every
 * rejected one overlaps an accepted one, and the stored slots are exactly the accepted ones.
 */
import { describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { call, tokenFor } from '../support/api';
import { db } from '../../shared/db/client';
import { addDays, atShanghaiTime, serviceDay } from '../../shared/domain/time';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('concurrent reservations on one spot', () => {
  it('never double-books', async () => {
    const owner = await tokenFor('conc-owner');
    const spot = await call('POST', '/v1/parking/spots', {
      token: owner,
      body: {
        title: '陆家嘴 共享车位',
        address: '上海市浦东新区陆家嘴环路 1000 号',
        city: 'shanghai',
        location: { lat: 31.2397, lng: 121.4998 },
        pricePerHourFen: 1200,
        availability: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' }],
      },
    });
    expect(spot.status, spot.text).toBe(201);
    const spotId = spot.body.spotId;
    const d = addDays(serviceDay(Date.now()), 2);
    const base = atShanghaiTime(d, '20:00').getTime(); // windows run across midnight into the next day
    const seed = Date.now() % 100000;
    const rand = rng(seed);
    const Q = 900_000;
    const attempts = Array.from({ length: 50 }, (_, i) => {
      const s = base + Math.floor(rand() * 32) * Q;
      const e = s + (2 + Math.floor(rand() * 10)) * Q;
      return { i, s, e };
    });
    const tokens = await Promise.all(attempts.map((a) => tokenFor(`conc-driver-${a.i}`)));
    console.time('DBG calls');
    const results = await Promise.all(
      attempts.map((a, k) =>
        call('POST', '/v1/parking/reservations', {
          token: tokens[k],
          body: { spotId, start: new Date(a.s).toISOString(), end: new Date(a.e).toISOString(), plate: '沪A12345' },
        }),
      ),
    );
    console.timeEnd('DBG calls');
    const accepted = attempts.filter((_, k) => results[k].status === 201);
    const rejected = attempts.filter((_, k) => results[k].status !== 201);
    for (const [k, r] of results.entries()) {
      if (r.status !== 201) expect(r.body.code, `seed ${seed}, attempt ${k}: ${r.text}`).toBe('slot_taken');
    }
    expect(accepted.length, `seed ${seed}`).toBeGreaterThan(0);
    expect(rejected.length, `seed ${seed}`).toBeGreaterThan(0);
    const overlaps = (a: { s: number; e: number }, b: { s: number; e: number }) => a.s < b.e && b.s < a.e;
    for (let x = 0; x < accepted.length; x++) {
      for (let y = x + 1; y < accepted.length; y++) expect(overlaps(accepted[x], accepted[y]), `seed ${seed}`).toBe(false);
    }
    for (const r of rejected) expect(accepted.some((a) => overlaps(a, r)), `seed ${seed}: rejected ${JSON.stringify(r)}`).toBe(true);

    // The stored slot sets are exactly the union of the accepted windows.
    const want = new Map<string, Set<string>>();
    for (const a of accepted) {
      for (let t = a.s; t < a.e; t += Q) {
        const day = serviceDay(t);
        const idx = String((t - atShanghaiTime(day, '00:00').getTime()) / Q);
        if (!want.has(day)) want.set(day, new Set());
        want.get(day)!.add(idx);
      }
    }
    const x = db();
    for (const day of [d, addDays(d, 1)]) {
      const item = await x.doc.send(new GetCommand({ TableName: x.tableName, Key: { PK: `PSPOT#${spotId}`, SK: `DAY#${day}` }, ConsistentRead: true }));
      expect([...((item.Item?.taken as Set<string>) ?? [])].sort(), `seed ${seed} ${day}`).toEqual([...(want.get(day) ?? [])].sort());
    }
    // The owner sees exactly the accepted reservations.
    const list = await call('GET', `/v1/parking/spots/${spotId}/reservations?limit=100`, { token: owner });
    expect(list.body.items.length).toBe(accepted.length);
  });

  it('concurrent duplicates with one Idempotency-Key create one order', async () => {
    const owner = await tokenFor('conc-owner-2');
    const spot = await call('POST', '/v1/parking/spots', {
      token: owner,
      body: { title: '人民广场', address: '上海市黄浦区', city: 'shanghai', location: { lat: 31.2323, lng: 121.475 }, pricePerHourFen: 1000, availability: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' }] },
    });
    const driver = await tokenFor('conc-dup-driver');
    const d = addDays(serviceDay(Date.now()), 3);
    const body = { spotId: spot.body.spotId, start: atShanghaiTime(d, '09:00').toISOString(), end: atShanghaiTime(d, '10:00').toISOString(), plate: '沪A12345' };
    const rs = await Promise.all(Array.from({ length: 5 }, () => call('POST', '/v1/parking/reservations', { token: driver, body, idempotencyKey: 'dup-key-00000001' })));
    const ok = rs.filter((r) => r.status === 201);
    expect(ok.length).toBeGreaterThan(0);
    expect(new Set(ok.map((r) => r.body.id)).size).toBe(1);
    for (const r of rs) if (r.status !== 201) expect(r.body.code).toBe('request_in_progress');
    const list = await call('GET', `/v1/parking/spots/${spot.body.spotId}/reservations`, { token: owner });
    expect(list.body.items.length).toBe(1);
  });
});
