import { describe, expect, it } from 'vitest';
import { normalise, parseCommand, parseDay, parseLatLng, truncateUtf8, yuan } from '../../functions/chat/text';

const today = '2026-11-20'; // a Friday

describe('normalise', () => {
  it('folds full-width letters, digits and spaces', () => {
    expect(normalise('　余票　北京　　上海　１２月１日　')).toBe('余票 北京 上海 12月1日');
    expect(normalise('Ｇ１０１ 状态？')).toBe('G101 状态');
  });
});

describe('parseDay', () => {
  it.each([
    ['今天', '2026-11-20'],
    ['明天', '2026-11-21'],
    ['后天', '2026-11-22'],
    ['大后天', '2026-11-23'],
    ['12月1日', '2026-12-01'],
    ['12月1号', '2026-12-01'],
    ['2026-12-01', '2026-12-01'],
    ['2026/12/1', '2026-12-01'],
    ['2027年1月5日', '2027-01-05'],
    ['12-01', '2026-12-01'],
    ['12/1', '2026-12-01'],
    ['1月5日', '2027-01-05'], // already past this year: next year
    ['11月20日', '2026-11-20'],
    ['周五', '2026-11-20'],
    ['星期一', '2026-11-23'],
    ['周日', '2026-11-22'],
  ])('%s → %s', (t, d) => {
    expect(parseDay(t, today)).toBe(d);
  });

  it('tells non-dates from impossible dates', () => {
    expect(parseDay('北京', today)).toBeNull();
    expect(parseDay('2026-02-30', today)).toBe('invalid');
    expect(parseDay('13月1日', today)).toBe('invalid');
  });
});

describe('parseCommand', () => {
  it('余票 in its forms', () => {
    expect(parseCommand('余票 北京 上海 明天', today)).toEqual({ kind: 'tickets', from: '北京', to: '上海', date: '2026-11-21' });
    expect(parseCommand('余票 北京南 上海虹桥 12月1日', today)).toEqual({ kind: 'tickets', from: '北京南', to: '上海虹桥', date: '2026-12-01' });
    expect(parseCommand('余票　北京到上海', today)).toEqual({ kind: 'tickets', from: '北京', to: '上海', date: today });
    expect(parseCommand('余票 明天 北京 上海', today)).toEqual({ kind: 'tickets', from: '北京', to: '上海', date: '2026-11-21' });
    expect(parseCommand('余票 北京 - 上海', today)).toEqual({ kind: 'tickets', from: '北京', to: '上海', date: today });
    expect(parseCommand('余票 北京', today)).toEqual({ kind: 'tickets_usage', reason: 'missing' });
    expect(parseCommand('余票 北京 上海 2026-02-30', today)).toEqual({ kind: 'tickets_usage', reason: 'bad_date' });
    expect(parseCommand('余票 北京 上海 2026-11-01', today)).toEqual({ kind: 'tickets_usage', reason: 'past_date' });
  });

  it('车次 in its forms', () => {
    expect(parseCommand('车次 G101', today)).toEqual({ kind: 'trip', number: 'G101' });
    expect(parseCommand('车次 g101 明天', today)).toEqual({ kind: 'trip', number: 'G101', date: '2026-11-21' });
    expect(parseCommand('G101 状态', today)).toEqual({ kind: 'trip', number: 'G101' });
    expect(parseCommand('Ｇ１０１状态', today)).toEqual({ kind: 'trip', number: 'G101' });
    expect(parseCommand('G101', today)).toEqual({ kind: 'trip', number: 'G101' });
    expect(parseCommand('MU5101 明天', today)).toEqual({ kind: 'trip', number: 'MU5101', date: '2026-11-21' });
  });

  it('订单, 绑定, 解绑, 帮助 and anything else', () => {
    expect(parseCommand('订单', today)).toEqual({ kind: 'orders' });
    expect(parseCommand('我的订单', today)).toEqual({ kind: 'orders' });
    expect(parseCommand('绑定', today)).toEqual({ kind: 'bind' });
    expect(parseCommand('解绑', today)).toEqual({ kind: 'unbind' });
    expect(parseCommand('帮助', today)).toEqual({ kind: 'help' });
    expect(parseCommand('你好', today)).toEqual({ kind: 'help' });
    expect(parseCommand('', today)).toEqual({ kind: 'help' });
    expect(parseCommand('hello world', today)).toEqual({ kind: 'help' });
  });

  it('停车 with a place, coordinates or nothing', () => {
    expect(parseCommand('停车 人民广场', today)).toEqual({ kind: 'parking_place', place: '人民广场' });
    expect(parseCommand('停车 31.23,121.47', today)).toEqual({ kind: 'parking', lat: 31.23, lng: 121.47 });
    expect(parseCommand('停车 121.47，31.23', today)).toEqual({ kind: 'parking', lat: 31.23, lng: 121.47 });
    expect(parseCommand('停车位 上海虹桥附近', today)).toEqual({ kind: 'parking_place', place: '上海虹桥' });
    expect(parseCommand('停车', today)).toEqual({ kind: 'parking_usage' });
  });
});

describe('helpers', () => {
  it('parseLatLng rejects out-of-range values', () => {
    expect(parseLatLng('200,300')).toBeNull();
    expect(parseLatLng('abc')).toBeNull();
  });

  it('truncateUtf8 cuts on a code point boundary under the byte limit', () => {
    const long = '票'.repeat(1000); // 3000 bytes
    const t = truncateUtf8(long, 2000);
    expect(Buffer.byteLength(t)).toBeLessThanOrEqual(2000);
    expect(t.endsWith('…')).toBe(true);
    expect(t).not.toContain('\uFFFD');
    expect(truncateUtf8('短', 2000)).toBe('短');
    const emoji = '😀'.repeat(600);
    const e = truncateUtf8(emoji, 2000);
    expect(Buffer.byteLength(e)).toBeLessThanOrEqual(2000);
    expect(Array.from(e.slice(0, -1)).every((c) => c === '😀')).toBe(true);
  });

  it('yuan writes short prices', () => {
    expect(yuan(55300)).toBe('¥553');
    expect(yuan(55350)).toBe('¥553.5');
    expect(yuan(55305)).toBe('¥553.05');
  });
});
