import { describe, expect, it } from 'vitest';
import { parkingVerdict, polygonContains, polygonProblems, segmentsIntersect, type GeoPolygon, type ZoneLike } from '../../functions/bikes/geo';

const poly = (...rings: number[][][]): GeoPolygon => ({ type: 'Polygon', coordinates: rings });
const square = (x0: number, y0: number, x1: number, y1: number) => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];

describe('polygon validation', () => {
  it('accepts a simple square and a square with a hole', () => {
    expect(polygonProblems(poly(square(0, 0, 10, 10)))).toEqual([]);
    expect(polygonProblems(poly(square(0, 0, 10, 10), square(2, 2, 4, 4)))).toEqual([]);
  });

  it('accepts a clockwise ring and a concave ring', () => {
    expect(polygonProblems(poly([...square(0, 0, 10, 10)].reverse()))).toEqual([]);
    expect(polygonProblems(poly([[0, 0], [10, 0], [10, 10], [5, 5], [0, 10], [0, 0]]))).toEqual([]);
  });

  it('refuses an unclosed ring', () => {
    const p = polygonProblems(poly([[0, 0], [10, 0], [10, 10], [0, 10]]));
    expect(p[0].message).toMatch(/not closed/);
    expect(p[0].field).toBe('/body/polygon/coordinates/0');
  });

  it('refuses rings with fewer than 4 positions or no area', () => {
    expect(polygonProblems(poly([[0, 0], [1, 1], [0, 0]]))[0].message).toMatch(/at least 4/);
    expect(polygonProblems(poly([[0, 0], [1, 1], [2, 2], [0, 0]]))[0].message).toMatch(/no area|intersects itself/);
    expect(polygonProblems(poly([[0, 0], [1, 1], [1, 1], [0, 0]]))[0].message).toMatch(/no area/);
  });

  it('refuses a self-intersecting bow tie', () => {
    const p = polygonProblems(poly([[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]));
    expect(p[0].message).toMatch(/intersects itself/);
  });

  it('refuses a ring that touches itself at a vertex and a spike folding back on an edge', () => {
    // figure-eight through (5,5)
    expect(polygonProblems(poly([[0, 0], [5, 5], [10, 0], [10, 10], [5, 5], [0, 10], [0, 0]]))[0].message).toMatch(/intersects itself/);
    // spike: goes to (15,5) and straight back along the same line
    expect(polygonProblems(poly([[0, 0], [10, 0], [10, 5], [15, 5], [10, 5], [10, 10], [0, 10], [0, 0]]))[0].message).toMatch(/intersects itself/);
  });

  it('refuses holes outside, crossing or touching the outer ring, and overlapping holes', () => {
    expect(polygonProblems(poly(square(0, 0, 10, 10), square(20, 20, 30, 30)))[0].message).toMatch(/outside the outer/);
    expect(polygonProblems(poly(square(0, 0, 10, 10), square(5, 5, 15, 15)))[0].message).toMatch(/crosses or touches/);
    expect(polygonProblems(poly(square(0, 0, 10, 10), square(0, 2, 4, 4)))[0].message).toMatch(/crosses or touches/);
    expect(polygonProblems(poly(square(0, 0, 10, 10), square(2, 2, 6, 6), square(4, 4, 8, 8)))[0].message).toMatch(/overlaps hole 1/);
    expect(polygonProblems(poly(square(0, 0, 10, 10), square(2, 2, 8, 8), square(3, 3, 4, 4)))[0].message).toMatch(/overlaps hole 1/);
  });

  it('refuses positions outside ±180/±90', () => {
    expect(polygonProblems(poly(square(170, 0, 190, 10)))[0].message).toMatch(/longitude, latitude/);
  });

  it('segment intersection counts touching and collinear overlap', () => {
    expect(segmentsIntersect([0, 0], [2, 0], [1, 0], [3, 0])).toBe(true);
    expect(segmentsIntersect([0, 0], [2, 0], [2, 0], [3, 1])).toBe(true);
    expect(segmentsIntersect([0, 0], [2, 0], [0, 1], [2, 1])).toBe(false);
  });
});

describe('point in polygon', () => {
  const sq = poly(square(121.47, 31.22, 121.48, 31.24), square(121.472, 31.225, 121.474, 31.227));
  it('inside, outside', () => {
    expect(polygonContains(sq, 121.475, 31.23)).toBe(true);
    expect(polygonContains(sq, 121.49, 31.23)).toBe(false);
  });
  it('points on outer edges and vertices count as inside', () => {
    expect(polygonContains(sq, 121.475, 31.22)).toBe(true);
    expect(polygonContains(sq, 121.48, 31.235)).toBe(true);
    expect(polygonContains(sq, 121.47, 31.22)).toBe(true);
  });
  it('a diagonal edge counts as inside too', () => {
    const tri = poly([[0, 0], [3, 0], [0, 3], [0, 0]]);
    expect(polygonContains(tri, 1.5, 1.5)).toBe(true);
    expect(polygonContains(tri, 1.2, 1.8)).toBe(true);
    expect(polygonContains(tri, 1.6, 1.6)).toBe(false);
  });
  it('a hole interior is outside, a hole edge is inside', () => {
    expect(polygonContains(sq, 121.473, 31.226)).toBe(false);
    expect(polygonContains(sq, 121.472, 31.226)).toBe(true);
  });
});

describe('parking verdict', () => {
  const parking: ZoneLike = { id: 'zon_P', name: 'P', kind: 'parking', polygon: poly(square(0, 0, 0.01, 0.01)) };
  const far: ZoneLike = { id: 'zon_F', name: 'F', kind: 'parking', polygon: poly(square(0.05, 0, 0.06, 0.01)) };
  const banned: ZoneLike = { id: 'zon_N', name: 'N', kind: 'no_parking', polygon: poly(square(0.004, 0.004, 0.006, 0.006)) };
  it('anywhere when the city has no parking zones', () => {
    expect(parkingVerdict([], 1, 1).ok).toBe(true);
  });
  it('inside parking ok; outside refused with the nearest parking zone', () => {
    expect(parkingVerdict([parking, far], 0.001, 0.001)).toEqual({ ok: true, zoneId: 'zon_P' });
    const v = parkingVerdict([parking, far], 0.02, 0.005);
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.reason).toBe('outside_parking_zones');
      expect(v.nearest?.zoneId).toBe('zon_P');
      expect(v.nearest!.distanceMeters).toBeGreaterThan(1000);
      expect(v.nearest!.distanceMeters).toBeLessThan(1200);
    }
  });
  it('no-parking inside parking wins, even on its edge', () => {
    const v = parkingVerdict([parking, banned], 0.005, 0.005);
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.reason).toBe('no_parking_zone');
      expect(v.noParkingZoneId).toBe('zon_N');
      expect(v.nearest!.distanceMeters).toBeGreaterThan(0);
    }
    expect(parkingVerdict([parking, banned], 0.004, 0.005).ok).toBe(false);
    expect(parkingVerdict([parking, banned], 0.0039, 0.005).ok).toBe(true);
  });
  it('a no-parking zone alone forbids only itself', () => {
    expect(parkingVerdict([banned], 0.005, 0.005).ok).toBe(false);
    expect(parkingVerdict([banned], 0.5, 0.5).ok).toBe(true);
  });
});

describe('coordinate rounding', () => {
  it('keeps 7 decimals and turns values DynamoDB cannot store into 0', async () => {
    const { roundLocation, roundPolygon } = await import('../../functions/bikes/geo');
    expect(roundLocation({ lat: 2.4e-234, lng: -2.8e-21 })).toEqual({ lat: 0, lng: 0 });
    expect(Object.is(roundLocation({ lat: -1e-12, lng: 1 }).lat, 0)).toBe(true);
    expect(roundLocation({ lat: 31.123456789, lng: 121.987654321 })).toEqual({ lat: 31.1234568, lng: 121.9876543 });
    expect(roundPolygon({ type: 'Polygon', coordinates: [[[1e-300, 0], [1, 0], [1, 1], [1e-300, 0]]] }).coordinates[0][0]).toEqual([0, 0]);
  });
});
