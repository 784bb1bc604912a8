/**
 * What the Official Account answers. Every answer comes from DynamoDB queries only (the
 * platform gives a passive reply 5 seconds): tickets via the ticketing search, trip status
 * via the trip-number index, parking via the parking search, orders via the orders index.
 */
import type { Db } from '../../shared/db/client';
import { addDays, todayInShanghai, toShanghaiIso } from '../../shared/domain/time';
import { findStations, getTripByNumber, resolveCityStations, searchTrips, type StationView, type TripOffer } from '../ticketing/search';
import { arriveAt, departAt, ms, type Trip } from '../ticketing/model';
import { searchSpots } from '../parking/search';
import { logger } from '../../shared/http/logger';
import { cnDay, duration, hhmm, parseCommand, truncateUtf8, yuan, type Command } from './text';
import { createBindCode, getOaUser, latestOrders, setSubscribed, unbind } from './store';

export interface IncomingMessage {
  ToUserName: string;
  FromUserName: string;
  CreateTime: string;
  MsgType: string;
  Content?: string;
  MsgId?: string;
  Event?: string;
  EventKey?: string;
  Location_X?: string;
  Location_Y?: string;
  Label?: string;
  [k: string]: string | undefined;
}

/** Text to send back, or null for "no reply" (WeChat's `success`). */
export type Answer = string | null;

export const HELP = [
  '一站出行助手，可以发送：',
  '· 余票 北京 上海 明天',
  '· 车次 G101（经停、正晚点）',
  '· 停车 人民广场（或直接发送位置）',
  '· 订单（先发送「绑定」关联一站账号）',
  '· 帮助',
].join('\n');

export const WELCOME = `欢迎关注一站！\n${HELP}`;

const MODE_CN: Record<string, string> = { rail: '火车', coach: '汽车', ferry: '船', air: '航班' };
const STATUS_CN: Record<string, string> = {
  PENDING_PAYMENT: '待支付',
  PAID: '已支付',
  COMPLETED: '已完成',
  CANCELLED: '已取消',
  EXPIRED: '已过期',
  REFUND_PENDING: '退款中',
  REFUNDED: '已退款',
};

/** City centres for `停车 <城市>` when no station carries coordinates. */
const CITY_CENTRES: Record<string, { lat: number; lng: number; label: string }> = {
  北京: { lat: 39.9087, lng: 116.3975, label: '天安门' },
  上海: { lat: 31.2304, lng: 121.4737, label: '人民广场' },
  广州: { lat: 23.1291, lng: 113.2644, label: '广州市中心' },
  深圳: { lat: 22.5431, lng: 114.0579, label: '深圳市中心' },
  杭州: { lat: 30.2741, lng: 120.1551, label: '杭州市中心' },
  南京: { lat: 32.0603, lng: 118.7969, label: '新街口' },
  天津: { lat: 39.1256, lng: 117.1902, label: '天津市中心' },
  重庆: { lat: 29.563, lng: 106.5516, label: '解放碑' },
  成都: { lat: 30.6586, lng: 104.0647, label: '天府广场' },
  武汉: { lat: 30.5928, lng: 114.3055, label: '武汉市中心' },
  西安: { lat: 34.2658, lng: 108.9541, label: '钟楼' },
  苏州: { lat: 31.2989, lng: 120.5853, label: '苏州市中心' },
};

const MAX_TRIPS = 5;
const MAX_STATIONS_PER_CITY = 6;
const PARKING_RADIUS_M = 2000;
const PARKING_WINDOW_MS = 60 * 60_000;
const MAX_SPOTS = 5;

/** Answers one message from WeChat. */
export async function answer(db: Db, msg: IncomingMessage, now: Date): Promise<Answer> {
  const openid = msg.FromUserName;
  switch (msg.MsgType) {
    case 'text':
      return answerText(db, openid, msg.Content ?? '', now);
    case 'event':
      return answerEvent(db, msg, now);
    case 'location': {
      const lat = Number(msg.Location_X);
      const lng = Number(msg.Location_Y);
      if (!Number.isFinite(lat) || !Number.isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) return `没能读取这个位置。\n${HELP}`;
      return parking(db, lat, lng, msg.Label ? msg.Label.slice(0, 40) : undefined, now);
    }
    case 'image':
    case 'voice':
    case 'video':
    case 'shortvideo':
    case 'link':
    case 'file':
      return `暂时只能看懂文字和位置。\n${HELP}`;
    default:
      return HELP;
  }
}

async function answerEvent(db: Db, msg: IncomingMessage, now: Date): Promise<Answer> {
  const event = (msg.Event ?? '').toLowerCase();
  if (event === 'subscribe') {
    const u = await setSubscribed(db, msg.FromUserName, true, now);
    return u.userId ? `欢迎回来！已关联您的一站账号。\n${HELP}` : WELCOME;
  }
  if (event === 'unsubscribe') {
    // WeChat delivers nothing to someone who just unfollowed; keep the binding, stop messaging.
    await setSubscribed(db, msg.FromUserName, false, now);
    return null;
  }
  if (event === 'click' && msg.EventKey) return answerText(db, msg.FromUserName, msg.EventKey.slice(0, 200), now);
  // LOCATION reports, VIEW, SCAN, template-send results...: nothing to say.
  return null;
}

export async function answerText(db: Db, openid: string, content: string, now: Date): Promise<Answer> {
  const today = todayInShanghai(now);
  const cmd = parseCommand(content.slice(0, 500), today);
  logger.info('chat command', { command: cmd.kind });
  return runCommand(db, openid, cmd, now);
}

async function runCommand(db: Db, openid: string, cmd: Command, now: Date): Promise<Answer> {
  switch (cmd.kind) {
    case 'tickets':
      return tickets(db, cmd.from, cmd.to, cmd.date, now);
    case 'tickets_usage':
      if (cmd.reason === 'bad_date') return '日期看不懂，可以写：今天、明天、后天、12月1日、2026-12-01。';
      if (cmd.reason === 'past_date') return '这个日期已经过去了，请换一个日期。';
      return '查余票请发送：余票 出发地 目的地 日期\n例如：余票 北京 上海 明天';
    case 'trip':
      return tripStatus(db, cmd.number, cmd.date, now);
    case 'orders':
      return orders(db, openid, now);
    case 'bind': {
      const u = await getOaUser(db, openid);
      const code = await createBindCode(db, openid, now);
      return (
        `绑定码：${code}\n10分钟内有效，仅可使用一次。请在一站小程序「我的 → 绑定公众号」中输入。` +
        (u?.userId ? '\n（已绑定过账号，使用新码将改绑到新账号。）' : '')
      );
    }
    case 'unbind':
      return (await unbind(db, openid)) ? '已解除与一站账号的绑定。' : '当前没有绑定一站账号。';
    case 'parking':
      return parking(db, cmd.lat, cmd.lng, undefined, now);
    case 'parking_place':
      return parkingNear(db, cmd.place, now);
    case 'parking_usage':
      return '找停车位请发送：停车 地名（如：停车 上海虹桥），或直接发送位置。';
    case 'help':
      return HELP;
  }
}

// ---------------------------------------------------------------------------
// 余票

async function stationsFor(db: Db, name: string): Promise<StationView[]> {
  return (await resolveCityStations(db, name)).slice(0, MAX_STATIONS_PER_CITY);
}

export async function tickets(db: Db, from: string, to: string, date: string, now: Date): Promise<string> {
  const [a, b] = await Promise.all([stationsFor(db, from), stationsFor(db, to)]);
  if (!a.length) return `没有找到「${from.slice(0, 20)}」的车站。`;
  if (!b.length) return `没有找到「${to.slice(0, 20)}」的车站。`;
  const pairs = a.flatMap((x) => b.filter((y) => y.stationId !== x.stationId).map((y) => [x.stationId, y.stationId] as const));
  const results = await Promise.all(pairs.map(([f, t]) => searchTrips(db, { from: f, to: t, date }, now)));
  const seen = new Set<string>();
  const offers: TripOffer[] = [];
  for (const r of results) {
    for (const o of r.trips) {
      if (seen.has(o.tripId)) continue;
      seen.add(o.tripId);
      if (o.status === 'cancelled' || !o.salesOpen) continue;
      if (!o.classes.some((c) => c.remaining > 0)) continue;
      offers.push(o);
    }
  }
  offers.sort((x, y) => ms(x.from.depart) - ms(y.from.depart) || x.number.localeCompare(y.number));
  const head = `${from.slice(0, 20)} → ${to.slice(0, 20)} ${cnDay(date)}`;
  if (!offers.length) return `${head}\n没有还能购买的余票。`;
  const lines = [head];
  offers.slice(0, MAX_TRIPS).forEach((o, i) => {
    const delay = o.status === 'delayed' && o.delayMinutes ? ` 晚点${o.delayMinutes}分` : '';
    lines.push(`${i + 1}. ${o.number}（${MODE_CN[o.mode] ?? o.mode}）${o.from.name} ${hhmm(o.from.depart)} → ${o.to.name} ${hhmm(o.to.arrive)}，${duration(o.durationMinutes)}${delay}`);
    lines.push('   ' + o.classes.map((c) => (c.remaining > 0 ? `${c.name} 余${c.remaining} ${yuan(c.priceFen)}` : `${c.name} 无票`)).join('；'));
  });
  if (offers.length > MAX_TRIPS) lines.push(`还有${offers.length - MAX_TRIPS}趟，请在一站小程序查看。`);
  return truncateUtf8(lines.join('\n'));
}

// ---------------------------------------------------------------------------
// 车次

export async function tripStatus(db: Db, number: string, date: string | undefined, now: Date): Promise<string> {
  const today = todayInShanghai(now);
  let trip: Trip | undefined = await getTripByNumber(db, number, date ?? today);
  if (!trip && !date) {
    // A trip of yesterday's service day still running past midnight.
    const y = await getTripByNumber(db, number, addDays(today, -1));
    if (y && ms(arriveAt(y, y.stops.length - 1)) > now.getTime()) trip = y;
  }
  if (!trip) return `没有找到${date ? cnDay(date) : '今天'}的车次 ${number}。`;
  const last = trip.stops.length - 1;
  const status =
    trip.status === 'cancelled' ? '已停运' : trip.status === 'delayed' ? `晚点${trip.delayMinutes ? `约${trip.delayMinutes}分钟` : ''}` : '正点';
  const lines = [
    `${trip.number} ${trip.stops[0].name} → ${trip.stops[last].name} ${cnDay(trip.serviceDate)}`,
    `${trip.operatorName} · 状态：${status}`,
  ];
  trip.stops.forEach((s, i) => {
    if (i === 0) lines.push(`${s.name} 始发 ${hhmm(departAt(trip!, 0))}`);
    else if (i === last) lines.push(`${s.name} 终到 ${hhmm(arriveAt(trip!, i))}`);
    else lines.push(`${s.name} ${hhmm(s.arrive)}到 ${hhmm(s.depart)}开`);
  });
  if (trip.status === 'delayed' && trip.delayMinutes) lines.push(`以上为计划时刻，预计晚${trip.delayMinutes}分钟。`);
  return truncateUtf8(lines.join('\n'));
}

// ---------------------------------------------------------------------------
// 订单

export async function orders(db: Db, openid: string, now: Date): Promise<string> {
  const u = await getOaUser(db, openid);
  if (!u?.userId) return '还没有关联一站账号。请发送「绑定」获取绑定码，然后在一站小程序「我的 → 绑定公众号」中输入。';
  const list = await latestOrders(db, u.userId, now, 5);
  if (!list.length) return '您还没有订单。';
  const lines = ['最近的订单：'];
  list.forEach((o, i) => {
    const at = toShanghaiIso(o.createdAt).slice(5, 16).replace('T', ' ');
    const due = o.status === 'PENDING_PAYMENT' && o.amountDueFen ? `，待付${yuan(o.amountDueFen)}` : '';
    lines.push(`${i + 1}. ${o.title.slice(0, 40)}\n   ${STATUS_CN[o.status] ?? o.status} ${yuan(o.amountFen)}${due} · ${at}`);
  });
  lines.push('详情请在一站小程序「订单」中查看。');
  return truncateUtf8(lines.join('\n'));
}

// ---------------------------------------------------------------------------
// 停车

async function parkingNear(db: Db, place: string, now: Date): Promise<string> {
  const name = place.slice(0, 30);
  const centre = CITY_CENTRES[name.replace(/市$/, '')];
  if (centre) return parking(db, centre.lat, centre.lng, centre.label, now);
  const stations = [...(await resolveCityStations(db, name)), ...(await findStations(db, name, 5))];
  const st = stations.find((s) => typeof s.lat === 'number' && typeof s.lng === 'number');
  if (!st) return `没有找到「${name}」的位置。请直接发送位置，或发送经纬度，如：停车 31.23,121.47`;
  return parking(db, st.lat!, st.lng!, st.name, now);
}

export async function parking(db: Db, lat: number, lng: number, label: string | undefined, now: Date): Promise<string> {
  const where = label ?? `${lat.toFixed(4)},${lng.toFixed(4)}`;
  let spots: Awaited<ReturnType<typeof searchSpots>>;
  try {
    spots = await searchSpots(db, { lat, lng, radiusM: PARKING_RADIUS_M, start: now, end: new Date(now.getTime() + PARKING_WINDOW_MS), limit: MAX_SPOTS }, now);
  } catch (e: any) {
    if (e?.name === 'ApiError' && e.status < 500) return `${where}附近暂时查不到车位。`;
    throw e;
  }
  if (!spots.length) return `${where}附近${PARKING_RADIUS_M / 1000}公里内现在没有空闲的共享车位。`;
  const lines = [`${where}附近现在空闲的共享车位：`];
  spots.forEach((s, i) => {
    lines.push(`${i + 1}. ${s.title.slice(0, 30)}，${s.distanceM}米，${yuan(s.pricePerHourFen)}/小时\n   ${s.address.slice(0, 60)}`);
  });
  lines.push('预订请打开一站小程序「停车」。');
  return truncateUtf8(lines.join('\n'));
}
