/**
 * What the Official Account answers, on data created through the operator and owner routes:
 * 余票 (city names resolve to stations, five trips at most, cancelled trips left out), 车次
 * (today's stops, status, delay), 停车 (spots free now near a place, coordinates or a shared
 * location) and 订单 (only for a bound account).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { call, tokenFor } from '../support/api';
import { wechatSignature } from '../../functions/chat/signature';
import { cdata, parseWechatXml } from '../../functions/chat/xml';
import { addDays, atShanghaiTime, serviceDay, toShanghaiIso } from '../../shared/domain/time';

const TOKEN = process.env.WECHAT_OA_TOKEN!;
const OA = 'gh_yizhan_test';
let seq = 0;

function signed() {
  const ts = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(6).toString('hex');
  return `signature=${wechatSignature(TOKEN, ts, nonce)}&timestamp=${ts}&nonce=${nonce}`;
}

async function send(from: string, body: string): Promise<string> {
  const xml = `<xml><ToUserName>${cdata(OA)}</ToUserName><FromUserName>${cdata(from)}</FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime>${body}<MsgId>${8_000_000_000 + ++seq}${Date.now()}</MsgId></xml>`;
  const r = await call('POST', `/v1/chat/wechat?${signed()}`, { rawBody: xml, headers: { 'content-type': 'text/xml' } });
  expect(r.status, r.text).toBe(200);
  const f = parseWechatXml(r.text);
  expect(f).toMatchObject({ ToUserName: from, FromUserName: OA, MsgType: 'text' });
  expect(Buffer.byteLength(f.Content)).toBeLessThanOrEqual(2048);
  return f.Content;
}
const say = (from: string, text: string) => send(from, `<MsgType>${cdata('text')}</MsgType><Content>${cdata(text)}</Content>`);

const BJN = { stationId: 'beijingnan', name: '北京南', city: '北京', lat: 39.8652, lng: 116.3786 };
const JNX = { stationId: 'jinanxi', name: '济南西', city: '济南', lat: 36.6684, lng: 116.8956 };
const SHHQ = { stationId: 'shanghaihongqiao', name: '上海虹桥', city: '上海', lat: 31.1942, lng: 121.3203 };
const SH = { stationId: 'shanghai', name: '上海', city: '上海', lat: 31.2495, lng: 121.4554 };

let op: string;
beforeAll(async () => {
  op = await tokenFor('chat-op', ['operator']);
});

const iso = (d: Date) => toShanghaiIso(d);
const plus = (d: Date, min: number) => new Date(d.getTime() + min * 60_000);

async function makeTrip(number: string, stations: (typeof BJN)[], start: Date, serviceDate = serviceDay(start), fares = [30000, 25000], seats = 100) {
  const stops = stations.map((s, i) => ({
    ...s,
    ...(i > 0 ? { arrive: iso(plus(start, i * 90)) } : {}),
    ...(i < stations.length - 1 ? { depart: iso(plus(start, i * 90 + (i > 0 ? 2 : 0))) } : {}),
  }));
  const r = await call('POST', '/v1/operator/trips', {
    token: op,
    body: {
      mode: 'rail',
      number,
      operatorName: '国铁集团',
      serviceDate,
      stops,
      classes: [
        { code: 'SE', name: '二等座', seats, fareFenPerSegment: stops.slice(1).map(() => fares[1]) },
        { code: 'FC', name: '一等座', seats: 10, fareFenPerSegment: stops.slice(1).map(() => fares[0]) },
      ],
      realName: false,
    },
  });
  expect(r.status, r.text).toBe(201);
  return r.body.tripId as string;
}

describe('余票', () => {
  it('city names resolve to their stations; first five trips by departure; cancelled trips left out', async () => {
    const day = addDays(serviceDay(Date.now()), 1);
    const at = (hhmm: string) => atShanghaiTime(day, hhmm);
    await makeTrip('G11', [BJN, JNX, SHHQ], at('09:00'));
    await makeTrip('G13', [BJN, SH], at('07:00'));
    const cancelled = await makeTrip('G15', [BJN, SHHQ], at('06:00'));
    for (const [n, t] of [['G17', '10:00'], ['G19', '11:00'], ['G21', '12:00'], ['G23', '13:00']] as const) await makeTrip(n, [BJN, SHHQ], at(t));
    const patch = await call('PATCH', `/v1/operator/trips/${cancelled}`, { token: op, body: { status: 'cancelled' } });
    expect(patch.status, patch.text).toBe(200);

    const r = await say('oCmd_tickets', '余票 北京 上海 明天');
    const lines = r.split('\n');
    const [m, d] = day.split('-').slice(1).map(Number);
    expect(lines[0]).toBe(`北京 → 上海 ${m}月${d}日`);
    const numbers = [...r.matchAll(/^\d\. (G\d+)/gm)].map((x) => x[1]);
    expect(numbers).toEqual(['G13', 'G11', 'G17', 'G19', 'G21']);
    expect(r).not.toContain('G15');
    expect(r).toContain('还有1趟');
    expect(r).toContain('1. G13（火车）北京南 07:00 → 上海 08:30，1小时30分');
    expect(r).toContain('二等座 余100 ¥250；一等座 余10 ¥300');
    // G11 runs through 济南西: two segments, twice the fare.
    expect(r).toContain('2. G11（火车）北京南 09:00 → 上海虹桥 12:00，3小时');
    expect(r).toContain('二等座 余100 ¥500');

    // Stations by name, full-width spaces and digits, a month-day date.
    const hq = await say('oCmd_tickets', `余票　北京南　上海虹桥　${String(m).replace(/\d/g, (c) => String.fromCharCode(0xff10 + Number(c)))}月${d}日`);
    expect([...hq.matchAll(/^\d\. (G\d+)/gm)].map((x) => x[1])).toEqual(['G11', 'G17', 'G19', 'G21', 'G23']);
    expect(hq).not.toContain('G13');
  });

  it('says so when nothing matches, a station is unknown, or the command is incomplete', async () => {
    expect(await say('oCmd_tickets2', '余票 济南 北京 后天')).toContain('没有还能购买的余票');
    expect(await say('oCmd_tickets2', '余票 火星 上海')).toContain('没有找到「火星」的车站');
    expect(await say('oCmd_tickets2', '余票 北京')).toContain('余票 出发地 目的地 日期');
    expect(await say('oCmd_tickets2', '余票 北京 上海 2020-01-01')).toContain('已经过去');
    expect(await say('oCmd_tickets2', '余票 北京 上海 2月30日')).toContain('日期看不懂');
  });
});

describe('车次', () => {
  it("today's stops, status and delay", async () => {
    const now = new Date();
    const start = plus(now, 5);
    await makeTrip('D701', [BJN, JNX, SHHQ], start, serviceDay(now));
    const r = await say('oCmd_trip', '车次 D701');
    const lines = r.split('\n');
    expect(lines[0]).toMatch(/^D701 北京南 → 上海虹桥 \d+月\d+日$/);
    expect(lines[1]).toBe('国铁集团 · 状态：正点');
    const hm = (d: Date) => iso(d).slice(11, 16);
    expect(lines.slice(2, 5)).toEqual([`北京南 始发 ${hm(start)}`, `济南西 ${hm(plus(start, 90))}到 ${hm(plus(start, 92))}开`, `上海虹桥 终到 ${hm(plus(start, 180))}`]);

    const trip = (await call('GET', `/v1/trips/search?from=beijingnan&to=shanghaihongqiao&date=${serviceDay(start)}`)).body.trips.find((t: any) => t.number === 'D701');
    const p = await call('PATCH', `/v1/operator/trips/${trip.tripId}`, { token: op, body: { status: 'delayed', delayMinutes: 15 } });
    expect(p.status, p.text).toBe(200);
    const delayed = await say('oCmd_trip', 'ｄ７０１ 状态');
    expect(delayed).toContain('状态：晚点约15分钟');
    expect(delayed).toContain('预计晚15分钟');
    expect(await say('oCmd_trip', 'D701')).toBe(delayed);

    expect(await say('oCmd_trip', '车次 Z9999')).toContain('没有找到今天的车次 Z9999');
    expect(await say('oCmd_trip', '车次 D701 明天')).toContain('没有找到');
  });
});

describe('停车', () => {
  const HQ = { lat: 31.1942, lng: 121.3203 };
  const ALL_WEEK = [{ days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' }];
  let owner: string;
  let driver: string;
  let taken: string;

  beforeAll(async () => {
    owner = await tokenFor('chat-owner');
    driver = await tokenFor('chat-driver');
    const mk = async (title: string, dLat: number, price: number) => {
      const r = await call('POST', '/v1/parking/spots', {
        token: owner,
        body: { title, address: '上海市闵行区申虹路 1 号', city: 'shanghai', location: { lat: HQ.lat + dLat, lng: HQ.lng }, pricePerHourFen: price, availability: ALL_WEEK },
      });
      expect(r.status, r.text).toBe(201);
      return r.body.spotId as string;
    };
    await mk('虹桥 近车位', 0.002, 800);
    await mk('虹桥 远车位', 0.01, 1200);
    taken = await mk('虹桥 已约车位', 0.001, 500);
    await mk('太远的车位', 0.1, 500);
    const now = new Date();
    const r = await call('POST', '/v1/parking/reservations', { token: driver, body: { spotId: taken, start: iso(now), end: iso(plus(now, 120)), plate: '沪A12345' } });
    expect(r.status, r.text).toBe(201);
  });

  it('by coordinates: spots free now, nearest first, without the reserved or far ones', async () => {
    const r = await say('oCmd_park', `停车 ${HQ.lat},${HQ.lng}`);
    const titles = [...r.matchAll(/^\d\. ([^，]+)，(\d+)米，(¥[\d.]+)\/小时/gm)].map((x) => [x[1], x[3]]);
    expect(titles).toEqual([
      ['虹桥 近车位', '¥8'],
      ['虹桥 远车位', '¥12'],
    ]);
    expect(r).not.toContain('已约');
    expect(r).not.toContain('太远');
  });

  it('by a station name (its coordinates) and by a shared location', async () => {
    await makeTrip('G901', [BJN, SHHQ], atShanghaiTime(addDays(serviceDay(Date.now()), 2), '09:00'));
    const byName = await say('oCmd_park', '停车 上海虹桥');
    expect(byName.split('\n')[0]).toBe('上海虹桥附近现在空闲的共享车位：');
    expect(byName).toContain('1. 虹桥 近车位');
    const byLocation = await send('oCmd_park', `<MsgType>${cdata('location')}</MsgType><Location_X>${HQ.lat}</Location_X><Location_Y>${HQ.lng}</Location_Y><Scale>15</Scale><Label>${cdata('虹桥火车站')}</Label>`);
    expect(byLocation.split('\n')[0]).toBe('虹桥火车站附近现在空闲的共享车位：');
    expect(byLocation).toContain('2. 虹桥 远车位');
  });

  it('nothing near, unknown place, no place', async () => {
    expect(await say('oCmd_park', '停车 39.9,116.4')).toContain('没有空闲的共享车位');
    expect(await say('oCmd_park', '停车 不存在的地方')).toContain('没有找到「不存在的地方」的位置');
    expect(await say('oCmd_park', '停车')).toContain('停车 地名');
  });

  it('订单 lists the bound user\'s latest orders with status', async () => {
    const openid = 'oCmd_orders';
    const code = /绑定码：(\d{6})/.exec(await say(openid, '绑定'))![1];
    const b = await call('POST', '/v1/chat/bind', { token: driver, body: { code } });
    expect(b.status, b.text).toBe(200);
    const before = await say(openid, '订单');
    expect(before).toContain('最近的订单：');
    expect(before).toMatch(/1\. .+\n {3}待支付 ¥[\d.]+，待付¥[\d.]+ · \d{2}-\d{2} \d{2}:\d{2}/);
    const mine = (await call('GET', '/v1/orders', { token: driver })).body.orders;
    expect(mine).toHaveLength(1);
    expect(before).toContain(mine[0].title.slice(0, 40));
    const paid = await call('POST', `/v1/dev/payments/${mine[0].id}/succeed`, { token: driver });
    expect(paid.status, paid.text).toBe(200);
    expect(await say(openid, '我的订单')).toMatch(/1\. .+\n {3}已支付 ¥/);
    // Someone else's Official Account user sees nothing of it.
    expect(await say('oCmd_orders_other', '订单')).toContain('还没有关联一站账号');
  });
});
