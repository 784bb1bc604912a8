/**
 * Zone geometry (pure): GeoJSON Polygon validation and point location on the plane of
 * (lng, lat). City-sized fences are small enough that planar geometry on degrees is exact
 * enough for "inside/outside"; distances use a local equirectangular projection.
 *
 * Rules (docs/bikes.md):
 * - every ring is closed (first == last) and has >= 4 positions (>= 3 distinct vertices),
 *   consecutive duplicate positions are tolerated and ignored;
 * - no ring intersects or touches itself (a figure-eight, a spike back along an edge, a zero
 *   area ring are refused);
 * - holes lie strictly inside the outer ring and do not touch it or each other, nor nest;
 * - a point on an edge (outer ring or hole) counts as inside the polygon; a point strictly
 *   inside a hole is outside.
 */
export type Position = [number, number];
export interface GeoPolygon {
  type: 'Polygon';
  coordinates: number[][][];
}

export interface GeometryProblem {
  field: string;
  message: string;
}

/** Tolerance (degrees, ~0.1 mm) for "on the edge" and collinearity. */
const EPS = 1e-9;

const same = (a: number[], b: number[]) => a[0] === b[0] && a[1] === b[1];

function cross(o: number[], a: number[], b: number[]) {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/** Orientation of c relative to a→b with a tolerance scaled by |ab|: 1, -1 or 0 (collinear). */
function orient(a: number[], b: number[], c: number[]) {
  const v = cross(a, b, c);
  const len = Math.hypot(b[0] - a[0], b[1] - a[1]) || 1;
  if (Math.abs(v) <= EPS * len) return 0;
  return v > 0 ? 1 : -1;
}

function withinBox(a: number[], b: number[], p: number[]) {
  return (
    p[0] <= Math.max(a[0], b[0]) + EPS &&
    p[0] >= Math.min(a[0], b[0]) - EPS &&
    p[1] <= Math.max(a[1], b[1]) + EPS &&
    p[1] >= Math.min(a[1], b[1]) - EPS
  );
}

/** True when p lies on the segment a-b (tolerance EPS). */
export function onSegment(p: number[], a: number[], b: number[]) {
  return orient(a, b, p) === 0 && withinBox(a, b, p);
}

/** True when segments p1-p2 and q1-q2 share at least one point. */
export function segmentsIntersect(p1: number[], p2: number[], q1: number[], q2: number[]) {
  const d1 = orient(q1, q2, p1);
  const d2 = orient(q1, q2, p2);
  const d3 = orient(p1, p2, q1);
  const d4 = orient(p1, p2, q2);
  if (d1 * d2 < 0 && d3 * d4 < 0) return true;
  if (d1 === 0 && withinBox(q1, q2, p1)) return true;
  if (d2 === 0 && withinBox(q1, q2, p2)) return true;
  if (d3 === 0 && withinBox(p1, p2, q1)) return true;
  if (d4 === 0 && withinBox(p1, p2, q2)) return true;
  return false;
}

/** The ring's distinct vertices (closing position dropped, consecutive duplicates merged). */
function vertices(ring: number[][]): number[][] {
  const out: number[][] = [];
  for (const p of ring.slice(0, -1)) if (!out.length || !same(out[out.length - 1], p)) out.push(p);
  while (out.length > 1 && same(out[0], out[out.length - 1])) out.pop();
  return out;
}

function signedArea(v: number[][]) {
  let s = 0;
  for (let i = 0; i < v.length; i++) {
    const a = v[i];
    const b = v[(i + 1) % v.length];
    s += a[0] * b[1] - b[0] * a[1];
  }
  return s / 2;
}

function ringSelfIntersects(v: number[][]): boolean {
  const n = v.length;
  for (let i = 0; i < n; i++) {
    const a1 = v[i];
    const a2 = v[(i + 1) % n];
    for (let j = i + 1; j < n; j++) {
      const b1 = v[j];
      const b2 = v[(j + 1) % n];
      const adjacent = j === i + 1 || (i === 0 && j === n - 1);
      if (adjacent) {
        // Adjacent edges share one vertex; they must not fold back over each other.
        const shared = j === i + 1 ? a2 : a1;
        const other1 = j === i + 1 ? a1 : a2;
        const other2 = j === i + 1 ? b2 : b1;
        if (orient(other1, shared, other2) === 0) {
          // collinear: fine only if the two edges point away from each other (a straight run)
          const d1 = [other1[0] - shared[0], other1[1] - shared[1]];
          const d2 = [other2[0] - shared[0], other2[1] - shared[1]];
          if (d1[0] * d2[0] + d1[1] * d2[1] > 0) return true;
        }
        continue;
      }
      if (segmentsIntersect(a1, a2, b1, b2)) return true;
    }
  }
  return false;
}

function ringsTouch(a: number[][], b: number[][]): boolean {
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < b.length; j++) {
      if (segmentsIntersect(a[i], a[(i + 1) % a.length], b[j], b[(j + 1) % b.length])) return true;
    }
  }
  return false;
}

/** Problems with a GeoJSON Polygon (empty when valid). Field paths point into the request body. */
export function polygonProblems(polygon: GeoPolygon, base = '/body/polygon'): GeometryProblem[] {
  const problems: GeometryProblem[] = [];
  const rings = polygon.coordinates;
  if (!Array.isArray(rings) || rings.length === 0) return [{ field: `${base}/coordinates`, message: 'needs at least the outer ring' }];
  const verts: number[][][] = [];
  rings.forEach((ring, r) => {
    const field = `${base}/coordinates/${r}`;
    if (!Array.isArray(ring) || ring.length < 4) {
      problems.push({ field, message: 'a linear ring needs at least 4 positions' });
      return;
    }
    for (const [k, p] of ring.entries()) {
      if (!Array.isArray(p) || p.length < 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1]) || Math.abs(p[0]) > 180 || Math.abs(p[1]) > 90) {
        problems.push({ field: `${field}/${k}`, message: 'a position is [longitude, latitude] within ±180/±90' });
        return;
      }
    }
    if (!same(ring[0], ring[ring.length - 1])) {
      problems.push({ field, message: 'the ring is not closed (first and last positions differ)' });
      return;
    }
    const v = vertices(ring);
    if (v.length < 3) {
      problems.push({ field, message: 'the ring has no area (fewer than 3 distinct vertices)' });
      return;
    }
    if (ringSelfIntersects(v)) {
      problems.push({ field, message: 'the ring intersects itself' });
      return;
    }
    if (Math.abs(signedArea(v)) <= EPS * EPS) {
      problems.push({ field, message: 'the ring has no area (all vertices collinear)' });
      return;
    }
    verts[r] = v;
  });
  if (problems.length) return problems;
  const outer = verts[0];
  for (let h = 1; h < verts.length; h++) {
    const field = `${base}/coordinates/${h}`;
    if (ringsTouch(outer, verts[h])) {
      problems.push({ field, message: 'the hole crosses or touches the outer ring' });
      continue;
    }
    if (ringLocation(verts[h][0], outer) !== 'inside') {
      problems.push({ field, message: 'the hole lies outside the outer ring' });
      continue;
    }
    for (let o = 1; o < h; o++) {
      if (ringsTouch(verts[o], verts[h]) || ringLocation(verts[h][0], verts[o]) !== 'outside' || ringLocation(verts[o][0], verts[h]) !== 'outside') {
        problems.push({ field, message: `the hole overlaps hole ${o}` });
        break;
      }
    }
  }
  return problems;
}

/** Where a point lies relative to a ring given as distinct vertices (implicitly closed). */
export function ringLocation(p: number[], v: number[][]): 'inside' | 'boundary' | 'outside' {
  let inside = false;
  for (let i = 0, j = v.length - 1; i < v.length; j = i++) {
    const a = v[j];
    const b = v[i];
    if (onSegment(p, a, b)) return 'boundary';
    if (a[1] > p[1] !== b[1] > p[1]) {
      const x = a[0] + ((p[1] - a[1]) * (b[0] - a[0])) / (b[1] - a[1]);
      if (p[0] < x) inside = !inside;
    }
  }
  return inside ? 'inside' : 'outside';
}

const closedRingVertices = (ring: number[][]) => (same(ring[0], ring[ring.length - 1]) ? ring.slice(0, -1) : ring);

/** True when the point (lng, lat) is inside the polygon; edges (outer and holes) count as inside, hole interiors do not. */
export function polygonContains(polygon: GeoPolygon, lng: number, lat: number): boolean {
  const p = [lng, lat];
  const [outer, ...holes] = polygon.coordinates;
  const o = ringLocation(p, closedRingVertices(outer));
  if (o === 'outside') return false;
  if (o === 'boundary') return true;
  for (const h of holes) if (ringLocation(p, closedRingVertices(h)) === 'inside') return false;
  return true;
}

/** Bounding box [minLng, minLat, maxLng, maxLat] of the outer ring. */
export function bbox(polygon: GeoPolygon): [number, number, number, number] {
  const ring = polygon.coordinates[0];
  let b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of ring) b = [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)];
  return b;
}

/** Distance in metres from a point to the polygon (0 inside), local equirectangular projection. */
export function distanceToPolygonMeters(polygon: GeoPolygon, lng: number, lat: number): number {
  if (polygonContains(polygon, lng, lat)) return 0;
  return distanceToEdgesMeters(polygon, lng, lat);
}

/** Distance in metres from a point to the nearest edge of the polygon (inside or not). */
export function distanceToEdgesMeters(polygon: GeoPolygon, lng: number, lat: number): number {
  const kx = 111_320 * Math.cos((lat * Math.PI) / 180);
  const ky = 110_540;
  const P = [lng * kx, lat * ky];
  let best = Infinity;
  for (const ring of polygon.coordinates) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const A = [ring[i][0] * kx, ring[i][1] * ky];
      const B = [ring[i + 1][0] * kx, ring[i + 1][1] * ky];
      const dx = B[0] - A[0];
      const dy = B[1] - A[1];
      const len2 = dx * dx + dy * dy;
      const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((P[0] - A[0]) * dx + (P[1] - A[1]) * dy) / len2));
      best = Math.min(best, Math.hypot(P[0] - (A[0] + t * dx), P[1] - (A[1] + t * dy)));
    }
  }
  return best;
}

export interface ZoneLike {
  id: string;
  name: string;
  kind: 'parking' | 'no_parking';
  polygon: GeoPolygon;
}

export type ParkingVerdict =
  | { ok: true; zoneId?: string }
  | { ok: false; reason: 'no_parking_zone' | 'outside_parking_zones'; noParkingZoneId?: string; nearest?: { zoneId: string; name: string; distanceMeters: number } };

/**
 * May a ride end here? Not inside any no-parking zone (no-parking inside parking wins), and
 * inside a parking zone when the city has any (anywhere otherwise).
 */
export function parkingVerdict(zones: ZoneLike[], lng: number, lat: number): ParkingVerdict {
  const parking = zones.filter((z) => z.kind === 'parking');
  const nearest = (leave?: ZoneLike) => {
    // Inside a no-parking zone the rider must at least leave it: never report 0 m.
    const floor = leave ? distanceToEdgesMeters(leave.polygon, lng, lat) : 0;
    let n: { zoneId: string; name: string; distanceMeters: number } | undefined;
    for (const z of parking) {
      const d = Math.max(floor, distanceToPolygonMeters(z.polygon, lng, lat));
      if (!n || d < n.distanceMeters) n = { zoneId: z.id, name: z.name, distanceMeters: Math.round(d) };
    }
    return n;
  };
  const banned = zones.find((z) => z.kind === 'no_parking' && polygonContains(z.polygon, lng, lat));
  if (banned) return { ok: false, reason: 'no_parking_zone', noParkingZoneId: banned.id, nearest: nearest(banned) };
  if (!parking.length) return { ok: true };
  const inside = parking.find((z) => polygonContains(z.polygon, lng, lat));
  if (inside) return { ok: true, zoneId: inside.id };
  return { ok: false, reason: 'outside_parking_zones', nearest: nearest() };
}

/**
 * Coordinates are kept to 7 decimals (~1 cm): enough for any fence, and it keeps values inside
 * what DynamoDB numbers can hold (a 1e-234 latitude would be refused by the table).
 */
export function roundCoord(x: number): number {
  const r = Math.round(x * 1e7) / 1e7;
  return r === 0 ? 0 : r; // no -0
}

export function roundLocation<T extends { lat: number; lng: number }>(p: T): { lat: number; lng: number } {
  return { lat: roundCoord(p.lat), lng: roundCoord(p.lng) };
}

export function roundPolygon(p: GeoPolygon): GeoPolygon {
  return { type: 'Polygon', coordinates: p.coordinates.map((ring) => ring.map((pos) => (Array.isArray(pos) ? pos.map((c) => (Number.isFinite(c) ? roundCoord(c) : c)) : pos))) };
}
