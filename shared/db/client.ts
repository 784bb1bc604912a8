/**
 * DynamoDB clients. One document client per process, configured from the environment
 * (DYNAMODB_ENDPOINT points at DynamoDB Local in the local stage and in tests).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../runtime/config';

export interface Db {
  doc: DynamoDBDocumentClient;
  raw: DynamoDBClient;
  tableName: string;
}

export function createDb(opts: { endpoint?: string; tableName?: string; region?: string } = {}): Db {
  const endpoint = opts.endpoint ?? config.dynamodbEndpoint;
  const raw = new DynamoDBClient({
    region: opts.region ?? config.region,
    ...(endpoint
      ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    maxAttempts: 4,
  });
  const doc = DynamoDBDocumentClient.from(raw, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return { doc, raw, tableName: opts.tableName ?? config.tableName };
}

let shared: Db | undefined;
/** The process-wide client (created on first use so module init stays cheap). */
export function db(): Db {
  shared ??= createDb();
  return shared;
}
/** For tests and the local runner: replace the process-wide client. */
export function setDb(next: Db | undefined) {
  shared = next;
}
