/** The demo cruise data: two voyages (Shanghai, Sanya) in the future, bookable, seeded idempotently. */
import { describe, expect, it } from 'vitest';
import { call } from '../support/api';
import { db } from '../../shared/db/client';
import { addDays, todayInShanghai } from '../../shared/domain/time';
import { seeder } from '../../infra/local/seeders/cruise';

describe('cruise demo data', () => {
  it('seeds a Shanghai voyage in ~30 days and a Sanya voyage in ~90 days, and a rerun changes nothing', async () => {
    const now = new Date();
    await seeder.run(db(), now);
    await seeder.run(db(), now);
    const today = todayInShanghai(now);
    const r = await call('GET', `/v1/cruise/voyages?from=${today}&to=${addDays(today, 120)}`);
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(2);
    const [sha, syx] = r.body.items;
    expect(sha).toMatchObject({ departPort: { code: 'CNSHA' }, departDate: addDays(today, 30), international: true });
    expect(syx).toMatchObject({ departPort: { code: 'CNSYX' }, departDate: addDays(today, 90), international: false });
    expect(sha.categories.every((c: any) => c.cabinsLeft === c.cabins)).toBe(true);
    const detail = await call('GET', `/v1/cruise/voyages/${syx.id}`);
    expect(detail.body.deckPlan.length).toBe(3);
  });
});
