/**
 * Demo data for the local stack, seeded idempotently: every seeder writes fixed ids and
 * uses conditional puts, so running it on every start changes nothing the second time.
 * Domains register their seeders in infra/local/seeders/.
 */
import type { Db } from '../../shared/db/client';

export type Seeder = { name: string; run: (db: Db, now: Date) => Promise<void> };

export async function seedAll(db: Db, now = new Date(), log: (s: string) => void = () => {}) {
  const { loadSeeders } = await import('./seeders/index');
  const seeders = await loadSeeders();
  for (const s of seeders) {
    await s.run(db, now);
    log(`seeded ${s.name}`);
  }
}
