import { request } from './client'
import { api } from './authed'
import type { CruiseBookingOrder, CruiseVoyage, CruiseVoyageSummary } from './types'

export const searchVoyages = (q: { from?: string; to?: string; port?: string }) =>
  request<{ items: CruiseVoyageSummary[]; nextCursor?: string }>('GET', '/v1/cruise/voyages', { query: { ...q, limit: 50 } })

export const getVoyage = (id: string) => request<CruiseVoyage>('GET', `/v1/cruise/voyages/${id}`)

export const bookCruise = (body: { voyageId: string; categoryCode: string; passengerIds: string[]; cabinNumber?: string }, idempotencyKey: string) =>
  api<CruiseBookingOrder>('POST', '/v1/cruise/bookings', { body, idempotencyKey })
