import { describe, expect, it } from 'vitest';
import { call } from '../support/api';
import { db } from '../../shared/db/client';
import { searchJourneys } from '../../functions/ticketing/search';
import { makeTrip, operatorToken } from './ticketing-support';

describe('journeys', () => {
  it('finds direct trips and one-transfer itineraries across modes (same station or same city, ≥ 20 minutes), sorted by arrival', async () => {
    const op = await operatorToken('op-jr');
    const base = new Date(Date.now() + 4 * 24 * 3600_000);
    base.setUTCHours(0, 0, 0, 0); // 08:00 Shanghai
    const m = (min: number) => new Date(base.getTime() + min * 60_000);
    // Rail 北京南 → 上海虹桥 08:00–12:00.
    const rail = await makeTrip({ token: op, number: 'G1', start: m(0), legMin: 240, stations: [['jr-bjn', '北京南', '北京'], ['jr-shhq', '上海虹桥', '上海']] });
    // Ferry 吴淞口 (上海, another station of the same city) → 舟山 at 13:00 (60 min after arrival): transfer ok.
    const ferry = await makeTrip({ token: op, mode: 'ferry', number: 'F1', start: m(300), legMin: 180, stations: [['jr-wsk', '吴淞口', '上海'], ['jr-zs', '舟山', '舟山']], classes: [{ code: 'E', name: '经济舱', seats: 200, fare: 15000 }] });
    // Ferry at 12:10 (10 min after arrival): too tight, left out.
    await makeTrip({ token: op, mode: 'ferry', number: 'F0', start: m(250), legMin: 180, stations: [['jr-wsk', '吴淞口', '上海'], ['jr-zs', '舟山', '舟山']] });
    // A coach from the same station at 12:30 arriving before the ferry (15:00 vs 16:00).
    const coach = await makeTrip({ token: op, mode: 'coach', number: 'K7', start: m(270), legMin: 150, stations: [['jr-shhq', '上海虹桥', '上海'], ['jr-zs', '舟山', '舟山']], classes: [{ code: 'S', name: '座位', seats: 40, fare: 9000 }] });
    // A direct flight 北京南? No: from another Beijing station — not the asked origin, left out.
    await makeTrip({ token: op, mode: 'air', number: 'CA1', start: m(60), legMin: 150, stations: [['jr-pek', '北京首都', '北京'], ['jr-zs', '舟山', '舟山']] });

    const date = rail.serviceDate;
    const r = await call('GET', `/v1/journeys/search?from=jr-bjn&to=jr-zs&date=${date}`);
    expect(r.status, r.text).toBe(200);
    const js = r.body.journeys;
    expect(js.map((j: any) => j.legs.map((l: any) => l.number).join('+'))).toEqual(['G1+K7', 'G1+F1']);
    expect(js[0]).toMatchObject({ transfers: 1, transferMinutes: 30 });
    expect(js[1]).toMatchObject({ transfers: 1, transferMinutes: 60, durationMinutes: 480 });
    expect(js[1].legs[1]).toMatchObject({ tripId: ferry.tripId, mode: 'ferry', from: { stationId: 'jr-wsk' } });
    expect(js[1].legs[1].classes[0]).toMatchObject({ remaining: 200, priceFen: 15000 });
    expect(js[0].legs[1].tripId).toBe(coach.tripId);
    // A direct trip is a journey too.
    const direct = await searchJourneys(db(), { from: 'jr-bjn', to: 'jr-shhq', date });
    expect(direct.journeys).toHaveLength(1);
    expect(direct.journeys[0]).toMatchObject({ transfers: 0, durationMinutes: 240 });
    // Nothing the day before.
    expect((await call('GET', `/v1/journeys/search?from=jr-bjn&to=jr-zs&date=2020-01-01`)).body.journeys).toEqual([]);
  });
});
