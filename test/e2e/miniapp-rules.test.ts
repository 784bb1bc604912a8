/**
 * The mini-app's pure display and input rules (no browser): kept next to the browser flows
 * because they are the mini-app's own. The API re-checks every input; these only have to
 * agree with it for the on-the-spot messages to be right.
 */
import { describe, expect, it } from 'vitest';
import { idCardError, idCardCheckChar, passportError, phoneError } from '../../miniapp/src/utils/idcard';
import { clock, duration, hhmm, parseYuan, seatsText, shanghaiDate, shanghaiIso, tripStatusText, yuan } from '../../miniapp/src/utils/format';
import { formatLegs, legFare, parseLegs } from '../../miniapp/src/utils/trip';
import { isValidIdNumber } from '../../shared/domain/idnumber';
import { idNumber } from './support';

describe('ID number check (GB 11643) agrees with the server', () => {
  it('accepts valid numbers and names the wrong check digit', () => {
    for (let i = 0; i < 30; i++) {
      const n = idNumber(i);
      expect(idCardError(n)).toBeNull();
      expect(isValidIdNumber(n)).toBe(true);
      const wrong = n.slice(0, 17) + (n[17] === '1' ? '2' : '1');
      expect(idCardError(wrong)).toContain('校验位');
    }
    expect(idCardCheckChar('11010519491231002')).toBe('X');
    expect(idCardError('11010519491231002x')).toBeNull();
    expect(idCardError('110105194902300021')).toContain('出生日期');
    expect(idCardError('1101051949')).toContain('18 位');
    expect(idCardError('991051199003101234')).toContain('地区码');
    expect(passportError('E1234567')).toBeNull();
    expect(passportError('E1')).not.toBeNull();
    expect(phoneError('13800138000')).toBeNull();
    expect(phoneError('12800138000')).not.toBeNull();
  });
});

describe('formatting', () => {
  it('money in fen', () => {
    expect(yuan(55450)).toBe('¥554.5');
    expect(yuan(110900)).toBe('¥1109');
    expect(yuan(5)).toBe('¥0.05');
    expect(yuan(-250)).toBe('-¥2.5');
    expect(parseYuan('8')).toBe(800);
    expect(parseYuan('12.5')).toBe(1250);
    expect(parseYuan('1.234')).toBeNull();
    expect(parseYuan('-1')).toBeNull();
  });
  it('times in Asia/Shanghai whatever the zone of the offset', () => {
    expect(hhmm('2026-11-25T08:05:00+08:00')).toBe('08:05');
    expect(hhmm('2026-11-25T00:05:00Z')).toBe('08:05');
    expect(shanghaiDate(0, Date.parse('2026-11-24T16:30:00Z'))).toBe('2026-11-25');
    expect(shanghaiIso('2026-11-25', 9 * 60)).toBe('2026-11-25T09:00:00+08:00');
    expect(shanghaiIso('2026-11-25', 24 * 60 + 30)).toBe('2026-11-26T00:30:00+08:00');
    expect(duration(268)).toBe('4小时28分');
    expect(duration(45)).toBe('45分钟');
    expect(clock(75)).toBe('01:15');
    expect(clock(3725)).toBe('1:02:05');
  });
  it('seats and status', () => {
    expect(seatsText(0)).toBe('无票');
    expect(seatsText(12)).toBe('12 张');
    expect(seatsText(20)).toBe('有票');
    expect(tripStatusText('on_time', 0)).toBe('正点');
    expect(tripStatusText('delayed', 15)).toBe('晚点 15 分钟');
    expect(tripStatusText('cancelled', 0)).toBe('停运');
  });
});

describe('legs', () => {
  it('round-trips the page parameter and sums segment fares', () => {
    const legs = [{ tripId: 'trp_1', from: 'a', to: 'c', classCode: 'ZE' }];
    expect(parseLegs(formatLegs(legs))).toEqual(legs);
    expect(parseLegs('garbage')).toEqual([]);
    const trip = {
      stops: [{ stationId: 'a' }, { stationId: 'b' }, { stationId: 'c' }],
      classes: [{ code: 'ZE', name: '二等座', seats: 1, fareFenPerSegment: [100, 250] }],
    } as never;
    expect(legFare(trip, 'a', 'c', 'ZE')).toBe(350);
    expect(legFare(trip, 'b', 'c', 'ZE')).toBe(250);
    expect(legFare(trip, 'c', 'a', 'ZE')).toBeNull();
  });
});
