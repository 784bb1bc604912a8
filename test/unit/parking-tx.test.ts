/**
 * SDK failure paths DynamoDB Local never produces: TransactionConflict on the reservation
 * transaction (bounded retry, then 409 concurrent_update), the precise 409s from a
 * cancelled transaction, and an owner change racing a reservation.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { createDb } from '../../shared/db/client';
import { reserve } from '../../functions/parking/reservations';
import { updateSpot } from '../../functions/parking/spots';
import { toApiError } from '../../shared/http/handler';
import { ApiError } from '../../shared/http/errors';

const ddb = mockClient(DynamoDBDocumentClient);
afterEach(() => ddb.reset());

const db = () => createDb({ endpoint: 'http://127.0.0.1:1', tableName: 'unit', region: 'cn-north-1' });
const now = new Date('2026-05-01T02:00:00Z');
const SPOT_ID = 'spt_00000000000000000000DSH001';
const spot = {
  PK: `PSPOT#${SPOT_ID}`,
  SK: 'SPOT',
  type: 'ParkingSpot',
  spotId: SPOT_ID,
  ownerId: 'owner',
  title: 't',
  address: 'a',
  city: 'shanghai',
  lat: 31.2,
  lng: 121.4,
  geohash: 'wtw3s',
  pricePerHourFen: 1000,
  availability: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' }],
  blackouts: [],
  features: [],
  active: true,
  createdAt: now.toISOString(),
  updatedAt: now.toISOString(),
  version: 3,
  resSeq: 7,
  GSI3PK: 'POWNER#owner',
  GSI3SK: 'x',
};
const input = { spotId: SPOT_ID, start: '2026-05-02T10:00:00+08:00', end: '2026-05-02T12:00:00+08:00', plate: '沪A12345' };

const cancelled = (codes: string[]) =>
  new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });

describe('reserve on TransactionConflict', () => {
  it('retries with a fresh order id and succeeds', async () => {
    ddb.on(GetCommand).resolves({ Item: spot });
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled(['TransactionConflict', 'None', 'None', 'None', 'None'])).resolves({});
    const r = await reserve(db(), 'driver', input, now);
    expect(r.kind).toBe('parking');
    const calls = ddb.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(2);
    expect(new Set(calls.map((c) => c.args[0].input.ClientRequestToken)).size).toBe(2);
    // the transaction: spot guard, one day, reservation, order, charge link
    const items = calls[1].args[0].input.TransactItems!;
    expect(items).toHaveLength(5);
    expect(items[0].Update?.ConditionExpression).toBe('active = :true AND version = :v');
    expect(items[1].Update?.ConditionExpression).toContain('NOT contains(taken, :s7)');
  });

  it('gives up after bounded attempts: 409 concurrent_update', async () => {
    ddb.on(GetCommand).resolves({ Item: spot });
    ddb.on(TransactWriteCommand).rejects(cancelled(['TransactionConflict', 'None', 'None', 'None', 'None']));
    const err = await reserve(db(), 'driver', input, now).catch((e) => e);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(4);
    expect(toApiError(err)).toMatchObject({ status: 409, code: 'concurrent_update' });
  });

  it('a failed day condition is 409 slot_taken (after looking for stale holds)', async () => {
    ddb.on(GetCommand).resolves({ Item: spot });
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(TransactWriteCommand).rejects(cancelled(['None', 'ConditionalCheckFailed', 'None', 'None', 'None']));
    const err = await reserve(db(), 'driver', input, now).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: 'slot_taken' });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('a changed spot version is retried with the fresh spot', async () => {
    ddb.on(GetCommand).resolvesOnce({ Item: spot }).resolves({ Item: { ...spot, version: 4 } });
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled(['ConditionalCheckFailed', 'None', 'None', 'None', 'None'])).resolves({});
    await reserve(db(), 'driver', input, now);
    const calls = ddb.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1].args[0].input.TransactItems![0].Update?.ExpressionAttributeValues?.[':v']).toBe(4);
  });
});

describe('updateSpot racing a reservation', () => {
  it('retries when resSeq moved, then gives up with 409 concurrent_update', async () => {
    ddb.on(GetCommand).resolves({ Item: spot });
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    const err = await updateSpot(db(), 'owner', SPOT_ID, { availability: [{ days: [1], start: '08:00', end: '18:00' }] }, now).catch((e) => e);
    expect(err).toMatchObject({ status: 409, code: 'concurrent_update' });
    const puts = ddb.commandCalls(PutCommand);
    expect(puts).toHaveLength(3);
    expect(puts[0].args[0].input.ConditionExpression).toBe('version = :v AND resSeq = :s');
    expect(puts[0].args[0].input.ExpressionAttributeValues).toEqual({ ':v': 3, ':s': 7 });
  });
});
