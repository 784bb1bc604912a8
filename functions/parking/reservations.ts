/** Drivers: reserve a spot's hours (an order of kind parking), check in, check out, cancel. */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../shared/db/client';
import { newId } from '../../shared/domain/ids';
import { isValidPlate, normalisePlate } from '../../shared/domain/plate';
import { parseIso, toShanghaiIso } from '../../shared/domain/time';
import { ApiError, badRequest, conflict, notFound, unprocessable } from '../../shared/http/errors';
import { logger } from '../../shared/http/logger';
import { createOrder } from '../../shared/orders/create';
import { effectiveStatus, orderView, type Order, type TxItem } from '../../shared/orders/model';
import { addCharge, cancelOrder, completeOrder, getOrder, getOwnOrder, refundOrder } from '../../shared/orders/service';
import { parkingKeys } from './keys';
import {
  EARLY_CHECK_IN_MS,
  checkWindow,
  firstUnavailableSlot,
  overstay,
  priceFen,
  slotsByDay,
} from './rules';
import { windowView, windowError } from './search';
import { getOrders, getSpot, reservationsEndingAfter, type ReservationItem } from './store';

/** Unpaid holds last 10 minutes (HOLD_SECONDS overrides it in tests and locally). */
export const PARKING_HOLD_SECONDS = 600;
const DAY_TTL_SECONDS = 60 * 24 * 3600;

/** What the order remembers for the plug-in (release, refund) and for check-in/out. */
export interface ParkingRef {
  spotId: string;
  ownerId: string;
  start: string;
  end: string;
  plate: string;
  /** Shanghai day → slot indices held. */
  days: Record<string, number[]>;
  pricePerHourFen: number;
  firstHourFen: number;
  reservationKey: { PK: string; SK: string };
}

export interface ReserveInput {
  spotId: string;
  start: string;
  end: string;
  plate: string;
}

/** Condition + ADD that takes `slots` of one day only if none of them is taken. */
export function takeSlotsAction(spotId: string, day: string, slots: number[], now: Date): TxItem {
  const values: Record<string, any> = { ':take': new Set(slots.map(String)), ':ttl': Math.floor(now.getTime() / 1000) + DAY_TTL_SECONDS };
  const conds = slots.map((s, i) => {
    values[`:s${i}`] = String(s);
    return `NOT contains(taken, :s${i})`;
  });
  return {
    Update: {
      TableName: '',
      Key: parkingKeys.day(spotId, day),
      UpdateExpression: 'ADD taken :take SET #t = :type, expiresAt = :ttl',
      ConditionExpression: conds.join(' AND '),
      ExpressionAttributeNames: { '#t': 'type' },
      ExpressionAttributeValues: { ...values, ':type': 'ParkingDay' },
    },
  };
}

/** Gives a day's slots back (runs exactly once: in the same transaction as the order's conditional status change). */
export function releaseSlotsAction(db: Db, spotId: string, day: string, slots: number[]): TxItem {
  return {
    Update: {
      TableName: db.tableName,
      Key: parkingKeys.day(spotId, day),
      UpdateExpression: 'DELETE taken :give',
      ExpressionAttributeValues: { ':give': new Set(slots.map(String)) },
    },
  };
}

function reservationView(ref: ParkingRef, res?: ReservationItem, extra: Record<string, unknown> = {}) {
  return {
    spotId: ref.spotId,
    start: toShanghaiIso(ref.start),
    end: toShanghaiIso(ref.end),
    plate: ref.plate,
    ...(res?.checkedInAt ? { checkedInAt: toShanghaiIso(res.checkedInAt) } : {}),
    ...(res?.checkedOutAt ? { checkedOutAt: toShanghaiIso(res.checkedOutAt) } : {}),
    ...(res?.overstayFen !== undefined ? { overstayFen: res.overstayFen, overstayMinutes: (res.overstayQuarters ?? 0) * 15 } : {}),
    ...extra,
  };
}

const MAX_TX_ATTEMPTS = 4;

/**
 * Creates the order and takes its slots in one transaction: the spot (still active, same
 * version; its reservation sequence is bumped), one conditional ADD per Shanghai day
 * touched (≤ 8), the reservation item, the order and its charge link.
 */
export async function reserve(db: Db, driverId: string, input: ReserveInput, now: Date) {
  const plate = normalisePlate(input.plate);
  if (!isValidPlate(plate)) throw badRequest('invalid_plate', 'Not a mainland licence plate.', { errors: [{ field: '/body/plate', message: 'is not a valid plate' }] });
  const rs = parseIso(input.start);
  const re = parseIso(input.end);
  if (!rs || !re) throw badRequest('validation_failed', 'start and end must be ISO 8601 date-times with offset.');
  let w: { start: number; end: number; rounded: boolean };
  try {
    w = checkWindow(rs.getTime(), re.getTime(), now.getTime());
  } catch (e) {
    throw windowError(e, 'body');
  }
  let lazyExpiryDone = false;
  for (let attempt = 1; ; attempt++) {
    const spot = await getSpot(db, input.spotId);
    if (!spot) throw notFound('spot_not_found', 'No such parking spot.');
    if (!spot.active) throw unprocessable('spot_inactive', 'The owner is not offering this spot at the moment.');
    if (spot.ownerId === driverId) throw unprocessable('own_spot', 'You cannot reserve your own spot.');
    const bad = firstUnavailableSlot(spot, w.start, w.end);
    if (bad !== undefined) {
      throw unprocessable('outside_availability', `The spot is not offered from ${toShanghaiIso(bad)}.`, { extra: { unavailableFrom: toShanghaiIso(bad) } });
    }
    const days = slotsByDay(w.start, w.end);
    const amount = priceFen(spot.pricePerHourFen, spot.dailyCapFen, w.start, w.end);
    const orderId = newId('ord');
    const startIso = new Date(w.start).toISOString();
    const endIso = new Date(w.end).toISOString();
    const resKey = parkingKeys.reservation(spot.spotId, endIso, orderId);
    const ref: ParkingRef = {
      spotId: spot.spotId,
      ownerId: spot.ownerId,
      start: startIso,
      end: endIso,
      plate,
      days: Object.fromEntries(days),
      pricePerHourFen: spot.pricePerHourFen,
      firstHourFen: priceFen(spot.pricePerHourFen, spot.dailyCapFen, w.start, Math.min(w.end, w.start + 3600_000)),
      reservationKey: resKey,
    };
    const res: ReservationItem = {
      ...resKey,
      type: 'ParkingReservation',
      orderId,
      spotId: spot.spotId,
      ownerId: spot.ownerId,
      driverId,
      start: startIso,
      end: endIso,
      plate,
      priceFen: amount,
      createdAt: now.toISOString(),
    };
    const inventory: TxItem[] = [
      {
        Update: {
          TableName: '',
          Key: parkingKeys.spot(spot.spotId),
          UpdateExpression: 'ADD resSeq :one',
          ConditionExpression: 'active = :true AND version = :v',
          ExpressionAttributeValues: { ':one': 1, ':true': true, ':v': spot.version },
        },
      },
      ...[...days].map(([day, slots]) => takeSlotsAction(spot.spotId, day, slots, now)),
      { Put: { TableName: '', Item: res, ConditionExpression: 'attribute_not_exists(PK)' } },
    ];
    const items = [
      {
        type: 'parking',
        spotId: spot.spotId,
        spotTitle: spot.title,
        address: spot.address,
        city: spot.city,
        location: { lat: spot.lat, lng: spot.lng },
        start: toShanghaiIso(w.start),
        end: toShanghaiIso(w.end),
        plate,
        ...(spot.accessNotes ? { accessNotes: spot.accessNotes } : {}),
      },
    ];
    try {
      const order = await createOrder(
        db,
        {
          id: orderId,
          kind: 'parking',
          userId: driverId,
          title: `车位 ${spot.title} ${toShanghaiIso(w.start).slice(5, 16).replace('T', ' ')}–${toShanghaiIso(w.end).slice(11, 16)}`,
          amountFen: amount,
          items,
          ref,
          holdSeconds: PARKING_HOLD_SECONDS,
        },
        inventory,
        (i) => {
          if (i === 0) return conflict('spot_changed', 'The owner changed this spot just now; search again.');
          if (i <= days.size) return conflict('slot_taken', 'Part of this time is already reserved or held.', { extra: { spotId: spot.spotId } });
          return undefined;
        },
        now,
      );
      return {
        ...orderView(order, now),
        reservation: reservationView(ref, undefined, {
          requested: { start: toShanghaiIso(rs), end: toShanghaiIso(re) },
          rounded: w.rounded,
          ...(w.rounded ? { note: 'The window was rounded outward to whole quarter hours.' } : {}),
        }),
      };
    } catch (e: any) {
      if (e instanceof ApiError && e.code === 'slot_taken' && !lazyExpiryDone) {
        lazyExpiryDone = true;
        // Unpaid holds past their expiry still hold slots until the sweep runs: expire them now and retry once.
        if (await expireStaleHolds(db, spot.spotId, w.start, w.end, now)) continue;
      }
      if (e instanceof ApiError && e.code === 'spot_changed' && attempt < MAX_TX_ATTEMPTS) continue;
      if (isTransactionConflict(e) && attempt < MAX_TX_ATTEMPTS) {
        await new Promise((r) => setTimeout(r, 10 + Math.random() * 40 * attempt));
        continue;
      }
      throw e;
    }
  }
}

function isTransactionConflict(e: any) {
  return e?.name === 'TransactionCanceledException' && (e.CancellationReasons ?? []).some((r: any) => r?.Code === 'TransactionConflict');
}

/** Expires the unpaid holds on a spot that overlap [startMs, endMs) and are past their expiry. Returns whether any was expired. */
async function expireStaleHolds(db: Db, spotId: string, startMs: number, endMs: number, now: Date): Promise<boolean> {
  const overlapping = (await reservationsEndingAfter(db, spotId, new Date(startMs).toISOString())).filter((r) => Date.parse(r.start) < endMs);
  if (!overlapping.length) return false;
  const orders = await getOrders(db, overlapping.map((r) => r.orderId));
  let any = false;
  for (const o of orders.values()) {
    if (o.status === 'PENDING_PAYMENT' && effectiveStatus(o, now) === 'EXPIRED') {
      try {
        await cancelOrder(db, o, { to: 'EXPIRED', reason: 'hold_expired', now });
        any = true;
      } catch (e) {
        if (e instanceof ApiError && e.status === 409) {
          any = true; // the sweep got there first
          continue;
        }
        throw e;
      }
    }
  }
  return any;
}

/** A driver's own parking order and its reservation, or 404. */
async function ownReservation(db: Db, userId: string, orderId: string): Promise<{ order: Order; ref: ParkingRef; res: ReservationItem }> {
  const order = await getOwnOrder(db, userId, orderId);
  if (order.kind !== 'parking') throw notFound('reservation_not_found', 'No such parking reservation.');
  const ref = order.ref as ParkingRef;
  const r = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: ref.reservationKey, ConsistentRead: true }));
  if (!r.Item) throw notFound('reservation_not_found', 'No such parking reservation.');
  return { order, ref, res: r.Item as ReservationItem };
}

export async function getReservation(db: Db, userId: string, orderId: string, now: Date) {
  const { order, ref, res } = await ownReservation(db, userId, orderId);
  return { ...orderView(order, now), reservation: reservationView(ref, res) };
}

export async function checkIn(db: Db, userId: string, orderId: string, now: Date) {
  const { order, ref, res } = await ownReservation(db, userId, orderId);
  if (res.checkedInAt) return { ...orderView(order, now), reservation: reservationView(ref, res) };
  const st = effectiveStatus(order, now);
  if (st !== 'PAID') throw conflict('invalid_state', `Only a paid reservation can be checked in (this one is ${st}).`);
  const startMs = Date.parse(ref.start);
  const endMs = Date.parse(ref.end);
  if (now.getTime() < startMs - EARLY_CHECK_IN_MS) {
    throw unprocessable('too_early', `Check-in opens at ${toShanghaiIso(startMs - EARLY_CHECK_IN_MS)}.`);
  }
  if (now.getTime() >= endMs) throw unprocessable('reservation_over', 'This reservation has ended.');
  try {
    const r = await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: ref.reservationKey,
        UpdateExpression: 'SET checkedInAt = :now',
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(checkedInAt)',
        ExpressionAttributeValues: { ':now': now.toISOString() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { ...orderView(order, now), reservation: reservationView(ref, r.Attributes as ReservationItem) };
  } catch (e: any) {
    if (e?.name === 'ConditionalCheckFailedException') return getReservation(db, userId, orderId, now);
    throw e;
  }
}

/**
 * Check-out: records the time and the overstay past `end` (1.5× the hourly price per
 * started 15 minutes). No overstay: the order is COMPLETED. Overstay: a second charge
 * (`overstay`) is added to the same order and the driver pays it like the first; the
 * order is completed when that charge is paid (plug-in onChargePaid). Repeating a
 * check-out returns the recorded result and finishes any step a failure left undone.
 */
export async function checkOut(db: Db, userId: string, orderId: string, now: Date) {
  let { order, ref, res } = await ownReservation(db, userId, orderId);
  if (!res.checkedOutAt) {
    if (!res.checkedInAt) throw conflict('not_checked_in', 'Check in before checking out.');
    const st = effectiveStatus(order, now);
    if (st !== 'PAID') throw conflict('invalid_state', `This reservation is ${st}.`);
    const o = overstay(ref.pricePerHourFen, Date.parse(ref.end), now.getTime());
    try {
      const r = await db.doc.send(
        new UpdateCommand({
          TableName: db.tableName,
          Key: ref.reservationKey,
          UpdateExpression: 'SET checkedOutAt = :now, overstayFen = :fen, overstayQuarters = :q',
          ConditionExpression: 'attribute_exists(checkedInAt) AND attribute_not_exists(checkedOutAt)',
          ExpressionAttributeValues: { ':now': now.toISOString(), ':fen': o.fen, ':q': o.quarters },
          ReturnValues: 'ALL_NEW',
        }),
      );
      res = r.Attributes as ReservationItem;
    } catch (e: any) {
      if (e?.name !== 'ConditionalCheckFailedException') throw e;
      ({ order, ref, res } = await ownReservation(db, userId, orderId));
    }
  }
  order = await finishCheckout(db, order, res, now);
  return {
    ...orderView(order, now),
    reservation: reservationView(ref, res, { finalChargeFen: res.overstayFen ?? 0, totalFen: (res.priceFen ?? 0) + (res.overstayFen ?? 0) }),
  };
}

/** The step after the reservation was marked checked out; safe to repeat. */
async function finishCheckout(db: Db, order: Order, res: ReservationItem, now: Date): Promise<Order> {
  if (order.status !== 'PAID') return order;
  const fen = res.overstayFen ?? 0;
  if (fen > 0) {
    if (order.charges.some((c) => c.purpose === 'overstay')) return order;
    return addCharge(db, order, { purpose: 'overstay', amountFen: fen }, now);
  }
  return completeOrder(db, order, now);
}

/**
 * Driver cancels: an unpaid hold is simply cancelled; a paid reservation is refunded by the
 * rule (free until 1 hour before start, then the first hour is kept). Not once checked in.
 */
export async function cancelReservation(db: Db, userId: string, orderId: string, now: Date) {
  const { order, ref, res } = await ownReservation(db, userId, orderId);
  const st = effectiveStatus(order, now);
  if (res.checkedInAt) throw unprocessable('refund_not_allowed', 'You are checked in; check out instead.');
  let next: Order;
  if (st === 'PENDING_PAYMENT') next = await cancelOrder(db, order, { reason: 'user_cancelled', now });
  else if (st === 'PAID') next = await refundOrder(db, order, { reason: 'user_cancelled', now });
  else throw conflict('invalid_state', `This reservation is ${st}.`);
  return { ...orderView(next, now), reservation: reservationView(ref, res) };
}

/** For the plug-in: complete the order once the overstay charge is paid. */
export async function completeAfterOverstay(db: Db, order: Order, now = new Date()) {
  const fresh = (await getOrder(db, order.id)) ?? order;
  if (fresh.status !== 'PAID' || fresh.charges.some((c) => c.status === 'DUE')) return;
  try {
    await completeOrder(db, fresh, now);
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) return;
    logger.warn('could not complete parking order after overstay payment', { orderId: order.id, error: (e as Error).message });
  }
}

