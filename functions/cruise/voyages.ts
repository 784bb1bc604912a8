/**
 * Voyages: publishing (operator), reading with availability, search by departure month and
 * port, and cancellation (everyone refunded in full, every hold cancelled).
 */
import { BatchWriteCommand, GetCommand, QueryCommand, UpdateCommand, PutCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../shared/db/client';
import { newId } from '../../shared/domain/ids';
import { addDays, daysBetween, isDay, serviceDay, toShanghaiIso } from '../../shared/domain/time';
import { ApiError, badRequest, notFound, unprocessable } from '../../shared/http/errors';
import type { AuthUser } from '../../shared/http/auth';
import { logger } from '../../shared/http/logger';
import { cancelOrder, getOrder, notifyUser, refundOrder } from '../../shared/orders/service';
import { effectiveStatus } from '../../shared/orders/model';
import { cruiseKeys } from './keys';
import {
  BALANCE_DUE_DAYS,
  DEFAULT_DEPOSIT_PERCENT,
  DEFAULT_PENALTIES,
  DEPOSIT_WHEN_MORE_THAN_DAYS,
  balanceDueBy,
  lowestPerGuest,
  normalisePenalties,
  penaltyScheduleProblem,
  type PenaltyTier,
} from './rules';

export type CategoryKind = 'inside' | 'oceanview' | 'balcony' | 'suite';

export interface Category {
  code: string;
  name: string;
  kind: CategoryKind;
  pricesFen: Record<string, number>;
  /** Largest party one cabin of this category takes. */
  maxGuests: number;
  cabins: number;
}

export interface Voyage {
  id: string;
  operatorId: string;
  shipName: string;
  name: string;
  departPort: { code: string; name: string };
  departDate: string;
  returnDate: string;
  nights: number;
  international: boolean;
  itinerary: { day: number; port: string; arrive?: string; depart?: string }[];
  categories: Category[];
  decks: { deck: number; cabins: number; categories: string[] }[];
  penalties: PenaltyTier[];
  depositPercent: number;
  status: 'SCHEDULED' | 'CANCELLED';
  createdAt: string;
  cancelledAt?: string;
  cancelReason?: string;
}

export interface CabinItem {
  voyageId: string;
  number: string;
  categoryCode: string;
  deck: number;
  maxGuests: number;
  status: 'free' | 'held' | 'closed';
  orderId?: string;
}

export interface VoyageInput {
  shipName: string;
  name: string;
  departPort: { code: string; name: string };
  departDate: string;
  nights: number;
  international: boolean;
  itinerary: { day: number; port: string; arrive?: string; depart?: string }[];
  categories: { code: string; name: string; kind: CategoryKind; pricesFen: Record<string, number> }[];
  cabins: { number: string; categoryCode: string; deck: number; maxGuests: number }[];
  penalties?: PenaltyTier[];
  depositPercent?: number;
}

/** The operator a user acts for: their company claim, else themselves. */
export const operatorOf = (user: AuthUser) => user.operatorId ?? user.id;

function voyageIndexKeys(v: Pick<Voyage, 'id' | 'departDate' | 'departPort'>) {
  const month = v.departDate.slice(0, 7);
  const sk = cruiseKeys.voyageSortKey(v.departDate, v.id);
  return { GSI1PK: cruiseKeys.departMonthGsi(month), GSI1SK: sk, GSI3PK: cruiseKeys.portMonthGsi(v.departPort.code, month), GSI3SK: sk };
}

export function cabinItem(c: CabinItem): Record<string, any> {
  return {
    ...cruiseKeys.cabin(c.voyageId, c.number),
    type: 'CruiseCabin',
    ...c,
    ...(c.status === 'free'
      ? { GSI1PK: cruiseKeys.freeCabinsGsi(c.voyageId), GSI1SK: cruiseKeys.freeCabinSortKey(c.categoryCode, c.maxGuests, c.number) }
      : {}),
  };
}

/** Checks the rules the schema cannot express and builds the voyage. */
export function buildVoyage(input: VoyageInput, operatorId: string, now: Date, id: string = newId('voy')): { voyage: Voyage; cabins: CabinItem[] } {
  const today = serviceDay(now);
  if (!isDay(input.departDate)) throw badRequest('validation_failed', 'departDate is not a calendar day.', { errors: [{ field: '/body/departDate', message: 'is not a calendar day' }] });
  if (input.departDate <= today) throw unprocessable('depart_date_not_in_future', 'A voyage must depart after today.');
  const codes = input.categories.map((c) => c.code);
  if (new Set(codes).size !== codes.length) throw unprocessable('duplicate_category', 'Two categories share a code.');
  const numbers = input.cabins.map((c) => c.number);
  if (new Set(numbers).size !== numbers.length) throw unprocessable('duplicate_cabin', 'Two cabins share a number.');
  for (const [i, c] of input.cabins.entries()) {
    if (!codes.includes(c.categoryCode)) {
      throw unprocessable('unknown_category', `Cabin ${c.number} names category ${c.categoryCode}, which is not in categories.`, { errors: [{ field: `/body/cabins/${i}/categoryCode`, message: 'unknown category' }] });
    }
  }
  const categories: Category[] = input.categories.map((c) => {
    const cabins = input.cabins.filter((x) => x.categoryCode === c.code);
    if (!cabins.length) throw unprocessable('category_without_cabins', `Category ${c.code} has no cabins.`);
    const maxGuests = Math.max(...cabins.map((x) => x.maxGuests));
    for (let g = 1; g <= maxGuests; g++) {
      if (!c.pricesFen[String(g)]) {
        throw unprocessable('occupancy_price_missing', `Category ${c.code} has cabins for ${maxGuests} guests but no price for ${g}.`, { extra: { categoryCode: c.code, guests: g } });
      }
    }
    return { code: c.code, name: c.name, kind: c.kind, pricesFen: { ...c.pricesFen }, maxGuests, cabins: cabins.length };
  });
  for (const [i, s] of input.itinerary.entries()) {
    if (s.day > input.nights + 1) throw unprocessable('itinerary_day_out_of_range', `Itinerary day ${s.day} is after the last day (${input.nights + 1}).`, { errors: [{ field: `/body/itinerary/${i}/day`, message: 'after the last day' }] });
  }
  const penalties = normalisePenalties(input.penalties ?? DEFAULT_PENALTIES);
  const problem = penaltyScheduleProblem(penalties);
  if (problem) throw unprocessable('invalid_penalties', problem);
  const deckMap = new Map<number, { deck: number; cabins: number; categories: Set<string> }>();
  for (const c of input.cabins) {
    const d = deckMap.get(c.deck) ?? { deck: c.deck, cabins: 0, categories: new Set<string>() };
    d.cabins++;
    d.categories.add(c.categoryCode);
    deckMap.set(c.deck, d);
  }
  const voyage: Voyage = {
    id,
    operatorId,
    shipName: input.shipName,
    name: input.name,
    departPort: { code: input.departPort.code, name: input.departPort.name },
    departDate: input.departDate,
    returnDate: addDays(input.departDate, input.nights),
    nights: input.nights,
    international: input.international,
    itinerary: [...input.itinerary].sort((a, b) => a.day - b.day),
    categories,
    decks: [...deckMap.values()].sort((a, b) => a.deck - b.deck).map((d) => ({ deck: d.deck, cabins: d.cabins, categories: [...d.categories].sort() })),
    penalties,
    depositPercent: input.depositPercent ?? DEFAULT_DEPOSIT_PERCENT,
    status: 'SCHEDULED',
    createdAt: toShanghaiIso(now),
  };
  const cabins: CabinItem[] = input.cabins.map((c) => ({ voyageId: id, number: c.number, categoryCode: c.categoryCode, deck: c.deck, maxGuests: c.maxGuests, status: 'free' }));
  return { voyage, cabins };
}

async function batchPut(db: Db, items: Record<string, any>[]) {
  for (let i = 0; i < items.length; i += 25) {
    let requests: any[] = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length; attempt++) {
      if (attempt > 8) throw new ApiError(503, 'service_unavailable', 'Could not write every cabin; retry.', { headers: { 'retry-after': '1' } });
      if (attempt) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      const res = await db.doc.send(new BatchWriteCommand({ RequestItems: { [db.tableName]: requests } }));
      requests = res.UnprocessedItems?.[db.tableName] ?? [];
    }
  }
}

/**
 * Writes the cabins first and the voyage item last: until the voyage item exists nothing can
 * find or book the cabins, so a failure half-way leaves nothing visible (and the retry with the
 * same Idempotency-Key, or without one a new voyage id, starts over).
 */
export async function createVoyage(db: Db, input: VoyageInput, user: AuthUser, now: Date): Promise<Voyage> {
  const { voyage, cabins } = buildVoyage(input, operatorOf(user), now);
  return writeVoyage(db, voyage, cabins, now);
}

/** Stores a built voyage: cabins, balance-deadline marker, then the voyage item (conditional: never overwrites). */
export async function writeVoyage(db: Db, voyage: Voyage, cabins: CabinItem[], now: Date): Promise<Voyage> {
  await batchPut(db, cabins.map(cabinItem));
  // Deposit bookings are possible only when sailing is more than DEPOSIT_WHEN_MORE_THAN_DAYS away.
  if (daysBetween(serviceDay(now), voyage.departDate) > DEPOSIT_WHEN_MORE_THAN_DAYS) {
    const dueBy = balanceDueBy(voyage.departDate);
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...cruiseKeys.balanceMarker(voyage.id), type: 'CruiseBalanceDue', voyageId: voyage.id, dueBy, GSI1PK: cruiseKeys.balanceDueGsi, GSI1SK: `${dueBy}#${voyage.id}` },
      }),
    );
  }
  await db.doc.send(
    new PutCommand({
      TableName: db.tableName,
      Item: { ...cruiseKeys.voyage(voyage.id), type: 'CruiseVoyage', ...voyage, ...voyageIndexKeys(voyage) },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
  logger.info('cruise voyage created', { voyageId: voyage.id, cabins: cabins.length });
  return voyage;
}

function stripKeys<T>(item: Record<string, any>): T {
  const { PK, SK, GSI1PK, GSI1SK, GSI2PK, GSI2SK, GSI3PK, GSI3SK, type, ...rest } = item;
  return rest as T;
}

export async function loadVoyage(db: Db, voyageId: string, consistent = true): Promise<Voyage | undefined> {
  const r = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: cruiseKeys.voyage(voyageId), ConsistentRead: consistent }));
  return r.Item ? stripKeys<Voyage>(r.Item) : undefined;
}

export async function loadCabin(db: Db, voyageId: string, number: string): Promise<CabinItem | undefined> {
  const r = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: cruiseKeys.cabin(voyageId, number), ConsistentRead: true }));
  return r.Item ? stripKeys<CabinItem>(r.Item) : undefined;
}

async function queryAll(db: Db, input: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  let ExclusiveStartKey: Record<string, any> | undefined;
  do {
    const r = await db.doc.send(new QueryCommand({ TableName: db.tableName, ...input, ExclusiveStartKey }));
    out.push(...(r.Items ?? []));
    ExclusiveStartKey = r.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return out;
}

/** Free cabins of a voyage (eventually consistent index: fine for display and for picking a candidate). */
export async function freeCabins(db: Db, voyageId: string, opts: { withDetails?: boolean } = {}): Promise<{ number: string; categoryCode: string; maxGuests: number; deck?: number }[]> {
  const items = await queryAll(db, {
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :p',
    ExpressionAttributeValues: { ':p': cruiseKeys.freeCabinsGsi(voyageId) },
    ...(opts.withDetails ? { ProjectionExpression: '#n, categoryCode, maxGuests, deck', ExpressionAttributeNames: { '#n': 'number' } } : { ProjectionExpression: 'GSI1SK' }),
  });
  return items.map((i) => {
    if (opts.withDetails) return { number: i.number, categoryCode: i.categoryCode, maxGuests: i.maxGuests, deck: i.deck };
    const [categoryCode, maxGuests, ...rest] = String(i.GSI1SK).split('#');
    return { number: rest.join('#'), categoryCode, maxGuests: Number(maxGuests) };
  });
}

function summaryView(v: Voyage, free: { categoryCode: string }[]) {
  const left = new Map<string, number>();
  for (const f of free) left.set(f.categoryCode, (left.get(f.categoryCode) ?? 0) + 1);
  const categories = v.categories.map((c) => ({
    code: c.code,
    name: c.name,
    kind: c.kind,
    pricesFen: c.pricesFen,
    maxGuests: c.maxGuests,
    cabins: c.cabins,
    cabinsLeft: v.status === 'SCHEDULED' ? (left.get(c.code) ?? 0) : 0,
    lowestPricePerGuestFen: lowestPerGuest(c.pricesFen),
  }));
  return {
    id: v.id,
    shipName: v.shipName,
    name: v.name,
    departPort: v.departPort,
    departDate: v.departDate,
    returnDate: v.returnDate,
    nights: v.nights,
    international: v.international,
    status: v.status,
    ports: [...new Set(v.itinerary.map((s) => s.port))],
    lowestPricePerGuestFen: Math.min(...categories.map((c) => c.lowestPricePerGuestFen)),
    categories,
  };
}

export function voyageView(v: Voyage, free: { number: string; categoryCode: string; maxGuests: number; deck?: number }[]) {
  const open = v.status === 'SCHEDULED' ? free : [];
  return {
    ...summaryView(v, open),
    itinerary: v.itinerary,
    penalties: v.penalties,
    depositPercent: v.depositPercent,
    depositWhenMoreThanDays: DEPOSIT_WHEN_MORE_THAN_DAYS,
    balanceDueDays: BALANCE_DUE_DAYS,
    ...(v.cancelledAt ? { cancelledAt: v.cancelledAt } : {}),
    ...(v.cancelReason ? { cancelReason: v.cancelReason } : {}),
    deckPlan: v.decks.map((d) => {
      const here = open.filter((f) => f.deck === d.deck).sort((a, b) => a.number.localeCompare(b.number, 'en', { numeric: true }));
      return { deck: d.deck, cabins: d.cabins, cabinsLeft: here.length, categories: d.categories, freeCabins: here.map((f) => ({ number: f.number, categoryCode: f.categoryCode, maxGuests: f.maxGuests })) };
    }),
  };
}

export async function getVoyageView(db: Db, voyageId: string) {
  const v = await loadVoyage(db, voyageId, false);
  if (!v) throw notFound('voyage_not_found', 'No such voyage.');
  return voyageView(v, await freeCabins(db, voyageId, { withDetails: true }));
}

// ---------------------------------------------------------------------------- search

export interface SearchQuery {
  from?: string;
  to?: string;
  port?: string;
  nights?: number;
  cursor?: string;
  limit?: number;
}

const MAX_RANGE_DAYS = 366;

function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.slice(0, 7).split('-').map(Number);
  const end = to.slice(0, 7);
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    if (month > end) break;
    out.push(month);
    m++;
    if (m > 12) ((m = 1), y++);
  }
  return out;
}

function decodeCursor(c: string): { m: string; k?: Record<string, any> } {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    if (typeof v?.m !== 'string' || !/^\d{4}-\d{2}$/.test(v.m)) throw new Error('bad');
    if (v.k !== undefined) {
      const allowed = new Set(['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI3PK', 'GSI3SK']);
      if (typeof v.k !== 'object' || v.k === null || !Object.entries(v.k).every(([k, x]) => allowed.has(k) && typeof x === 'string' && x.length < 300)) throw new Error('bad');
    }
    return v;
  } catch {
    throw badRequest('invalid_cursor', 'The cursor is not one this API issued.');
  }
}

/**
 * Voyages departing in [from, to], one Query per departure month on GSI1 (or GSI3 when a
 * port is given), departure day bounded in the key condition; `nights` is a filter on that
 * month's voyages. Availability: one Query of each listed voyage's free-cabin index.
 */
export async function searchVoyages(db: Db, q: SearchQuery, now: Date) {
  const from = q.from ?? serviceDay(now);
  const to = q.to ?? addDays(from, 180);
  if (!isDay(from) || !isDay(to)) throw badRequest('validation_failed', 'from and to must be calendar days.');
  if (to < from) throw unprocessable('invalid_range', '`to` is before `from`.');
  if (daysBetween(from, to) > MAX_RANGE_DAYS) throw unprocessable('range_too_long', `Search at most ${MAX_RANGE_DAYS} days at once.`);
  const limit = Math.min(Math.max(Number(q.limit ?? 20), 1), 100);
  const months = monthsBetween(from, to);
  let start = 0;
  let startKey: Record<string, any> | undefined;
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    start = months.indexOf(c.m);
    if (start < 0) throw badRequest('invalid_cursor', 'The cursor does not belong to this search.');
    startKey = c.k;
  }
  const found: Voyage[] = [];
  let nextCursor: string | undefined;
  outer: for (let i = start; i < months.length; i++) {
    const month = months[i];
    let key = i === start ? startKey : undefined;
    do {
      const names: Record<string, string> = { '#pk': q.port ? 'GSI3PK' : 'GSI1PK', '#sk': q.port ? 'GSI3SK' : 'GSI1SK' };
      const values: Record<string, any> = {
        ':pk': q.port ? cruiseKeys.portMonthGsi(q.port, month) : cruiseKeys.departMonthGsi(month),
        ':a': from,
        ':b': `${to}#~`,
      };
      if (q.nights !== undefined) values[':n'] = Number(q.nights);
      const r = await db.doc.send(
        new QueryCommand({
          TableName: db.tableName,
          IndexName: q.port ? 'GSI3' : 'GSI1',
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :a AND :b',
          ...(q.nights !== undefined ? { FilterExpression: 'nights = :n' } : {}),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          Limit: limit - found.length,
          ExclusiveStartKey: key,
        }),
      );
      found.push(...(r.Items ?? []).map((it) => stripKeys<Voyage>(it)));
      key = r.LastEvaluatedKey;
      if (found.length >= limit) {
        if (key) nextCursor = Buffer.from(JSON.stringify({ m: month, k: key })).toString('base64url');
        else if (i + 1 < months.length) nextCursor = Buffer.from(JSON.stringify({ m: months[i + 1] })).toString('base64url');
        break outer;
      }
    } while (key);
  }
  const items = await Promise.all(found.map(async (v) => summaryView(v, await freeCabins(db, v.id))));
  return { items, ...(nextCursor ? { nextCursor } : {}) };
}

// ---------------------------------------------------------------------------- cancel

/** Every cabin of a voyage, strongly consistent (base table; grows with the ship, not the table). */
export async function voyageCabins(db: Db, voyageId: string): Promise<CabinItem[]> {
  return (await queryAll(db, {
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :c)',
    ExpressionAttributeValues: { ':pk': cruiseKeys.voyage(voyageId).PK, ':c': cruiseKeys.cabinPrefix },
    ConsistentRead: true,
  })) as CabinItem[];
}

/** The voyage's orders from the GSI3 voyage-orders index (eventually consistent). */
export async function indexedVoyageOrderIds(db: Db, voyageId: string): Promise<string[]> {
  const items = await queryAll(db, {
    IndexName: 'GSI3',
    KeyConditionExpression: 'GSI3PK = :p',
    ExpressionAttributeValues: { ':p': cruiseKeys.voyageOrdersGsi(voyageId) },
    ProjectionExpression: 'id',
  });
  return items.map((i) => i.id as string);
}

/**
 * Orders that may still need settling: those holding a cabin (strongly consistent) plus the
 * GSI3 index (catches anything else).
 */
export async function activeVoyageOrderIds(db: Db, voyageId: string): Promise<string[]> {
  const ids = new Set<string>();
  for (const c of await voyageCabins(db, voyageId)) if (c.status === 'held' && c.orderId) ids.add(c.orderId);
  for (const id of await indexedVoyageOrderIds(db, voyageId)) ids.add(id);
  return [...ids];
}

async function inBatches<T>(items: T[], size: number, fn: (t: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/**
 * Cancels a voyage. Steps, each safe to repeat:
 * 1. voyage SCHEDULED → CANCELLED and out of the search indexes (new bookings refused);
 * 2. every free cabin → closed (conditional), so a booking that read the voyage just before
 *    step 1 can no longer take one; a cabin released later is closed by the plug-in because
 *    it reads the voyage status;
 * 3. every order of the voyage (held cabins, read strongly consistently, plus the GSI3
 *    voyage-orders index): unpaid → cancelled, paid → refunded in full.
 */
export async function cancelVoyage(db: Db, voyageId: string, user: AuthUser, reason: string | undefined, now: Date) {
  let v = await loadVoyage(db, voyageId);
  if (!v || (!user.roles.includes('admin') && v.operatorId !== operatorOf(user))) throw notFound('voyage_not_found', 'No such voyage.');
  if (v.status === 'SCHEDULED') {
    if (serviceDay(now) > v.departDate) throw unprocessable('voyage_departed', 'This voyage has already sailed.');
    try {
      const r = await db.doc.send(
        new UpdateCommand({
          TableName: db.tableName,
          Key: cruiseKeys.voyage(voyageId),
          UpdateExpression: 'SET #s = :c, cancelledAt = :at, cancelReason = :r REMOVE GSI1PK, GSI1SK, GSI3PK, GSI3SK',
          ConditionExpression: '#s = :sched',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':c': 'CANCELLED', ':at': toShanghaiIso(now), ':r': reason ?? 'cancelled by the cruise line', ':sched': 'SCHEDULED' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      v = stripKeys<Voyage>(r.Attributes!);
    } catch (e: any) {
      if (e?.name !== 'ConditionalCheckFailedException') throw e;
      v = (await loadVoyage(db, voyageId))!;
    }
    logger.info('cruise voyage cancelled', { voyageId });
  }

  // 2. close free cabins, collect held ones.
  const cabins = await voyageCabins(db, voyageId);
  const orderIds = new Set<string>();
  await inBatches(cabins, 10, async (c) => {
    if (c.status === 'held' && c.orderId) orderIds.add(c.orderId);
    if (c.status !== 'free') return;
    try {
      await db.doc.send(
        new UpdateCommand({
          TableName: db.tableName,
          Key: cruiseKeys.cabin(voyageId, c.number),
          UpdateExpression: 'SET #s = :closed REMOVE GSI1PK, GSI1SK',
          ConditionExpression: '#s = :free',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':closed': 'closed', ':free': 'free' },
        }),
      );
    } catch (e: any) {
      if (e?.name !== 'ConditionalCheckFailedException') throw e;
      const now2 = await loadCabin(db, voyageId, c.number);
      if (now2?.status === 'held' && now2.orderId) orderIds.add(now2.orderId);
    }
  });
  // 3. every order of the voyage.
  for (const id of await indexedVoyageOrderIds(db, voyageId)) orderIds.add(id);
  const counts = { refunded: 0, cancelled: 0, failed: 0 };
  await inBatches([...orderIds], 5, async (orderId) => {
    try {
      const order = await getOrder(db, orderId);
      if (!order) return;
      const status = effectiveStatus(order, now);
      if (order.status === 'PENDING_PAYMENT') {
        await cancelOrder(db, order, { to: status === 'EXPIRED' ? 'EXPIRED' : 'CANCELLED', reason: 'voyage_cancelled', now });
        counts.cancelled++;
      } else if (order.status === 'PAID') {
        await refundOrder(db, order, { full: true, reason: 'voyage_cancelled', now });
        counts.refunded++;
      } else return;
      await notifyUser(db, order.userId, {
        type: 'cruise_voyage_cancelled',
        title: '邮轮航次取消',
        body: `${v!.name}（${v!.departDate}）已取消，已支付款项将全额退还。`,
        orderId,
      }, now).catch((e) => logger.warn('notify failed', { orderId, error: (e as Error).message }));
    } catch (e) {
      counts.failed++;
      logger.error('cruise voyage cancel: order not settled', { voyageId, orderId, error: e as Error });
    }
  });
  return { voyage: v!, counts };
}
