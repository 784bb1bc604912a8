import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Seeder } from '../seed';
import { keys } from '../../../shared/db/keys';

/** Demo accounts (use them with POST /v1/auth/dev-login). */
export const DEMO_USERS = [
  { id: 'demo-passenger', roles: ['passenger'] },
  { id: 'demo-operator', roles: ['passenger', 'operator'] },
  { id: 'demo-bike-operator', roles: ['passenger', 'bike-operator'], operatorId: 'qingju' },
  { id: 'demo-regulator', roles: ['passenger', 'regulator'], cityId: 'shanghai' },
  { id: 'demo-admin', roles: ['passenger', 'admin'] },
];

export const usersSeeder: Seeder = {
  name: 'users',
  run: async (db, now) => {
    for (const u of DEMO_USERS) {
      await db.doc
        .send(
          new PutCommand({
            TableName: db.tableName,
            Item: { ...keys.user(u.id), type: 'User', ...u, createdAt: now.toISOString() },
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        )
        .catch((e) => {
          if (e?.name !== 'ConditionalCheckFailedException') throw e;
        });
    }
    await db.doc.send(new PutCommand({ TableName: db.tableName, Item: { ...keys.health(), type: 'Health' } }));
  },
};
