/**
 * Demo parking: shared spots near real places in 上海 and 北京, owned by demo owners
 * (sign in as `demo-owner-1` / `demo-owner-2` with dev-login; `demo-passenger` is a driver).
 * Weekly windows (one crossing midnight), so they are always bookable in the future.
 * Fixed ids and conditional puts: seeding twice changes nothing.
 */
import type { Seeder } from '../seed';
import { createSpot, type SpotInput } from '../../../functions/parking/spots';

const WEEKDAYS = [1, 2, 3, 4, 5];
const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];

export const DEMO_SPOTS: { id: string; owner: string; spot: SpotInput }[] = [
  {
    id: 'spt_00000000000000000000DSH001',
    owner: 'demo-owner-1',
    spot: {
      title: '陆家嘴 写字楼地库 B2-118（夜间与周末）',
      address: '上海市浦东新区陆家嘴环路 1000 号 B2',
      city: 'shanghai',
      location: { lat: 31.2397, lng: 121.4998 },
      pricePerHourFen: 1500,
      dailyCapFen: 8000,
      availability: [
        { days: [1, 2, 3, 4], start: '19:00', end: '08:00' },
        { days: [5], start: '19:00', end: '24:00' },
        { days: [6, 7], start: '00:00', end: '24:00' },
      ],
      features: ['underground', 'covered', 'ev_charger'],
      accessNotes: '从银城中路入口进入，B2 层电梯厅右侧 118 号。',
    },
  },
  {
    id: 'spt_00000000000000000000DSH002',
    owner: 'demo-owner-1',
    spot: {
      title: '人民广场 小区车位（工作日白天）',
      address: '上海市黄浦区西藏中路 268 号',
      city: 'shanghai',
      location: { lat: 31.2323, lng: 121.475 },
      pricePerHourFen: 1200,
      dailyCapFen: 6000,
      availability: [{ days: WEEKDAYS, start: '08:30', end: '18:30' }],
      features: ['outdoor'],
      accessNotes: '小区南门登记车牌后进入，地面 12 号车位。',
    },
  },
  {
    id: 'spt_00000000000000000000DSH003',
    owner: 'demo-owner-2',
    spot: {
      title: '虹桥火车站 P9 附近 长租车位',
      address: '上海市闵行区申贵路 1500 号',
      city: 'shanghai',
      location: { lat: 31.1945, lng: 121.3203 },
      pricePerHourFen: 800,
      dailyCapFen: 4500,
      availability: [{ days: EVERY_DAY, start: '00:00', end: '24:00' }],
      features: ['covered', 'camera'],
      accessNotes: '地库入口在申贵路，按对讲说明车位号。',
    },
  },
  {
    id: 'spt_00000000000000000000DBJ001',
    owner: 'demo-owner-2',
    spot: {
      title: '国贸 公司车位（夜间 22:00–07:00）',
      address: '北京市朝阳区建国门外大街 1 号 B3',
      city: 'beijing',
      location: { lat: 39.9087, lng: 116.4605 },
      pricePerHourFen: 1000,
      dailyCapFen: 5000,
      availability: [{ days: EVERY_DAY, start: '22:00', end: '07:00' }],
      features: ['underground', 'guarded'],
      accessNotes: '东三环辅路入口，B3 层 C 区。',
    },
  },
  {
    id: 'spt_00000000000000000000DBJ002',
    owner: 'demo-owner-1',
    spot: {
      title: '中关村 软件园旁 小区车位',
      address: '北京市海淀区中关村大街 27 号',
      city: 'beijing',
      location: { lat: 39.9839, lng: 116.3164 },
      pricePerHourFen: 800,
      availability: [
        { days: WEEKDAYS, start: '09:00', end: '18:00' },
        { days: [6, 7], start: '07:00', end: '22:00' },
      ],
      features: ['outdoor', 'ev_charger'],
    },
  },
  {
    id: 'spt_00000000000000000000DBJ003',
    owner: 'demo-owner-2',
    spot: {
      title: '北京南站 南广场 共享车位',
      address: '北京市丰台区永外大街车站路 12 号',
      city: 'beijing',
      location: { lat: 39.8652, lng: 116.3786 },
      pricePerHourFen: 1000,
      dailyCapFen: 6000,
      availability: [{ days: EVERY_DAY, start: '05:00', end: '24:00' }],
      features: ['covered', 'camera'],
    },
  },
];

export const seeder: Seeder = {
  name: 'parking',
  run: async (db, now) => {
    for (const s of DEMO_SPOTS) {
      await createSpot(db, s.owner, s.spot, now, s.id).catch((e) => {
        if (e?.name !== 'ConditionalCheckFailedException') throw e;
      });
    }
  },
};
