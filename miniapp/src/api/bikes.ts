import { api } from './authed'
import type { BikeRide, BikeRideEnd, BikeRider, LatLng } from './types'

export const getMyRider = () => api<BikeRider>('GET', '/v1/bikes/riders/me')

export const registerRider = (body: { name: string; idNumber: string; phone: string }, idempotencyKey: string) =>
  api<BikeRider>('POST', '/v1/bikes/riders', { body, idempotencyKey })

export const unlockBike = (code: string, location: LatLng, idempotencyKey: string) =>
  api<{ rideId: string; ride: BikeRide }>('POST', `/v1/bikes/${encodeURIComponent(code)}/unlock`, { body: { location }, idempotencyKey })

export const lockRide = (rideId: string, location: LatLng, idempotencyKey: string) =>
  api<BikeRideEnd>('POST', `/v1/rides/${rideId}/lock`, { body: { location }, idempotencyKey })

export const listRides = () => api<{ items: BikeRide[]; nextCursor?: string }>('GET', '/v1/rides', { query: { limit: 20 } })
