import { request } from './client'
import { api } from './authed'
import type { ParkingOrder, ParkingOwnerReservation, ParkingSearchHit, ParkingSpot, ParkingSpotInput, ParkingSpotPatch } from './types'

export const searchSpots = (q: { lat: number; lng: number; start: string; end: string; radiusM?: number }) =>
  request<{ window: { start: string; end: string; rounded: boolean }; items: ParkingSearchHit[] }>('GET', '/v1/parking/spots/search', {
    query: { ...q, radiusM: q.radiusM ?? 3000, limit: 20 },
  })

export const createSpot = (body: ParkingSpotInput, idempotencyKey: string) => api<ParkingSpot>('POST', '/v1/parking/spots', { body, idempotencyKey })

export const listMySpots = () => api<{ items: ParkingSpot[]; nextCursor?: string }>('GET', '/v1/parking/spots/mine', { query: { limit: 50 } })

export const updateSpot = (spotId: string, patch: ParkingSpotPatch) => api<ParkingSpot>('PATCH', `/v1/parking/spots/${spotId}`, { body: patch })

export const listSpotReservations = (spotId: string) =>
  api<{ items: ParkingOwnerReservation[]; nextCursor?: string }>('GET', `/v1/parking/spots/${spotId}/reservations`, { query: { limit: 100 } })

export const reserveSpot = (body: { spotId: string; start: string; end: string; plate: string }, idempotencyKey: string) =>
  api<ParkingOrder>('POST', '/v1/parking/reservations', { body, idempotencyKey })

export const getReservation = (orderId: string) => api<ParkingOrder>('GET', `/v1/parking/reservations/${orderId}`)

export const checkIn = (orderId: string) => api<ParkingOrder>('POST', `/v1/parking/reservations/${orderId}/check-in`)
export const checkOut = (orderId: string) => api<ParkingOrder>('POST', `/v1/parking/reservations/${orderId}/check-out`)
export const cancelReservation = (orderId: string) => api<ParkingOrder>('POST', `/v1/parking/reservations/${orderId}/cancel`)
