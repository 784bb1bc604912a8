/**
 * ticketing: trips (operators), search (stations, trips, journeys), passengers, ticket
 * orders, e-tickets (view, gate check-in, 改签) and the ticket signing public key.
 */
import { createHttpHandler } from '../../shared/http/handler';
import { withIdempotency } from '../../shared/http/idempotency';
import { notFound } from '../../shared/http/errors';
import { db } from '../../shared/db/client';
import { orderView } from '../../shared/orders/model';
import { createPassenger, deletePassenger, listPassengers } from '../../shared/passengers/index';
import './order-plugin';
import { createTrip, getTrip, tripView, updateTripStatus } from './trips';
import { findStations, searchJourneys, searchTrips } from './search';
import { createTicketOrder } from './booking';
import { changeTicket, checkin, getOwnTicket } from './tickets';
import { ticketPublicKey } from './signing-key';
import type { Mode } from './model';

const modesOf = (s?: string) => (s ? (s.split(',') as Mode[]) : undefined);

export const handler = createHttpHandler('ticketing', {
  'POST /v1/operator/trips': async (ctx) =>
    withIdempotency(ctx, async () => ({ status: 201, body: { tripId: await createTrip(db(), ctx.user, ctx.body, new Date()) } })),

  'PATCH /v1/operator/trips/{tripId}': async ({ user, params, body }) => ({ body: await updateTripStatus(db(), user, params.tripId, body, new Date()) }),

  'POST /v1/operator/checkins': async ({ user, body }) => ({ body: await checkin(db(), user, body, new Date()) }),

  'GET /v1/stations': async ({ query }) => ({
    body: { stations: await findStations(db(), query.q, query.limit ?? 20) },
    headers: { 'cache-control': 'public, max-age=60' },
  }),

  'GET /v1/trips/search': async ({ query }) => ({
    body: await searchTrips(db(), { from: query.from, to: query.to, date: query.date, modes: modesOf(query.modes) }),
    headers: { 'cache-control': 'no-store' },
  }),

  'GET /v1/trips/{tripId}': async ({ params }) => {
    const trip = await getTrip(db(), params.tripId);
    if (!trip) throw notFound('trip_not_found', 'No such trip.');
    return { body: tripView(trip) };
  },

  'GET /v1/journeys/search': async ({ query }) => ({
    body: await searchJourneys(db(), { from: query.from, to: query.to, date: query.date }),
    headers: { 'cache-control': 'no-store' },
  }),

  'POST /v1/me/passengers': async (ctx) =>
    withIdempotency(ctx, async () => ({ status: 201, body: await createPassenger(db(), ctx.user.id, ctx.body, new Date()) })),

  'GET /v1/me/passengers': async ({ user }) => ({ body: { passengers: await listPassengers(db(), user.id) } }),

  'DELETE /v1/me/passengers/{passengerId}': async ({ user, params }) => {
    await deletePassenger(db(), user.id, params.passengerId);
    return { status: 204 };
  },

  'POST /v1/ticket-orders': async (ctx) =>
    withIdempotency(ctx, async () => {
      const now = new Date();
      const order = await createTicketOrder(db(), ctx.user.id, ctx.body, now);
      return { status: 201, body: orderView(order, now) };
    }),

  'GET /v1/tickets/public-key': async () => {
    const k = await ticketPublicKey();
    return { body: { alg: 'EdDSA', jwk: k.jwk, pem: k.pem }, headers: { 'cache-control': 'public, max-age=3600' } };
  },

  'GET /v1/tickets/{ticketId}': async ({ user, params }) => ({ body: await getOwnTicket(db(), user.id, params.ticketId) }),

  'POST /v1/tickets/{ticketId}/change': async (ctx) =>
    withIdempotency(ctx, async () => ({ body: await changeTicket(db(), ctx.user.id, ctx.params.ticketId, ctx.body, new Date()) })),
});
