/**
 * Mainland motor-vehicle licence plates (GA 36). Syntactic checks only.
 *
 *   ordinary      京A12345 / 沪B1C2D3   province + issuing-authority letter + 5 serial
 *   new energy    京AD12345 (small)     province + letter + 6 serial: first letter then
 *                 京A12345D (large)     5 (2nd may be a letter), or 5 digits then letter
 *   police        京A0001警             province + letter + 4 + 警
 *   coach         京A1234学             driving-school car
 *   trailer       京A1234挂
 *   Hong Kong     粤Z1234港             cross-border plates, 粤Z only
 *   Macao         粤Z1234澳
 *
 * Letters I and O are never used (confusable with 1 and 0). New-energy serial
 * letters: D (and A, B, C, E) for battery-electric, F (and G, H, J, K) for the
 * others; the extra letters were added to GA 36 as the D/F series filled up.
 */

/** The 31 provincial-level abbreviations used as the first plate character. */
export const PLATE_PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';

export type PlateKind = 'ordinary' | 'new_energy' | 'police' | 'coach' | 'trailer' | 'hong_kong' | 'macao';

const P = `[${PLATE_PROVINCES}]`;
const L = '[A-HJ-NP-Z]'; // letter, no I/O
const A = '[A-HJ-NP-Z0-9]'; // letter or digit, no I/O
const NEV = '[A-HJK]'; // new-energy type letters

const PATTERNS: ReadonlyArray<[PlateKind, RegExp]> = [
  ['ordinary', new RegExp(`^${P}${L}${A}{5}$`)],
  ['new_energy', new RegExp(`^${P}${L}(?:${NEV}${A}\\d{4}|\\d{5}${NEV})$`)],
  ['police', new RegExp(`^${P}${L}${A}{4}警$`)],
  ['coach', new RegExp(`^${P}${L}${A}{4}学$`)],
  ['trailer', new RegExp(`^${P}${L}${A}{4}挂$`)],
  ['hong_kong', new RegExp(`^粤Z${A}{4}港$`)],
  ['macao', new RegExp(`^粤Z${A}{4}澳$`)],
];

/**
 * Canonical form of a plate as typed by a user: full-width letters/digits made
 * ASCII (NFKC), upper-cased, and spaces, middle dots (·・•), hyphens and dots
 * removed. '京a·123 45' -> '京A12345'.
 */
export function normalisePlate(s: string): string {
  return String(s)
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s·・•\-.]/g, '');
}

/** The kind of a (normalised) plate, or null if it is not a valid plate. */
export function plateKind(s: string): PlateKind | null {
  const p = normalisePlate(s);
  for (const [kind, re] of PATTERNS) if (re.test(p)) return kind;
  return null;
}

/** True when the plate, after {@link normalisePlate}, matches one of the formats above. */
export function isValidPlate(s: string): boolean {
  return typeof s === 'string' && plateKind(s) !== null;
}
