/**
 * Request/response types straight from the contract (openapi-typescript output of
 * shared/api/openapi.yaml). Type-only import: erased at build time, so the mini-app bundle
 * never pulls anything from outside miniapp/.
 */
import type { components } from '../../../shared/api/generated/types'

type S = components['schemas']

export type User = S['User']
export type LoginResult = S['LoginResult']
export type Order = S['Order']
export type OrderStatus = S['OrderStatus']
export type PaymentRequest = S['PaymentRequest']
export type Station = S['TicketingStation']
export type TripOffer = S['TicketingTripOffer']
export type Trip = S['TicketingTrip']
export type TripMode = S['TicketingMode']
export type Passenger = S['TicketingPassenger']
export type Ticket = S['TicketingTicket']
export type TicketOrder = S['TicketingOrder']
export type ParkingSpot = S['ParkingSpot']
export type ParkingSpotInput = S['ParkingSpotInput']
export type ParkingSpotPatch = S['ParkingSpotPatch']
export type ParkingSearchHit = S['ParkingSearchHit']
export type ParkingWindow = S['ParkingAvailabilityWindow']
export type ParkingOrder = S['ParkingOrder']
export type ParkingOwnerReservation = S['ParkingOwnerReservation']
export type BikeRider = S['BikeRider']
export type BikeRide = S['BikeRide']
export type BikeRideEnd = S['BikeRideEnd']
export type LatLng = S['LatLng']
export type CruiseVoyageSummary = S['CruiseVoyageSummary']
export type CruiseVoyage = S['CruiseVoyage']
export type CruiseBookingOrder = S['CruiseBookingOrder']
export type CruiseBookingItem = S['CruiseBookingItem']

export interface Journey {
  depart: string
  arrive: string
  durationMinutes: number
  transfers: number
  transferMinutes?: number
  legs: TripOffer[]
}

export interface RefundQuote {
  paidFen: number
  refundFen: number
  feeFen: number
}

export interface Notification {
  id: string
  kind: string
  title: string
  body: string
  orderId?: string
  createdAt: string
}

/** A ticket as listed in a ticket order's `items`. */
export type TicketItem = TicketOrder['items'][number]
