/**
 * Per test file: point the handlers at the run's DynamoDB Local, with a fresh table of
 * this file's own, and the local stage's keys.
 */
import { inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { applyLocalEnv } from '../../infra/local/env';
import { ensureTable } from '../../infra/local/dynamodb';
import { setDb } from '../../shared/db/client';

const endpoint = inject('ddbEndpoint');
const tableName = `t_${randomBytes(6).toString('hex')}`;
applyLocalEnv({ dataDir: inject('keyDir'), endpoint, tableName });
process.env.TABLE_NAME = tableName;
setDb(undefined);
await ensureTable(endpoint, tableName);
