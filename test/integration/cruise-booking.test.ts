/**
 * Cruise: publishing voyages, search, voyage detail, and the booking rules (occupancy
 * pricing, specific and auto-picked cabins, passports, overlapping voyages, idempotency),
 * through API Gateway v2 events on DynamoDB Local.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { call, expectProblem, tokenFor } from '../support/api';
import { db } from '../../shared/db/client';
import { addDays, todayInShanghai } from '../../shared/domain/time';
import { idCheckChar } from '../../shared/domain/idnumber';
import { createPassenger } from '../../shared/passengers/index';
import { cruiseKeys } from '../../functions/cruise/keys';
import '../../functions/cruise/order-plugin';

const today = todayInShanghai();
let op: string;
let op2: string;

// ------------------------------------------------------------------ helpers (kept per file)

function idCard(n: number): string {
  const first17 = `110101${1970 + (n % 40)}${String(1 + (n % 12)).padStart(2, '0')}${String(1 + (n % 28)).padStart(2, '0')}${String(n % 1000).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}
const passport = (n: number) => `E${String(10_000_000 + n)}`;

async function addPassenger(userId: string, idType: 'id_card' | 'passport', n: number, name = `旅客${n}`): Promise<string> {
  const idNumber = idType === 'id_card' ? idCard(n) : passport(n);
  try {
    const r = await call('POST', '/v1/me/passengers', { token: await tokenFor(userId), body: { name, idType, idNumber } });
    if (r.status === 201) return r.body.id;
    if (!(r.status === 404 && (!r.text || r.body?.code === 'route_not_found'))) throw new Error(`passenger: ${r.status} ${r.text}`);
  } catch (e) {
    if ((e as Error).message.startsWith('passenger:')) throw e;
  }
  // The ticketing function's route has not landed yet: same module, called directly.
  return (await createPassenger(db(), userId, { name, idType, idNumber })).id;
}

interface VoyageOpts {
  inDays: number;
  nights?: number;
  international?: boolean;
  port?: { code: string; name: string };
  cabins?: { number: string; categoryCode: string; deck: number; maxGuests: number }[];
  penalties?: { daysBefore: number; percent: number }[];
  depositPercent?: number;
  token?: string;
}

function voyageBody(o: VoyageOpts) {
  return {
    shipName: '蓝梦之星',
    name: `测试航次 ${o.inDays}天后`,
    departPort: o.port ?? { code: 'CNSHA', name: '上海吴淞口' },
    departDate: addDays(today, o.inDays),
    nights: o.nights ?? 3,
    international: o.international ?? false,
    itinerary: [
      { day: 1, port: '上海', depart: '17:00' },
      { day: 2, port: '海上巡游' },
      { day: (o.nights ?? 3) + 1, port: '上海', arrive: '08:00' },
    ],
    categories: [
      { code: 'IN', name: '内舱房', kind: 'inside', pricesFen: { '1': 500000, '2': 300000, '3': 250000 } },
      { code: 'BAL', name: '阳台房', kind: 'balcony', pricesFen: { '1': 900000, '2': 600000, '3': 500000, '4': 450000 } },
    ],
    cabins: o.cabins ?? [
      { number: '8001', categoryCode: 'IN', deck: 8, maxGuests: 2 },
      { number: '8002', categoryCode: 'IN', deck: 8, maxGuests: 3 },
      { number: '9001', categoryCode: 'BAL', deck: 9, maxGuests: 4 },
      { number: '9002', categoryCode: 'BAL', deck: 9, maxGuests: 2 },
    ],
    ...(o.penalties ? { penalties: o.penalties } : {}),
    ...(o.depositPercent ? { depositPercent: o.depositPercent } : {}),
  };
}

async function makeVoyage(o: VoyageOpts) {
  const r = await call('POST', '/v1/operator/cruise/voyages', { token: o.token ?? op, body: voyageBody(o) });
  if (r.status !== 201) throw new Error(`voyage: ${r.status} ${r.text}`);
  return r.body;
}

async function book(userId: string, body: Record<string, unknown>, idempotencyKey?: string) {
  return call('POST', '/v1/cruise/bookings', { token: await tokenFor(userId), body, idempotencyKey });
}

async function cabin(voyageId: string, number: string) {
  const d = db();
  return (await d.doc.send(new GetCommand({ TableName: d.tableName, Key: cruiseKeys.cabin(voyageId, number), ConsistentRead: true }))).Item;
}

beforeAll(async () => {
  op = await tokenFor('cruise-op-1', ['operator']);
  op2 = await tokenFor('cruise-op-2', ['operator']);
});

// ------------------------------------------------------------------ voyages

describe('publishing a voyage', () => {
  it('creates the voyage with one cabin item per cabin and availability per category', async () => {
    const v = await makeVoyage({ inDays: 40 });
    expect(v.id).toMatch(/^voy_/);
    expect(v).toMatchObject({ status: 'SCHEDULED', nights: 3, returnDate: addDays(today, 43), depositPercent: 20 });
    expect(v.penalties).toEqual([
      { daysBefore: 60, percent: 10 },
      { daysBefore: 30, percent: 25 },
      { daysBefore: 15, percent: 50 },
      { daysBefore: 0, percent: 100 },
    ]);
    const byCode = Object.fromEntries(v.categories.map((c: any) => [c.code, c]));
    expect(byCode.IN).toMatchObject({ cabins: 2, cabinsLeft: 2, maxGuests: 3, lowestPricePerGuestFen: 250000 });
    expect(byCode.BAL).toMatchObject({ cabins: 2, cabinsLeft: 2, maxGuests: 4, lowestPricePerGuestFen: 450000 });
    expect(v.deckPlan.map((d: any) => [d.deck, d.cabins, d.cabinsLeft])).toEqual([
      [8, 2, 2],
      [9, 2, 2],
    ]);
    expect((await cabin(v.id, '8002'))?.status).toBe('free');
  });

  it('refuses bad voyages with precise codes', async () => {
    const base = voyageBody({ inDays: 40 });
    const post = (body: unknown, token = op) => call('POST', '/v1/operator/cruise/voyages', { token, body });
    expectProblem(await post({ ...base, cabins: [...base.cabins, { number: '8001', categoryCode: 'IN', deck: 8, maxGuests: 2 }] }), 422, 'duplicate_cabin');
    expectProblem(await post({ ...base, cabins: [{ number: '1', categoryCode: 'XX', deck: 1, maxGuests: 2 }] }), 422, 'unknown_category');
    expectProblem(
      await post({ ...base, categories: [{ code: 'IN', name: 'x', kind: 'inside', pricesFen: { '1': 100, '2': 100 } }], cabins: [{ number: '1', categoryCode: 'IN', deck: 1, maxGuests: 3 }] }),
      422,
      'occupancy_price_missing',
    );
    expectProblem(await post({ ...base, penalties: [{ daysBefore: 30, percent: 50 }] }), 422, 'invalid_penalties');
    expectProblem(await post({ ...base, departDate: today }), 422, 'depart_date_not_in_future');
    expectProblem(await post({ ...base, nights: 0 }), 400, 'validation_failed');
    expectProblem(await post({ ...base, surprise: true }), 400, 'validation_failed');
    expectProblem(await post(base, await tokenFor('guest-x')), 403, 'forbidden');
    expectProblem(await call('POST', '/v1/operator/cruise/voyages', { body: base }), 401, 'unauthorized');
  });

  it('the same Idempotency-Key returns the same voyage', async () => {
    const body = voyageBody({ inDays: 41 });
    const a = await call('POST', '/v1/operator/cruise/voyages', { token: op, body, idempotencyKey: 'voyage-create-0001' });
    const b = await call('POST', '/v1/operator/cruise/voyages', { token: op, body, idempotencyKey: 'voyage-create-0001' });
    expect(a.status).toBe(201);
    expect(b.body.id).toBe(a.body.id);
  });
});

describe('search and detail', () => {
  it('finds voyages by departure range, port and nights, with cabins left and the lowest price', async () => {
    const sanya = { code: 'CNSYX', name: '三亚凤凰岛' };
    const a = await makeVoyage({ inDays: 200, nights: 4, port: sanya });
    const b = await makeVoyage({ inDays: 230, nights: 5, port: sanya });
    const c = await makeVoyage({ inDays: 215, nights: 4 });
    const from = addDays(today, 195);
    const to = addDays(today, 240);

    const all = await call('GET', `/v1/cruise/voyages?from=${from}&to=${to}`);
    expect(all.status).toBe(200);
    expect(all.body.items.map((v: any) => v.id)).toEqual([a.id, c.id, b.id]);

    const fromSanya = await call('GET', `/v1/cruise/voyages?from=${from}&to=${to}&port=CNSYX`);
    expect(fromSanya.body.items.map((v: any) => v.id)).toEqual([a.id, b.id]);

    const fourNights = await call('GET', `/v1/cruise/voyages?from=${from}&to=${to}&nights=4`);
    expect(fourNights.body.items.map((v: any) => v.id)).toEqual([a.id, c.id]);

    const sanya4 = await call('GET', `/v1/cruise/voyages?from=${from}&to=${to}&port=CNSYX&nights=4`);
    expect(sanya4.body.items.map((v: any) => v.id)).toEqual([a.id]);
    const cat = sanya4.body.items[0].categories.find((x: any) => x.code === 'IN');
    expect(cat).toMatchObject({ cabinsLeft: 2, lowestPricePerGuestFen: 250000 });
    expect(sanya4.body.items[0].lowestPricePerGuestFen).toBe(250000);

    // pages
    const p1 = await call('GET', `/v1/cruise/voyages?from=${from}&to=${to}&limit=2`);
    expect(p1.body.items.map((v: any) => v.id)).toEqual([a.id, c.id]);
    expect(p1.body.nextCursor).toBeTruthy();
    const p2 = await call('GET', `/v1/cruise/voyages?from=${from}&to=${to}&limit=2&cursor=${p1.body.nextCursor}`);
    expect(p2.body.items.map((v: any) => v.id)).toEqual([b.id]);
    expect(p2.body.nextCursor).toBeUndefined();

    expectProblem(await call('GET', `/v1/cruise/voyages?from=${to}&to=${from}`), 422, 'invalid_range');
    expectProblem(await call('GET', `/v1/cruise/voyages?from=${from}&to=${addDays(from, 400)}`), 422, 'range_too_long');
    expectProblem(await call('GET', `/v1/cruise/voyages?cursor=garbage`), 400, 'invalid_cursor');
    expectProblem(await call('GET', `/v1/cruise/voyages?nights=abc`), 400, 'validation_failed');
  });

  it('shows a voyage with itinerary, categories, penalties and the deck plan with free cabins', async () => {
    const v = await makeVoyage({ inDays: 45 });
    const user = 'detail-user';
    const p = await addPassenger(user, 'id_card', 501);
    expect((await book(user, { voyageId: v.id, categoryCode: 'IN', passengerIds: [p], cabinNumber: '8001' })).status).toBe(201);
    const r = await call('GET', `/v1/cruise/voyages/${v.id}`);
    expect(r.status).toBe(200);
    expect(r.body.itinerary[0]).toMatchObject({ day: 1, port: '上海', depart: '17:00' });
    expect(r.body.categories.find((c: any) => c.code === 'IN').cabinsLeft).toBe(1);
    const deck8 = r.body.deckPlan.find((d: any) => d.deck === 8);
    expect(deck8).toMatchObject({ cabins: 2, cabinsLeft: 1, categories: ['IN'] });
    expect(deck8.freeCabins).toEqual([{ number: '8002', categoryCode: 'IN', maxGuests: 3 }]);
    expect(r.body).toMatchObject({ depositWhenMoreThanDays: 60, balanceDueDays: 45 });
    expectProblem(await call('GET', '/v1/cruise/voyages/voy_nope'), 404, 'voyage_not_found');
  });
});

// ------------------------------------------------------------------ bookings

describe('booking a cabin', () => {
  it('prices by the occupancy table × guests and holds one specific cabin that fits', async () => {
    const v = await makeVoyage({ inDays: 50 });
    const u = 'pricing-user';
    const ps = [await addPassenger(u, 'id_card', 1), await addPassenger(u, 'id_card', 2), await addPassenger(u, 'id_card', 3), await addPassenger(u, 'id_card', 4)];

    const one = await book(u, { voyageId: v.id, categoryCode: 'BAL', passengerIds: [ps[0]], cabinNumber: '9002' });
    expect(one.status).toBe(201);
    expect(one.body).toMatchObject({ kind: 'cruise', status: 'PENDING_PAYMENT', amountFen: 900000, amountDueFen: 900000 });
    expect(one.body.charges).toEqual([{ purpose: 'initial', amountFen: 900000, status: 'DUE' }]);
    const item = one.body.items[0];
    expect(item).toMatchObject({ voyageId: v.id, categoryCode: 'BAL', cabinNumber: '9002', deck: 9, pricePerGuestFen: 900000, paymentPlan: 'full' });
    expect(item.guests[0]).toMatchObject({ passengerId: ps[0], idType: 'id_card', idNumberMasked: expect.stringMatching(/\*{4,}/) });
    expect(JSON.stringify(one.body)).not.toContain(idCard(1));
    const held = await cabin(v.id, '9002');
    expect(held).toMatchObject({ status: 'held', orderId: one.body.id });
    expect(held?.GSI1PK).toBeUndefined();

    // four other guests: auto-picked into the only cabin that takes four
    const u4 = 'pricing-user-4';
    const quad = [await addPassenger(u4, 'id_card', 101), await addPassenger(u4, 'id_card', 102), await addPassenger(u4, 'id_card', 103), await addPassenger(u4, 'id_card', 104)];
    const four = await book(u4, { voyageId: v.id, categoryCode: 'BAL', passengerIds: quad });
    expect(four.status).toBe(201);
    expect(four.body.amountFen).toBe(4 * 450000);
    expect(four.body.items[0].cabinNumber).toBe('9001');

    const two = await book('pricing-user-2', { voyageId: v.id, categoryCode: 'IN', passengerIds: [await addPassenger('pricing-user-2', 'id_card', 5), await addPassenger('pricing-user-2', 'id_card', 6)], cabinNumber: '8001' });
    expect(two.status).toBe(201);
    expect(two.body.amountFen).toBe(2 * 300000);

    const u3 = 'pricing-user-3';
    const trio = [await addPassenger(u3, 'id_card', 7), await addPassenger(u3, 'id_card', 8), await addPassenger(u3, 'id_card', 9)];
    expectProblem(await book(u3, { voyageId: v.id, categoryCode: 'IN', passengerIds: trio.slice(0, 1), cabinNumber: '8001' }), 409, 'cabin_taken');
    const three = await book(u3, { voyageId: v.id, categoryCode: 'IN', passengerIds: trio });
    expect(three.status).toBe(201);
    expect(three.body.amountFen).toBe(3 * 250000);
    expect(three.body.items[0].cabinNumber).toBe('8002');
  });

  it('refuses parties and cabins that do not fit', async () => {
    const v = await makeVoyage({ inDays: 52 });
    const u = 'fit-user';
    const ps = [await addPassenger(u, 'id_card', 11), await addPassenger(u, 'id_card', 12), await addPassenger(u, 'id_card', 13), await addPassenger(u, 'id_card', 14)];
    expectProblem(await book(u, { voyageId: v.id, categoryCode: 'IN', passengerIds: ps }), 422, 'party_too_large');
    expectProblem(await book(u, { voyageId: v.id, categoryCode: 'IN', passengerIds: ps.slice(0, 3), cabinNumber: '8001' }), 422, 'cabin_too_small');
    expectProblem(await book(u, { voyageId: v.id, categoryCode: 'IN', passengerIds: ps.slice(0, 1), cabinNumber: '9001' }), 422, 'cabin_category_mismatch');
    expectProblem(await book(u, { voyageId: v.id, categoryCode: 'IN', passengerIds: ps.slice(0, 1), cabinNumber: '7777' }), 404, 'cabin_not_found');
    expectProblem(await book(u, { voyageId: v.id, categoryCode: 'ZZ', passengerIds: ps.slice(0, 1) }), 422, 'unknown_category');
    expectProblem(await book(u, { voyageId: 'voy_missing', categoryCode: 'IN', passengerIds: ps.slice(0, 1) }), 404, 'voyage_not_found');
    // someone else's passenger
    const other = await addPassenger('fit-other', 'id_card', 15);
    expectProblem(await book(u, { voyageId: v.id, categoryCode: 'IN', passengerIds: [other] }), 404, 'passenger_not_found');
    expectProblem(await book(u, { voyageId: v.id, categoryCode: 'IN', passengerIds: [] }), 400, 'validation_failed');
    expectProblem(await book(u, { voyageId: v.id, categoryCode: 'IN', passengerIds: [ps[0], ps[0]] }), 400, 'validation_failed');
    // nothing was held by the refusals
    for (const n of ['8001', '8002', '9001', '9002']) expect((await cabin(v.id, n))?.status).toBe('free');
  });

  it('sells out: 409 sold_out when no free cabin of the category fits', async () => {
    const v = await makeVoyage({ inDays: 53, cabins: [{ number: '100', categoryCode: 'IN', deck: 1, maxGuests: 2 }, { number: '200', categoryCode: 'BAL', deck: 2, maxGuests: 2 }] });
    const a = await book('so-a', { voyageId: v.id, categoryCode: 'IN', passengerIds: [await addPassenger('so-a', 'id_card', 21)] });
    expect(a.status).toBe(201);
    const b = await book('so-b', { voyageId: v.id, categoryCode: 'IN', passengerIds: [await addPassenger('so-b', 'id_card', 22)] });
    expectProblem(b, 409, 'sold_out');
    expect(b.body.categoryCode).toBe('IN');
  });

  it('international voyages need a passport for every guest', async () => {
    const v = await makeVoyage({ inDays: 54, international: true });
    const u = 'intl-user';
    const card = await addPassenger(u, 'id_card', 31);
    const pass1 = await addPassenger(u, 'passport', 32);
    const pass2 = await addPassenger(u, 'passport', 33);
    const r = await book(u, { voyageId: v.id, categoryCode: 'IN', passengerIds: [pass1, card] });
    expectProblem(r, 422, 'passport_required');
    expect(r.body.passengerIds).toEqual([card]);
    const ok = await book(u, { voyageId: v.id, categoryCode: 'IN', passengerIds: [pass1, pass2] });
    expect(ok.status).toBe(201);
    expect(ok.body.items[0].guests.map((g: any) => g.idType)).toEqual(['passport', 'passport']);
    // domestic voyages take ID cards
    const dom = await makeVoyage({ inDays: 54 });
    expect((await book(u, { voyageId: dom.id, categoryCode: 'IN', passengerIds: [card] })).status).toBe(201);
  });

  it('a person cannot be on two voyages at sea on the same night, whoever books them; back-to-back is fine', async () => {
    const x = await makeVoyage({ inDays: 70, nights: 3 }); // nights of days 70, 71, 72
    const overlapping = await makeVoyage({ inDays: 72, nights: 1 }); // shares night 72
    const backToBack = await makeVoyage({ inDays: 73, nights: 2 }); // departs the morning x returns
    const alice = 'overlap-alice';
    const bob = 'overlap-bob';
    const pa = await addPassenger(alice, 'id_card', 41);
    const first = await book(alice, { voyageId: x.id, categoryCode: 'IN', passengerIds: [pa] });
    expect(first.status).toBe(201);

    const clash = await book(alice, { voyageId: overlapping.id, categoryCode: 'IN', passengerIds: [pa] });
    expectProblem(clash, 409, 'guest_on_overlapping_voyage');
    expect(clash.body.passengerId).toBe(pa);
    // the same person saved by another user (same document number) is still the same person
    const pb = await addPassenger(bob, 'id_card', 41, '同一人');
    expectProblem(await book(bob, { voyageId: overlapping.id, categoryCode: 'IN', passengerIds: [pb] }), 409, 'guest_on_overlapping_voyage');
    // and cannot be booked twice on the same voyage
    expectProblem(await book(bob, { voyageId: x.id, categoryCode: 'IN', passengerIds: [pb] }), 409, 'guest_on_overlapping_voyage');
    // the failed attempts held no cabin
    expect((await call('GET', `/v1/cruise/voyages/${overlapping.id}`)).body.categories.find((c: any) => c.code === 'IN').cabinsLeft).toBe(2);

    expect((await book(alice, { voyageId: backToBack.id, categoryCode: 'IN', passengerIds: [pa] })).status).toBe(201);

    // cancelling the first booking frees the person's nights
    const cancel = await call('POST', `/v1/orders/${first.body.id}/cancel`, { token: await tokenFor(alice) });
    expect(cancel.status).toBe(200);
    expect((await book(bob, { voyageId: overlapping.id, categoryCode: 'IN', passengerIds: [pb] })).status).toBe(201);
  });

  it('the same Idempotency-Key books once', async () => {
    const v = await makeVoyage({ inDays: 57 });
    const u = 'idem-user';
    const p = await addPassenger(u, 'id_card', 61);
    const body = { voyageId: v.id, categoryCode: 'BAL', passengerIds: [p] };
    const a = await book(u, body, 'cruise-book-key-1');
    const b = await book(u, body, 'cruise-book-key-1');
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).toBe(a.body.id);
    const detail = await call('GET', `/v1/cruise/voyages/${v.id}`);
    expect(detail.body.categories.find((c: any) => c.code === 'BAL').cabinsLeft).toBe(1);
    expectProblem(await book(u, { ...body, categoryCode: 'IN' }, 'cruise-book-key-1'), 422, 'idempotency_key_reused');
  });

  it('needs a signed-in user', async () => {
    expectProblem(await call('POST', '/v1/cruise/bookings', { body: { voyageId: 'voy_x', categoryCode: 'IN', passengerIds: ['psg_01HZZZZZZZZZZZZZZZZZZZZZZZ'] } }), 401, 'unauthorized');
  });
});
