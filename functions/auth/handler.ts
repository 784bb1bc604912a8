/** auth: health, sign-in (WeChat, dev), who am I. Also answers unknown routes ($default). */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createHttpHandler } from '../../shared/http/handler';
import { issueToken, type AuthUser, type Role } from '../../shared/http/auth';
import { notFound, serviceUnavailable } from '../../shared/http/errors';
import { db } from '../../shared/db/client';
import { keys } from '../../shared/db/keys';
import { code2SessionProvider } from './wechat';
import { setRoles, upsertDevUser, userForOpenid } from './users';

export const handler = createHttpHandler('auth', {
  'GET /v1/health': async () => {
    try {
      const d = db();
      await d.doc.send(new GetCommand({ TableName: d.tableName, Key: keys.health() }));
    } catch {
      throw serviceUnavailable('table_unavailable', 'The table is not ready.');
    }
    return { body: { status: 'ok' }, headers: { 'cache-control': 'no-store' } };
  },

  'POST /v1/auth/wechat-login': async ({ body }) => {
    const { openid } = await code2SessionProvider()(body.code);
    const user = await userForOpenid(db(), openid, new Date());
    const { token, expiresAt } = await issueToken(user);
    return { body: { token, expiresAt, user } };
  },

  'POST /v1/auth/dev-login': async ({ body }) => {
    const roles = [...new Set<Role>(['passenger', ...((body.roles ?? []) as Role[])])];
    const user: AuthUser = {
      id: body.userId,
      roles,
      ...(body.cityId ? { cityId: body.cityId } : {}),
      ...(body.operatorId ? { operatorId: body.operatorId } : {}),
    };
    await upsertDevUser(db(), user, new Date());
    const { token, expiresAt } = await issueToken(user);
    return { body: { token, expiresAt, user } };
  },

  'GET /v1/me': async ({ user }) => ({ body: user }),

  'PUT /v1/admin/users/{userId}/roles': async ({ params, body }) => {
    const roles = [...new Set<Role>(['passenger', ...(body.roles as Role[])])];
    const updated = await setRoles(db(), params.userId, roles, { cityId: body.cityId, operatorId: body.operatorId });
    if (!updated) throw notFound('user_not_found', 'No such user.');
    return { body: updated };
  },
});
