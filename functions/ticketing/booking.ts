/**
 * POST /v1/ticket-orders: seats for up to 5 passengers on up to 4 legs, all or nothing, in
 * one transaction with the order (shared/orders/create.ts). Seats are chosen from a
 * consistent read of the trip's seat blocks and taken with per-seat conditions; when a
 * concurrent buyer took a chosen seat first, the booking re-reads and chooses again, and
 * answers 409 sold_out only when a fresh read shows too few seats.
 */
import type { Db } from '../../shared/db/client';
import { newId } from '../../shared/domain/ids';
import { serviceDay } from '../../shared/domain/time';
import { ApiError, conflict, notFound, unprocessable } from '../../shared/http/errors';
import { createOrder } from '../../shared/orders/create';
import { type Order, type TxItem } from '../../shared/orders/model';
import { dueOrderItems, expireIfStale } from '../../shared/orders/sweep';
import { getPassengers, type PassengerRecord } from '../../shared/passengers/index';
import { loadTripSnapshot, takePaxAction, takeSeatActions, type TripSnapshot } from './inventory';
import {
  arriveAt,
  chooseSeats,
  departAt,
  fareFen,
  ms,
  salesOpen,
  seatBlock,
  seatLabel,
  segmentsOf,
  stopIndex,
  ticketHoldSeconds,
  tk,
  type TicketRef,
  type Trip,
} from './model';

export interface LegInput {
  tripId: string;
  from: string;
  to: string;
  classCode: string;
}

export const MAX_ATTEMPTS = 60;
/** Booking attempts and seat races seen by this process (observability, tests). */
export const bookingStats = { attempts: 0, races: 0 };

/** Internal: a chosen seat was taken by a concurrent buyer; choose again. */
class SeatRace extends Error {}

export interface ResolvedLeg {
  input: LegInput;
  trip: Trip;
  fromIdx: number;
  toIdx: number;
}

/** Checks a leg against its trip: stations in order, class, not cancelled, sales open. */
export function resolveLeg(trip: Trip | undefined, leg: LegInput, legIndex: number, now: Date): ResolvedLeg {
  if (!trip) throw notFound('trip_not_found', `No such trip (leg ${legIndex + 1}).`);
  const fromIdx = stopIndex(trip, leg.from);
  const toIdx = stopIndex(trip, leg.to);
  if (fromIdx < 0 || toIdx < 0 || fromIdx >= toIdx) {
    throw unprocessable('invalid_segment', `Trip ${trip.number} does not run from ${leg.from} to ${leg.to} (leg ${legIndex + 1}).`, { extra: { leg: legIndex } });
  }
  if (!trip.classes.some((c) => c.code === leg.classCode)) {
    throw unprocessable('unknown_class', `Trip ${trip.number} has no class ${leg.classCode}.`, { extra: { leg: legIndex } });
  }
  if (trip.status === 'cancelled') throw unprocessable('trip_cancelled', `Trip ${trip.number} is cancelled.`, { extra: { leg: legIndex } });
  if (!salesOpen(trip, fromIdx, now)) {
    throw unprocessable('sales_closed', `Sales for ${trip.number} from ${trip.stops[fromIdx].name} closed 30 minutes before departure.`, { extra: { leg: legIndex } });
  }
  return { input: leg, trip, fromIdx, toIdx };
}

export function ticketItem(args: {
  ticketId: string;
  orderId: string;
  userId: string;
  passenger: PassengerRecord;
  leg: ResolvedLeg;
  seatIdx: number;
  priceFen: number;
  now: Date;
}) {
  const { trip, fromIdx, toIdx, input } = args.leg;
  return {
    ...tk.ticket(args.ticketId),
    type: 'Ticket',
    ticketId: args.ticketId,
    orderId: args.orderId,
    userId: args.userId,
    passengerId: args.passenger.id,
    passengerName: args.passenger.name,
    idHash: args.passenger.idHash,
    tripId: trip.tripId,
    mode: trip.mode,
    number: trip.number,
    from: trip.stops[fromIdx].stationId,
    to: trip.stops[toIdx].stationId,
    fromName: trip.stops[fromIdx].name,
    toName: trip.stops[toIdx].name,
    fromIdx,
    toIdx,
    depart: departAt(trip, fromIdx),
    arrive: arriveAt(trip, toIdx),
    classCode: input.classCode,
    block: seatBlock(trip.mode, args.seatIdx).block,
    seatIdx: args.seatIdx,
    seat: seatLabel(trip, input.classCode, args.seatIdx),
    priceFen: args.priceFen,
    status: 'HELD',
    changed: false,
    createdAt: args.now.toISOString(),
  };
}

/** What the order shows for a ticket (order.items). */
export const ticketItemView = (t: Record<string, any>) => ({
  ticketId: t.ticketId,
  passengerId: t.passengerId,
  passengerName: t.passengerName,
  tripId: t.tripId,
  number: t.number,
  mode: t.mode,
  from: t.from,
  to: t.to,
  fromName: t.fromName,
  toName: t.toName,
  depart: t.depart,
  arrive: t.arrive,
  classCode: t.classCode,
  seat: t.seat,
  priceFen: t.priceFen,
});

export const ticketRef = (t: Record<string, any>): TicketRef => ({
  ticketId: t.ticketId,
  passengerId: t.passengerId,
  tripId: t.tripId,
  mode: t.mode,
  classCode: t.classCode,
  block: t.block,
  seatIdx: t.seatIdx,
  fromIdx: t.fromIdx,
  toIdx: t.toIdx,
  idHash: t.idHash,
  priceFen: t.priceFen,
  depart: t.depart,
});

/**
 * Expires ticket holds on these trips whose time ran out but that the orders jobs have not
 * swept yet (reads treat a past hold as expired): they must not make a buyer see sold_out
 * or passenger_conflict. Reads the sparse hold index (GSI2), bounded by the overdue holds.
 */
export async function expireStaleTicketHolds(db: Db, tripIds: string[], now: Date): Promise<number> {
  // Many buyers of a sold-out trip would all sweep at once: share one sweep per trip set
  // and table within a few seconds (a sweep that just ran found what there was to expire).
  const key = `${db.tableName}|${[...tripIds].sort().join(',')}`;
  const recent = recentSweeps.get(key);
  if (recent && Date.now() - recent.at < SWEEP_MEMO_MS) return recent.run;
  const run = sweepStaleHolds(db, tripIds, now);
  recentSweeps.set(key, { at: Date.now(), run });
  if (recentSweeps.size > 1000) for (const k of [...recentSweeps.keys()].slice(0, 500)) recentSweeps.delete(k);
  run.catch(() => recentSweeps.delete(key));
  return run;
}

const SWEEP_MEMO_MS = 3000;
const recentSweeps = new Map<string, { at: number; run: Promise<number> }>();

async function sweepStaleHolds(db: Db, tripIds: string[], now: Date): Promise<number> {
  let expired = 0;
  for await (const it of dueOrderItems(db, 'HOLDS', now.toISOString(), 'PK, kind, #ref')) {
    if (it.kind !== 'ticket' || !((it.ref?.tickets ?? []) as TicketRef[]).some((t) => tripIds.includes(t.tripId))) continue;
    if (await expireIfStale(db, it.orderId, now)) expired++;
  }
  return expired;
}

const jitter = (attempt: number) => new Promise((r) => setTimeout(r, Math.floor(Math.random() * Math.min(50, 5 + attempt * 5))));

export async function createTicketOrder(db: Db, userId: string, body: { legs: LegInput[]; passengerIds: string[] }, now = new Date()): Promise<Order> {
  const tripIds = body.legs.map((l) => l.tripId);
  if (new Set(tripIds).size !== tripIds.length) {
    throw unprocessable('invalid_legs', 'Each leg must be on a different trip (book A→C instead of A→B plus B→C on one trip).');
  }
  const passengers = await getPassengers(db, userId, body.passengerIds);
  const hashes = new Set(passengers.map((p) => p.idHash));
  if (hashes.size !== passengers.length) throw unprocessable('duplicate_passenger', 'Two of these passengers are the same person.');

  let sweptStale = false;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    bookingStats.attempts++;
    try {
      return await attemptBooking();
    } catch (e) {
      const contention = (e as any)?.name === 'TransactionCanceledException' && ((e as any).CancellationReasons ?? []).some((r: any) => r?.Code === 'TransactionConflict');
      if (e instanceof SeatRace || contention) {
        bookingStats.races++;
        await jitter(attempt);
        continue;
      }
      if (!sweptStale && e instanceof ApiError && (e.code === 'sold_out' || e.code === 'passenger_conflict')) {
        sweptStale = true;
        if ((await expireStaleTicketHolds(db, tripIds, now)) > 0) continue;
      }
      throw e;
    }
  }
  throw new ApiError(409, 'concurrent_update', 'Too many buyers at once for these seats; retry.', { headers: { 'retry-after': '1' } });

  async function attemptBooking(): Promise<Order> {
    const snaps: TripSnapshot[] = await Promise.all(body.legs.map((l) => loadTripSnapshot(db, l.tripId, true).then((s) => s!)));
    const legs = body.legs.map((l, i) => resolveLeg(snaps[i]?.trip, l, i, now));
    const orderId = newId('ord');
    const inventory: TxItem[] = [];
    const kinds: { kind: 'seat' | 'pax' | 'trip' | 'other'; leg: number; passengerId?: string }[] = [];
    const tickets: ReturnType<typeof ticketItem>[] = [];
    legs.forEach((leg, li) => {
      const snap = snaps[li];
      const cls = leg.trip.classes.find((c) => c.code === leg.input.classCode)!;
      const seats = chooseSeats(leg.trip.mode, cls.seats, snap.occupancy.get(cls.code) ?? new Map(), segmentsOf(leg.fromIdx, leg.toIdx), passengers.length);
      if (!seats) {
        throw conflict('sold_out', `No ${passengers.length} seat(s) left in ${cls.name} on ${leg.trip.number} from ${leg.trip.stops[leg.fromIdx].name} to ${leg.trip.stops[leg.toIdx].name}.`, {
          extra: { leg: li, tripId: leg.trip.tripId, classCode: cls.code },
        });
      }
      const price = fareFen(cls, leg.fromIdx, leg.toIdx);
      passengers.forEach((p, pi) => tickets.push(ticketItem({ ticketId: newId('tkt'), orderId, userId, passenger: p, leg, seatIdx: seats[pi], priceFen: price, now })));
      for (const a of takeSeatActions(db, snap, cls.code, seats.map((seatIdx) => ({ seatIdx, fromIdx: leg.fromIdx, toIdx: leg.toIdx })))) {
        inventory.push(a);
        kinds.push({ kind: 'seat', leg: li });
      }
      for (const p of passengers) {
        inventory.push(takePaxAction(db, leg.trip.tripId, p.idHash, leg.fromIdx, leg.toIdx));
        kinds.push({ kind: 'pax', leg: li, passengerId: p.id });
      }
      inventory.push({
        ConditionCheck: {
          TableName: db.tableName,
          Key: tk.trip(leg.trip.tripId),
          ConditionExpression: '#s <> :c',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':c': 'cancelled' },
        },
      });
      kinds.push({ kind: 'trip', leg: li });
      if (li > 0) {
        inventory.push({ Put: { TableName: db.tableName, Item: { ...tk.tripOrderLink(leg.trip.tripId, orderId), type: 'TripOrderLink', orderId, tripId: leg.trip.tripId, GSI3PK: tk.tripOrdersGsi(leg.trip.tripId), GSI3SK: orderId } } });
        kinds.push({ kind: 'other', leg: li });
      }
    });
    for (const t of tickets) {
      inventory.push({ Put: { TableName: db.tableName, Item: t, ConditionExpression: 'attribute_not_exists(PK)' } });
      kinds.push({ kind: 'other', leg: -1 });
    }
    const firstDeparture = Math.min(...legs.map((l) => ms(departAt(l.trip, l.fromIdx))));
    const amount = tickets.reduce((s, t) => s + t.priceFen, 0);
    const l0 = legs[0];
    const title =
      `${legs.map((l) => l.trip.number).join('+')} ${l0.trip.stops[l0.fromIdx].name}→${legs[legs.length - 1].trip.stops[legs[legs.length - 1].toIdx].name}` +
      ` ${serviceDay(departAt(l0.trip, l0.fromIdx))} ×${passengers.length}`;
    return createOrder(
      db,
      {
        id: orderId,
        kind: 'ticket',
        userId,
        title,
        amountFen: amount,
        items: tickets.map(ticketItemView),
        ref: { tickets: tickets.map(ticketRef), used: {} },
        holdSeconds: ticketHoldSeconds(firstDeparture, now),
        gsi3: { GSI3PK: tk.tripOrdersGsi(l0.trip.tripId), GSI3SK: orderId },
      },
      inventory,
      (idx) => {
        const k = kinds[idx];
        if (k?.kind === 'seat') return new SeatRace() as unknown as ApiError;
        if (k?.kind === 'pax') {
          return conflict('passenger_conflict', 'A passenger already holds a ticket on this trip for an overlapping part of the route.', {
            extra: { leg: k.leg, passengerId: k.passengerId, tripId: legs[k.leg].trip.tripId },
          });
        }
        if (k?.kind === 'trip') return unprocessable('trip_cancelled', `Trip ${legs[k.leg].trip.number} is cancelled.`, { extra: { leg: k.leg } });
        return undefined;
      },
      now,
    );
  }
}
