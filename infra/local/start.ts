/**
 * `npm start`: the whole product locally — DynamoDB Local (or DYNAMODB_ENDPOINT), the
 * table, demo data, the HTTP API on PORT with the same handlers AWS runs, the H5
 * mini-app at /, and the scheduled jobs on a timer. Ctrl-C stops everything.
 */
import { createServer } from 'node:net';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startDynamoLocal, ensureTable, LocalStackError, type DynamoLocal } from './dynamodb';
import { applyLocalEnv } from './env';
import { createLocalServer } from './server';
import { ensureH5Build, H5_DIR } from './h5';
import { seedAll } from './seed';
import { createDb } from '../../shared/db/client';
import { startJobTimer } from './jobs';

const log = (s: string) => console.log(`[yizhan] ${s}`);

function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen(port, () => srv.close(() => res(true)));
  });
}

async function main() {
  // The SDK warns on Node 20 about its 2027 releases; the README states the Node versions.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const port = Number(process.env.PORT ?? 3000);
  const dataDir = resolve(process.env.DATA_DIR ?? '.data');
  mkdirSync(dataDir, { recursive: true });
  if (!(await portFree(port))) {
    throw new LocalStackError(`Port ${port} is already in use: stop the other process or start with PORT=${port + 1} npm start.`);
  }
  let ddb: DynamoLocal | undefined;
  let endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) {
    log('starting DynamoDB Local…');
    ddb = await startDynamoLocal({ dataDir: join(dataDir, 'dynamodb') });
    endpoint = ddb.endpoint;
  }
  let stopping = false;
  const shutdown = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    stopJobs?.();
    server?.close();
    rmSync(join(dataDir, 'local-stack.json'), { force: true });
    await ddb?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  let server: ReturnType<typeof createLocalServer> | undefined;
  let stopJobs: (() => void) | undefined;
  try {
    applyLocalEnv({ dataDir, endpoint, port });
    const created = await ensureTable(endpoint, process.env.TABLE_NAME!);
    log(created ? `created table ${process.env.TABLE_NAME}` : `table ${process.env.TABLE_NAME} found`);
    const db = createDb();
    await seedAll(db, new Date(), log);
    if (process.env.SKIP_H5 !== '1') await ensureH5Build(log);
    server = createLocalServer({ staticDir: H5_DIR });
    await new Promise<void>((res, rej) => {
      server!.once('error', rej);
      server!.listen(port, res);
    });
    writeFileSync(join(dataDir, 'local-stack.json'), JSON.stringify({ pid: process.pid, javaPid: ddb?.process.pid, endpoint, port, tableName: process.env.TABLE_NAME }));
    stopJobs = startJobTimer(Number(process.env.SWEEP_SECONDS ?? 30), log);
    log(`API on http://localhost:${port}/v1  ·  mini-app (H5) on http://localhost:${port}/  ·  DynamoDB ${endpoint}`);
    log('demo sign-in: POST /v1/auth/dev-login {"userId":"demo-passenger"}  ·  Ctrl-C stops everything');
  } catch (e) {
    console.error(`[yizhan] ${e instanceof LocalStackError ? e.message : (e as Error).stack}`);
    await shutdown(1);
  }
}

void main();
