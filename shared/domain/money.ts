/**
 * Money is always an integer number of fen (分, 1/100 yuan) in a JS number, never a
 * float of yuan. Every amount fits in Number.MAX_SAFE_INTEGER fen (~9e13 yuan).
 * Arithmetic that divides (percentages, fee rounding) uses BigInt or integer
 * remainders and an explicitly named rounding mode.
 */

/** An amount in fen: a safe, non-negative integer. */
export type Fen = number;

/** True for a safe non-negative integer. */
export function isFen(n: unknown): n is Fen {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/** Throw a RangeError unless `n` is a safe non-negative integer (fen). */
export function assertFen(n: unknown, label = 'amount'): asserts n is Fen {
  if (!isFen(n)) throw new RangeError(`${label} must be a non-negative safe integer of fen, got ${String(n)}`);
}

/**
 * Format fen as yuan with two decimals, by integer division only:
 * `formatYuan(1250)` is '¥12.50', `formatYuan(5)` is '¥0.05'. Negative
 * amounts (refund deltas) are written '-¥12.50'. No thousands separators.
 */
export function formatYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`fen must be a safe integer, got ${String(fen)}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100);
  const cents = abs % 100;
  return `${sign}¥${yuan}.${String(cents).padStart(2, '0')}`;
}

/**
 * Parse a yuan amount written in decimal ('12', '12.5', '12.50', '¥12.50') into
 * fen, without floats. More than two decimals or anything else throws.
 */
export function yuanToFen(yuan: string): Fen {
  const m = /^\s*¥?\s*(\d+)(?:\.(\d{1,2}))?\s*$/.exec(yuan);
  if (!m) throw new RangeError(`not a yuan amount: ${JSON.stringify(yuan)}`);
  const fen = BigInt(m[1]) * 100n + BigInt((m[2] ?? '').padEnd(2, '0'));
  if (fen > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('amount too large');
  return Number(fen);
}

/** Sum of amounts in fen; throws if any is not fen or the total is unsafe. */
export function sumFen(amounts: readonly number[]): Fen {
  let total = 0;
  for (const a of amounts) {
    assertFen(a);
    total += a;
  }
  assertFen(total, 'total');
  return total;
}

/**
 * Rounding for divisions that do not come out in whole fen.
 * - 'half_up': to the nearest fen, exact halves go up (0.5 fen -> 1 fen). The
 *   default, and what Chinese price rules call 四舍五入. Not banker's rounding.
 * - 'down': truncate (in the customer's favour for fees we charge).
 * - 'up': ceiling.
 */
export type RoundingMode = 'half_up' | 'down' | 'up';

/** Parts per million of a percentage given with up to 4 decimals (12.5 -> 125000). */
function percentToPpm(percent: number): bigint {
  if (typeof percent !== 'number' || !Number.isFinite(percent) || percent < 0) {
    throw new RangeError(`percent must be a finite non-negative number, got ${String(percent)}`);
  }
  const scaled = percent * 10_000;
  const rounded = Math.round(scaled);
  // Accept binary-float noise (e.g. 0.1 * 10000), reject real extra precision.
  if (Math.abs(scaled - rounded) > 1e-6 * Math.max(1, Math.abs(scaled))) {
    throw new RangeError(`percent may have at most 4 decimals, got ${percent}`);
  }
  return BigInt(rounded);
}

/** Divide non-negative BigInts with a rounding mode. */
function divRound(num: bigint, den: bigint, mode: RoundingMode): bigint {
  const q = num / den;
  const r = num % den;
  if (r === 0n) return q;
  switch (mode) {
    case 'down':
      return q;
    case 'up':
      return q + 1n;
    case 'half_up':
      return r * 2n >= den ? q + 1n : q;
  }
}

/**
 * `percent`% of an amount in fen, rounded to the fen with `mode` (default
 * 'half_up'). `percent` is a number with at most 4 decimals (5, 12.5, 0.6).
 * `percentOf(1005, 5)` is 50 (50.25 -> 50); `percentOf(1010, 5)` is 51 (50.5 -> 51).
 * The computation is exact (BigInt), so no float error can move a boundary.
 */
export function percentOf(fen: number, percent: number, mode: RoundingMode = 'half_up'): Fen {
  assertFen(fen);
  const ppm = percentToPpm(percent);
  const out = divRound(BigInt(fen) * ppm, 1_000_000n, mode);
  if (out > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('result too large');
  return Number(out);
}

/**
 * 12306's fee rounding (退票费/改签费 etc.): fees are charged in multiples of 0.5
 * yuan. The fraction of a yuan is treated as: below 0.25 yuan dropped, 0.25 up to
 * (not including) 0.75 yuan becomes 0.5 yuan, 0.75 yuan and above becomes 1 yuan.
 * That is rounding to the nearest 50 fen with halves (25 fen) going up:
 *   1224 -> 1200, 1225 -> 1250, 1274 -> 1250, 1275 -> 1300.
 */
export function roundToHalfYuan(fen: number): Fen {
  assertFen(fen);
  const r = fen % 50;
  return r >= 25 ? fen - r + 50 : fen - r;
}
