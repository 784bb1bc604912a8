/** cruise: voyages (operator), search and booking (guests). Routes → use cases. */
import { createHttpHandler } from '../../shared/http/handler';
import { withIdempotency } from '../../shared/http/idempotency';
import { db } from '../../shared/db/client';
import { orderView } from '../../shared/orders/model';
import { createBooking } from './bookings';
import { cancelVoyage, createVoyage, getVoyageView, freeCabins, searchVoyages, voyageView } from './voyages';
import './order-plugin';

export const handler = createHttpHandler('cruise', {
  'POST /v1/operator/cruise/voyages': async (ctx) =>
    withIdempotency(ctx, async () => {
      const d = db();
      const voyage = await createVoyage(d, ctx.body, ctx.user, new Date());
      return { status: 201, body: voyageView(voyage, await freeCabins(d, voyage.id, { withDetails: true })) };
    }),

  'PATCH /v1/operator/cruise/voyages/{voyageId}': async (ctx) => {
    const d = db();
    const { voyage, counts } = await cancelVoyage(d, ctx.params.voyageId, ctx.user, ctx.body.reason, new Date());
    return { body: { ...voyageView(voyage, []), bookings: counts } };
  },

  'GET /v1/cruise/voyages': async ({ query }) => ({
    body: await searchVoyages(db(), query, new Date()),
    headers: { 'cache-control': 'no-store' },
  }),

  'GET /v1/cruise/voyages/{voyageId}': async ({ params }) => ({
    body: await getVoyageView(db(), params.voyageId),
    headers: { 'cache-control': 'no-store' },
  }),

  'POST /v1/cruise/bookings': async (ctx) =>
    withIdempotency(ctx, async () => {
      const now = new Date();
      const order = await createBooking(db(), ctx.user, ctx.body, now);
      return { status: 201, body: orderView(order, now), headers: { location: `/v1/orders/${order.id}` } };
    }),
});
