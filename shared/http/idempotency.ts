/**
 * Idempotency-Key for POSTs that create or pay (Powertools idempotency, DynamoDB
 * persistence in the same table). Same key + same user + same route + same body → the
 * stored response; same key with a different body → 422 idempotency_key_reused; a
 * duplicate while the first is still running → 409 request_in_progress (see handler.ts).
 */
import type { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import { db } from '../db/client';
import type { Reply, RouteContext } from './handler';

const EXPIRES_AFTER_SECONDS = 24 * 3600;
const layers = new Map<string, DynamoDBPersistenceLayer>();

// Loaded on the first idempotent request, not at cold start (npm run bench measures init time).
let modules: Promise<[typeof import('@aws-lambda-powertools/idempotency'), typeof import('@aws-lambda-powertools/idempotency/dynamodb')]> | undefined;
function load() {
  modules ??= Promise.all([import('@aws-lambda-powertools/idempotency'), import('@aws-lambda-powertools/idempotency/dynamodb')]);
  return modules;
}

async function persistence(): Promise<DynamoDBPersistenceLayer> {
  const d = db();
  let layer = layers.get(d.tableName);
  if (!layer) {
    const [, { DynamoDBPersistenceLayer }] = await load();
    layer = new DynamoDBPersistenceLayer({
      tableName: d.tableName,
      keyAttr: 'PK',
      sortKeyAttr: 'SK',
      staticPkValue: 'IDEMPOTENCY',
      expiryAttr: 'expiresAt',
      awsSdkV3Client: d.raw as any,
    });
    layers.set(d.tableName, layer);
  }
  return layer;
}

interface Payload {
  scope: string;
  user: string;
  key: string;
  body: unknown;
}

/**
 * Runs `fn` at most once per (route, user, Idempotency-Key). Without the header, `fn` simply runs.
 */
export async function withIdempotency(ctx: RouteContext, fn: () => Promise<Reply>): Promise<Reply> {
  if (!ctx.idempotencyKey) return fn();
  const [{ makeIdempotent, IdempotencyConfig }] = await load();
  const config = new IdempotencyConfig({
    eventKeyJmesPath: '[scope, user, key]',
    payloadValidationJmesPath: 'body',
    expiresAfterSeconds: EXPIRES_AFTER_SECONDS,
    useLocalCache: false,
  });
  if (ctx.lambdaContext?.getRemainingTimeInMillis) config.registerLambdaContext(ctx.lambdaContext as Context);
  const run = makeIdempotent(async (_p: Payload) => fn(), { persistenceStore: await persistence(), config });
  return run({ scope: ctx.route.routeKey, user: ctx.user.id || 'anonymous', key: ctx.idempotencyKey, body: ctx.body ?? null });
}
