/**
 * Fleet: quotas (regulator), pricing plans (operator), bike registration, batch
 * registration and retirement. The quota item's `registered` counter only changes in the
 * same transaction as the bike item it counts, under the condition `registered < maxBikes`.
 */
import { GetCommand, UpdateCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import type { Db } from '../../shared/db/client';
import { conflict, notFound, ApiError } from '../../shared/http/errors';
import { bikeKeys } from './keys';
import { cancellationReasons, transact } from './tx';
import { reasonAttr, strip, type BikeItem, type LatLng, type PricingItem, type QuotaItem, type VehicleType } from './model';

export interface Deps {
  db: Db;
  now: Date;
}

export async function setQuota({ db, now }: Deps, cityId: string, operatorId: string, maxBikes: number, operatorName?: string): Promise<QuotaItem> {
  const out = await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: bikeKeys.quota(cityId, operatorId),
      UpdateExpression:
        'SET maxBikes = :m, registered = if_not_exists(registered, :zero), cityId = :c, operatorId = :o, updatedAt = :now, #t = :type' + (operatorName ? ', operatorName = :name' : ''),
      ExpressionAttributeNames: { '#t': 'type' },
      ExpressionAttributeValues: { ':m': maxBikes, ':zero': 0, ':c': cityId, ':o': operatorId, ':now': now.toISOString(), ':type': 'BikeQuota', ...(operatorName ? { ':name': operatorName } : {}) },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return strip<QuotaItem>(out.Attributes!);
}

export async function getQuota(db: Db, cityId: string, operatorId: string): Promise<QuotaItem | undefined> {
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: bikeKeys.quota(cityId, operatorId), ConsistentRead: true }));
  return out.Item ? strip<QuotaItem>(out.Item) : undefined;
}

export async function setPricing({ db, now }: Deps, cityId: string, operatorId: string, plan: { startFeeFen: number; per15MinFen: number }): Promise<PricingItem> {
  const item: PricingItem = { cityId, operatorId, startFeeFen: plan.startFeeFen, per15MinFen: plan.per15MinFen, updatedAt: now.toISOString() };
  await db.doc.send(new PutCommand({ TableName: db.tableName, Item: { ...bikeKeys.pricing(cityId, operatorId), type: 'BikePricing', ...item } }));
  return item;
}

export async function getPricing(db: Db, cityId: string, operatorId: string): Promise<PricingItem | undefined> {
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: bikeKeys.pricing(cityId, operatorId) }));
  return out.Item ? strip<PricingItem>(out.Item) : undefined;
}

export interface NewBike {
  code: string;
  vehicleType: VehicleType;
  lockId?: string;
  location?: LatLng;
}

/** The stored bike item with its index attributes. */
export function bikeItem(b: BikeItem): Record<string, any> {
  const item: Record<string, any> = { ...bikeKeys.bike(b.code), type: 'Bike', ...b };
  if (b.status === 'AVAILABLE') {
    item.GSI1PK = bikeKeys.availableGsi(b.cityId, b.operatorId);
    item.GSI1SK = b.code;
  }
  if (b.status === 'IN_USE') {
    item.GSI3PK = bikeKeys.inUseGsi(b.cityId, b.operatorId);
    item.GSI3SK = b.code;
  }
  return item;
}

export function newBikeItem(cityId: string, operatorId: string, b: NewBike, now: Date): BikeItem {
  return {
    code: b.code,
    cityId,
    operatorId,
    vehicleType: b.vehicleType,
    ...(b.lockId ? { lockId: b.lockId } : {}),
    status: 'AVAILABLE',
    ...(b.location ? { location: b.location } : {}),
    publicId: randomUUID(),
    registeredAt: now.toISOString(),
    lastReportedAt: now.toISOString(),
  };
}

function quotaExceeded(cityId: string, maxBikes: number | undefined, registered: number | undefined) {
  return conflict(
    'quota_exceeded',
    maxBikes === undefined ? `Your company has no fleet quota in ${cityId}.` : `Your fleet in ${cityId} is at its cap of ${maxBikes} bikes.`,
    { extra: { cityId, maxBikes: maxBikes ?? 0, registered: registered ?? 0 } },
  );
}

/**
 * Registers one bike: quota counter +1 (condition registered < maxBikes) and the bike item
 * (condition: the code was never registered) in one transaction.
 */
export async function registerBike({ db, now }: Deps, cityId: string, operatorId: string, b: NewBike): Promise<BikeItem> {
  const bike = newBikeItem(cityId, operatorId, b, now);
  try {
    await transact(db, [
      {
        Update: {
          TableName: db.tableName,
          Key: bikeKeys.quota(cityId, operatorId),
          UpdateExpression: 'SET registered = registered + :one',
          ConditionExpression: 'attribute_exists(PK) AND registered < maxBikes',
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      { Put: { TableName: db.tableName, Item: bikeItem(bike), ConditionExpression: 'attribute_not_exists(PK)' } },
    ]);
  } catch (e) {
    const reasons = cancellationReasons(e);
    if (reasons[1]?.Code === 'ConditionalCheckFailed') throw conflict('duplicate_code', `Bike code ${b.code} is already registered (codes are unique nationally and never reused).`, { extra: { bikeCode: b.code } });
    if (reasons[0]?.Code === 'ConditionalCheckFailed') {
      const old = reasons[0].Item;
      throw quotaExceeded(cityId, reasonAttr(old, 'maxBikes') as number | undefined, reasonAttr(old, 'registered') as number | undefined);
    }
    throw e;
  }
  return bike;
}

export const BATCH_CHUNK = 25;

export interface ChunkReport {
  chunk: number;
  codes: string[];
  status: 'registered' | 'failed';
  code?: 'duplicate_code' | 'quota_exceeded' | 'concurrent_update';
  duplicateCodes?: string[];
  detail?: string;
}

/**
 * Registers up to 500 bikes in chunks of 25: each chunk is one transaction (all or nothing)
 * of the quota counter (+n, condition registered <= maxBikes - n, maxBikes as read) and its
 * bikes. Chunks are independent; the report says which went through.
 */
export async function registerBatch(deps: Deps, cityId: string, operatorId: string, bikes: NewBike[]) {
  const { db, now } = deps;
  const chunks: ChunkReport[] = [];
  let registered = 0;
  for (let i = 0; i * BATCH_CHUNK < bikes.length; i++) {
    const part = bikes.slice(i * BATCH_CHUNK, (i + 1) * BATCH_CHUNK);
    const codes = part.map((b) => b.code);
    const report = await registerChunk(deps, cityId, operatorId, part);
    chunks.push({ chunk: i, codes, ...report });
    if (report.status === 'registered') registered += part.length;
  }
  void now;
  return { cityId, operatorId, requested: bikes.length, registered, failed: bikes.length - registered, chunks };
}

async function registerChunk({ db, now }: Deps, cityId: string, operatorId: string, part: NewBike[]): Promise<Omit<ChunkReport, 'chunk' | 'codes'>> {
  // maxBikes can change between our read and the write: the condition pins it, and a
  // changed cap is re-read once.
  for (let attempt = 0; attempt < 2; attempt++) {
    const quota = await getQuota(db, cityId, operatorId);
    if (!quota || quota.registered + part.length > quota.maxBikes) {
      return { status: 'failed', code: 'quota_exceeded', detail: quota ? `Only ${Math.max(0, quota.maxBikes - quota.registered)} of the cap of ${quota.maxBikes} left.` : `No fleet quota in ${cityId}.` };
    }
    const items = part.map((b) => newBikeItem(cityId, operatorId, b, now));
    try {
      await transact(db, [
        {
          Update: {
            TableName: db.tableName,
            Key: bikeKeys.quota(cityId, operatorId),
            UpdateExpression: 'SET registered = registered + :n',
            ConditionExpression: 'attribute_exists(PK) AND maxBikes = :max AND registered <= :limit',
            ExpressionAttributeValues: { ':n': part.length, ':max': quota.maxBikes, ':limit': quota.maxBikes - part.length },
          },
        },
        ...items.map((it) => ({ Put: { TableName: db.tableName, Item: bikeItem(it), ConditionExpression: 'attribute_not_exists(PK)' } })),
      ]);
      return { status: 'registered' };
    } catch (e: any) {
      const reasons = cancellationReasons(e);
      const dups = part.filter((_, k) => reasons[k + 1]?.Code === 'ConditionalCheckFailed').map((b) => b.code);
      if (dups.length) return { status: 'failed', code: 'duplicate_code', duplicateCodes: dups, detail: 'Some codes are already registered.' };
      if (reasons[0]?.Code === 'ConditionalCheckFailed') continue; // re-read the quota
      if (reasons.some((r) => r?.Code === 'TransactionConflict')) return { status: 'failed', code: 'concurrent_update', detail: 'Another request changed the same data; retry this chunk.' };
      throw e;
    }
  }
  return { status: 'failed', code: 'quota_exceeded', detail: 'The fleet reached its cap while this chunk was being registered.' };
}

export async function getBike(db: Db, code: string, consistent = false): Promise<BikeItem | undefined> {
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: bikeKeys.bike(code), ConsistentRead: consistent }));
  return out.Item ? strip<BikeItem>(out.Item) : undefined;
}

/** Retires a parked bike of this operator and frees its quota, in one transaction. */
export async function retireBike({ db, now }: Deps, operatorId: string, code: string): Promise<void> {
  const bike = await getBike(db, code, true);
  if (!bike || bike.operatorId !== operatorId || bike.status === 'RETIRED') throw notFound('bike_not_found', 'No such bike in your fleet.');
  try {
    await transact(db, [
      {
        Update: {
          TableName: db.tableName,
          Key: bikeKeys.bike(code),
          UpdateExpression: 'SET #s = :retired, retiredAt = :now REMOVE GSI1PK, GSI1SK, GSI3PK, GSI3SK',
          ConditionExpression: '#s = :available AND operatorId = :op',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':retired': 'RETIRED', ':available': 'AVAILABLE', ':now': now.toISOString(), ':op': operatorId },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        Update: {
          TableName: db.tableName,
          Key: bikeKeys.quota(bike.cityId, operatorId),
          UpdateExpression: 'SET registered = registered - :one',
          ConditionExpression: 'attribute_exists(PK) AND registered > :zero',
          ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
        },
      },
    ]);
  } catch (e) {
    const reasons = cancellationReasons(e);
    if (reasons[0]?.Code === 'ConditionalCheckFailed') {
      const status = reasonAttr(reasons[0].Item, 'status');
      if (status === 'IN_USE') throw conflict('bike_in_use', 'The bike is on a ride; retire it after the ride ends.');
      throw notFound('bike_not_found', 'No such bike in your fleet.');
    }
    if (reasons[1]?.Code === 'ConditionalCheckFailed') throw new ApiError(409, 'quota_counter_mismatch', 'The fleet counter is inconsistent; contact the regulator.');
    throw e;
  }
}
