/**
 * Geohash (base-32, interleaved longitude/latitude bits) and the cells a search circle
 * touches. Spots are indexed by their precision-5 cell (about 4.9 km × 4.9 km at the
 * equator, 4.9 km × 3.7 km at Beijing's latitude); a search queries every cell that
 * intersects its circle (at most a few dozen for r ≤ 5 km) and then filters by exact
 * haversine distance.
 */
const BASE32 = '0123456789bcdefghjkmnpqrstuvwxyz';
const EARTH_RADIUS_M = 6_371_008.8;

/** Geohash of a point at `precision` characters. */
export function geohashEncode(lat: number, lng: number, precision = 5): string {
  if (!Number.isFinite(lat) || !Number.isFinite(lng) || lat < -90 || lat > 90 || lng < -180 || lng > 180) {
    throw new RangeError(`not a coordinate: ${lat},${lng}`);
  }
  if (!Number.isInteger(precision) || precision < 1 || precision > 12) throw new RangeError(`bad precision ${precision}`);
  let latLo = -90,
    latHi = 90,
    lngLo = -180,
    lngHi = 180;
  let out = '';
  let bits = 0,
    ch = 0,
    even = true;
  while (out.length < precision) {
    if (even) {
      const mid = (lngLo + lngHi) / 2;
      if (lng >= mid) {
        ch = (ch << 1) | 1;
        lngLo = mid;
      } else {
        ch <<= 1;
        lngHi = mid;
      }
    } else {
      const mid = (latLo + latHi) / 2;
      if (lat >= mid) {
        ch = (ch << 1) | 1;
        latLo = mid;
      } else {
        ch <<= 1;
        latHi = mid;
      }
    }
    even = !even;
    if (++bits === 5) {
      out += BASE32[ch];
      bits = 0;
      ch = 0;
    }
  }
  return out;
}

export interface CellBox {
  latLo: number;
  latHi: number;
  lngLo: number;
  lngHi: number;
}

/** The bounding box of a geohash cell. */
export function geohashBounds(hash: string): CellBox {
  let latLo = -90,
    latHi = 90,
    lngLo = -180,
    lngHi = 180;
  let even = true;
  for (const c of hash) {
    const v = BASE32.indexOf(c);
    if (v < 0) throw new RangeError(`not a geohash: ${hash}`);
    for (let b = 4; b >= 0; b--) {
      const bit = (v >> b) & 1;
      if (even) {
        const mid = (lngLo + lngHi) / 2;
        if (bit) lngLo = mid;
        else lngHi = mid;
      } else {
        const mid = (latLo + latHi) / 2;
        if (bit) latLo = mid;
        else latHi = mid;
      }
      even = !even;
    }
  }
  return { latLo, latHi, lngLo, lngHi };
}

/** Cell size in degrees at a precision. */
export function cellSize(precision: number): { dLat: number; dLng: number } {
  const bits = precision * 5;
  const lngBits = Math.ceil(bits / 2);
  const latBits = Math.floor(bits / 2);
  return { dLat: 180 / 2 ** latBits, dLng: 360 / 2 ** lngBits };
}

const rad = (d: number) => (d * Math.PI) / 180;

/** Great-circle distance in metres. */
export function haversineM(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const dLat = rad(lat2 - lat1);
  const dLng = rad(lng2 - lng1);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Distance from a point to the nearest point of a cell (0 inside). */
function distanceToBox(lat: number, lng: number, b: CellBox): number {
  const cLat = Math.min(Math.max(lat, b.latLo), b.latHi);
  const cLng = Math.min(Math.max(lng, b.lngLo), b.lngHi);
  return haversineM(lat, lng, cLat, cLng);
}

/**
 * Every geohash cell of `precision` that intersects the circle (lat, lng, radiusM).
 * Walks the circle's bounding box on the cell grid and keeps the cells whose nearest
 * point lies within the radius. Not meant for circles crossing a pole or the antimeridian.
 */
export function cellsCovering(lat: number, lng: number, radiusM: number, precision = 5): string[] {
  const { dLat, dLng } = cellSize(precision);
  const latDeg = (radiusM / EARTH_RADIUS_M) * (180 / Math.PI);
  const cosLat = Math.max(Math.cos(rad(Math.min(89.9, Math.abs(lat) + latDeg))), 1e-6);
  const lngDeg = latDeg / cosLat;
  const latMin = Math.max(-90, lat - latDeg);
  const latMax = Math.min(90, lat + latDeg);
  const lngMin = Math.max(-180, lng - lngDeg);
  const lngMax = Math.min(180, lng + lngDeg);
  const out = new Set<string>();
  const i0 = Math.floor((latMin + 90) / dLat);
  const i1 = Math.min(Math.floor((latMax + 90) / dLat), Math.round(180 / dLat) - 1);
  const j0 = Math.floor((lngMin + 180) / dLng);
  const j1 = Math.min(Math.floor((lngMax + 180) / dLng), Math.round(360 / dLng) - 1);
  for (let i = i0; i <= i1; i++) {
    for (let j = j0; j <= j1; j++) {
      const box = { latLo: -90 + i * dLat, latHi: -90 + (i + 1) * dLat, lngLo: -180 + j * dLng, lngHi: -180 + (j + 1) * dLng };
      if (distanceToBox(lat, lng, box) > radiusM) continue;
      out.add(geohashEncode((box.latLo + box.latHi) / 2, (box.lngLo + box.lngHi) / 2, precision));
    }
  }
  return [...out].sort();
}
