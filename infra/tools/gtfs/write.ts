/**
 * Writes built trips into the table in batches (BatchWriteItem, 25 items, a few in flight),
 * skipping trips already stored with the same content: re-importing a feed changes nothing.
 * A trip whose content changed is rewritten, keeping its status and delay.
 */
import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../../shared/db/client';
import { tk, type Trip } from '../../../functions/ticketing/model';
import { stationItems, tripIndexItems, tripItem } from '../../../functions/ticketing/trips';
import { tripHash } from './build';

export interface ImportProgress {
  done: number;
  total: number;
  written: number;
  unchanged: number;
}

async function existingHashes(db: Db, ids: string[]): Promise<Map<string, { hash?: string; status?: string; delayMinutes?: number }>> {
  const out = new Map<string, { hash?: string; status?: string; delayMinutes?: number }>();
  let keys: any[] = ids.map((id) => tk.trip(id));
  for (let attempt = 0; keys.length && attempt < 8; attempt++) {
    const r = await db.doc.send(
      new BatchGetCommand({ RequestItems: { [db.tableName]: { Keys: keys, ProjectionExpression: 'tripId, sourceHash, #s, delayMinutes', ExpressionAttributeNames: { '#s': 'status' } } } }),
    );
    for (const it of r.Responses?.[db.tableName] ?? []) out.set(it.tripId, { hash: it.sourceHash, status: it.status, delayMinutes: it.delayMinutes });
    keys = (r.UnprocessedKeys?.[db.tableName]?.Keys as any[]) ?? [];
    if (keys.length) await new Promise((res) => setTimeout(res, 50 * 2 ** attempt));
  }
  return out;
}

async function writeBatch(db: Db, items: Record<string, any>[]) {
  let reqs: any[] = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 0; reqs.length; attempt++) {
    const r = await db.doc.send(new BatchWriteCommand({ RequestItems: { [db.tableName]: reqs } }));
    reqs = (r.UnprocessedItems?.[db.tableName] as any[]) ?? [];
    if (reqs.length && attempt > 10) throw new Error('DynamoDB keeps returning unprocessed items');
    if (reqs.length) await new Promise((res) => setTimeout(res, 50 * 2 ** Math.min(attempt, 6)));
  }
}

/** Writes items 25 at a time with `parallel` batches in flight. */
export async function putAll(db: Db, items: Record<string, any>[], parallel = 4) {
  const batches: Record<string, any>[][] = [];
  // A batch may not hold the same key twice.
  const seen = new Set<string>();
  const unique = items.filter((it) => {
    const k = `${it.PK}\u0000${it.SK}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  for (let i = 0; i < unique.length; i += 25) batches.push(unique.slice(i, i + 25));
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, batches.length) }, async () => {
      while (next < batches.length) await writeBatch(db, batches[next++]);
    }),
  );
}

export async function importTrips(db: Db, trips: Trip[], onProgress: (p: ImportProgress) => void = () => {}): Promise<ImportProgress> {
  const p: ImportProgress = { done: 0, total: trips.length, written: 0, unchanged: 0 };
  const stationsDone = new Set<string>();
  const CHUNK = 100;
  for (let i = 0; i < trips.length; i += CHUNK) {
    const chunk = trips.slice(i, i + CHUNK);
    const existing = await existingHashes(db, chunk.map((t) => t.tripId));
    const items: Record<string, any>[] = [];
    for (const t of chunk) {
      const hash = tripHash(t);
      const old = existing.get(t.tripId);
      if (old?.hash === hash) {
        p.unchanged++;
        continue;
      }
      const fresh = t.stops.filter((s) => !stationsDone.has(s.stationId));
      if (fresh.length) {
        items.push(...stationItems({ ...t, stops: fresh }));
        for (const s of fresh) stationsDone.add(s.stationId);
      }
      const stored: Trip = old ? { ...t, status: (old.status as Trip['status']) ?? t.status, delayMinutes: old.delayMinutes ?? 0 } : t;
      items.push({ ...tripItem(stored), sourceHash: hash }, ...tripIndexItems(stored));
      p.written++;
    }
    await putAll(db, items);
    p.done += chunk.length;
    onProgress({ ...p });
  }
  return p;
}
