/**
 * Rides: unlock (exactly one rider wins a bike; one open ride per rider) and lock (parking
 * rules, fare, and the order to pay, written in one transaction with the ride's end).
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import type { Db } from '../../shared/db/client';
import { newId } from '../../shared/domain/ids';
import { serviceDay } from '../../shared/domain/time';
import { ApiError, badRequest, conflict, forbidden, notFound, unprocessable } from '../../shared/http/errors';
import { createOrder } from '../../shared/orders/create';
import { effectiveStatus, orderKeys, orderView, type Order, type TxItem } from '../../shared/orders/model';
import { bikeKeys } from './keys';
import { cancellationReasons, retryOnConflict, transact } from './tx';
import { reasonAttr, strip, type LatLng, type RideItem } from './model';
import { getBike, getPricing, type Deps } from './fleet';
import { getRider } from './riders';
import { listZones } from './zones';
import { parkingVerdict } from './geo';
import { rideFareFen } from './fare';

/** Unpaid ride orders stay payable for 30 days (HOLD_SECONDS overrides it in test stacks). */
export const RIDE_ORDER_HOLD_SECONDS = 30 * 24 * 3600;

export function rideItem(r: RideItem): Record<string, any> {
  return {
    ...bikeKeys.ride(r.id),
    type: 'BikeRide',
    ...r,
    GSI1PK: bikeKeys.userRidesGsi(r.userId),
    GSI1SK: `${r.startedAt}#${r.id}`,
    GSI3PK: bikeKeys.ridesDayGsi(r.cityId, r.operatorId, serviceDay(r.startedAt)),
    GSI3SK: `${r.startedAt}#${r.id}`,
  };
}

export async function getRide(db: Db, rideId: string): Promise<RideItem | undefined> {
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: bikeKeys.ride(rideId), ConsistentRead: true }));
  return out.Item ? strip<RideItem>(out.Item) : undefined;
}

async function assertNoUnpaidRide(db: Db, orderId: string | undefined, now: Date) {
  if (!orderId) return;
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: orderKeys.order(orderId), ConsistentRead: true }));
  const order = out.Item as Order | undefined;
  if (order && effectiveStatus(order, now) === 'PENDING_PAYMENT') {
    throw unprocessable('unpaid_ride', 'Pay for your previous ride before unlocking another bike.', { extra: { orderId } });
  }
}

export async function unlockBike({ db, now }: Deps, userId: string, code: string, location: LatLng): Promise<RideItem> {
  const rider = await getRider(db, userId, true);
  if (!rider) throw forbidden('rider_not_registered', 'Register as a rider with your real name first (POST /v1/bikes/riders).');
  if (rider.openRideId) throw conflict('ride_in_progress', 'You already have a ride in progress; lock that bike first.', { extra: { rideId: rider.openRideId } });
  await assertNoUnpaidRide(db, rider.unpaidOrderId, now);
  const bike = await getBike(db, code, true);
  if (!bike || bike.status === 'RETIRED') throw notFound('bike_not_found', 'No such bike.');
  if (bike.status === 'IN_USE') throw conflict('bike_in_use', 'Someone else is riding this bike.');
  const pricing = await getPricing(db, bike.cityId, bike.operatorId);
  if (!pricing) throw unprocessable('bike_unavailable', 'This bike cannot be rented yet: its operator has no pricing plan in this city.');
  const ride: RideItem = {
    id: newId('rid'),
    userId,
    bikeCode: code,
    cityId: bike.cityId,
    operatorId: bike.operatorId,
    vehicleType: bike.vehicleType,
    status: 'OPEN',
    startedAt: now.toISOString(),
    startLocation: location,
    pricing: { startFeeFen: pricing.startFeeFen, per15MinFen: pricing.per15MinFen },
  };
  try {
    await transact(db, [
      {
        Update: {
          TableName: db.tableName,
          Key: bikeKeys.bike(code),
          UpdateExpression: 'SET #s = :inUse, currentRideId = :rid, GSI3PK = :g3pk, GSI3SK = :code, lastReportedAt = :now REMOVE GSI1PK, GSI1SK',
          ConditionExpression: '#s = :available',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':inUse': 'IN_USE',
            ':available': 'AVAILABLE',
            ':rid': ride.id,
            ':g3pk': bikeKeys.inUseGsi(bike.cityId, bike.operatorId),
            ':code': code,
            ':now': now.toISOString(),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        Update: {
          TableName: db.tableName,
          Key: bikeKeys.rider(userId),
          UpdateExpression: 'SET openRideId = :rid',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(openRideId)',
          ExpressionAttributeValues: { ':rid': ride.id },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      { Put: { TableName: db.tableName, Item: rideItem(ride), ConditionExpression: 'attribute_not_exists(PK)' } },
    ]);
  } catch (e) {
    const reasons = cancellationReasons(e);
    if (reasons[0]?.Code === 'ConditionalCheckFailed') {
      const status = reasonAttr(reasons[0].Item, 'status');
      if (status === 'IN_USE') throw conflict('bike_in_use', 'Someone else is riding this bike.');
      throw notFound('bike_not_found', 'No such bike.');
    }
    if (reasons[1]?.Code === 'ConditionalCheckFailed') {
      if (!reasons[1].Item) throw forbidden('rider_not_registered', 'Register as a rider with your real name first.');
      throw conflict('ride_in_progress', 'You already have a ride in progress; lock that bike first.', { extra: { rideId: reasonAttr(reasons[1].Item, 'openRideId') } });
    }
    throw e;
  }
  return ride;
}

export interface LockResult {
  ride: RideItem;
  order?: Order;
}

export async function lockRide({ db, now }: Deps, userId: string, rideId: string, location: LatLng): Promise<LockResult> {
  const ride = await getRide(db, rideId);
  if (!ride || ride.userId !== userId) throw notFound('ride_not_found', 'No such ride.');
  if (ride.status !== 'OPEN') throw conflict('ride_already_ended', 'This ride has already ended.', { extra: { rideId } });
  const zones = await listZones(db, ride.cityId);
  const verdict = parkingVerdict(zones, location.lng, location.lat);
  if (!verdict.ok) {
    throw unprocessable(
      'outside_parking_zone',
      verdict.reason === 'no_parking_zone' ? 'Parking is not allowed here (no-parking zone); the ride continues.' : 'Park inside a parking zone; the ride continues.',
      { extra: { reason: verdict.reason, ...(verdict.noParkingZoneId ? { noParkingZoneId: verdict.noParkingZoneId } : {}), ...(verdict.nearest ? { nearestParkingZone: verdict.nearest } : {}) } },
    );
  }
  const startedAt = new Date(ride.startedAt);
  const endedAt = now.getTime() < startedAt.getTime() ? startedAt : now;
  const fareFen = rideFareFen(ride.pricing, startedAt, endedAt);
  const durationSeconds = Math.round((endedAt.getTime() - startedAt.getTime()) / 1000);

  return retryOnConflict(async () => {
    const orderId = fareFen > 0 ? newId('ord') : undefined;
    const inventory: TxItem[] = [
      {
        Update: {
          TableName: db.tableName,
          Key: bikeKeys.ride(rideId),
          UpdateExpression:
            'SET #s = :ended, endedAt = :end, endLocation = :loc, durationSeconds = :dur, fareFen = :fare, paymentStatus = :pay' + (orderId ? ', orderId = :oid' : ''),
          ConditionExpression: '#s = :open',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':ended': 'ENDED',
            ':open': 'OPEN',
            ':end': endedAt.toISOString(),
            ':loc': location,
            ':dur': durationSeconds,
            ':fare': fareFen,
            ':pay': orderId ? 'DUE' : 'NONE',
            ...(orderId ? { ':oid': orderId } : {}),
          },
        },
      },
      {
        Update: {
          TableName: db.tableName,
          Key: bikeKeys.bike(ride.bikeCode),
          UpdateExpression:
            'SET #s = :available, #loc = :loc, publicId = :pid, lastReportedAt = :end, GSI1PK = :g1pk, GSI1SK = :code REMOVE currentRideId, GSI3PK, GSI3SK',
          ConditionExpression: 'currentRideId = :rid',
          ExpressionAttributeNames: { '#s': 'status', '#loc': 'location' },
          ExpressionAttributeValues: {
            ':available': 'AVAILABLE',
            ':loc': location,
            ':pid': randomUUID(),
            ':end': endedAt.toISOString(),
            ':g1pk': bikeKeys.availableGsi(ride.cityId, ride.operatorId),
            ':code': ride.bikeCode,
            ':rid': rideId,
          },
        },
      },
      {
        Update: {
          TableName: db.tableName,
          Key: bikeKeys.rider(userId),
          UpdateExpression: 'REMOVE openRideId' + (orderId ? ' SET unpaidOrderId = :oid' : ''),
          ConditionExpression: 'openRideId = :rid',
          ExpressionAttributeValues: { ':rid': rideId, ...(orderId ? { ':oid': orderId } : {}) },
        },
      },
    ];
    const ended: RideItem = {
      ...ride,
      status: 'ENDED',
      endedAt: endedAt.toISOString(),
      endLocation: location,
      durationSeconds,
      fareFen,
      paymentStatus: orderId ? 'DUE' : 'NONE',
      ...(orderId ? { orderId } : {}),
    };
    const mapFailure = (idx: number): ApiError => {
      if (idx === 0) return conflict('ride_already_ended', 'This ride has already ended.', { extra: { rideId } });
      return conflict('concurrent_update', 'The bike or rider changed meanwhile; retry.');
    };
    if (!orderId) {
      try {
        await transact(db, inventory, { attempts: 1 });
      } catch (e) {
        const idx = cancellationReasons(e).findIndex((r) => r?.Code === 'ConditionalCheckFailed');
        if (idx >= 0) throw mapFailure(idx);
        throw e;
      }
      return { ride: ended };
    }
    const order = await createOrder(
      db,
      {
        id: orderId,
        kind: 'bike',
        userId,
        title: `共享单车骑行 ${ride.bikeCode}`,
        amountFen: fareFen,
        items: [
          {
            type: 'bike_ride',
            rideId,
            bikeCode: ride.bikeCode,
            operatorId: ride.operatorId,
            cityId: ride.cityId,
            startedAt: ride.startedAt,
            endedAt: endedAt.toISOString(),
            durationSeconds,
            fareFen,
          },
        ],
        ref: { rideId, bikeCode: ride.bikeCode, cityId: ride.cityId, operatorId: ride.operatorId },
        holdSeconds: RIDE_ORDER_HOLD_SECONDS,
      },
      inventory,
      (idx) => mapFailure(idx),
      now,
    );
    return { ride: ended, order };
  });
}

export function lockView(r: LockResult, now: Date) {
  return { fareFen: r.ride.fareFen ?? 0, paymentRequired: !!r.order && r.order.status === 'PENDING_PAYMENT', ...(r.order ? { order: orderView(r.order, now) } : {}) };
}

function encodeCursor(k: Record<string, any>) {
  return Buffer.from(JSON.stringify(k)).toString('base64url');
}
function decodeCursor(c: string, pk: string): Record<string, any> {
  try {
    const k = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    if (k && typeof k === 'object' && k.GSI1PK === pk && typeof k.PK === 'string' && typeof k.SK === 'string' && typeof k.GSI1SK === 'string' && Object.keys(k).length === 4) return k;
  } catch {
    /* fall through */
  }
  throw badRequest('invalid_cursor', 'The cursor is not valid here.', { errors: [{ field: '/query/cursor', message: 'is invalid' }] });
}

/** A rider's rides, newest first (GSI1, one page). */
export async function listMyRides(db: Db, userId: string, limit: number, cursor?: string) {
  const pk = bikeKeys.userRidesGsi(userId);
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ScanIndexForward: false,
      Limit: limit,
      ...(cursor ? { ExclusiveStartKey: decodeCursor(cursor, pk) } : {}),
    }),
  );
  return { items: (out.Items ?? []).map((it) => strip<RideItem>(it)), nextCursor: out.LastEvaluatedKey ? encodeCursor(out.LastEvaluatedKey) : undefined };
}

/** Marks a ride paid once its order's charge is paid (idempotent). */
export async function markRidePaid(db: Db, rideId: string, userId: string, orderId: string) {
  const ignoreCondition = (e: any) => {
    if (e?.name !== 'ConditionalCheckFailedException') throw e;
  };
  await db.doc
    .send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: bikeKeys.ride(rideId),
        UpdateExpression: 'SET paymentStatus = :paid',
        ConditionExpression: 'orderId = :oid',
        ExpressionAttributeValues: { ':paid': 'PAID', ':oid': orderId },
      }),
    )
    .catch(ignoreCondition);
  await db.doc
    .send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: bikeKeys.rider(userId),
        UpdateExpression: 'REMOVE unpaidOrderId',
        ConditionExpression: 'unpaidOrderId = :oid',
        ExpressionAttributeValues: { ':oid': orderId },
      }),
    )
    .catch(ignoreCondition);
}
