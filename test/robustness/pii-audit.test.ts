/**
 * PII audit (PIPL; DESIGN "Personal information"): a scenario registers passengers with an
 * ID card and with passports (ticketing), a real-name bike rider with ID number and phone
 * (bikes), books an international cruise for passport guests (cruise) and a real-name
 * ticket (ticketing), pays both, then dumps EVERY item of the table (a Scan is fine in a
 * test) and EVERY log line at DEBUG level: no plaintext ID number, passport number or phone
 * number may appear anywhere, in any spelling we can think of. The routes it uses must
 * exist in the contract — a missing route fails the test instead of skipping it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { call, tokenFor, type ApiResponse } from '../support/api';
import { db } from '../../shared/db/client';
import { logger } from '../../shared/http/logger';
import { idCheckChar } from '../../shared/domain/idnumber';
import { addDays, todayInShanghai } from '../../shared/domain/time';
import { listRoutes } from '../../shared/api/routes';
import { captureOutput, type Capture } from './support/capture';

const idNo = (first17: string) => first17 + idCheckChar(first17);
const PII = {
  idCard: idNo('11010519800101123'),
  riderId: idNo('31011519920708456'),
  passportA: 'E98765432',
  passportB: 'EA1234567',
  phone: '13912345678',
};
/** Every spelling of a secret that would still be a leak. */
function spellings(v: string): string[] {
  const out = new Set([v, v.toLowerCase(), `${v.slice(0, 3)} ${v.slice(3, 7)} ${v.slice(7)}`, `${v.slice(0, 3)}-${v.slice(3, 7)}-${v.slice(7)}`]);
  if (/^\d{17}[\dX]$/.test(v)) out.add(v.slice(0, 17)); // the ID without its check digit
  out.add(Buffer.from(v).toString('base64'));
  return [...out];
}

const USED = ['POST /v1/me/passengers', 'POST /v1/bikes/riders', 'POST /v1/operator/cruise/voyages', 'POST /v1/cruise/bookings', 'POST /v1/operator/trips', 'POST /v1/ticket-orders', 'POST /v1/dev/payments/{orderId}/succeed'];
const responses: ApiResponse[] = [];
let capture: Capture;

async function ok(status: number, res: Promise<ApiResponse>) {
  const t0 = Date.now();
  const r = await res;
  if (process.env.PII_AUDIT_TIMING) console.log(`[pii] ${status} ${Date.now() - t0} ms ${r.text.slice(0, 80)}`);
  responses.push(r);
  expect(r.status, r.text.slice(0, 500)).toBe(status);
  return r.body;
}

beforeAll(() => {
  logger.setLogLevel('DEBUG');
  capture = captureOutput();
});
afterAll(() => capture?.stop());

describe('PII audit: table dump and logs of a full scenario hold no plaintext', () => {
  it('every route the scenario needs is in the contract', () => {
    const keys = new Set(listRoutes().map((r) => r.routeKey));
    expect(USED.filter((k) => !keys.has(k))).toEqual([]);
  });

  it('registers passengers, a rider and cruise guests, books and pays; then finds no ID, passport or phone number anywhere', async () => {
    const user = await tokenFor('pii-user');
    const operator = await tokenFor('pii-operator', ['operator'], { operatorId: 'op-pii' });

    // ticketing: real-name passengers (ID card) and cruise guests (passports)
    const p1 = await ok(201, call('POST', '/v1/me/passengers', { token: user, body: { name: '王小明', idType: 'id_card', idNumber: PII.idCard } }));
    const p2 = await ok(201, call('POST', '/v1/me/passengers', { token: user, body: { name: 'LI HUA', idType: 'passport', idNumber: PII.passportA } }));
    const p3 = await ok(201, call('POST', '/v1/me/passengers', { token: user, body: { name: 'ZHANG WEI', idType: 'passport', idNumber: PII.passportB } }));
    await ok(200, call('GET', '/v1/me/passengers', { token: user }));

    // bikes: a real-name rider with ID number and phone
    await ok(201, call('POST', '/v1/bikes/riders', { token: user, body: { name: '王小明', idNumber: PII.riderId, phone: PII.phone } }));
    await ok(200, call('GET', '/v1/bikes/riders/me', { token: user }));
    // a duplicate registration is refused without echoing the number
    const dup = await call('POST', '/v1/bikes/riders', { token: await tokenFor('pii-other'), body: { name: '王小明', idNumber: PII.riderId, phone: PII.phone } });
    responses.push(dup);
    expect(dup.status).toBeGreaterThanOrEqual(400);

    // cruise: an international voyage, booked for two passport guests, paid
    const departDate = addDays(todayInShanghai(), 90);
    const voyage = await ok(
      201,
      call('POST', '/v1/operator/cruise/voyages', {
        token: operator,
        body: {
          shipName: '海洋光谱号',
          name: '上海—福冈—长崎 5 晚',
          departPort: { code: 'CNSHA', name: '上海吴淞口' },
          departDate,
          nights: 5,
          international: true,
          itinerary: [{ day: 1, port: '上海', depart: '17:00' }, { day: 3, port: '福冈', arrive: '08:00', depart: '18:00' }, { day: 6, port: '上海', arrive: '07:00' }],
          categories: [{ code: 'BAL', name: '阳台房', kind: 'balcony', pricesFen: { '1': 600000, '2': 800000 } }],
          cabins: [{ number: '8001', categoryCode: 'BAL', deck: 8, maxGuests: 2 }],
        },
      }),
    );
    const booking = await ok(201, call('POST', '/v1/cruise/bookings', { token: user, body: { voyageId: voyage.id ?? voyage.voyageId, categoryCode: 'BAL', passengerIds: [p2.id, p3.id] } }));
    await ok(200, call('POST', `/v1/dev/payments/${booking.id}/succeed`, { token: user }));
    await ok(200, call('GET', `/v1/orders/${booking.id}`, { token: user }));

    // ticketing: a real-name trip, a ticket for the ID-card passenger, paid (e-ticket issued)
    const day = addDays(todayInShanghai(), 7);
    const trip = await ok(
      201,
      call('POST', '/v1/operator/trips', {
        token: operator,
        body: {
          mode: 'rail',
          number: 'G9999',
          operatorName: '测试铁路',
          serviceDate: day,
          stops: [
            { stationId: 'pii-a', name: '甲站', city: '北京', depart: `${day}T08:00:00+08:00` },
            { stationId: 'pii-b', name: '乙站', city: '上海', arrive: `${day}T12:00:00+08:00` },
          ],
          classes: [{ code: 'second', name: '二等座', seats: 10, fareFenPerSegment: [55300] }],
        },
      }),
    );
    const tripId = trip.id ?? trip.tripId;
    const ticket = await ok(201, call('POST', '/v1/ticket-orders', { token: user, body: { legs: [{ tripId, from: 'pii-a', to: 'pii-b', classCode: 'second' }], passengerIds: [p1.id] } }));
    const paid = await ok(200, call('POST', `/v1/dev/payments/${ticket.id}/succeed`, { token: user }));
    expect(paid.status).toBe('PAID');
    await ok(200, call('GET', `/v1/orders/${ticket.id}`, { token: user }));

    // the dump: every item, every attribute, and every log line and response of the scenario
    const d = db();
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await d.doc.send(new ScanCommand({ TableName: d.tableName, ExclusiveStartKey: start, ConsistentRead: true }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    const tableText = JSON.stringify(items, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v));
    const logText = capture.text();
    expect(items.length).toBeGreaterThan(10);
    expect(logText).toContain('"message":"request"'); // the logs really were captured, at DEBUG
    const leaks: string[] = [];
    for (const [what, value] of Object.entries(PII)) {
      for (const s of spellings(value)) {
        if (tableText.includes(s)) leaks.push(`${what} (${s}) in the table`);
        if (logText.includes(s)) leaks.push(`${what} (${s}) in the logs`);
        for (const r of responses) if (r.text.includes(s)) leaks.push(`${what} (${s}) in a response: ${r.text.slice(0, 200)}`);
      }
    }
    expect(leaks).toEqual([]);
    // and the masks the user is shown are present (the data was stored, only not in clear)
    expect(JSON.stringify(responses.map((r) => r.body))).toContain(PII.idCard.slice(-4));
  });
});
