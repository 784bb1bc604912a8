/** The GTFS import loads the sample feed completely; every trip of a chosen date is searchable; re-importing changes nothing. */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { db } from '../../shared/db/client';
import { serviceDay } from '../../shared/domain/time';
import { searchTrips, findStations } from '../../functions/ticketing/search';
import { readFeed } from '../../infra/tools/gtfs/read';
import { buildTrips, modeOf, serviceDates } from '../../infra/tools/gtfs/build';
import { parseArgs, progressBar, runImport } from '../../infra/tools/import-gtfs';
import { call } from '../support/api';

const FEED = fileURLToPath(new URL('../../../shared/standards/gtfs/sample-feed-1.zip', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function itemCount() {
  let n = 0;
  let start: any;
  do {
    const r = await db().doc.send(new ScanCommand({ TableName: db().tableName, Select: 'COUNT', ExclusiveStartKey: start }));
    n += r.Count ?? 0;
    start = r.LastEvaluatedKey;
  } while (start);
  return n;
}

describe('GTFS import', () => {
  it('reads calendars, exceptions, frequencies, fares and modes', async () => {
    const feed = await readFeed(FEED);
    const dates = serviceDates(feed, '2007-06-03', '2007-06-10');
    expect([...dates.get('FULLW')!].sort()).not.toContain('2007-06-04'); // calendar_dates removes it
    expect([...dates.get('FULLW')!]).toHaveLength(7);
    expect([...dates.get('WE')!].sort()).toEqual(['2007-06-03', '2007-06-09', '2007-06-10']);
    const { trips } = buildTrips(feed, { from: '2007-06-09', to: '2007-06-09', feedId: 'sample' });
    const count = (prefix: string) => trips.filter((t) => t.number.startsWith(prefix)).length;
    expect(count('30-')).toBe(32); // STBA every 30 min 06:00–22:00
    expect(count('40-')).toBe(104); // CITY1 + CITY2 with their headways
    expect(trips).toHaveLength(32 + 104 + 2 + 2 + 4);
    const ab1 = trips.find((t) => t.number === '10-AB1')!;
    expect(ab1.mode).toBe('coach');
    expect(ab1.classes[0].fareFenPerSegment).toEqual([125]);
    // 08:00 in Los Angeles (PDT) is 23:00 in Shanghai.
    expect(ab1.stops[0].depart).toBe('2007-06-09T23:00:00+08:00');
    expect(trips.find((t) => t.number.startsWith('40-'))!.classes[0].fareFenPerSegment).toEqual([1500, 1500, 1500, 1500]);
    expect([modeOf('2'), modeOf('3'), modeOf('4'), modeOf('1100'), modeOf('109'), modeOf('715'), modeOf('1200')]).toEqual(['rail', 'coach', 'ferry', 'air', 'rail', 'coach', 'ferry']);
    expect(() => parseArgs(['x.zip', '--from', '2026-12-02', '--to', '2026-12-01'])).toThrow();
    expect(parseArgs(['x.zip', '--from', '2026-12-01', '--to', '2026-12-31', '--seats', '40'])).toMatchObject({ seats: 40, from: '2026-12-01' });
    // An expired calendar: nothing in 2026 unless its weekly pattern is repeated.
    const none = buildTrips(feed, { from: '2026-12-05', to: '2026-12-05', feedId: 'sample' });
    expect(none.trips).toHaveLength(0);
    expect(none.warnings.join()).toMatch(/no service/);
    expect(buildTrips(feed, { from: '2026-12-05', to: '2026-12-05', feedId: 'sample', repeatWeekly: true }).trips).toHaveLength(trips.length); // a Saturday, like 2007-06-09
    expect(progressBar({ done: 5, total: 10, written: 5, unchanged: 0 }, 10)).toContain('[#####.....]  50%');
  });

  it('the CLI imports the sample feed; every trip of a chosen date is searchable; re-importing changes nothing', { timeout: 120_000 }, async () => {
    const env = { ...process.env, DATA_DIR: mkdtempSync(join(tmpdir(), 'gtfs-')), DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT!, TABLE_NAME: db().tableName };
    const { stderr } = await promisify(execFile)(join(ROOT, 'node_modules/.bin/tsx'), ['infra/tools/import-gtfs.ts', FEED, '--from', '2007-06-09', '--to', '2007-06-09', '--feed-id', 'sample'], { cwd: ROOT, env });
    expect(stderr).toMatch(/done: \d+ trips \(\d+ written, 0 unchanged\)/);
    const before = await itemCount();

    const feed = await readFeed(FEED);
    const { trips } = buildTrips(feed, { from: '2007-06-09', to: '2007-06-09', feedId: 'sample' });
    // Group by (first stop, last stop, departure day in Shanghai): one search per group.
    const groups = new Map<string, string[]>();
    for (const t of trips) {
      const key = `${t.stops[0].stationId}|${t.stops[t.stops.length - 1].stationId}|${serviceDay(t.stops[0].depart!)}`;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key)!.push(t.tripId);
    }
    for (const [key, ids] of groups) {
      const [from, to, date] = key.split('|');
      const found = new Set((await searchTrips(db(), { from, to, date })).trips.map((t) => t.tripId));
      for (const id of ids) expect(found.has(id), `${id} on ${key}`).toBe(true);
    }
    const g = (await call('GET', '/v1/trips/' + trips[0].tripId)).body;
    expect(g.stops.length).toBeGreaterThan(1);
    expect((await findStations(db(), 'furnace')).map((s) => s.name)).toEqual(['Furnace Creek Resort (Demo)']);

    const again = await runImport({ feed: FEED, from: '2007-06-09', to: '2007-06-09', feedId: 'sample', dataDir: env.DATA_DIR }, db());
    expect(again.written).toBe(0);
    expect(again.unchanged).toBe(again.total);
    expect(await itemCount()).toBe(before);
  });
});
