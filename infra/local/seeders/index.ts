/**
 * Demo-data seeders: every file in this folder that exports `seeder` (users first, then
 * the rest by file name). A domain adds its demo data by adding a file here.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import type { Seeder } from '../seed';
import { usersSeeder } from './users';

export async function loadSeeders(): Promise<Seeder[]> {
  const dir = dirname(fileURLToPath(import.meta.url));
  const out: Seeder[] = [usersSeeder];
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.ts') || f === 'index.ts' || f === 'users.ts') continue;
    const mod = await import(pathToFileURL(join(dir, f)).href);
    if (mod.seeder) out.push(mod.seeder as Seeder);
  }
  return out;
}
