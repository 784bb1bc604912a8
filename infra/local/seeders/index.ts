/** Demo-data seeders, in order. Each domain adds its own file here. */
import type { Seeder } from '../seed';
import { usersSeeder } from './users';

export const seeders: Seeder[] = [usersSeeder];
