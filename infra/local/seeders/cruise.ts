/**
 * Demo cruise data: two voyages, always in the future —
 *  - 上海吴淞口 → 福冈 → 长崎 → 上海 (international, passports), departing in ~30 days (full price);
 *  - 三亚凤凰岛 → 海口 → 北海 → 三亚 (domestic), departing in ~90 days (deposit + balance).
 * Idempotent: a pointer item per demo route names the current voyage; a new one (with an id
 * made from its departure day) is written only when the current one is missing or departs
 * within a week. The voyage put is conditional, so reruns change nothing.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Seeder } from '../seed';
import type { Db } from '../../../shared/db/client';
import { addDays, todayInShanghai } from '../../../shared/domain/time';
import { buildVoyage, writeVoyage, type VoyageInput } from '../../../functions/cruise/voyages';

const OPERATOR = 'demo-cruise-line';

function cabins(spec: { prefix: string; deck: number; categoryCode: string; count: number; maxGuests: number }[]) {
  return spec.flatMap((s) => Array.from({ length: s.count }, (_, i) => ({ number: `${s.prefix}${String(i + 1).padStart(2, '0')}`, categoryCode: s.categoryCode, deck: s.deck, maxGuests: s.maxGuests })));
}

const routes: { key: string; inDays: number; input: (departDate: string) => VoyageInput }[] = [
  {
    key: 'SHA',
    inDays: 30,
    input: (departDate) => ({
      shipName: '蓝梦之星',
      name: '上海—福冈—长崎 5晚日本航线',
      departPort: { code: 'CNSHA', name: '上海吴淞口国际邮轮港' },
      departDate,
      nights: 5,
      international: true,
      itinerary: [
        { day: 1, port: '上海吴淞口', depart: '16:30' },
        { day: 2, port: '海上巡游' },
        { day: 3, port: '福冈', arrive: '08:00', depart: '18:00' },
        { day: 4, port: '长崎', arrive: '08:00', depart: '17:00' },
        { day: 5, port: '海上巡游' },
        { day: 6, port: '上海吴淞口', arrive: '07:00' },
      ],
      categories: [
        { code: 'IN', name: '内舱房', kind: 'inside', pricesFen: { '1': 599900, '2': 399900, '3': 329900, '4': 299900 } },
        { code: 'OV', name: '海景房', kind: 'oceanview', pricesFen: { '1': 699900, '2': 469900, '3': 389900, '4': 349900 } },
        { code: 'BAL', name: '阳台房', kind: 'balcony', pricesFen: { '1': 899900, '2': 599900, '3': 499900, '4': 449900 } },
        { code: 'STE', name: '行政套房', kind: 'suite', pricesFen: { '1': 1999900, '2': 1299900, '3': 1099900, '4': 999900 } },
      ],
      cabins: cabins([
        { prefix: '6', deck: 6, categoryCode: 'IN', count: 12, maxGuests: 4 },
        { prefix: '7', deck: 7, categoryCode: 'OV', count: 10, maxGuests: 3 },
        { prefix: '9', deck: 9, categoryCode: 'BAL', count: 10, maxGuests: 4 },
        { prefix: '12', deck: 12, categoryCode: 'STE', count: 4, maxGuests: 4 },
      ]),
    }),
  },
  {
    key: 'SYX',
    inDays: 90,
    input: (departDate) => ({
      shipName: '南海之梦',
      name: '三亚—海口—北海 4晚北部湾航线',
      departPort: { code: 'CNSYX', name: '三亚凤凰岛国际邮轮港' },
      departDate,
      nights: 4,
      international: false,
      itinerary: [
        { day: 1, port: '三亚凤凰岛', depart: '18:00' },
        { day: 2, port: '海口', arrive: '09:00', depart: '17:00' },
        { day: 3, port: '北海', arrive: '10:00', depart: '19:00' },
        { day: 4, port: '海上巡游' },
        { day: 5, port: '三亚凤凰岛', arrive: '08:00' },
      ],
      categories: [
        { code: 'IN', name: '内舱房', kind: 'inside', pricesFen: { '1': 329900, '2': 219900, '3': 189900 } as Record<string, number> },
        { code: 'BAL', name: '阳台房', kind: 'balcony', pricesFen: { '1': 559900, '2': 369900, '3': 309900, '4': 279900 } },
        { code: 'STE', name: '海景套房', kind: 'suite', pricesFen: { '1': 1299900, '2': 899900, '3': 769900, '4': 699900 } },
      ],
      cabins: cabins([
        { prefix: '5', deck: 5, categoryCode: 'IN', count: 12, maxGuests: 3 },
        { prefix: '8', deck: 8, categoryCode: 'BAL', count: 10, maxGuests: 4 },
        { prefix: '10', deck: 10, categoryCode: 'STE', count: 3, maxGuests: 4 },
      ]),
    }),
  },
];

async function seedRoute(db: Db, now: Date, r: (typeof routes)[number]) {
  const today = todayInShanghai(now);
  const pointerKey = { PK: 'CRUISEDEMO', SK: r.key };
  const pointer = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: pointerKey, ConsistentRead: true }));
  if (pointer.Item && pointer.Item.departDate > addDays(today, 7)) return;
  const departDate = addDays(today, r.inDays);
  const id = `voy_DEMO${r.key}${departDate.replace(/-/g, '')}`;
  const { voyage, cabins: items } = buildVoyage(r.input(departDate), OPERATOR, now, id);
  try {
    await writeVoyage(db, voyage, items, now);
  } catch (e: any) {
    if (e?.name !== 'ConditionalCheckFailedException') throw e;
  }
  await db.doc.send(new PutCommand({ TableName: db.tableName, Item: { ...pointerKey, type: 'CruiseDemoPointer', voyageId: id, departDate } }));
}

export const seeder: Seeder = {
  name: 'cruise',
  run: async (db, now) => {
    for (const r of routes) await seedRoute(db, now, r);
  },
};
