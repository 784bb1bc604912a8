/** Reads shared by parking's use cases (spots, reservations and the orders they belong to). */
import { BatchGetCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../shared/db/client';
import { badRequest } from '../../shared/http/errors';
import { orderKeys, type Order } from '../../shared/orders/model';
import { parkingKeys } from './keys';
import type { AvailabilityWindow, Blackout } from './rules';

export interface SpotItem {
  PK: string;
  SK: string;
  type: 'ParkingSpot';
  spotId: string;
  ownerId: string;
  title: string;
  address: string;
  city: string;
  lat: number;
  lng: number;
  geohash: string;
  pricePerHourFen: number;
  dailyCapFen?: number;
  availability: AvailabilityWindow[];
  blackouts: Blackout[];
  features: string[];
  accessNotes?: string;
  active: boolean;
  createdAt: string;
  updatedAt: string;
  /** Bumped by every owner change; a reservation is conditional on it. */
  version: number;
  /** Bumped by every reservation; an owner change is conditional on it (no reservation slips past its conflict check). */
  resSeq: number;
  GSI1PK?: string;
  GSI1SK?: string;
  GSI3PK: string;
  GSI3SK: string;
}

export interface ReservationItem {
  PK: string;
  SK: string;
  type: 'ParkingReservation';
  orderId: string;
  spotId: string;
  ownerId: string;
  driverId: string;
  /** UTC ISO instants of the (aligned) window. */
  start: string;
  end: string;
  plate: string;
  priceFen: number;
  createdAt: string;
  checkedInAt?: string;
  checkedOutAt?: string;
  overstayFen?: number;
  overstayQuarters?: number;
}

export async function getSpot(db: Db, spotId: string, consistent = true): Promise<SpotItem | undefined> {
  const r = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: parkingKeys.spot(spotId), ConsistentRead: consistent }));
  return r.Item as SpotItem | undefined;
}

/** BatchGetItem over any number of keys (chunks of 100, retries unprocessed keys). */
export async function batchGet(db: Db, keys: { PK: string; SK: string }[], consistent = false): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  const chunks: { PK: string; SK: string }[][] = [];
  for (let i = 0; i < keys.length; i += 100) chunks.push(keys.slice(i, i + 100));
  await Promise.all(
    chunks.map(async (chunk) => {
      let pending: Record<string, any>[] | undefined = chunk;
      for (let attempt = 0; pending && pending.length; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
        const r: any = await db.doc.send(new BatchGetCommand({ RequestItems: { [db.tableName]: { Keys: pending, ConsistentRead: consistent } } }));
        out.push(...(r.Responses?.[db.tableName] ?? []));
        pending = r.UnprocessedKeys?.[db.tableName]?.Keys;
        if (attempt > 8 && pending?.length) throw Object.assign(new Error('batch get kept leaving keys unprocessed'), { name: 'ThrottlingException' });
      }
    }),
  );
  return out;
}

export async function getOrders(db: Db, orderIds: string[]): Promise<Map<string, Order>> {
  const items = await batchGet(db, orderIds.map((id) => orderKeys.order(id)), true);
  return new Map(items.map((i) => [i.id as string, i as unknown as Order]));
}

/** Reservations of a spot ending after `afterIso` (UTC ISO), oldest end first. Grows with the spot's future reservations. */
export async function reservationsEndingAfter(db: Db, spotId: string, afterIso: string): Promise<ReservationItem[]> {
  const out: ReservationItem[] = [];
  let ExclusiveStartKey: Record<string, any> | undefined;
  do {
    const r = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :lo AND :hi',
        ExpressionAttributeValues: { ':pk': parkingKeys.spot(spotId).PK, ':lo': `${parkingKeys.reservationPrefix}${afterIso}~`, ':hi': `${parkingKeys.reservationPrefix}~` },
        ConsistentRead: true,
        ExclusiveStartKey,
      }),
    );
    out.push(...((r.Items ?? []) as ReservationItem[]));
    ExclusiveStartKey = r.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return out;
}

export const encodeCursor = (k: Record<string, any> | undefined) => (k ? Buffer.from(JSON.stringify(k)).toString('base64url') : undefined);
export function decodeCursor(c: string | undefined, pkAttr: 'PK' | 'GSI3PK', pk: string): Record<string, any> | undefined {
  if (!c) return undefined;
  let k: any;
  try {
    k = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
  } catch {
    k = undefined;
  }
  if (!k || typeof k !== 'object' || Object.values(k).some((v) => typeof v !== 'string') || k[pkAttr] !== pk) {
    throw badRequest('invalid_cursor', 'The cursor is not valid for this list.');
  }
  return k;
}
