/**
 * `npm run import:gtfs -- <feed.zip|folder> --from 2026-12-01 --to 2026-12-31
 *    [--operator NAME] [--seats N] [--feed-id ID] [--table NAME] [--data-dir DIR] [--repeat-weekly]`
 *
 * Loads a GTFS feed into trips for each service date in the range (see
 * infra/tools/gtfs/build.ts for the rules) and writes them where the product's data is:
 *   1. `--table NAME`: that DynamoDB table in AWS (credentials and region from the environment);
 *   2. a running `npm start` on the same DATA_DIR (DATA_DIR/local-stack.json), without stopping it;
 *   3. DYNAMODB_ENDPOINT when set (TABLE_NAME or `yizhan`);
 *   4. else DynamoDB Local on DATA_DIR/dynamodb, started for the import and stopped after.
 * Re-importing the same feed changes nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createDb, type Db } from '../../shared/db/client';
import { isDay } from '../../shared/domain/time';
import { ensureTable, startDynamoLocal, type DynamoLocal } from '../local/dynamodb';
import { readFeed } from './gtfs/read';
import { buildTrips } from './gtfs/build';
import { importTrips, type ImportProgress } from './gtfs/write';

export interface ImportArgs {
  feed: string;
  from: string;
  to: string;
  operator?: string;
  seats?: number;
  feedId?: string;
  table?: string;
  repeatWeekly?: boolean;
  dataDir: string;
}

export function parseArgs(argv: string[]): ImportArgs {
  const out: Partial<ImportArgs> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--from') out.from = val();
    else if (a === '--to') out.to = val();
    else if (a === '--operator') out.operator = val();
    else if (a === '--seats') out.seats = Number(val());
    else if (a === '--feed-id') out.feedId = val();
    else if (a === '--table') out.table = val();
    else if (a === '--data-dir') out.dataDir = val();
    else if (a === '--repeat-weekly') out.repeatWeekly = true;
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else rest.push(a);
  }
  if (rest.length !== 1) throw new Error('give exactly one feed (.zip or folder)');
  if (!out.from || !out.to || !isDay(out.from) || !isDay(out.to) || out.from > out.to) throw new Error('--from and --to must be days YYYY-MM-DD, from <= to');
  if (out.seats !== undefined && !(Number.isInteger(out.seats) && out.seats > 0 && out.seats <= 2000)) throw new Error('--seats must be 1..2000');
  return { feed: resolve(rest[0]), from: out.from, to: out.to, operator: out.operator, seats: out.seats, feedId: out.feedId, table: out.table, repeatWeekly: out.repeatWeekly, dataDir: resolve(out.dataDir ?? process.env.DATA_DIR ?? '.data') };
}

export const feedIdOf = (path: string) => basename(path).replace(/\.zip$/i, '').replace(/[^A-Za-z0-9_-]/g, '-').toLowerCase().slice(0, 24);

async function reachable(endpoint: string): Promise<boolean> {
  const c = new DynamoDBClient({ endpoint, region: 'cn-north-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  try {
    await c.send(new ListTablesCommand({ Limit: 1 }));
    return true;
  } catch {
    return false;
  } finally {
    c.destroy();
  }
}

/** Where to write (see the header). The returned stop() ends what was started for the import. */
export async function resolveTarget(args: ImportArgs, log: (s: string) => void): Promise<{ db: Db; stop: () => Promise<void>; where: string }> {
  if (args.table) return { db: createDb({ endpoint: undefined, tableName: args.table }), stop: async () => {}, where: `table ${args.table} (AWS)` };
  const stackFile = join(args.dataDir, 'local-stack.json');
  if (existsSync(stackFile)) {
    const s = JSON.parse(readFileSync(stackFile, 'utf8'));
    if (s.endpoint && (await reachable(s.endpoint))) {
      return { db: createDb({ endpoint: s.endpoint, tableName: s.tableName ?? 'yizhan' }), stop: async () => {}, where: `the running stack (${s.endpoint}, table ${s.tableName})` };
    }
  }
  const tableName = process.env.TABLE_NAME ?? 'yizhan';
  if (process.env.DYNAMODB_ENDPOINT) {
    await ensureTable(process.env.DYNAMODB_ENDPOINT, tableName);
    return { db: createDb({ endpoint: process.env.DYNAMODB_ENDPOINT, tableName }), stop: async () => {}, where: `${process.env.DYNAMODB_ENDPOINT} (table ${tableName})` };
  }
  log(`starting DynamoDB Local on ${join(args.dataDir, 'dynamodb')}…`);
  const ddb: DynamoLocal = await startDynamoLocal({ dataDir: join(args.dataDir, 'dynamodb') });
  await ensureTable(ddb.endpoint, tableName);
  const db = createDb({ endpoint: ddb.endpoint, tableName });
  return { db, stop: () => ddb.stop(), where: `DynamoDB Local on ${args.dataDir} (table ${tableName})` };
}

export function progressBar(p: ImportProgress, width = 30): string {
  const frac = p.total ? p.done / p.total : 1;
  const full = Math.round(frac * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${String(Math.round(frac * 100)).padStart(3)}% ${p.done}/${p.total} trips (${p.written} written, ${p.unchanged} unchanged)`;
}

export async function runImport(args: ImportArgs, db: Db, log: (s: string) => void = () => {}, onProgress?: (p: ImportProgress) => void) {
  const feed = await readFeed(args.feed);
  const { trips, warnings } = buildTrips(feed, { from: args.from, to: args.to, feedId: args.feedId ?? feedIdOf(args.feed), operator: args.operator, seats: args.seats, repeatWeekly: args.repeatWeekly });
  for (const w of warnings.slice(0, 20)) log(`warning: ${w}`);
  if (warnings.length > 20) log(`… ${warnings.length - 20} more warnings`);
  const result = await importTrips(db, trips, onProgress);
  return { ...result, warnings };
}

async function main() {
  const log = (s: string) => process.stderr.write(`[import:gtfs] ${s}\n`);
  let args: ImportArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    log((e as Error).message);
    log('usage: npm run import:gtfs -- <feed.zip|folder> --from YYYY-MM-DD --to YYYY-MM-DD [--operator NAME] [--seats N] [--feed-id ID] [--table NAME] [--data-dir DIR] [--repeat-weekly]');
    process.exit(2);
  }
  const target = await resolveTarget(args, log);
  log(`writing to ${target.where}`);
  const tty = process.stderr.isTTY;
  try {
    const r = await runImport(args, target.db, log, (p) => {
      if (tty) process.stderr.write(`\r${progressBar(p)}`);
      else if (p.done === p.total || p.done % 1000 === 0) log(progressBar(p));
    });
    if (tty) process.stderr.write('\n');
    log(`done: ${r.total} trips (${r.written} written, ${r.unchanged} unchanged)`);
  } finally {
    await target.stop();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  main().catch((e) => {
    process.stderr.write(`[import:gtfs] failed: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
