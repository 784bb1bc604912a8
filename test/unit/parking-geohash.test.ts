import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cellSize, cellsCovering, geohashBounds, geohashEncode, haversineM } from '../../functions/parking/geohash';

describe('geohashEncode', () => {
  it('matches published values', () => {
    expect(geohashEncode(57.64911, 10.40744, 11)).toBe('u4pruydqqvj');
    expect(geohashEncode(42.6, -5.6, 5)).toBe('ezs42');
    expect(geohashEncode(39.9087, 116.3975, 5)).toBe('wx4g0');
  });
  it('is a prefix of the longer hash and its cell contains the point', () => {
    fc.assert(
      fc.property(fc.double({ min: -89.9, max: 89.9, noNaN: true }), fc.double({ min: -179.9, max: 179.9, noNaN: true }), (lat, lng) => {
        const h9 = geohashEncode(lat, lng, 9);
        expect(geohashEncode(lat, lng, 5)).toBe(h9.slice(0, 5));
        const b = geohashBounds(h9.slice(0, 5));
        expect(lat).toBeGreaterThanOrEqual(b.latLo);
        expect(lat).toBeLessThanOrEqual(b.latHi);
        expect(lng).toBeGreaterThanOrEqual(b.lngLo);
        expect(lng).toBeLessThanOrEqual(b.lngHi);
      }),
    );
  });
  it('rejects bad coordinates', () => {
    expect(() => geohashEncode(91, 0)).toThrow(RangeError);
    expect(() => geohashEncode(0, NaN)).toThrow(RangeError);
  });
});

describe('haversineM', () => {
  it('measures known distances', () => {
    // 人民广场 → 陆家嘴 is about 2.5 km
    const d = haversineM(31.2323, 121.475, 31.2397, 121.4998);
    expect(d).toBeGreaterThan(2300);
    expect(d).toBeLessThan(2600);
    expect(haversineM(30, 120, 30, 120)).toBe(0);
  });
});

describe('cellsCovering', () => {
  it('precision-5 cells are about 4.9 km tall', () => {
    const { dLat, dLng } = cellSize(5);
    expect(dLat).toBeCloseTo(0.0439, 3);
    expect(dLng).toBeCloseTo(0.0439, 3);
  });
  it('a 5 km circle needs at most a few dozen cells', () => {
    expect(cellsCovering(39.9, 116.4, 5000).length).toBeLessThanOrEqual(20);
    expect(cellsCovering(31.23, 121.47, 100).length).toBeLessThanOrEqual(4);
  });
  it('every point within the radius lies in a covered cell', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 18, max: 53, noNaN: true }),
        fc.double({ min: 74, max: 134, noNaN: true }),
        fc.integer({ min: 1, max: 5000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
        (lat, lng, r, frac, angle) => {
          const cells = new Set(cellsCovering(lat, lng, r));
          const dist = r * frac * 0.999;
          const pLat = lat + ((dist * Math.cos(angle)) / 6_371_008.8) * (180 / Math.PI);
          const pLng = lng + ((dist * Math.sin(angle)) / (6_371_008.8 * Math.cos((pLat * Math.PI) / 180))) * (180 / Math.PI);
          if (haversineM(lat, lng, pLat, pLng) > r) return; // projection error at the rim
          expect(cells.has(geohashEncode(pLat, pLng, 5))).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
