/** TransactionConflict (real DynamoDB only) on the quota transaction: bounded retry, then 409 concurrent_update. */
import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { createDb } from '../../shared/db/client';
import { registerBike } from '../../functions/bikes/fleet';
import { retryOnConflict } from '../../functions/bikes/tx';
import { toApiError } from '../../shared/http/handler';

const ddb = mockClient(DynamoDBDocumentClient);
afterEach(() => ddb.reset());

const conflictError = () =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
  });

const db = () => createDb({ endpoint: 'http://127.0.0.1:1', tableName: 'unit', region: 'cn-north-1' });
const now = new Date('2026-05-01T00:00:00Z');

describe('registerBike on TransactionConflict', () => {
  it('retries and succeeds, each attempt with its own ClientRequestToken', async () => {
    ddb.on(TransactWriteCommand).rejectsOnce(conflictError()).rejectsOnce(conflictError()).resolves({});
    const bike = await registerBike({ db: db(), now }, 'shanghai', 'qingju', { code: 'SH-QJ-0001', vehicleType: 'bicycle' });
    expect(bike.code).toBe('SH-QJ-0001');
    const calls = ddb.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(3);
    const tokens = new Set(calls.map((c) => c.args[0].input.ClientRequestToken));
    expect(tokens.size).toBe(3);
  });

  it('gives up after the bounded attempts and maps to 409 concurrent_update', async () => {
    ddb.on(TransactWriteCommand).rejects(conflictError());
    const err = await registerBike({ db: db(), now }, 'shanghai', 'qingju', { code: 'SH-QJ-0002', vehicleType: 'bicycle' }).catch((e) => e);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(4);
    const api = toApiError(err);
    expect(api.status).toBe(409);
    expect(api.code).toBe('concurrent_update');
  });

  it('never retries a condition failure (it is the answer)', async () => {
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed', Item: { maxBikes: { N: '40' }, registered: { N: '40' } } as any }, { Code: 'None' }],
      }),
    );
    const err = await registerBike({ db: db(), now }, 'shanghai', 'qingju', { code: 'SH-QJ-0003', vehicleType: 'bicycle' }).catch((e) => e);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    expect(err.code).toBe('quota_exceeded');
    expect(err.extra).toMatchObject({ maxBikes: 40, registered: 40 });
  });

  it('retryOnConflict passes other errors through at once', async () => {
    let n = 0;
    await expect(
      retryOnConflict(async () => {
        n++;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(n).toBe(1);
  });
});
