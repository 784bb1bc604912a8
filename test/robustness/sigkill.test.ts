/**
 * Crash consistency: the real `npm start` entry (infra/local/start.ts) runs as a child
 * process on a DynamoDB Local this test owns (so killing the server does not orphan Java);
 * 200 concurrent ticket bookings for 100 seats are fired at it and the server is killed
 * with SIGKILL after the first answers come back, mid-load. It is restarted on the same
 * DynamoDB and data dir; then the seats taken in the inventory must equal the live tickets
 * (orders PENDING_PAYMENT or PAID) exactly: no seat without its order, no order without
 * its seat, no seat sold twice, nothing above capacity — and the restarted server keeps
 * selling from the same numbers.
 *
 * Booking route: `POST /v1/ticket-orders` (ticketing). The test fails if it is missing
 * from the contract rather than skipping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand, BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoLocal, type DynamoLocal } from '../../infra/local/dynamodb';
import { createDb, type Db } from '../../shared/db/client';
import { listRoutes } from '../../shared/api/routes';
import { idCheckChar } from '../../shared/domain/idnumber';
import { addDays, todayInShanghai } from '../../shared/domain/time';
import { orderKeys } from '../../shared/orders/model';
import { tk } from '../../functions/ticketing/model';
import { startLocalStack, processAlive, type LocalStack } from '../support/local-stack';

const BOOKINGS = 200;
const SEATS = 100;
const KILL_AFTER_ANSWERS = 25;

let ddb: DynamoLocal;
let stack: LocalStack | undefined;
let dataDir: string;
let d: Db;

async function api(s: LocalStack, method: string, path: string, token?: string, body?: unknown) {
  const r = await fetch(s.baseUrl + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined, text };
}

async function login(s: LocalStack, userId: string, roles: string[] = []) {
  const r = await api(s, 'POST', '/v1/auth/dev-login', undefined, { userId, roles: ['passenger', ...roles] });
  expect(r.status, r.text).toBe(200);
  return r.body.token ?? r.body.accessToken;
}

async function pool<T>(n: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  }));
  return out;
}

const start = () => startLocalStack({ dataDir, env: { SKIP_H5: '1', DYNAMODB_ENDPOINT: ddb.endpoint, SWEEP_SECONDS: '3600', LOG_LEVEL: 'WARN' } });

beforeAll(async () => {
  ddb = await startDynamoLocal();
  dataDir = mkdtempSync(join(tmpdir(), 'yizhan-sigkill-'));
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await ddb?.stop();
});

describe('SIGKILL during 200 concurrent bookings', () => {
  it('the booking route exists in the contract', () => {
    expect(listRoutes().map((r) => r.routeKey)).toContain('POST /v1/ticket-orders');
  });

  it('after a restart, the seats taken equal the live tickets, with no oversell', async () => {
    const t0 = Date.now();
    const lap = (what: string) => console.log(`[sigkill] ${what} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    stack = await start();
    lap('started');
    const tableName = JSON.parse((await import('node:fs')).readFileSync(join(dataDir, 'local-stack.json'), 'utf8')).tableName;
    d = createDb({ endpoint: ddb.endpoint, tableName });

    const operator = await login(stack, 'sk-operator', ['operator']);
    const day = addDays(todayInShanghai(), 5);
    const trip = await api(stack, 'POST', '/v1/operator/trips', operator, {
      mode: 'coach',
      number: 'K0200',
      operatorName: '崩溃测试客运',
      serviceDate: day,
      realName: true,
      stops: [
        { stationId: 'sk-a', name: '甲站', city: '杭州', depart: `${day}T09:00:00+08:00` },
        { stationId: 'sk-b', name: '乙站', city: '宁波', arrive: `${day}T11:30:00+08:00` },
      ],
      classes: [{ code: 'std', name: '标准座', seats: SEATS, fareFenPerSegment: [8800] }],
    });
    expect(trip.status, trip.text).toBe(201);
    const tripId = trip.body.tripId ?? trip.body.id;

    // 200 buyers, each with a real-name passenger (distinct valid ID numbers)
    const buyers = await pool(BOOKINGS, 16, async (i) => {
      const token = await login(stack!, `sk-buyer-${i}`);
      const first17 = `3301061990${String(1 + (i % 12)).padStart(2, '0')}${String(1 + (i % 28)).padStart(2, '0')}${String(100 + i).padStart(3, '0')}`;
      const p = await api(stack!, 'POST', '/v1/me/passengers', token, { name: `乘客${i}`, idType: 'id_card', idNumber: first17 + idCheckChar(first17) });
      expect(p.status, p.text).toBe(201);
      return { token, passengerId: p.body.id as string };
    });

    lap('buyers ready');
    // fire all 200 at once; SIGKILL the server once KILL_AFTER_ANSWERS answers are back
    const child = stack.child;
    let answered = 0;
    let killed = false;
    const outcomes = await Promise.all(
      buyers.map(async (b) => {
        try {
          const r = await api(stack!, 'POST', '/v1/ticket-orders', b.token, { legs: [{ tripId, from: 'sk-a', to: 'sk-b', classCode: 'std' }], passengerIds: [b.passengerId] });
          return r.status;
        } catch {
          return 'connection lost' as const;
        } finally {
          if (++answered >= KILL_AFTER_ANSWERS && !killed) {
            killed = true;
            child.kill('SIGKILL');
          }
        }
      }),
    );
    expect(killed).toBe(true);
    await new Promise<void>((res) => (child.exitCode !== null || child.signalCode !== null ? res() : child.once('exit', () => res())));
    expect(child.signalCode).toBe('SIGKILL');
    expect(processAlive(ddb.process.pid!)).toBe(true); // our DynamoDB Local survived
    const lost = outcomes.filter((o) => o === 'connection lost').length;
    console.log(`[sigkill] before the kill: ${JSON.stringify(tally(outcomes))}`);
    expect(lost).toBeGreaterThan(0); // the kill really happened mid-load
    expect(outcomes.filter((o) => o === 500)).toEqual([]);

    // restart on the same DynamoDB and data dir
    lap('killed');
    stack = await start();
    lap('restarted');
    const check = async () => {
      const seats = await seatsTaken(tripId);
      const live = await liveTickets(tripId);
      return { seats, live };
    };
    const after = await check();
    console.log(`[sigkill] after restart: ${after.seats.taken} seats taken, ${after.live.length} live tickets`);
    // no seat sold twice: every live ticket has its own seat
    expect(new Set(after.live.map((t: any) => `${t.classCode}#${t.seat}`)).size).toBe(after.live.length);
    expect(after.seats.taken).toBeLessThanOrEqual(SEATS);
    expect(after.seats.taken).toBe(after.live.length);
    expect(after.live.length).toBeGreaterThanOrEqual(outcomes.filter((o) => o === 201).length);

    // the restarted server sells from the same numbers: book the rest, then sold_out
    const left = SEATS - after.seats.taken;
    const lateBuyers = buyers.filter((_b, i) => outcomes[i] !== 201).slice(0, left + 5);
    const late = await pool(lateBuyers.length, 16, (i) =>
      api(stack!, 'POST', '/v1/ticket-orders', lateBuyers[i].token, { legs: [{ tripId, from: 'sk-a', to: 'sk-b', classCode: 'std' }], passengerIds: [lateBuyers[i].passengerId] }).then((r) => r.status),
    );
    expect(late.filter((s) => s === 500)).toEqual([]);
    const final = await check();
    lap('done');
    expect(final.seats.taken).toBe(final.live.length);
    expect(new Set(final.live.map((t: any) => `${t.classCode}#${t.seat}`)).size).toBe(final.live.length);
    expect(final.seats.taken).toBeLessThanOrEqual(SEATS);
  }, 300_000);
});

function tally(xs: unknown[]) {
  const m: Record<string, number> = {};
  for (const x of xs) m[String(x)] = (m[String(x)] ?? 0) + 1;
  return m;
}

/** Seats with any segment taken, straight from the trip's inventory blocks. */
async function seatsTaken(tripId: string) {
  let taken = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const r = await d.doc.send(
      new QueryCommand({ TableName: d.tableName, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :inv)', ExpressionAttributeValues: { ':pk': tk.tripPk(tripId), ':inv': 'INV#' }, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    for (const it of r.Items ?? []) {
      for (const [k, v] of Object.entries(it)) {
        if (/^s\d+$/.test(k) && v instanceof Set && v.size > 0) taken++;
      }
    }
    startKey = r.LastEvaluatedKey;
  } while (startKey);
  return { taken };
}

/** Ticket orders of the trip that hold seats: PENDING_PAYMENT (hold) or PAID. */
async function liveTickets(tripId: string) {
  const ids: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const r = await d.doc.send(
      new QueryCommand({ TableName: d.tableName, IndexName: 'GSI3', KeyConditionExpression: 'GSI3PK = :pk', ExpressionAttributeValues: { ':pk': tk.tripOrdersGsi(tripId) }, ExclusiveStartKey: startKey }),
    );
    for (const it of r.Items ?? []) ids.push((it.orderId ?? it.id) as string);
    startKey = r.LastEvaluatedKey;
  } while (startKey);
  const unique = [...new Set(ids)];
  const orders: any[] = [];
  for (let i = 0; i < unique.length; i += 100) {
    const r = await d.doc.send(new BatchGetCommand({ RequestItems: { [d.tableName]: { Keys: unique.slice(i, i + 100).map((id) => orderKeys.order(id)), ConsistentRead: true } } }));
    orders.push(...(r.Responses?.[d.tableName] ?? []));
  }
  return orders.filter((o) => o.status === 'PENDING_PAYMENT' || o.status === 'PAID').flatMap((o) => (o.items ?? []).length ? o.items : [o]);
}
