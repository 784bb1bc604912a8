/** Users: created on first WeChat login, one per openid. */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../shared/db/client';
import { keys } from '../../shared/db/keys';
import { newId } from '../../shared/domain/ids';
import type { AuthUser, Role } from '../../shared/http/auth';

export interface UserItem {
  id: string;
  roles: Role[];
  createdAt: string;
  cityId?: string;
  operatorId?: string;
  /** The mini-program openid (WeChat Pay JSAPI needs it as the payer). */
  openid?: string;
}

export async function getUser(db: Db, userId: string): Promise<UserItem | undefined> {
  const r = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.user(userId) }));
  return r.Item as UserItem | undefined;
}

/** Finds or creates the user bound to an openid; safe under concurrent first logins. */
export async function userForOpenid(db: Db, openid: string, now: Date): Promise<AuthUser> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const link = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.openid(openid), ConsistentRead: true }));
    if (link.Item) {
      const user = await getUser(db, link.Item.userId as string);
      if (user) return { id: user.id, roles: user.roles, ...(user.cityId ? { cityId: user.cityId } : {}), ...(user.operatorId ? { operatorId: user.operatorId } : {}) };
    }
    const id = newId('usr');
    const user: UserItem = { id, roles: ['passenger'], createdAt: now.toISOString(), openid };
    try {
      await db.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: db.tableName, Item: { ...keys.openid(openid), type: 'OpenidLink', userId: id }, ConditionExpression: 'attribute_not_exists(PK)' } },
            { Put: { TableName: db.tableName, Item: { ...keys.user(id), type: 'User', ...user }, ConditionExpression: 'attribute_not_exists(PK)' } },
          ],
        }),
      );
      return { id, roles: user.roles };
    } catch (e: any) {
      if (e?.name !== 'TransactionCanceledException') throw e;
      // Someone else created the link first: loop and read it.
    }
  }
  throw new Error('could not create or find the user for this openid');
}

/** Local stage: make sure a dev-login user exists with the requested roles. */
export async function upsertDevUser(db: Db, u: AuthUser, now: Date) {
  const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
  await db.doc.send(
    new PutCommand({
      TableName: db.tableName,
      Item: { ...keys.user(u.id), type: 'User', id: u.id, roles: u.roles, createdAt: now.toISOString(), ...(u.cityId ? { cityId: u.cityId } : {}), ...(u.operatorId ? { operatorId: u.operatorId } : {}) },
    }),
  );
}

/** Admin: replace a user's roles and scopes. Returns undefined when the user does not exist. */
export async function setRoles(db: Db, userId: string, roles: Role[], scope: { cityId?: string; operatorId?: string }) {
  const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
  try {
    const r = await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.user(userId),
        ConditionExpression: 'attribute_exists(PK)',
        UpdateExpression: scope.cityId || scope.operatorId ? 'SET #roles = :roles' + (scope.cityId ? ', cityId = :city' : '') + (scope.operatorId ? ', operatorId = :op' : '') : 'SET #roles = :roles',
        ExpressionAttributeNames: { '#roles': 'roles' },
        ExpressionAttributeValues: { ':roles': roles, ...(scope.cityId ? { ':city': scope.cityId } : {}), ...(scope.operatorId ? { ':op': scope.operatorId } : {}) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const u = r.Attributes as UserItem;
    return { id: u.id, roles: u.roles, ...(u.cityId ? { cityId: u.cityId } : {}), ...(u.operatorId ? { operatorId: u.operatorId } : {}) };
  } catch (e: any) {
    if (e?.name === 'ConditionalCheckFailedException') return undefined;
    throw e;
  }
}
