/**
 * bikes: city quotas, zones and stats (regulator), fleet registration and pricing (bike
 * operator), real-name riders, rides (unlock / lock → order), and GBFS v3.0 open data.
 * See docs/bikes.md for the rules and access patterns.
 */
import { createHttpHandler, type RouteContext } from '../../shared/http/handler';
import { withIdempotency } from '../../shared/http/idempotency';
import { badRequest, notFound } from '../../shared/http/errors';
import { db } from '../../shared/db/client';
import { piiKeyProvider } from '../../shared/crypto/provider';
import { assertCityScope, assertOperatorScope, operatorOf } from './scope';
import { registerBatch, registerBike, retireBike, setPricing, setQuota, type NewBike } from './fleet';
import { createZone, deleteZone, getZone, listZones } from './zones';
import { getRider, registerRider, riderView } from './riders';
import { listMyRides, lockRide, lockView, unlockBike } from './rides';
import { cityStats } from './stats';
import { gbfsFile, gbfsManifest, publicBaseUrl, type GbfsFile } from './gbfs';
import { bikeView, pricingView, quotaView, rideView, zoneView } from './model';
import { roundLocation } from './geo';
import './order-plugin';

const deps = () => ({ db: db(), now: new Date() });
const withRoundedLocation = (b: NewBike): NewBike => (b.location ? { ...b, location: roundLocation(b.location) } : b);

function gbfs(file: GbfsFile | 'gbfs') {
  return async (ctx: RouteContext) => gbfsFile(db(), publicBaseUrl(ctx.headers, ctx.event.requestContext?.domainName), ctx.params.cityId, ctx.params.operatorId, file, new Date());
}

export const handler = createHttpHandler('bikes', {
  // --- regulator -------------------------------------------------------------
  'PUT /v1/bikes/cities/{cityId}/operators/{operatorId}/quota': async ({ user, params, body }) => {
    assertCityScope(user, params.cityId);
    return { body: quotaView(await setQuota(deps(), params.cityId, params.operatorId, body.maxBikes, body.operatorName)) };
  },

  'POST /v1/bikes/cities/{cityId}/zones': async (ctx) => {
    assertCityScope(ctx.user, ctx.params.cityId);
    return withIdempotency(ctx, async () => ({ status: 201, body: zoneView(await createZone(deps(), ctx.params.cityId, ctx.body)) }));
  },

  'GET /v1/bikes/cities/{cityId}/zones': async ({ params }) => ({
    body: { items: (await listZones(db(), params.cityId)).map(zoneView) },
    headers: { 'cache-control': 'public, max-age=60' },
  }),

  'GET /v1/bikes/cities/{cityId}/zones/{zoneId}': async ({ params }) => ({ body: zoneView(await getZone(db(), params.cityId, params.zoneId)) }),

  'DELETE /v1/bikes/cities/{cityId}/zones/{zoneId}': async ({ user, params }) => {
    assertCityScope(user, params.cityId);
    await deleteZone(db(), params.cityId, params.zoneId);
    return { status: 204 };
  },

  'GET /v1/bikes/cities/{cityId}/stats': async ({ user, params }) => {
    assertCityScope(user, params.cityId);
    return { body: await cityStats(db(), params.cityId, new Date()), headers: { 'cache-control': 'no-store' } };
  },

  // --- bike operator -------------------------------------------------------------
  'PUT /v1/bikes/cities/{cityId}/operators/{operatorId}/pricing': async ({ user, params, body }) => {
    assertOperatorScope(user, params.operatorId);
    return { body: pricingView(await setPricing(deps(), params.cityId, params.operatorId, body)) };
  },

  'POST /v1/bikes': async (ctx) => {
    const operatorId = operatorOf(ctx.user);
    const { cityId, ...bike } = ctx.body as NewBike & { cityId: string };
    return withIdempotency(ctx, async () => ({ status: 201, body: bikeView(await registerBike(deps(), cityId, operatorId, withRoundedLocation(bike))) }));
  },

  'POST /v1/bikes/batch': async (ctx) => {
    const operatorId = operatorOf(ctx.user);
    const bikes = (ctx.body.bikes as NewBike[]).map(withRoundedLocation);
    const seen = new Set<string>();
    const errors = [];
    for (const [i, b] of bikes.entries()) {
      if (seen.has(b.code)) errors.push({ field: `/body/bikes/${i}/code`, message: 'appears twice in this batch' });
      seen.add(b.code);
    }
    if (errors.length) throw badRequest('duplicate_code_in_batch', 'A code appears more than once in the batch.', { errors: errors.slice(0, 20) });
    return withIdempotency(ctx, async () => ({ status: 200, body: await registerBatch(deps(), ctx.body.cityId, operatorId, bikes) }));
  },

  'DELETE /v1/bikes/{code}': async ({ user, params }) => {
    await retireBike(deps(), operatorOf(user), params.code);
    return { status: 204 };
  },

  // --- riders -------------------------------------------------------------
  'POST /v1/bikes/riders': async (ctx) =>
    withIdempotency(ctx, async () => ({ status: 201, body: riderView(await registerRider({ ...deps(), keys: piiKeyProvider() }, ctx.user.id, ctx.body)) })),

  'GET /v1/bikes/riders/me': async ({ user }) => {
    const rider = await getRider(db(), user.id);
    if (!rider) throw notFound('rider_not_registered', 'You are not registered as a rider.');
    return { body: riderView(rider) };
  },

  'POST /v1/bikes/{code}/unlock': async (ctx) =>
    withIdempotency(ctx, async () => {
      const ride = await unlockBike(deps(), ctx.user.id, ctx.params.code, roundLocation(ctx.body.location));
      return { status: 201, body: { rideId: ride.id, ride: rideView(ride) } };
    }),

  'POST /v1/rides/{rideId}/lock': async (ctx) =>
    withIdempotency(ctx, async () => {
      const d = deps();
      const result = await lockRide(d, ctx.user.id, ctx.params.rideId, roundLocation(ctx.body.location));
      return { status: 200, body: { ride: rideView(result.ride), ...lockView(result, d.now) } };
    }),

  'GET /v1/rides': async ({ user, query }) => {
    const page = await listMyRides(db(), user.id, Number(query.limit ?? 20), query.cursor);
    return { body: { items: page.items.map(rideView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) }, headers: { 'cache-control': 'no-store' } };
  },

  // --- GBFS v3.0 (public) -------------------------------------------------------------
  'GET /v1/gbfs/{cityId}/manifest.json': async (ctx) => gbfsManifest(db(), publicBaseUrl(ctx.headers, ctx.event.requestContext?.domainName), ctx.params.cityId, new Date()),
  'GET /v1/gbfs/{cityId}/{operatorId}/gbfs.json': gbfs('gbfs'),
  'GET /v1/gbfs/{cityId}/{operatorId}/system_information.json': gbfs('system_information'),
  'GET /v1/gbfs/{cityId}/{operatorId}/vehicle_types.json': gbfs('vehicle_types'),
  'GET /v1/gbfs/{cityId}/{operatorId}/vehicle_status.json': gbfs('vehicle_status'),
  'GET /v1/gbfs/{cityId}/{operatorId}/geofencing_zones.json': gbfs('geofencing_zones'),
  'GET /v1/gbfs/{cityId}/{operatorId}/system_pricing_plans.json': gbfs('system_pricing_plans'),
});
