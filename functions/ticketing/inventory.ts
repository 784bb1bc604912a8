/**
 * Seat inventory per segment. Each class of a trip is split into blocks (a rail car, 20
 * rows elsewhere); one item per block holds, per seat, a number set of the segments that
 * seat is sold on (`s<slot>`). A booking ADDs its segments to its seats, conditional on
 * none of them being taken; a release DELETEs them. So A→B sold on a seat leaves it free
 * for B→C, `remaining` for A→B is exact (seats free on every segment of A→B), and two
 * buyers can never take the same seat on the same segment. Items that do not exist yet are
 * simply all free (no pre-allocation): the first booking creates the block.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../shared/db/client';
import type { TxItem } from '../../shared/orders/model';
import { blockSize, seatBlock, segmentsOf, tk, type Mode, type Occupancy, type TicketRef, type Trip } from './model';

/** Condition expressions are limited to 4 KB; above this a block falls back to its version. */
const MAX_CONDITION_CHARS = 3500;

export interface TripSnapshot {
  trip: Trip;
  /** class code → occupancy */
  occupancy: Map<string, Occupancy>;
  /** block item version by `${class}#${block}` */
  versions: Map<string, number>;
}

/** The trip and all its seat blocks in one query (they share the partition TRIP#<id>). */
export async function loadTripSnapshot(db: Db, tripId: string, consistent = false): Promise<TripSnapshot | undefined> {
  let trip: Trip | undefined;
  const occupancy = new Map<string, Occupancy>();
  const versions = new Map<string, number>();
  let start: Record<string, any> | undefined;
  do {
    const r = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': tk.tripPk(tripId) },
        ConsistentRead: consistent,
        ExclusiveStartKey: start,
      }),
    );
    for (const it of r.Items ?? []) {
      if (it.SK === 'TRIP') trip = toTrip(it);
      else if (typeof it.SK === 'string' && it.SK.startsWith('INV#')) {
        const cls = it.classCode as string;
        const block = it.block as number;
        versions.set(`${cls}#${block}`, Number(it.v ?? 0));
        if (!occupancy.has(cls)) occupancy.set(cls, new Map());
        const occ = occupancy.get(cls)!;
        for (const [k, v] of Object.entries(it)) {
          if (!/^s\d+$/.test(k) || !(v instanceof Set) || v.size === 0) continue;
          occ.set(block * (it.blockSize as number) + Number(k.slice(1)), new Set([...v].map(Number)));
        }
      }
    }
    start = r.LastEvaluatedKey;
  } while (start);
  return trip ? { trip, occupancy, versions } : undefined;
}

export function toTrip(it: Record<string, any>): Trip {
  return {
    tripId: it.tripId,
    mode: it.mode,
    number: it.number,
    operatorName: it.operatorName,
    serviceDate: it.serviceDate,
    realName: it.realName !== false,
    status: it.status,
    delayMinutes: it.delayMinutes ?? 0,
    stops: it.stops,
    classes: it.classes,
    createdBy: it.createdBy,
    ...(it.operatorId ? { operatorId: it.operatorId } : {}),
    createdAt: it.createdAt,
    ...(it.source ? { source: it.source } : {}),
  };
}

export interface SeatClaim {
  seatIdx: number;
  fromIdx: number;
  toIdx: number;
}

/**
 * Update actions taking seats (grouped per block item: a transaction may touch an item
 * once). Each seat's condition: none of its segments is taken. Returns the actions.
 */
export function takeSeatActions(db: Db, snap: TripSnapshot, classCode: string, claims: SeatClaim[]): TxItem[] {
  const mode: Mode = snap.trip.mode;
  const byBlock = new Map<number, SeatClaim[]>();
  for (const c of claims) {
    const { block } = seatBlock(mode, c.seatIdx);
    if (!byBlock.has(block)) byBlock.set(block, []);
    byBlock.get(block)!.push(c);
  }
  const out: TxItem[] = [];
  for (const [block, cs] of byBlock) {
    const names: Record<string, string> = {};
    const values: Record<string, any> = { ':one': 1, ':cls': classCode, ':blk': block };
    const adds: string[] = ['v :one'];
    const conds: string[] = [];
    cs.forEach((c, i) => {
      const { slot } = seatBlock(mode, c.seatIdx);
      const segs = segmentsOf(c.fromIdx, c.toIdx);
      names[`#s${i}`] = `s${slot}`;
      values[`:n${i}`] = new Set(segs);
      adds.push(`#s${i} :n${i}`);
      for (const g of segs) values[`:g${g}`] = g;
      conds.push(`(attribute_not_exists(#s${i}) OR NOT (${segs.map((g) => `contains(#s${i}, :g${g})`).join(' OR ')}))`);
    });
    values[':bs'] = seatBlockSizeOf(mode);
    let condition = conds.join(' AND ');
    if (condition.length > MAX_CONDITION_CHARS) {
      // Very long rides for a party: optimistic check on the block's version instead.
      for (const k of Object.keys(values)) if (k.startsWith(':g')) delete values[k];
      const v = snap.versions.get(`${classCode}#${block}`) ?? 0;
      values[':v'] = v;
      condition = v === 0 ? 'attribute_not_exists(v)' : 'v = :v';
    }
    out.push({
      Update: {
        TableName: db.tableName,
        Key: tk.block(snap.trip.tripId, classCode, block),
        UpdateExpression: `SET classCode = :cls, #blk = :blk, blockSize = :bs, #type = :type ADD ${adds.join(', ')}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: { ...names, '#blk': 'block', '#type': 'type' },
        ExpressionAttributeValues: { ...values, ':type': 'SeatBlock' },
      },
    });
  }
  return out;
}

const seatBlockSizeOf = (mode: Mode) => blockSize(mode);

/** Actions giving the seats of these tickets back (unconditional DELETE from the sets). */
export function releaseSeatActions(db: Db, tickets: Pick<TicketRef, 'tripId' | 'mode' | 'classCode' | 'block' | 'seatIdx' | 'fromIdx' | 'toIdx'>[]): TxItem[] {
  const groups = new Map<string, typeof tickets>();
  for (const t of tickets) {
    const k = `${t.tripId}|${t.classCode}|${t.block}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(t);
  }
  const out: TxItem[] = [];
  for (const ts of groups.values()) {
    const t0 = ts[0];
    const names: Record<string, string> = {};
    const values: Record<string, any> = { ':one': 1 };
    const dels: string[] = [];
    ts.forEach((t, i) => {
      const { slot } = seatBlock(t.mode, t.seatIdx);
      names[`#s${i}`] = `s${slot}`;
      values[`:n${i}`] = new Set(segmentsOf(t.fromIdx, t.toIdx));
      dels.push(`#s${i} :n${i}`);
    });
    out.push({
      Update: {
        TableName: db.tableName,
        Key: tk.block(t0.tripId, t0.classCode, t0.block),
        UpdateExpression: `ADD v :one DELETE ${dels.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    });
  }
  return out;
}

/** A passenger takes segments of a trip: refused when they already hold any of them (any account). */
export function takePaxAction(db: Db, tripId: string, idHash: string, fromIdx: number, toIdx: number): TxItem {
  const segs = segmentsOf(fromIdx, toIdx);
  const values: Record<string, any> = { ':n': new Set(segs) };
  for (const g of segs) values[`:g${g}`] = g;
  return {
    Update: {
      TableName: db.tableName,
      Key: tk.paxGuard(tripId, idHash),
      UpdateExpression: 'SET #type = :type ADD segs :n',
      ConditionExpression: `attribute_not_exists(segs) OR NOT (${segs.map((g) => `contains(segs, :g${g})`).join(' OR ')})`,
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ...values, ':type': 'TripPassenger' },
    },
  };
}

export function releasePaxAction(db: Db, tripId: string, idHash: string, fromIdx: number, toIdx: number): TxItem {
  return {
    Update: {
      TableName: db.tableName,
      Key: tk.paxGuard(tripId, idHash),
      UpdateExpression: 'DELETE segs :n',
      ExpressionAttributeValues: { ':n': new Set(segmentsOf(fromIdx, toIdx)) },
    },
  };
}
