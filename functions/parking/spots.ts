/** Owners: list a spot, change it (without breaking paid reservations), see their spots and reservations. */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../shared/db/client';
import { newId } from '../../shared/domain/ids';
import { parseIso, toShanghaiIso } from '../../shared/domain/time';
import { ApiError, badRequest, conflict, notFound } from '../../shared/http/errors';
import { logger } from '../../shared/http/logger';
import { effectiveStatus, paidFen, type Order } from '../../shared/orders/model';
import { cancelOrder, notifyUser, refundOrder } from '../../shared/orders/service';
import { geohashEncode } from './geohash';
import { GEO_PRECISION, parkingKeys } from './keys';
import { RuleError, firstUnavailableSlot, floorSlot, weeklyMask, type AvailabilityWindow, type Blackout } from './rules';
import { decodeCursor, encodeCursor, getOrders, getSpot, reservationsEndingAfter, type ReservationItem, type SpotItem } from './store';

export interface SpotInput {
  title: string;
  address: string;
  city: string;
  location: { lat: number; lng: number };
  pricePerHourFen: number;
  dailyCapFen?: number;
  availability: AvailabilityWindow[];
  blackouts?: Blackout[];
  features?: string[];
  accessNotes?: string;
}

export interface SpotPatch {
  title?: string;
  address?: string;
  pricePerHourFen?: number;
  dailyCapFen?: number | null;
  availability?: AvailabilityWindow[];
  blackouts?: Blackout[];
  features?: string[];
  accessNotes?: string | null;
  active?: boolean;
  force?: boolean;
}

const asBadRequest = (e: unknown) => {
  if (e instanceof RuleError) return badRequest(e.code, e.detail, { errors: [{ field: e.field ?? '/body', message: e.detail }] });
  return e;
};

function checkWindows(availability: AvailabilityWindow[]) {
  try {
    weeklyMask(availability);
  } catch (e) {
    throw asBadRequest(e);
  }
}

function normaliseBlackouts(list: Blackout[] | undefined): Blackout[] {
  return (list ?? []).map((b, i) => {
    const s = parseIso(b.start);
    const e = parseIso(b.end);
    if (!s || !e || e.getTime() <= s.getTime()) {
      throw badRequest('invalid_blackout', 'A blackout needs start < end (ISO 8601 with offset).', { errors: [{ field: `/body/blackouts/${i}`, message: 'end must be after start' }] });
    }
    return { start: s.toISOString(), end: e.toISOString() };
  });
}

function indexKeys(spot: Pick<SpotItem, 'active' | 'geohash' | 'spotId'>) {
  return spot.active ? { GSI1PK: parkingKeys.geoCell(spot.geohash.slice(0, GEO_PRECISION)), GSI1SK: `${spot.geohash}#${spot.spotId}` } : {};
}

export async function createSpot(db: Db, ownerId: string, input: SpotInput, now: Date, spotId: string = newId('spt')): Promise<SpotItem> {
  checkWindows(input.availability);
  const blackouts = normaliseBlackouts(input.blackouts);
  const geohash = geohashEncode(input.location.lat, input.location.lng, 9);
  const base = {
    ...parkingKeys.spot(spotId),
    type: 'ParkingSpot' as const,
    spotId,
    ownerId,
    title: input.title,
    address: input.address,
    city: input.city,
    lat: input.location.lat,
    lng: input.location.lng,
    geohash,
    pricePerHourFen: input.pricePerHourFen,
    ...(input.dailyCapFen !== undefined ? { dailyCapFen: input.dailyCapFen } : {}),
    availability: input.availability,
    blackouts,
    features: [...new Set(input.features ?? [])],
    ...(input.accessNotes ? { accessNotes: input.accessNotes } : {}),
    active: true,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
    resSeq: 0,
    GSI3PK: parkingKeys.owner(ownerId),
    GSI3SK: `${now.toISOString()}#${spotId}`,
  };
  const item: SpotItem = { ...base, ...indexKeys(base) };
  await db.doc.send(new PutCommand({ TableName: db.tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' }));
  return item;
}

/** What the owner sees. */
export function spotOwnerView(s: SpotItem) {
  return {
    ...spotPublicView(s),
    ownerId: s.ownerId,
    blackouts: s.blackouts.map((b) => ({ start: toShanghaiIso(b.start), end: toShanghaiIso(b.end) })),
    ...(s.accessNotes ? { accessNotes: s.accessNotes } : {}),
    active: s.active,
    createdAt: toShanghaiIso(s.createdAt),
    updatedAt: toShanghaiIso(s.updatedAt),
  };
}

/** What any driver sees (no blackouts, which reveal the owner's plans, and no access notes until booked). */
export function spotPublicView(s: SpotItem) {
  return {
    spotId: s.spotId,
    title: s.title,
    address: s.address,
    city: s.city,
    location: { lat: s.lat, lng: s.lng },
    pricePerHourFen: s.pricePerHourFen,
    ...(s.dailyCapFen !== undefined ? { dailyCapFen: s.dailyCapFen } : {}),
    availability: s.availability,
    features: s.features,
  };
}

/** The owner's spot or 404 (also for another user's spot: its existence is not revealed). */
export async function ownSpot(db: Db, ownerId: string, spotId: string): Promise<SpotItem> {
  const s = await getSpot(db, spotId);
  if (!s || s.ownerId !== ownerId) throw notFound('spot_not_found', 'No such parking spot.');
  return s;
}

/** A reservation that still holds time on the spot: its order is live (paid, or an unexpired hold) and it is not checked out. */
export interface LiveReservation {
  res: ReservationItem;
  order: Order;
  status: 'PAID' | 'PENDING_PAYMENT';
}

export async function liveReservations(db: Db, spotId: string, now: Date): Promise<LiveReservation[]> {
  const items = (await reservationsEndingAfter(db, spotId, now.toISOString())).filter((r) => !r.checkedOutAt);
  if (!items.length) return [];
  const orders = await getOrders(db, items.map((r) => r.orderId));
  const out: LiveReservation[] = [];
  for (const res of items) {
    const order = orders.get(res.orderId);
    if (!order) continue;
    const st = effectiveStatus(order, now);
    if (st === 'PAID' || st === 'PENDING_PAYMENT') out.push({ res, order, status: st });
  }
  return out;
}

/** The live reservations a spot configuration would break (only their future part counts). */
export function conflictingReservations(spot: Pick<SpotItem, 'active' | 'availability' | 'blackouts'>, live: LiveReservation[], now: Date): LiveReservation[] {
  if (!spot.active) return live;
  const mask = weeklyMask(spot.availability);
  return live.filter(({ res }) => {
    const from = Math.max(Date.parse(res.start), floorSlot(now.getTime()));
    return firstUnavailableSlot(spot, from, Date.parse(res.end), mask) !== undefined;
  });
}

const conflictView = (l: LiveReservation) => ({
  orderId: l.res.orderId,
  start: toShanghaiIso(l.res.start),
  end: toShanghaiIso(l.res.end),
  plate: l.res.plate,
  status: l.status,
  checkedIn: Boolean(l.res.checkedInAt),
});

const MAX_ATTEMPTS = 3;

/**
 * Applies an owner's change. A change that would break live reservations is refused with
 * 409 conflicts_with_reservations listing them, unless `force`: then the spot changes and
 * each conflicting paid reservation is refunded in full (unpaid holds are cancelled).
 * A reservation in progress (checked in) is never force-cancelled: 409 conflicts_with_checked_in.
 * The write is conditional on the spot's reservation sequence, so no reservation can slip
 * in between the conflict check and the change.
 */
export async function updateSpot(db: Db, ownerId: string, spotId: string, patch: SpotPatch, now: Date) {
  if (patch.availability) checkWindows(patch.availability);
  const blackouts = patch.blackouts ? normaliseBlackouts(patch.blackouts) : undefined;
  for (let attempt = 1; ; attempt++) {
    const cur = await ownSpot(db, ownerId, spotId);
    const next: SpotItem = {
      ...cur,
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(patch.address !== undefined ? { address: patch.address } : {}),
      ...(patch.pricePerHourFen !== undefined ? { pricePerHourFen: patch.pricePerHourFen } : {}),
      ...(patch.availability ? { availability: patch.availability } : {}),
      ...(blackouts ? { blackouts } : {}),
      ...(patch.features ? { features: [...new Set(patch.features)] } : {}),
      ...(patch.active !== undefined ? { active: patch.active } : {}),
      updatedAt: now.toISOString(),
      version: cur.version + 1,
    };
    if (patch.dailyCapFen === null) delete next.dailyCapFen;
    else if (patch.dailyCapFen !== undefined) next.dailyCapFen = patch.dailyCapFen;
    if (patch.accessNotes === null || patch.accessNotes === '') delete next.accessNotes;
    else if (patch.accessNotes !== undefined) next.accessNotes = patch.accessNotes;
    delete next.GSI1PK;
    delete next.GSI1SK;
    Object.assign(next, indexKeys(next));

    const scheduleChanged = patch.availability !== undefined || blackouts !== undefined || patch.active === false;
    const conflicts = scheduleChanged ? conflictingReservations(next, await liveReservations(db, spotId, now), now) : [];
    if (conflicts.length && !patch.force) {
      throw conflict('conflicts_with_reservations', `This change would break ${conflicts.length} reservation(s); send force: true to cancel and refund them in full.`, {
        extra: { reservations: conflicts.map(conflictView) },
      });
    }
    const inProgress = conflicts.filter((c) => c.res.checkedInAt);
    if (inProgress.length) {
      throw conflict('conflicts_with_checked_in', 'A driver is parked in a reservation this change would break; wait until they check out.', {
        extra: { reservations: inProgress.map(conflictView) },
      });
    }
    try {
      await db.doc.send(
        new PutCommand({
          TableName: db.tableName,
          Item: next,
          ConditionExpression: 'version = :v AND resSeq = :s',
          ExpressionAttributeValues: { ':v': cur.version, ':s': cur.resSeq },
        }),
      );
    } catch (e: any) {
      if (e?.name === 'ConditionalCheckFailedException') {
        if (attempt < MAX_ATTEMPTS) continue;
        throw new ApiError(409, 'concurrent_update', 'The spot changed while saving (a new reservation or another edit); retry.', { headers: { 'retry-after': '1' } });
      }
      throw e;
    }
    const cancelled = [];
    for (const c of conflicts) {
      cancelled.push(conflictView(c));
      await cancelForOwner(db, c, now);
    }
    return { spot: next, cancelledReservations: cancelled };
  }
}

async function cancelForOwner(db: Db, c: LiveReservation, now: Date) {
  try {
    if (c.status === 'PAID') await refundOrder(db, c.order, { full: true, reason: 'owner_cancelled', now });
    else await cancelOrder(db, c.order, { reason: 'owner_cancelled', now });
  } catch (e) {
    // Already refunded/cancelled by a concurrent request: the reservation is gone either way.
    if (e instanceof ApiError && e.status === 409) return;
    throw e;
  }
  try {
    await notifyUser(db, c.order.userId, {
      type: 'parking_cancelled_by_owner',
      title: '车位预约已取消',
      body: `车主调整了车位开放时间，您 ${toShanghaiIso(c.res.start)} 起的预约已取消并全额退款。`,
      orderId: c.order.id,
    }, now);
  } catch (e) {
    logger.warn('could not notify the driver', { orderId: c.order.id, error: (e as Error).message });
  }
}

export async function listMySpots(db: Db, ownerId: string, limit: number, cursor?: string) {
  const pk = parkingKeys.owner(ownerId);
  const r = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: 'GSI3',
      KeyConditionExpression: 'GSI3PK = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, 'GSI3PK', pk),
    }),
  );
  return { items: ((r.Items ?? []) as SpotItem[]).map(spotOwnerView), ...(r.LastEvaluatedKey ? { nextCursor: encodeCursor(r.LastEvaluatedKey) } : {}) };
}

/** The owner's view of a spot's reservations, latest end first: plate, times, status, earnings. */
export async function listSpotReservations(db: Db, ownerId: string, spotId: string, limit: number, cursor: string | undefined, now: Date) {
  await ownSpot(db, ownerId, spotId);
  const pk = parkingKeys.spot(spotId).PK;
  const r = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
      ExpressionAttributeValues: { ':pk': pk, ':p': parkingKeys.reservationPrefix },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, 'PK', pk),
    }),
  );
  const items = (r.Items ?? []) as ReservationItem[];
  const orders = items.length ? await getOrders(db, items.map((i) => i.orderId)) : new Map<string, Order>();
  return {
    items: items.map((res) => {
      const order = orders.get(res.orderId);
      const paid = order ? paidFen(order) : 0;
      const refunded = order?.refund?.amountFen ?? 0;
      return {
        orderId: res.orderId,
        start: toShanghaiIso(res.start),
        end: toShanghaiIso(res.end),
        plate: res.plate,
        status: order ? effectiveStatus(order, now) : 'UNKNOWN',
        priceFen: res.priceFen,
        earningsFen: Math.max(0, paid - refunded),
        ...(res.checkedInAt ? { checkedInAt: toShanghaiIso(res.checkedInAt) } : {}),
        ...(res.checkedOutAt ? { checkedOutAt: toShanghaiIso(res.checkedOutAt) } : {}),
        ...(res.overstayFen ? { overstayFen: res.overstayFen } : {}),
      };
    }),
    ...(r.LastEvaluatedKey ? { nextCursor: encodeCursor(r.LastEvaluatedKey) } : {}),
  };
}
