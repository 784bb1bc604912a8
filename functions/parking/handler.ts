/**
 * Parking-spot sharing (错时共享): owners list idle hours, drivers search and reserve
 * quarter-hour slots, check in and out. Routes → use cases; see docs/parking.md.
 */
import { createHttpHandler } from '../../shared/http/handler';
import { withIdempotency } from '../../shared/http/idempotency';
import { notFound } from '../../shared/http/errors';
import { db } from '../../shared/db/client';
import './order-plugin';
import { createSpot, listMySpots, listSpotReservations, spotOwnerView, spotPublicView, updateSpot } from './spots';
import { searchSpots, windowView } from './search';
import { alignWindow } from './rules';
import { parseIso } from '../../shared/domain/time';
import { getSpot } from './store';
import { cancelReservation, checkIn, checkOut, getReservation, reserve } from './reservations';

export const handler = createHttpHandler('parking', {
  'POST /v1/parking/spots': async (ctx) =>
    withIdempotency(ctx, async () => ({ status: 201, body: spotOwnerView(await createSpot(db(), ctx.user.id, ctx.body, new Date())) })),

  'GET /v1/parking/spots/mine': async (ctx) => ({ body: await listMySpots(db(), ctx.user.id, ctx.query.limit ?? 20, ctx.query.cursor) }),

  'GET /v1/parking/spots/search': async (ctx) => {
    const now = new Date();
    const { lat, lng, radiusM, start, end, limit } = ctx.query;
    const items = await searchSpots(db(), { lat, lng, radiusM: radiusM ?? 1000, start, end, limit }, now);
    const w = alignWindow(parseIso(start)!.getTime(), parseIso(end)!.getTime());
    return { body: { window: windowView(w.start, w.end, w.rounded), items } };
  },

  'GET /v1/parking/spots/{spotId}': async (ctx) => {
    const spot = await getSpot(db(), ctx.params.spotId, false);
    if (!spot || (!spot.active && spot.ownerId !== ctx.user.id)) throw notFound('spot_not_found', 'No such parking spot.');
    return { body: spot.ownerId === ctx.user.id ? spotOwnerView(spot) : spotPublicView(spot) };
  },

  'PATCH /v1/parking/spots/{spotId}': async (ctx) => {
    const r = await updateSpot(db(), ctx.user.id, ctx.params.spotId, ctx.body, new Date());
    return { body: { ...spotOwnerView(r.spot), cancelledReservations: r.cancelledReservations } };
  },

  'GET /v1/parking/spots/{spotId}/reservations': async (ctx) => ({
    body: await listSpotReservations(db(), ctx.user.id, ctx.params.spotId, ctx.query.limit ?? 20, ctx.query.cursor, new Date()),
  }),

  'POST /v1/parking/reservations': async (ctx) =>
    withIdempotency(ctx, async () => ({ status: 201, body: await reserve(db(), ctx.user.id, ctx.body, new Date()) })),

  'GET /v1/parking/reservations/{orderId}': async (ctx) => ({ body: await getReservation(db(), ctx.user.id, ctx.params.orderId, new Date()) }),

  'POST /v1/parking/reservations/{orderId}/check-in': async (ctx) => ({ body: await checkIn(db(), ctx.user.id, ctx.params.orderId, new Date()) }),

  'POST /v1/parking/reservations/{orderId}/check-out': async (ctx) => ({ body: await checkOut(db(), ctx.user.id, ctx.params.orderId, new Date()) }),

  'POST /v1/parking/reservations/{orderId}/cancel': async (ctx) => ({
    body: await cancelReservation(db(), ctx.user.id, ctx.params.orderId, new Date()),
  }),
});
