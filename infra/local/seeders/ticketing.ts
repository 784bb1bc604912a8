/**
 * Ticketing demo data: rail, coach, ferry and air trips between real cities for the next
 * 14 days, enough for a cross-mode journey (G101 北京南→上海虹桥, then the 吴淞口→舟山
 * ferry from another station of 上海). Fixed ids per (number, day); an existing trip is
 * never rewritten, so operator changes (delays, cancellations) survive a restart.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Seeder } from '../seed';
import type { Db } from '../../../shared/db/client';
import { addDays, atShanghaiTime, todayInShanghai, toShanghaiIso } from '../../../shared/domain/time';
import { deterministicTripId, tk, type Mode, type Trip, type TripClass } from '../../../functions/ticketing/model';
import { writeTrip } from '../../../functions/ticketing/trips';


const ST = {
  beijingnan: ['beijingnan', '北京南', '北京', 39.8652, 116.3786],
  jinanxi: ['jinanxi', '济南西', '济南', 36.6696, 116.8904],
  nanjingnan: ['nanjingnan', '南京南', '南京', 31.9682, 118.7981],
  shanghaihongqiao: ['shanghaihongqiao', '上海虹桥', '上海', 31.1941, 121.3202],
  shanghaizhan: ['shanghaizhan', '上海长途汽车客运总站', '上海', 31.2523, 121.4494],
  hangzhoudong: ['hangzhouqichezhan', '杭州汽车客运中心', '杭州', 30.3147, 120.2139],
  wusongkou: ['wusongkou', '上海吴淞口', '上海', 31.3908, 121.5017],
  zhoushan: ['putuoshan', '舟山普陀山', '舟山', 29.9827, 122.3879],
  haikou: ['haikouxinhaigang', '海口新海港', '海口', 20.0574, 110.1510],
  xuwen: ['xuwenhaian', '徐闻海安新港', '湛江', 20.2600, 110.2222],
  shoudu: ['beijingshoudu', '北京首都机场', '北京', 40.0799, 116.6031],
  hongqiaoair: ['shanghaihongqiaojichang', '上海虹桥机场', '上海', 31.1979, 121.3363],
} as const;

interface TripDef {
  mode: Mode;
  number: string;
  operatorName: string;
  stops: [keyof typeof ST, string | null, string | null][];
  classes: TripClass[];
}

const G_CLASSES = (scale = 1): TripClass[] => [
  { code: 'BC', name: '商务座', seats: 10, fareFenPerSegment: [59000, 70000, 48000].map((f) => Math.round(f * scale)) },
  { code: 'FC', name: '一等座', seats: 50, fareFenPerSegment: [29500, 35000, 24000].map((f) => Math.round(f * scale)) },
  { code: 'SE', name: '二等座', seats: 300, fareFenPerSegment: [18450, 21900, 14950].map((f) => Math.round(f * scale)) },
];

export const DEMO_TRIPS: TripDef[] = [
  { mode: 'rail', number: 'G101', operatorName: '国铁集团', stops: [['beijingnan', null, '07:00'], ['jinanxi', '08:32', '08:34'], ['nanjingnan', '10:45', '10:47'], ['shanghaihongqiao', '11:58', null]], classes: G_CLASSES() },
  { mode: 'rail', number: 'G105', operatorName: '国铁集团', stops: [['beijingnan', null, '10:00'], ['jinanxi', '11:30', '11:32'], ['nanjingnan', '13:41', '13:43'], ['shanghaihongqiao', '14:56', null]], classes: G_CLASSES() },
  { mode: 'rail', number: 'G121', operatorName: '国铁集团', stops: [['beijingnan', null, '15:00'], ['jinanxi', '16:31', '16:33'], ['nanjingnan', '18:44', '18:46'], ['shanghaihongqiao', '19:59', null]], classes: G_CLASSES() },
  { mode: 'coach', number: 'K3001', operatorName: '上海长途客运', stops: [['shanghaizhan', null, '09:00'], ['hangzhoudong', '11:40', null]], classes: [{ code: 'S', name: '座位', seats: 45, fareFenPerSegment: [6800] }] },
  { mode: 'coach', number: 'K3005', operatorName: '上海长途客运', stops: [['shanghaizhan', null, '15:30'], ['hangzhoudong', '18:10', null]], classes: [{ code: 'S', name: '座位', seats: 45, fareFenPerSegment: [6800] }] },
  { mode: 'ferry', number: 'WS1', operatorName: '舟山海峡轮渡', stops: [['wusongkou', null, '14:00'], ['zhoushan', '18:30', null]], classes: [{ code: 'E', name: '经济舱', seats: 240, fareFenPerSegment: [16000] }, { code: 'B', name: '二等舱', seats: 40, fareFenPerSegment: [26000] }] },
  { mode: 'ferry', number: 'QH18', operatorName: '琼州海峡轮渡', stops: [['haikou', null, '08:30'], ['xuwen', '10:00', null]], classes: [{ code: 'E', name: '经济舱', seats: 320, fareFenPerSegment: [4800] }] },
  { mode: 'air', number: 'MU5101', operatorName: '东方航空', stops: [['shoudu', null, '08:00'], ['hongqiaoair', '10:15', null]], classes: [{ code: 'Y', name: '经济舱', seats: 150, fareFenPerSegment: [98000] }, { code: 'C', name: '公务舱', seats: 24, fareFenPerSegment: [268000] }] },
  { mode: 'air', number: 'CA1519', operatorName: '中国国航', stops: [['shoudu', null, '13:30'], ['hongqiaoair', '15:45', null]], classes: [{ code: 'Y', name: '经济舱', seats: 150, fareFenPerSegment: [92000] }] },
];

export function demoTrip(def: TripDef, day: string, now: Date): Trip {
  const at = (t: string | null) => (t ? toShanghaiIso(atShanghaiTime(day, t)) : undefined);
  return {
    tripId: deterministicTripId(`demo:${def.mode}:${def.number}:${day}`),
    mode: def.mode,
    number: def.number,
    operatorName: def.operatorName,
    serviceDate: day,
    realName: true,
    status: 'on_time',
    delayMinutes: 0,
    stops: def.stops.map(([k, arr, dep]) => {
      const [stationId, name, city, lat, lng] = ST[k];
      const arrive = at(arr);
      const depart = at(dep);
      return { stationId, name, city, lat, lng, ...(arrive ? { arrive } : {}), ...(depart ? { depart } : {}) };
    }),
    classes: def.classes,
    createdBy: 'demo-operator',
    createdAt: now.toISOString(),
    source: 'demo',
  };
}

export const DAYS = 14;

/** Seeds `days` days of demo trips from today (Shanghai). Idempotent. */
export async function seedDemoTrips(db: Db, now: Date, days = DAYS) {
  const today = todayInShanghai(now);
  const stationsDone = new Set<string>();
  for (let d = 0; d < days; d++) {
    const day = addDays(today, d);
    for (const def of DEMO_TRIPS) {
      const trip = demoTrip(def, day, now);
      const existing = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: tk.trip(trip.tripId), ProjectionExpression: 'PK' }));
      if (existing.Item) continue;
      await writeTrip(db, trip, { stationsDone });
    }
  }
}

export const seeder: Seeder = { name: 'ticketing', run: (db, now) => seedDemoTrips(db, now) };
