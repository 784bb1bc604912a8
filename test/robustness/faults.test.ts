/**
 * Faults on every write path. Unit level with aws-sdk-client-mock (throttling,
 * TransactionCanceledException with TransactionConflict, timeouts, 500s) on createOrder,
 * saveOrder (through cancelOrder) and the idempotency layer; then the same faults injected
 * at the HTTP layer of a real SDK client in front of DynamoDB Local, so the SDK's own retry
 * runs: a throttled or lost transaction is retried (with the same ClientRequestToken) and
 * ends with exactly one order, or a clean 503 with nothing written — never half an order.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  DynamoDBClient,
  InternalServerError,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  ThrottlingException,
  TransactionCanceledException,
  UpdateItemCommand,
  DeleteItemCommand,
  GetItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createDb, db, setDb, type Db } from '../../shared/db/client';
import { createTestOrder, remaining, stock } from '../support/test-plugin';
import { buildOrder, orderItem } from '../../shared/orders/create';
import { cancelOrder } from '../../shared/orders/service';
import { orderKeys, type Order } from '../../shared/orders/model';
import { toApiError } from '../../shared/http/handler';
import { withIdempotency } from '../../shared/http/idempotency';
import { config } from '../../shared/runtime/config';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode, attempts: 4 } });
const FAULTS = {
  throttling: () => new ThrottlingException({ message: 'Rate exceeded', ...meta(400) }),
  provisioned: () => new ProvisionedThroughputExceededException({ message: 'Throughput exceeded', ...meta(400) }),
  timeout: () => Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }),
  server500: () => new InternalServerError({ message: 'Internal server error', ...meta(500) }),
};
const conflictCancel = (n: number, at = 0) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    ...meta(400),
    CancellationReasons: Array.from({ length: n }, (_, i) => (i === at ? { Code: 'TransactionConflict', Message: 'conflict' } : { Code: 'None' })),
  });

function fakeDb(tableName = 'faults'): Db {
  return createDb({ endpoint: 'http://127.0.0.1:9', tableName });
}

const restore: (() => void)[] = [];
afterEach(() => {
  while (restore.length) restore.pop()!();
  setDb(undefined);
});

describe('createOrder (order + inventory in one transaction)', () => {
  for (const [name, make] of Object.entries(FAULTS)) {
    it(`${name}: one TransactWriteItems carrying order and inventory, then a clean 503`, async () => {
      const d = fakeDb();
      const mock = mockClient(d.doc);
      restore.push(() => mock.restore());
      mock.on(TransactWriteCommand).rejects(make());
      const err = await createTestOrder(d, 'u1', 'sku', 2).catch((e) => e);
      const api = toApiError(err);
      expect(api.status).toBe(503);
      expect(api.headers?.['retry-after']).toBe('1');
      // nothing was written outside the transaction, so there is no half order to clean up
      expect(mock.commandCalls(PutCommand)).toHaveLength(0);
      expect(mock.commandCalls(UpdateCommand)).toHaveLength(0);
      const [call] = mock.commandCalls(TransactWriteCommand);
      const items = call.args[0].input.TransactItems!;
      expect(items.some((i) => i.Update?.Key?.PK === 'TESTINV#sku')).toBe(true);
      expect(items.some((i) => i.Put?.Item?.type === 'Order')).toBe(true);
      // a resend of this transaction by the SDK is idempotent in DynamoDB
      const orderId = items.find((i) => i.Put?.Item?.type === 'Order')!.Put!.Item!.id as string;
      expect(call.args[0].input.ClientRequestToken).toBe(orderId.slice(-36));
    });
  }

  it('TransactionConflict → 409 concurrent_update with retry-after (not sold_out, not 500)', async () => {
    const d = fakeDb();
    const mock = mockClient(d.doc);
    restore.push(() => mock.restore());
    mock.on(TransactWriteCommand).rejects(conflictCancel(3, 0));
    const api = toApiError(await createTestOrder(d, 'u1', 'sku', 1).catch((e) => e));
    expect(api.status).toBe(409);
    expect(api.code).toBe('concurrent_update');
    expect(api.headers?.['retry-after']).toBe('1');
  });

  it('a failed inventory condition → the domain 409 (sold_out), whatever else the reasons say', async () => {
    const d = fakeDb();
    const mock = mockClient(d.doc);
    restore.push(() => mock.restore());
    mock.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({ message: 'x', ...meta(400), CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }] }),
    );
    const api = toApiError(await createTestOrder(d, 'u1', 'sku', 1).catch((e) => e));
    expect([api.status, api.code]).toEqual([409, 'sold_out']);
  });
});

describe('saveOrder (order transitions with inventory release), through cancelOrder', () => {
  function pending(): Order {
    return buildOrder({ kind: 'test', userId: 'u1', title: 't', amountFen: 100, items: [], ref: { sku: 'sku', qty: 1 } }, new Date());
  }

  it('a TransactionConflict is retried on a fresh copy and the cancel succeeds once', async () => {
    const d = fakeDb();
    const mock = mockClient(d.doc);
    restore.push(() => mock.restore());
    const o = pending();
    mock.on(GetCommand).resolves({ Item: orderItem(o) });
    mock.on(TransactWriteCommand).rejectsOnce(conflictCancel(3, 1)).resolves({});
    const saved = await cancelOrder(d, o);
    expect(saved.status).toBe('CANCELLED');
    expect(saved.version).toBe(o.version + 1);
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(2);
    // each attempt wrote order, inventory release and notification together
    for (const c of mock.commandCalls(TransactWriteCommand)) {
      const items = c.args[0].input.TransactItems!;
      expect(items[0].Put?.ConditionExpression).toContain('#v = :v');
      expect(items.some((i) => i.Update?.Key?.PK === 'TESTINV#sku')).toBe(true);
    }
  });

  it('a conflict that never clears ends in 409 concurrent_update after bounded attempts', async () => {
    const d = fakeDb();
    const mock = mockClient(d.doc);
    restore.push(() => mock.restore());
    const o = pending();
    mock.on(GetCommand).resolves({ Item: orderItem(o) });
    mock.on(TransactWriteCommand).rejects(conflictCancel(3, 0));
    const api = toApiError(await cancelOrder(d, o).catch((e) => e));
    expect([api.status, api.code]).toEqual([409, 'concurrent_update']);
    expect(mock.commandCalls(TransactWriteCommand).length).toBeLessThanOrEqual(5);
  });

  for (const [name, make] of Object.entries(FAULTS)) {
    it(`${name} while saving → 503, the order is not reported as changed`, async () => {
      const d = fakeDb();
      const mock = mockClient(d.doc);
      restore.push(() => mock.restore());
      mock.on(TransactWriteCommand).rejects(make());
      mock.on(PutCommand).rejects(make());
      const api = toApiError(await cancelOrder(d, pending()).catch((e) => e));
      expect(api.status).toBe(503);
    });
  }
});

describe('idempotency layer (Powertools, DynamoDB persistence)', () => {
  const ctx = (tableName: string) =>
    ({
      route: { routeKey: 'POST /v1/ticket-orders' },
      user: { id: 'u1', roles: ['passenger'] },
      idempotencyKey: 'fault-key-0001',
      body: { a: 1 },
    }) as any;

  for (const [name, make] of Object.entries(FAULTS)) {
    it(`${name} on the idempotency record → a clean 503, and the booking never ran`, async () => {
      const d = fakeDb(`idem_${name}`);
      setDb(d);
      const mock = mockClient(d.raw);
      restore.push(() => mock.restore());
      mock.on(PutItemCommand).rejects(make());
      mock.on(GetItemCommand).resolves({});
      let ran = 0;
      const err = await withIdempotency(ctx(d.tableName), async () => {
        ran++;
        return { status: 201, body: {} };
      }).catch((e) => e);
      expect(ran).toBe(0);
      const api = toApiError(err);
      expect(api.status, `${err?.name}: ${err?.message}`).toBe(503);
    });
  }

  it('a failure after the booking ran (saving the result) → 503 telling the client to retry, never 500', async () => {
    const d = fakeDb('idem_after');
    setDb(d);
    const mock = mockClient(d.raw);
    restore.push(() => mock.restore());
    mock.on(PutItemCommand).resolves({});
    mock.on(UpdateItemCommand).rejects(FAULTS.throttling());
    mock.on(DeleteItemCommand).resolves({});
    const err = await withIdempotency(ctx(d.tableName), async () => ({ status: 201, body: { id: 'ord_x' } })).catch((e) => e);
    expect(toApiError(err).status, `${err?.name}: ${err?.message}`).toBe(503);
  });
});

/**
 * A real SDK client against DynamoDB Local whose HTTP layer loses or refuses chosen calls,
 * so the SDK's own retry (maxAttempts 4 in shared/db/client.ts) is what is tested.
 */
class FlakyHandler {
  inner = new NodeHttpHandler();
  constructor(private plan: (target: string, attempt: number) => 'throttle' | 'lose-response' | 'pass') {}
  private seen = new Map<string, number>();
  async handle(request: any, opts?: any) {
    const target = String(request.headers['x-amz-target'] ?? '').split('.').pop()!;
    const attempt = (this.seen.get(target) ?? 0) + 1;
    this.seen.set(target, attempt);
    const what = this.plan(target, attempt);
    if (what === 'throttle') {
      return {
        response: {
          statusCode: 400,
          reason: 'Bad Request',
          headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'flaky' },
          body: Readable.from([Buffer.from(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' }))]),
        },
      };
    }
    const res = await this.inner.handle(request, opts);
    if (what === 'lose-response') {
      // The write reached DynamoDB; the answer is lost on the way back (a 500 from the front end).
      (res.response.body as Readable)?.resume?.();
      return {
        response: {
          statusCode: 500,
          reason: 'Internal Server Error',
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: Readable.from([Buffer.from(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'lost' }))]),
        },
      };
    }
    return res;
  }
  updateHttpClientConfig() {}
  httpHandlerConfigs() {
    return {};
  }
}

function flakyDb(plan: ConstructorParameters<typeof FlakyHandler>[0]): Db {
  const real = db();
  const raw = new DynamoDBClient({
    region: config.region,
    endpoint: config.dynamodbEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 4,
    requestHandler: new FlakyHandler(plan) as any,
  });
  return { raw, doc: DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }), tableName: real.tableName };
}

async function ordersOf(d: Db, userId: string) {
  const r = await d.doc.send(
    new QueryCommand({ TableName: d.tableName, IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': orderKeys.userOrdersGsi(userId) } }),
  );
  return r.Items ?? [];
}

describe('SDK retries against DynamoDB Local with injected faults', () => {
  it('two throttled attempts, then success: exactly one order and one unit taken', async () => {
    await stock(db(), 'flaky-1', 5);
    const d = flakyDb((t, n) => (t === 'TransactWriteItems' && n <= 2 ? 'throttle' : 'pass'));
    const order = await createTestOrder(d, 'flaky-user-1', 'flaky-1', 1);
    expect(order.status).toBe('PENDING_PAYMENT');
    expect(await ordersOf(db(), 'flaky-user-1')).toHaveLength(1);
    expect(await remaining(db(), 'flaky-1')).toBe(4);
  });

  it('a transaction that succeeded but whose answer was lost is retried with the same token: one order, one unit taken, no false sold_out', async () => {
    await stock(db(), 'flaky-2', 1);
    const d = flakyDb((t, n) => (t === 'TransactWriteItems' && n === 1 ? 'lose-response' : 'pass'));
    const order = await createTestOrder(d, 'flaky-user-2', 'flaky-2', 1);
    expect(order.id).toMatch(/^ord_/);
    const stored = await ordersOf(db(), 'flaky-user-2');
    expect(stored.map((o) => o.id)).toEqual([order.id]);
    expect(await remaining(db(), 'flaky-2')).toBe(0);
  });

  it('throttling that outlasts the retries: a clean 503 and nothing written', async () => {
    await stock(db(), 'flaky-3', 5);
    const d = flakyDb((t) => (t === 'TransactWriteItems' ? 'throttle' : 'pass'));
    const err = await createTestOrder(d, 'flaky-user-3', 'flaky-3', 2).catch((e) => e);
    expect(toApiError(err).status).toBe(503);
    expect(await ordersOf(db(), 'flaky-user-3')).toHaveLength(0);
    expect(await remaining(db(), 'flaky-3')).toBe(5);
  });
});
