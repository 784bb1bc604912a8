/** Ride fares (pure). */
export interface PricingPlan {
  startFeeFen: number;
  /** Price of every started 15 minutes. */
  per15MinFen: number;
}

export const FARE_BLOCK_MS = 15 * 60 * 1000;

/** Started 15-minute blocks of a ride: at least one, a block counts as soon as it starts (15:00.000 is one block, 15:00.001 two). */
export function startedBlocks(startedAt: Date, endedAt: Date): number {
  const ms = Math.max(0, endedAt.getTime() - startedAt.getTime());
  return Math.max(1, Math.ceil(ms / FARE_BLOCK_MS));
}

/** Start fee + per started 15 minutes, integer fen. */
export function rideFareFen(plan: PricingPlan, startedAt: Date, endedAt: Date): number {
  return plan.startFeeFen + plan.per15MinFen * startedBlocks(startedAt, endedAt);
}
