/**
 * The chat function's items: message replay records, signature nonces, Official Account
 * users (binding, muted flag) and one-time binding codes. See docs/chat.md.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../shared/db/client';
import { ApiError, notFound } from '../../shared/http/errors';
import { orderKeys, orderView, type Order, type OrderView } from '../../shared/orders/model';
import { toShanghaiIso } from '../../shared/domain/time';

/** A reply is kept this long for retries (WeChat retries within ~15 s; a day covers any replay). */
export const REPLY_TTL_SECONDS = 24 * 3600;
/** A (timestamp, nonce) pair is remembered this long (beyond the accepted clock skew). */
export const NONCE_TTL_SECONDS = 15 * 60;
export const BIND_CODE_TTL_SECONDS = 10 * 60;
export const BIND_ATTEMPTS_PER_WINDOW = 10;
export const BIND_ATTEMPT_WINDOW_SECONDS = 10 * 60;

export const chatKeys = {
  /** One processed message: `<MsgId>` or `EVT#<FromUserName>#<CreateTime>#<Event>`. */
  message: (msgKey: string) => ({ PK: `OAMSG#${msgKey}`, SK: 'MSG' }),
  nonce: (timestamp: string, nonce: string) => ({ PK: `OANONCE#${timestamp}#${nonce}`, SK: 'NONCE' }),
  user: (openid: string) => ({ PK: `OAUSER#${openid}`, SK: 'OAUSER' }),
  bindCode: (code: string) => ({ PK: `OABIND#${code}`, SK: 'BIND' }),
  bindAttempts: (userId: string, window: number) => ({ PK: `OABINDTRY#${userId}#${window}`, SK: 'TRY' }),
};

const epoch = (now: Date) => Math.floor(now.getTime() / 1000);
const isConditionFailure = (e: any) => e?.name === 'ConditionalCheckFailedException';

// ---------------------------------------------------------------------------
// Replay protection

/**
 * Ties a signed (timestamp, nonce) pair to one message. The same message delivered again
 * (WeChat's retries) may reuse it; a different body under a captured signature may not.
 */
export async function bindNonce(db: Db, timestamp: string, nonce: string, msgKey: string, now: Date): Promise<boolean> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...chatKeys.nonce(timestamp, nonce), type: 'ChatNonce', msgKey, expiresAt: epoch(now) + NONCE_TTL_SECONDS },
        ConditionExpression: 'attribute_not_exists(PK) OR msgKey = :k',
        ExpressionAttributeValues: { ':k': msgKey },
      }),
    );
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}

export type Claim = { claimed: true; token: string } | { claimed: false; reply?: string };

/** Claims a message for processing, once. A lost claim returns the stored reply if there is one. */
export async function claimMessage(db: Db, msgKey: string, now: Date): Promise<Claim> {
  const token = randomUUID();
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...chatKeys.message(msgKey), type: 'ChatMessage', state: 'processing', claim: token, createdAt: toShanghaiIso(now), expiresAt: epoch(now) + REPLY_TTL_SECONDS },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return { claimed: true, token };
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
  }
  return { claimed: false, reply: await storedReply(db, msgKey) };
}

export async function storedReply(db: Db, msgKey: string): Promise<string | undefined> {
  const r = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: chatKeys.message(msgKey), ConsistentRead: true }));
  return r.Item?.state === 'done' ? (r.Item.reply as string) : undefined;
}

/**
 * A duplicate that arrives while the first delivery is still being answered waits briefly
 * for its reply (bounded: the platform gives us 5 s in all), else answers `success`.
 */
export async function awaitReply(db: Db, msgKey: string, attempts = 8, intervalMs = 150): Promise<string | undefined> {
  for (let i = 0; i < attempts; i++) {
    await new Promise((r) => setTimeout(r, intervalMs));
    const reply = await storedReply(db, msgKey);
    if (reply !== undefined) return reply;
  }
  return undefined;
}

export async function saveReply(db: Db, msgKey: string, token: string, reply: string): Promise<void> {
  await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: chatKeys.message(msgKey),
      UpdateExpression: 'SET #s = :done, reply = :r REMOVE claim',
      ConditionExpression: 'claim = :t',
      ExpressionAttributeNames: { '#s': 'state' },
      ExpressionAttributeValues: { ':done': 'done', ':r': reply, ':t': token },
    }),
  );
}

/** Gives a failed message back so WeChat's retry can process it. */
export async function releaseClaim(db: Db, msgKey: string, token: string): Promise<void> {
  try {
    await db.doc.send(
      new DeleteCommand({ TableName: db.tableName, Key: chatKeys.message(msgKey), ConditionExpression: 'claim = :t', ExpressionAttributeValues: { ':t': token } }),
    );
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
  }
}

// ---------------------------------------------------------------------------
// Official Account users

export interface OaUser {
  openid: string;
  userId?: string;
  boundAt?: string;
  muted?: boolean;
  pendingCode?: string;
}

export async function getOaUser(db: Db, openid: string): Promise<OaUser | undefined> {
  const r = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: chatKeys.user(openid) }));
  return r.Item as OaUser | undefined;
}

/** subscribe → muted false; unsubscribe → muted true. The binding is kept either way. */
export async function setSubscribed(db: Db, openid: string, subscribed: boolean, now: Date): Promise<OaUser> {
  const r = await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: chatKeys.user(openid),
      UpdateExpression: `SET #t = :type, openid = :o, muted = :m, ${subscribed ? 'subscribedAt' : 'unsubscribedAt'} = :now, createdAt = if_not_exists(createdAt, :now)`,
      ExpressionAttributeNames: { '#t': 'type' },
      ExpressionAttributeValues: { ':type': 'ChatUser', ':o': openid, ':m': !subscribed, ':now': toShanghaiIso(now) },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return r.Attributes as OaUser;
}

/**
 * A fresh one-time code for `绑定`, valid 10 minutes; it replaces the user's previous code.
 * Codes are 6 random digits; a code still live for someone else is never reissued.
 */
export async function createBindCode(db: Db, openid: string, now: Date): Promise<string> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    try {
      await db.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: db.tableName,
                Item: { ...chatKeys.bindCode(code), type: 'ChatBindCode', openid, createdAt: toShanghaiIso(now), expiresAt: epoch(now) + BIND_CODE_TTL_SECONDS },
                ConditionExpression: 'attribute_not_exists(PK) OR expiresAt <= :now',
                ExpressionAttributeValues: { ':now': epoch(now) },
              },
            },
            {
              Update: {
                TableName: db.tableName,
                Key: chatKeys.user(openid),
                UpdateExpression: 'SET #t = :type, openid = :o, pendingCode = :c, createdAt = if_not_exists(createdAt, :iso)',
                ExpressionAttributeNames: { '#t': 'type' },
                ExpressionAttributeValues: { ':type': 'ChatUser', ':o': openid, ':c': code, ':iso': toShanghaiIso(now) },
              },
            },
          ],
        }),
      );
      return code;
    } catch (e: any) {
      const reasons: any[] = e?.CancellationReasons ?? [];
      if (e?.name === 'TransactionCanceledException' && reasons[0]?.Code === 'ConditionalCheckFailed') continue;
      throw e;
    }
  }
  throw new Error('could not allocate a binding code');
}

const codeNotFound = () => notFound('bind_code_not_found', 'This binding code is unknown, used, replaced or expired. Send 绑定 to the Official Account for a new one.');

/** Binds `userId` to the Official Account user the code was issued to (once). */
export async function redeemBindCode(db: Db, userId: string, code: string, now: Date): Promise<{ boundAt: string }> {
  const window = Math.floor(epoch(now) / BIND_ATTEMPT_WINDOW_SECONDS);
  const tries = await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: chatKeys.bindAttempts(userId, window),
      UpdateExpression: 'ADD n :one SET #t = :type, expiresAt = :exp',
      ExpressionAttributeNames: { '#t': 'type' },
      ExpressionAttributeValues: { ':one': 1, ':type': 'ChatBindAttempts', ':exp': (window + 1) * BIND_ATTEMPT_WINDOW_SECONDS + 60 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  if (Number(tries.Attributes?.n ?? 0) > BIND_ATTEMPTS_PER_WINDOW) {
    throw new ApiError(429, 'too_many_attempts', 'Too many binding attempts; wait a few minutes.', { headers: { 'retry-after': String(BIND_ATTEMPT_WINDOW_SECONDS) } });
  }
  const got = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: chatKeys.bindCode(code), ConsistentRead: true }));
  const item = got.Item;
  if (!item || Number(item.expiresAt) <= epoch(now)) throw codeNotFound();
  const boundAt = toShanghaiIso(now);
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Delete: {
              TableName: db.tableName,
              Key: chatKeys.bindCode(code),
              ConditionExpression: 'openid = :o AND expiresAt > :now',
              ExpressionAttributeValues: { ':o': item.openid, ':now': epoch(now) },
            },
          },
          {
            Update: {
              TableName: db.tableName,
              Key: chatKeys.user(item.openid),
              UpdateExpression: 'SET userId = :u, boundAt = :at REMOVE pendingCode',
              ConditionExpression: 'pendingCode = :c',
              ExpressionAttributeValues: { ':u': userId, ':at': boundAt, ':c': code },
            },
          },
        ],
      }),
    );
  } catch (e: any) {
    const reasons: any[] = e?.CancellationReasons ?? [];
    if (e?.name === 'TransactionCanceledException' && reasons.some((r) => r?.Code === 'ConditionalCheckFailed')) throw codeNotFound();
    throw e;
  }
  return { boundAt };
}

/** `解绑`: forgets the Yizhan account (the Official Account user record stays). */
export async function unbind(db: Db, openid: string): Promise<boolean> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: chatKeys.user(openid),
        UpdateExpression: 'REMOVE userId, boundAt',
        ConditionExpression: 'attribute_exists(userId)',
      }),
    );
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}

// ---------------------------------------------------------------------------
// Orders of a bound user (the orders function's GSI1 index, newest first)

export async function latestOrders(db: Db, userId: string, now: Date, limit = 5): Promise<OrderView[]> {
  const r = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': orderKeys.userOrdersGsi(userId) },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return (r.Items ?? []).map((it) => {
    const { PK, SK, GSI1PK, GSI1SK, GSI2PK, GSI2SK, GSI3PK, GSI3SK, type, ...order } = it;
    return orderView(order as Order, now);
  });
}
