/**
 * Trips: creation by operators (and the GTFS import), the search indexes written with a
 * trip, the public trip view, and status changes (delay, cancellation with refunds).
 */
import { createHash } from 'node:crypto';
import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../shared/db/client';
import { newId } from '../../shared/domain/ids';
import { serviceDay, toShanghaiIso } from '../../shared/domain/time';
import { conflict, notFound, unprocessable } from '../../shared/http/errors';
import type { AuthUser } from '../../shared/http/auth';
import { logger } from '../../shared/http/logger';
import { effectiveStatus, type Order } from '../../shared/orders/model';
import { cancelOrder, getOrder, notifyUser, refundOrder } from '../../shared/orders/service';
import { arriveAt, departAt, normaliseTripInput, tk, type Trip, type TripStatus, type TicketRef } from './model';
import { toTrip } from './inventory';

// ---------------------------------------------------------------------------
// Writing a trip

/** Every item that makes a trip findable (besides the trip item itself). Deterministic: rewriting is harmless. */
export function tripIndexItems(trip: Trip): Record<string, any>[] {
  const out: Record<string, any>[] = [];
  const s = trip.stops;
  const compact = (i: number) => ({ i, s: s[i].stationId, n: s[i].name, ...(s[i].city ? { c: s[i].city } : {}), a: arriveAt(trip, i), d: departAt(trip, i) });
  for (let a = 0; a < s.length - 1; a++) {
    const dep = departAt(trip, a);
    const day = serviceDay(dep);
    for (let b = a + 1; b < s.length; b++) {
      out.push({ PK: tk.odPk(s[a].stationId, s[b].stationId, day), SK: `${dep}#${trip.tripId}`, type: 'TripOD', tripId: trip.tripId, mode: trip.mode, fromIdx: a, toIdx: b });
    }
    out.push({
      PK: tk.depPk(s[a].stationId, day),
      SK: `${dep}#${trip.tripId}`,
      type: 'TripDeparture',
      tripId: trip.tripId,
      mode: trip.mode,
      idx: a,
      down: s.slice(a + 1).map((_, k) => compact(a + 1 + k)),
    });
  }
  for (let b = 1; b < s.length; b++) {
    const arr = arriveAt(trip, b);
    out.push({
      PK: tk.arrPk(s[b].stationId, serviceDay(arr)),
      SK: `${arr}#${trip.tripId}`,
      type: 'TripArrival',
      tripId: trip.tripId,
      mode: trip.mode,
      idx: b,
      up: s.slice(0, b).map((_, k) => compact(k)),
    });
  }
  return out;
}

/** Station items and their search terms (Chinese name, id/pinyin, city), lower-cased. */
export function stationItems(trip: Trip): Record<string, any>[] {
  const out: Record<string, any>[] = [];
  for (const st of trip.stops) {
    out.push({ ...tk.station(st.stationId), type: 'Station', stationId: st.stationId, createdBy: trip.createdBy, name: st.name, ...(st.city ? { city: st.city } : {}), ...(st.lat !== undefined ? { lat: st.lat } : {}), ...(st.lng !== undefined ? { lng: st.lng } : {}) });
    for (const term of stationTerms(st)) {
      out.push({
        ...tk.stationTerm(st.stationId, term),
        type: 'StationTerm',
        stationId: st.stationId,
        name: st.name,
        ...(st.city ? { city: st.city } : {}),
        GSI1PK: tk.stationTermGsi(term),
        GSI1SK: `${term}#${st.stationId}`,
      });
    }
  }
  return out;
}

export const normaliseTerm = (s: string) => s.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, '');

export function stationTerms(st: { stationId: string; name: string; city?: string }): string[] {
  return [...new Set([st.name, st.stationId, st.city].filter((x): x is string => !!x).map(normaliseTerm).filter(Boolean))];
}

export function tripItem(trip: Trip): Record<string, any> {
  return { ...tk.trip(trip.tripId), type: 'Trip', ...trip, GSI1PK: tk.tripNumberGsi(trip.number, trip.serviceDate), GSI1SK: trip.tripId };
}

/** Writes items with BatchWriteItem (25 per call), retrying unprocessed ones. */
export async function batchPut(db: Db, items: Record<string, any>[]) {
  for (let i = 0; i < items.length; i += 25) {
    let reqs: any[] = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; reqs.length; attempt++) {
      const r = await db.doc.send(new BatchWriteCommand({ RequestItems: { [db.tableName]: reqs } }));
      reqs = (r.UnprocessedItems?.[db.tableName] as any[]) ?? [];
      if (reqs.length && attempt > 8) throw new Error('batch write kept returning unprocessed items');
      if (reqs.length) await new Promise((res) => setTimeout(res, 50 * 2 ** Math.min(attempt, 5)));
    }
  }
}

/**
 * The stops whose station this trip may write: new stations, and stations first written by
 * the same creator (an operator cannot rename another operator's station). Terms that no
 * longer apply to a renamed station are deleted.
 */
async function ownStations(db: Db, trip: Trip): Promise<Trip['stops']> {
  const out: Trip['stops'] = [];
  for (const st of trip.stops) {
    const r = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: tk.station(st.stationId), ConsistentRead: true }));
    if (!r.Item) {
      out.push(st);
      continue;
    }
    if (r.Item.createdBy && r.Item.createdBy !== trip.createdBy) continue;
    const now = new Set(stationTerms(st));
    for (const old of stationTerms(r.Item as any)) {
      if (!now.has(old)) await db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: tk.stationTerm(st.stationId, old) }));
    }
    out.push(st);
  }
  return out;
}

/**
 * Writes a trip: stations, then the trip item, then the search indexes (so a trip becomes
 * visible only once it can be booked). Idempotent for the same trip.
 */
export async function writeTrip(db: Db, trip: Trip, opts: { guard?: boolean; hash?: string; stationsDone?: Set<string> } = {}) {
  // Bulk writers (seeder, GTFS import) pass the stations they already wrote in this run.
  const fresh: Trip = opts.stationsDone ? { ...trip, stops: trip.stops.filter((s) => !opts.stationsDone!.has(s.stationId)) } : trip;
  if (fresh.stops.length) {
    const writable = await ownStations(db, fresh);
    await batchPut(db, stationItems({ ...fresh, stops: writable }));
    for (const s of fresh.stops) opts.stationsDone?.add(s.stationId);
  }
  if (opts.guard) {
    const guardKey = tk.tripNumberGuard(trip.mode, trip.number, trip.serviceDate);
    try {
      await db.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: db.tableName, Item: { ...guardKey, type: 'TripNumber', tripId: trip.tripId, hash: opts.hash, createdBy: trip.createdBy }, ConditionExpression: 'attribute_not_exists(PK)' } },
            { Put: { TableName: db.tableName, Item: tripItem(trip), ConditionExpression: 'attribute_not_exists(PK)' } },
          ],
        }),
      );
    } catch (e: any) {
      if (e?.name === 'TransactionCanceledException' && e.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') {
        const g = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: guardKey, ConsistentRead: true }));
        if (g.Item && g.Item.hash === opts.hash && g.Item.createdBy === trip.createdBy) {
          // The same trip sent again (a retry): finish writing it and answer with its id.
          const existing = await getTrip(db, g.Item.tripId);
          if (existing) {
            await batchPut(db, tripIndexItems(existing));
            return existing.tripId;
          }
        }
        throw conflict('duplicate_trip', `A ${trip.mode} trip ${trip.number} already runs on ${trip.serviceDate}.`, { extra: { tripId: g.Item?.tripId } });
      }
      throw e;
    }
  } else {
    await db.doc.send(new PutCommand({ TableName: db.tableName, Item: tripItem(trip) }));
  }
  await batchPut(db, tripIndexItems(trip));
  return trip.tripId;
}

/** POST /v1/operator/trips */
export async function createTrip(db: Db, user: AuthUser, body: any, now: Date): Promise<string> {
  const norm = normaliseTripInput(body);
  const hash = createHash('sha256').update(JSON.stringify(norm)).digest('hex').slice(0, 32);
  const trip: Trip = {
    tripId: newId('trp'),
    ...norm,
    status: 'on_time',
    delayMinutes: 0,
    createdBy: user.id,
    ...(user.operatorId ? { operatorId: user.operatorId } : {}),
    createdAt: now.toISOString(),
  };
  return writeTrip(db, trip, { guard: true, hash });
}

export async function getTrip(db: Db, tripId: string, consistent = false): Promise<Trip | undefined> {
  const r = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: tk.trip(tripId), ConsistentRead: consistent }));
  return r.Item ? toTrip(r.Item) : undefined;
}

const shift = (iso: string | undefined, minutes: number) => (iso ? toShanghaiIso(new Date(Date.parse(iso) + minutes * 60_000)) : undefined);

/** The public view of a trip (expected times include the delay). */
export function tripView(t: Trip) {
  return {
    tripId: t.tripId,
    mode: t.mode,
    number: t.number,
    operatorName: t.operatorName,
    serviceDate: t.serviceDate,
    status: t.status,
    delayMinutes: t.delayMinutes,
    realName: t.realName,
    stops: t.stops.map((s) => ({
      ...s,
      ...(t.delayMinutes && s.arrive ? { expectedArrive: shift(s.arrive, t.delayMinutes) } : {}),
      ...(t.delayMinutes && s.depart ? { expectedDepart: shift(s.depart, t.delayMinutes) } : {}),
    })),
    classes: t.classes,
  };
}

/** Operators may change the trips they created or that belong to their operatorId; admins any. */
export function canOperate(user: AuthUser, trip: Trip): boolean {
  if (user.roles.includes('admin')) return true;
  if (!user.roles.includes('operator')) return false;
  return trip.createdBy === user.id || (!!trip.operatorId && trip.operatorId === user.operatorId);
}

// ---------------------------------------------------------------------------
// Orders on a trip

/** Ids of every order that has (or had) a ticket on this trip: the first leg's order item and the links of other legs (GSI3). */
export async function orderIdsOnTrip(db: Db, tripId: string): Promise<string[]> {
  const ids = new Set<string>();
  let start: Record<string, any> | undefined;
  do {
    const r = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        IndexName: 'GSI3',
        KeyConditionExpression: 'GSI3PK = :pk',
        ExpressionAttributeValues: { ':pk': tk.tripOrdersGsi(tripId) },
        ProjectionExpression: 'PK, SK, #t, orderId, id',
        ExpressionAttributeNames: { '#t': 'type' },
        ExclusiveStartKey: start,
      }),
    );
    for (const it of r.Items ?? []) ids.add(it.type === 'Order' ? it.id : it.orderId);
    start = r.LastEvaluatedKey;
  } while (start);
  return [...ids];
}

const onTrip = (order: Order, tripId: string) => ((order.ref?.tickets ?? []) as TicketRef[]).some((t) => t.tripId === tripId);

/** PATCH /v1/operator/trips/{tripId} */
export async function updateTripStatus(db: Db, user: AuthUser, tripId: string, body: { status: TripStatus; delayMinutes?: number }, now: Date) {
  const trip = await getTrip(db, tripId, true);
  if (!trip || !canOperate(user, trip)) throw notFound('trip_not_found', 'No such trip among yours.');
  if (trip.status === 'cancelled' && body.status !== 'cancelled') throw unprocessable('trip_cancelled', 'A cancelled trip cannot run again.');
  const delay = body.status === 'delayed' ? (body.delayMinutes ?? trip.delayMinutes ?? 0) : body.status === 'on_time' ? 0 : trip.delayMinutes;
  if (body.status === 'delayed' && !(delay > 0)) throw unprocessable('delay_required', 'A delay needs delayMinutes > 0.');
  const r = await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: tk.trip(tripId),
      UpdateExpression: 'SET #s = :s, delayMinutes = :d, statusChangedAt = :now',
      ConditionExpression: 'attribute_exists(PK) AND (#s <> :c OR :s = :c)',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': body.status, ':d': delay, ':now': now.toISOString(), ':c': 'cancelled' },
      ReturnValues: 'ALL_NEW',
    }),
  ).catch((e: any) => {
    if (e?.name === 'ConditionalCheckFailedException') throw unprocessable('trip_cancelled', 'A cancelled trip cannot run again.');
    throw e;
  });
  const updated = toTrip(r.Attributes!);
  const counts = { refunded: 0, cancelled: 0, notified: 0, failed: 0 };
  const statusChanged = trip.status !== body.status || trip.delayMinutes !== delay;
  for (const orderId of await orderIdsOnTrip(db, tripId)) {
    try {
      const order = await getOrder(db, orderId);
      if (!order || order.kind !== 'ticket' || !onTrip(order, tripId)) continue;
      const st = effectiveStatus(order, now);
      if (body.status === 'cancelled') {
        if (st === 'PAID') {
          await refundOrder(db, order, { full: true, reason: 'trip_cancelled', now });
          counts.refunded++;
        } else if (st === 'PENDING_PAYMENT') {
          await cancelOrder(db, order, { to: 'CANCELLED', reason: 'trip_cancelled', now });
          counts.cancelled++;
        } else continue;
        if (statusChanged) {
          await notifyUser(db, order.userId, { type: 'trip_cancelled', title: `${trip.number} 停运 cancelled`, body: `${trip.number} on ${trip.serviceDate} is cancelled; your order is refunded in full.`, orderId }, now);
          counts.notified++;
        }
      } else if (statusChanged && (st === 'PAID' || st === 'PENDING_PAYMENT')) {
        const text =
          body.status === 'delayed'
            ? `${trip.number} on ${trip.serviceDate} is delayed by ${delay} minutes.`
            : `${trip.number} on ${trip.serviceDate} runs on time.`;
        await notifyUser(db, order.userId, { type: body.status === 'delayed' ? 'trip_delayed' : 'trip_on_time', title: `${trip.number} ${body.status === 'delayed' ? '晚点 delayed' : '正点 on time'}`, body: text, orderId }, now);
        counts.notified++;
      }
    } catch (e) {
      counts.failed++;
      logger.error('trip status: order not processed', { tripId, orderId, error: e as Error });
    }
  }
  return { trip: tripView(updated), orders: counts };
}
