import { request } from './client'
import { api } from './authed'
import type { Journey, Passenger, Station, Ticket, TicketOrder, Trip, TripMode, TripOffer } from './types'

export const searchStations = (q: string) =>
  request<{ stations: Station[] }>('GET', '/v1/stations', { query: { q, limit: 8 } }).then((r) => r.stations)

export const searchTrips = (from: string, to: string, date: string, modes?: TripMode[]) =>
  request<{ trips: TripOffer[] }>('GET', '/v1/trips/search', {
    query: { from, to, date, modes: modes && modes.length ? modes.join(',') : undefined },
  }).then((r) => r.trips)

export const searchJourneys = (from: string, to: string, date: string) =>
  request<{ journeys: Journey[] }>('GET', '/v1/journeys/search', { query: { from, to, date } }).then((r) => r.journeys)

export const getTrip = (tripId: string) => request<Trip>('GET', `/v1/trips/${tripId}`)

export const listPassengers = () => api<{ passengers: Passenger[] }>('GET', '/v1/me/passengers').then((r) => r.passengers)

export const createPassenger = (body: { name: string; idType: 'id_card' | 'passport'; idNumber: string }, idempotencyKey: string) =>
  api<Passenger>('POST', '/v1/me/passengers', { body, idempotencyKey })

export const deletePassenger = (id: string) => api<void>('DELETE', `/v1/me/passengers/${id}`)

export interface LegChoice {
  tripId: string
  from: string
  to: string
  classCode: string
}

export const createTicketOrder = (legs: LegChoice[], passengerIds: string[], idempotencyKey: string) =>
  api<TicketOrder>('POST', '/v1/ticket-orders', { body: { legs, passengerIds }, idempotencyKey })

export const getTicket = (ticketId: string) => api<Ticket>('GET', `/v1/tickets/${ticketId}`)

export interface ChangeResult {
  ticket: Ticket
  order: TicketOrder
  fareDifferenceFen?: number
  refundFen?: number
  feeFen?: number
}

export const changeTicket = (ticketId: string, tripId: string, classCode: string, idempotencyKey: string) =>
  api<ChangeResult>('POST', `/v1/tickets/${ticketId}/change`, { body: { tripId, classCode }, idempotencyKey })
