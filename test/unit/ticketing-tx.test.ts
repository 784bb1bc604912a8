/**
 * SDK paths DynamoDB Local never produces: TransactionConflict on the booking transaction
 * (retried, then a sale), a seat race (re-read and another seat), and persistent
 * contention (409 concurrent_update, never an oversell or a 500).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { createDb } from '../../shared/db/client';
import { createTicketOrder, MAX_ATTEMPTS } from '../../functions/ticketing/booking';

const ddb = mockClient(DynamoDBDocumentClient);
afterEach(() => ddb.reset());

const db = () => createDb({ endpoint: 'http://127.0.0.1:1', tableName: 'unit', region: 'cn-north-1' });
const now = new Date('2026-12-01T00:00:00Z');
const TRIP = 'trp_00000000000000000000000001';
const PSG = 'psg_00000000000000000000000001';
const trip = {
  PK: `TRIP#${TRIP}`,
  SK: 'TRIP',
  type: 'Trip',
  tripId: TRIP,
  mode: 'rail',
  number: 'G1',
  operatorName: 'x',
  serviceDate: '2026-12-05',
  realName: true,
  status: 'on_time',
  delayMinutes: 0,
  stops: [
    { stationId: 'a', name: 'A', depart: '2026-12-05T08:00:00+08:00' },
    { stationId: 'b', name: 'B', arrive: '2026-12-05T09:00:00+08:00' },
  ],
  classes: [{ code: 'SE', name: '二等座', seats: 2, fareFenPerSegment: [1000] }],
  createdBy: 'op',
  createdAt: now.toISOString(),
};
const passenger = { PK: 'USER#u', SK: `PSG#${PSG}`, id: PSG, name: '张三', idType: 'id_card', idNumberMasked: '1101**********1234', idHash: 'h1' };

const cancelled = (code: string, index: number, size = 5) =>
  new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: Array.from({ length: size }, (_, i) => ({ Code: i === index ? code : 'None' })),
  });

const body = { legs: [{ tripId: TRIP, from: 'a', to: 'b', classCode: 'SE' }], passengerIds: [PSG] };

describe('booking under contention (mocked SDK)', () => {
  it('retries a TransactionConflict and a seat race, then sells', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { unit: [passenger] } });
    ddb.on(QueryCommand).resolves({ Items: [trip] });
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('TransactionConflict', 0)).rejectsOnce(cancelled('ConditionalCheckFailed', 0)).resolves({});
    const order = await createTicketOrder(db(), 'u', body, now);
    expect(order).toMatchObject({ kind: 'ticket', status: 'PENDING_PAYMENT', amountFen: 1000 });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(3);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(3); // a fresh read before each attempt
  });

  it('maps a failed passenger guard to 409 passenger_conflict and does not retry it', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { unit: [passenger] } });
    ddb.on(QueryCommand).resolves({ Items: [trip] });
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 1));
    await expect(createTicketOrder(db(), 'u', body, now)).rejects.toMatchObject({ status: 409, code: 'passenger_conflict' });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('gives up with 409 concurrent_update after bounded retries', { timeout: 30_000 }, async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { unit: [passenger] } });
    ddb.on(QueryCommand).resolves({ Items: [trip] });
    ddb.on(TransactWriteCommand).rejects(cancelled('TransactionConflict', 0));
    await expect(createTicketOrder(db(), 'u', body, now)).rejects.toMatchObject({ status: 409, code: 'concurrent_update' });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(MAX_ATTEMPTS);
  });
});
