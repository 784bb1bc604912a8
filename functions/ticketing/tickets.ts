/**
 * E-tickets: issuing the signed QR once paid, the passenger's view, gate check-in (at
 * most once), and 改签 (change to another trip/class once).
 */
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../shared/db/client';
import { maskName } from '../../shared/domain/mask';
import { serviceDay } from '../../shared/domain/time';
import { InvalidTicketError, signTicket, verifyTicket } from '../../shared/crypto/ticket-sign';
import { ApiError, badRequest, conflict, notFound, unprocessable } from '../../shared/http/errors';
import type { AuthUser } from '../../shared/http/auth';
import { logger } from '../../shared/http/logger';
import { orderView, type Order, type TxItem } from '../../shared/orders/model';
import { addCharge, getOrder, partialRefund } from '../../shared/orders/service';
import { loadTripSnapshot, releasePaxAction, releaseSeatActions, takePaxAction, takeSeatActions } from './inventory';
import { chooseSeats, departAt, fareFen, ms, refundFeeFen, segmentsOf, stopIndex, tk, CHANGE_CLOSE_MINUTES, type TicketRef } from './model';
import { resolveLeg, ticketItem, ticketItemView, ticketRef, MAX_ATTEMPTS, type ResolvedLeg } from './booking';
import { ticketPrivateKeyPem, ticketPublicKey } from './signing-key';
import { canOperate, getTrip } from './trips';

export async function getTicketItem(db: Db, ticketId: string): Promise<Record<string, any> | undefined> {
  const r = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: tk.ticket(ticketId), ConsistentRead: true }));
  return r.Item;
}

export function ticketView(t: Record<string, any>) {
  return {
    ...ticketItemView(t),
    orderId: t.orderId,
    status: t.status,
    changed: !!t.changed,
    ...((t.status === 'ISSUED' || t.status === 'USED') && t.qr ? { qr: t.qr } : {}),
    ...(t.usedAt ? { usedAt: t.usedAt } : {}),
  };
}

/** GET /v1/tickets/{ticketId}: the owner's ticket (404 for anybody else). */
export async function getOwnTicket(db: Db, userId: string, ticketId: string) {
  const t = await getTicketItem(db, ticketId);
  if (!t || t.userId !== userId) throw notFound('ticket_not_found', 'No such ticket.');
  return ticketView(t);
}

/** Signs the ticket's QR and marks it ISSUED (once; a second call changes nothing). */
export async function issueTicket(db: Db, t: Record<string, any>, now: Date): Promise<void> {
  if (t.status !== 'HELD' && t.status !== 'AWAITING_PAYMENT') return;
  const qr = signTicket(await ticketPrivateKeyPem(), {
    tid: t.ticketId,
    trp: t.tripId,
    frm: t.from,
    to: t.to,
    cls: t.classCode,
    seat: t.seat,
    psg: maskName(t.passengerName),
    dep: Math.floor(ms(t.depart) / 1000),
    iat: Math.floor(now.getTime() / 1000),
  });
  await db.doc
    .send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: tk.ticket(t.ticketId),
        UpdateExpression: 'SET #s = :issued, qr = :qr, issuedAt = :now',
        ConditionExpression: '#s = :old AND tripId = :trip',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':issued': 'ISSUED', ':qr': qr, ':now': now.toISOString(), ':old': t.status, ':trip': t.tripId },
      }),
    )
    .catch((e) => {
      if (e?.name !== 'ConditionalCheckFailedException') throw e;
    });
}

/** After a payment: every ticket of the order that waits for it gets its QR. Idempotent. */
export async function issueOrderTickets(db: Db, order: Order, now = new Date()) {
  for (const r of (order.ref?.tickets ?? []) as TicketRef[]) {
    const t = await getTicketItem(db, r.ticketId);
    if (t && t.orderId === order.id) await issueTicket(db, t, now);
  }
}

/** POST /v1/operator/checkins */
export async function checkin(db: Db, user: AuthUser, body: { qr: string; tripId?: string }, now: Date) {
  let payload;
  try {
    payload = verifyTicket((await ticketPublicKey()).pem, body.qr);
  } catch (e) {
    if (e instanceof InvalidTicketError) throw badRequest('invalid_ticket', 'This is not a genuine Yizhan e-ticket.');
    throw e;
  }
  const t = await getTicketItem(db, payload.tid);
  if (!t || t.tripId !== payload.trp) throw badRequest('invalid_ticket', 'This ticket is not valid for any current trip.');
  const trip = await getTrip(db, t.tripId);
  if (!trip || !canOperate(user, trip)) throw notFound('trip_not_found', 'This ticket is for a trip you do not operate.');
  if (body.tripId && body.tripId !== t.tripId) throw unprocessable('wrong_trip', `This ticket is for ${t.number} (${t.tripId}), not this trip.`);
  if (t.qr !== body.qr.trim()) throw conflict('ticket_replaced', 'This QR was replaced (the ticket was changed); show the current one.');
  if (t.status === 'USED') throw conflict('already_used', `This ticket was already checked in at ${t.usedAt}.`);
  if (t.status === 'VOID') throw conflict('ticket_void', 'This ticket was refunded or cancelled.');
  if (t.status !== 'ISSUED') throw conflict('ticket_not_issued', 'This ticket is not paid.');
  if (trip.status === 'cancelled') throw conflict('trip_cancelled', 'This trip is cancelled.');
  // The ticket turns USED and its order records it (so a refund is refused), in one transaction.
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: db.tableName,
              Key: tk.ticket(t.ticketId),
              UpdateExpression: 'SET #s = :used, usedAt = :now, usedBy = :by',
              ConditionExpression: '#s = :issued AND qr = :qr',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: { ':used': 'USED', ':issued': 'ISSUED', ':now': now.toISOString(), ':qr': t.qr, ':by': user.id },
            },
          },
          {
            Update: {
              TableName: db.tableName,
              Key: { PK: `ORDER#${t.orderId}`, SK: 'ORDER' },
              UpdateExpression: 'SET #ref.#usedMap.#tid = :now, #v = #v + :one',
              ConditionExpression: '#s = :paid AND attribute_exists(#ref.#usedMap)',
              ExpressionAttributeNames: { '#ref': 'ref', '#usedMap': 'used', '#tid': t.ticketId, '#v': 'version', '#s': 'status' },
              ExpressionAttributeValues: { ':now': now.toISOString(), ':one': 1, ':paid': 'PAID' },
            },
          },
        ],
      }),
    );
  } catch (e: any) {
    if (e?.name === 'TransactionCanceledException') {
      const again = await getTicketItem(db, t.ticketId);
      if (again?.status === 'USED') throw conflict('already_used', `This ticket was already checked in at ${again.usedAt}.`);
      if ((e.CancellationReasons ?? []).some((r: any) => r?.Code === 'TransactionConflict')) throw new ApiError(409, 'concurrent_update', 'Retry the scan.', { headers: { 'retry-after': '1' } });
      throw conflict('ticket_void', 'This ticket is no longer valid (its order is not paid).');
    }
    throw e;
  }
  return {
    ticketId: t.ticketId,
    tripId: t.tripId,
    from: t.from,
    to: t.to,
    classCode: t.classCode,
    seat: t.seat,
    passengerName: maskName(t.passengerName),
    status: 'USED' as const,
    usedAt: now.toISOString(),
  };
}

/**
 * POST /v1/tickets/{ticketId}/change (改签). Rules: the ticket is paid and unused and was
 * never changed; at least 30 minutes before its departure; the new trip serves the same
 * stations (or stations of the same cities); within 48 hours of departure only to a trip
 * leaving no later than the original's service day. New seat taken, old seat released,
 * ticket and order rewritten in one transaction; then a higher fare becomes a DUE
 * fare_difference charge (new QR once paid), a lower one is refunded minus the refund fee
 * on the difference (new QR at once).
 */
export async function changeTicket(db: Db, userId: string, ticketId: string, body: { tripId: string; classCode: string }, now = new Date()) {
  const t = await getTicketItem(db, ticketId);
  if (!t || t.userId !== userId) throw notFound('ticket_not_found', 'No such ticket.');
  if (t.changed) throw unprocessable('already_changed', 'A ticket can be changed once.');
  if (t.status !== 'ISSUED') throw unprocessable('not_changeable', 'Only a paid, unused ticket can be changed.');
  const msBefore = ms(t.depart) - now.getTime();
  if (msBefore < CHANGE_CLOSE_MINUTES * 60_000) throw unprocessable('change_closed', 'Changes close 30 minutes before departure.');
  const order = await getOrder(db, t.orderId);
  if (!order || order.status !== 'PAID') throw unprocessable('not_changeable', 'Only a ticket of a paid order can be changed.');
  const oldTrip = await getTrip(db, t.tripId);
  if (!oldTrip) throw notFound('trip_not_found', 'The ticket trip is gone.');
  const oldFromCity = oldTrip.stops[t.fromIdx].city;
  const oldToCity = oldTrip.stops[t.toIdx].city;

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const snap = await loadTripSnapshot(db, body.tripId, true);
    if (!snap) throw notFound('trip_not_found', 'No such trip.');
    const nt = snap.trip;
    let from = stopIndex(nt, t.from);
    let to = stopIndex(nt, t.to);
    if (from < 0 && oldFromCity) from = nt.stops.findIndex((s) => s.city === oldFromCity);
    if (to < 0 && oldToCity) to = nt.stops.findIndex((s) => s.city === oldToCity);
    if (from < 0 || to < 0 || from >= to) throw unprocessable('change_route_mismatch', 'The new trip must serve the same stations (or the same cities).');
    const sameTrip = nt.tripId === t.tripId;
    if (sameTrip && (body.classCode === t.classCode || from !== t.fromIdx || to !== t.toIdx)) {
      throw unprocessable('change_same_trip', 'On the same trip only the class can change.');
    }
    const leg: ResolvedLeg = resolveLeg(nt, { tripId: nt.tripId, from: nt.stops[from].stationId, to: nt.stops[to].stationId, classCode: body.classCode }, 0, now);
    if (msBefore < 48 * 3600_000 && serviceDay(departAt(nt, from)) > serviceDay(t.depart)) {
      throw unprocessable('change_too_late', 'Within 48 hours of departure a ticket can only move to a trip leaving no later than its original day.');
    }
    const cls = nt.classes.find((c) => c.code === body.classCode)!;
    const seats = chooseSeats(nt.mode, cls.seats, snap.occupancy.get(cls.code) ?? new Map(), segmentsOf(from, to), 1);
    if (!seats) throw conflict('sold_out', `No seat left in ${cls.name} on ${nt.number}.`, { extra: { leg: 0, tripId: nt.tripId, classCode: cls.code } });
    const newPrice = fareFen(cls, from, to);
    const diff = newPrice - t.priceFen;
    const passenger = { id: t.passengerId, name: t.passengerName, idType: 'id_card' as const, idNumberMasked: '', idHash: t.idHash };
    const fresh = ticketItem({ ticketId: t.ticketId, orderId: t.orderId, userId, passenger, leg, seatIdx: seats[0], priceFen: newPrice, now });
    const newRef = ticketRef(fresh);
    const refs = (order.ref.tickets ?? []) as TicketRef[];
    const i = refs.findIndex((r) => r.ticketId === t.ticketId);
    if (i < 0) throw unprocessable('not_changeable', 'The ticket is not part of its order any more.');
    const actions: TxItem[] = [];
    const kinds: string[] = [];
    for (const a of takeSeatActions(db, snap, cls.code, [{ seatIdx: seats[0], fromIdx: from, toIdx: to }])) {
      actions.push(a);
      kinds.push('seat');
    }
    for (const a of releaseSeatActions(db, [refs[i]])) {
      actions.push(a);
      kinds.push('release');
    }
    if (!sameTrip) {
      actions.push(takePaxAction(db, nt.tripId, t.idHash, from, to));
      kinds.push('pax');
      actions.push(releasePaxAction(db, t.tripId, t.idHash, t.fromIdx, t.toIdx));
      kinds.push('release');
      actions.push({ Put: { TableName: db.tableName, Item: { ...tk.tripOrderLink(nt.tripId, order.id), type: 'TripOrderLink', orderId: order.id, tripId: nt.tripId, GSI3PK: tk.tripOrdersGsi(nt.tripId), GSI3SK: order.id } } });
      kinds.push('link');
    }
    const { PK: _pk, SK: _sk, createdAt: _c, ...fields } = fresh;
    const setFields = { ...fields, status: diff > 0 ? 'AWAITING_PAYMENT' : 'HELD', changed: true, changedAt: now.toISOString(), previous: { tripId: t.tripId, number: t.number, seat: t.seat, classCode: t.classCode, priceFen: t.priceFen, depart: t.depart } };
    const names: Record<string, string> = { '#st': 'status' };
    const values: Record<string, any> = { ':issued': 'ISSUED', ':false': false };
    const sets = Object.entries(setFields).map(([k, v], n) => {
      names[`#f${n}`] = k;
      values[`:f${n}`] = v;
      return `#f${n} = :f${n}`;
    });
    actions.push({
      Update: {
        TableName: db.tableName,
        Key: tk.ticket(t.ticketId),
        UpdateExpression: `SET ${sets.join(', ')} REMOVE qr`,
        ConditionExpression: '#st = :issued AND changed = :false',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    });
    kinds.push('ticket');
    actions.push({
      Update: {
        TableName: db.tableName,
        Key: { PK: `ORDER#${order.id}`, SK: 'ORDER' },
        UpdateExpression: `SET #ref.#tickets[${i}] = :ref, #items[${i}] = :view, #v = #v + :one`,
        ConditionExpression: '#v = :v AND #st = :paid',
        ExpressionAttributeNames: { '#ref': 'ref', '#tickets': 'tickets', '#items': 'items', '#v': 'version', '#st': 'status' },
        ExpressionAttributeValues: { ':ref': newRef, ':view': ticketItemView(fresh), ':one': 1, ':v': order.version, ':paid': 'PAID' },
      },
    });
    kinds.push('order');
    try {
      await db.doc.send(new TransactWriteCommand({ TransactItems: actions }));
    } catch (e: any) {
      if (e?.name === 'TransactionCanceledException') {
        const reasons: any[] = e.CancellationReasons ?? [];
        const idx = reasons.findIndex((r) => r?.Code === 'ConditionalCheckFailed');
        const kind = kinds[idx];
        if (kind === 'seat' || reasons.some((r) => r?.Code === 'TransactionConflict')) continue;
        if (kind === 'pax') throw conflict('passenger_conflict', 'The passenger already holds a ticket on that trip for an overlapping part of the route.');
        if (kind === 'ticket') throw unprocessable('already_changed', 'A ticket can be changed once.');
        if (kind === 'order') throw conflict('concurrent_update', 'The order changed meanwhile; retry.');
      }
      throw e;
    }
    // Money: the difference.
    let current = (await getOrder(db, order.id))!;
    let refundFen = 0;
    let feeFen = 0;
    if (diff > 0) {
      const dueBy = new Date(Math.min(now.getTime() + 30 * 60_000, ms(departAt(nt, from)) - 30 * 60_000)).toISOString();
      current = await addCharge(db, current, { purpose: 'fare_difference', amountFen: diff, dueBy }, now);
    } else {
      if (diff < 0) {
        feeFen = refundFeeFen(-diff, msBefore) ?? -diff;
        refundFen = -diff - feeFen;
        if (refundFen > 0) current = await partialRefund(db, current, refundFen, 'ticket_change', now);
      }
      const updated = await getTicketItem(db, t.ticketId);
      if (updated) await issueTicket(db, updated, now);
    }
    const final = await getTicketItem(db, t.ticketId);
    logger.info('ticket changed', { ticketId: t.ticketId, orderId: order.id, diff });
    return { ticket: ticketView(final!), order: orderView(current, now), fareDifferenceFen: diff, refundFen, feeFen };
  }
  throw new ApiError(409, 'concurrent_update', 'Too many buyers at once for these seats; retry.', { headers: { 'retry-after': '1' } });
}
