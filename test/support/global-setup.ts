/**
 * Starts one in-memory DynamoDB Local for the whole test run; each test file gets its own
 * table in it (see setup-file.ts), so files run in parallel without sharing data.
 */
import type { TestProject } from 'vitest/node';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoLocal } from '../../infra/local/dynamodb';

declare module 'vitest' {
  export interface ProvidedContext {
    ddbEndpoint: string;
    keyDir: string;
  }
}

export default async function setup(project: TestProject) {
  const ddb = await startDynamoLocal();
  project.provide('ddbEndpoint', ddb.endpoint);
  project.provide('keyDir', mkdtempSync(join(tmpdir(), 'yizhan-test-')));
  return async () => {
    await ddb.stop();
  };
}
