/** Stored shapes and client views of the bikes domain. */
import { toShanghaiIso } from '../../shared/domain/time';
import type { GeoPolygon } from './geo';
import type { PricingPlan } from './fare';

export type VehicleType = 'bicycle' | 'ebike';
export type BikeStatus = 'AVAILABLE' | 'IN_USE' | 'RETIRED';
export type RideStatus = 'OPEN' | 'ENDED';

export interface LatLng {
  lat: number;
  lng: number;
}

export interface BikeItem {
  code: string;
  cityId: string;
  operatorId: string;
  vehicleType: VehicleType;
  lockId?: string;
  status: BikeStatus;
  /** Last known parking position (absent until deployed). */
  location?: LatLng;
  /** GBFS vehicle_id: random, replaced after every ride. */
  publicId: string;
  currentRideId?: string;
  registeredAt: string;
  lastReportedAt: string;
  retiredAt?: string;
}

export interface QuotaItem {
  cityId: string;
  operatorId: string;
  maxBikes: number;
  registered: number;
  /** Display name published in GBFS (set by the regulator with the quota). */
  operatorName?: string;
  updatedAt: string;
}

export interface PricingItem extends PricingPlan {
  cityId: string;
  operatorId: string;
  updatedAt: string;
}

export interface ZoneItem {
  id: string;
  cityId: string;
  kind: 'parking' | 'no_parking';
  name: string;
  polygon: GeoPolygon;
  bbox: [number, number, number, number];
  createdAt: string;
}

export interface RideItem {
  id: string;
  userId: string;
  bikeCode: string;
  cityId: string;
  operatorId: string;
  vehicleType: VehicleType;
  status: RideStatus;
  startedAt: string;
  startLocation: LatLng;
  pricing: PricingPlan;
  endedAt?: string;
  endLocation?: LatLng;
  durationSeconds?: number;
  fareFen?: number;
  orderId?: string;
  paymentStatus?: 'NONE' | 'DUE' | 'PAID';
}

const iso = (s: string | undefined) => (s ? toShanghaiIso(s) : undefined);

export function bikeView(b: BikeItem) {
  return {
    code: b.code,
    cityId: b.cityId,
    operatorId: b.operatorId,
    vehicleType: b.vehicleType,
    ...(b.lockId ? { lockId: b.lockId } : {}),
    status: b.status,
    ...(b.location ? { location: b.location } : {}),
    registeredAt: iso(b.registeredAt)!,
    ...(b.retiredAt ? { retiredAt: iso(b.retiredAt) } : {}),
  };
}

export function zoneView(z: ZoneItem) {
  return { id: z.id, cityId: z.cityId, kind: z.kind, name: z.name, polygon: z.polygon, createdAt: iso(z.createdAt)! };
}

export function quotaView(q: QuotaItem) {
  return { cityId: q.cityId, operatorId: q.operatorId, ...(q.operatorName ? { operatorName: q.operatorName } : {}), maxBikes: q.maxBikes, registered: q.registered, updatedAt: iso(q.updatedAt)! };
}

export function pricingView(p: PricingItem) {
  return { cityId: p.cityId, operatorId: p.operatorId, startFeeFen: p.startFeeFen, per15MinFen: p.per15MinFen, updatedAt: iso(p.updatedAt)! };
}

export function rideView(r: RideItem) {
  return {
    id: r.id,
    bikeCode: r.bikeCode,
    cityId: r.cityId,
    operatorId: r.operatorId,
    vehicleType: r.vehicleType,
    status: r.status,
    startedAt: iso(r.startedAt)!,
    startLocation: r.startLocation,
    pricing: { startFeeFen: r.pricing.startFeeFen, per15MinFen: r.pricing.per15MinFen },
    ...(r.endedAt ? { endedAt: iso(r.endedAt) } : {}),
    ...(r.endLocation ? { endLocation: r.endLocation } : {}),
    ...(r.durationSeconds !== undefined ? { durationSeconds: r.durationSeconds } : {}),
    ...(r.fareFen !== undefined ? { fareFen: r.fareFen } : {}),
    ...(r.orderId ? { orderId: r.orderId } : {}),
    ...(r.paymentStatus ? { paymentStatus: r.paymentStatus } : {}),
  };
}

/** Strips table attributes from a stored item. */
export function strip<T>(item: Record<string, any>): T {
  const { PK, SK, GSI1PK, GSI1SK, GSI3PK, GSI3SK, type, ...rest } = item;
  return rest as T;
}

/** Reads a string/number attribute from a cancellation-reason item (raw AttributeValue or plain). */
export function reasonAttr(item: Record<string, any> | undefined, name: string): string | number | undefined {
  const v = item?.[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object') {
    if ('S' in v) return v.S;
    if ('N' in v) return Number(v.N);
  }
  return v;
}
