/**
 * Open data: GBFS v3.0 feeds per (city, operator) and a manifest per city. Public and
 * cacheable. vehicle_status lists only parked bikes (the sparse "available" index: a bike
 * on a ride is not in it) under their rotating public vehicle_id, never the bike code.
 */
import { formatYuan } from '../../shared/domain/money';
import type { Db } from '../../shared/db/client';
import { toShanghaiIso } from '../../shared/domain/time';
import { notFound } from '../../shared/http/errors';
import type { Reply } from '../../shared/http/handler';
import { getPricing, getQuota } from './fleet';
import { listZones } from './zones';
import { listQuotas, parkedBikes } from './stats';

export const GBFS_VERSION = '3.0';
export const GBFS_FILES = ['system_information', 'vehicle_types', 'vehicle_status', 'geofencing_zones', 'system_pricing_plans'] as const;
export type GbfsFile = (typeof GBFS_FILES)[number];

/** Seconds a consumer may cache each file. */
export const GBFS_TTL: Record<GbfsFile | 'gbfs' | 'manifest', number> = {
  gbfs: 300,
  manifest: 300,
  system_information: 3600,
  vehicle_types: 3600,
  system_pricing_plans: 300,
  geofencing_zones: 300,
  vehicle_status: 30,
};

const LANG = 'zh-CN';
const CITY_NAMES: Record<string, string> = { shanghai: '上海', beijing: '北京', shenzhen: '深圳', guangzhou: '广州', hangzhou: '杭州' };
const text = (t: string) => [{ text: t, language: LANG }];

export const systemId = (cityId: string, operatorId: string) => `yizhan-${cityId}-${operatorId}`;
export const planId = (cityId: string, operatorId: string) => `${operatorId}-${cityId}-standard`;

export function gbfsBase(baseUrl: string, cityId: string, operatorId?: string) {
  return `${baseUrl}/v1/gbfs/${encodeURIComponent(cityId)}${operatorId ? `/${encodeURIComponent(operatorId)}` : ''}`;
}

function envelope(name: keyof typeof GBFS_TTL, data: unknown, now: Date): Reply {
  const ttl = GBFS_TTL[name];
  return {
    body: { last_updated: toShanghaiIso(now), ttl, version: GBFS_VERSION, data },
    headers: { 'cache-control': `public, max-age=${ttl}`, 'access-control-allow-origin': '*' },
  };
}

async function requireDataset(db: Db, cityId: string, operatorId: string) {
  const q = await getQuota(db, cityId, operatorId);
  if (!q) throw notFound('gbfs_feed_not_found', 'No GBFS feed for this city and operator.');
  return q;
}

export async function gbfsFile(db: Db, baseUrl: string, cityId: string, operatorId: string, file: GbfsFile | 'gbfs', now: Date): Promise<Reply> {
  const quota = await requireDataset(db, cityId, operatorId);
  const opName = quota.operatorName ?? operatorId;
  const cityName = CITY_NAMES[cityId] ?? cityId;
  const base = gbfsBase(baseUrl, cityId, operatorId);
  switch (file) {
    case 'gbfs':
      return envelope('gbfs', { feeds: GBFS_FILES.map((name) => ({ name, url: `${base}/${name}.json` })) }, now);
    case 'system_information':
      return envelope(
        'system_information',
        {
          system_id: systemId(cityId, operatorId),
          languages: [LANG],
          name: text(`${opName}（${cityName}）`),
          operator: text(opName),
          opening_hours: '24/7',
          feed_contact_email: 'opendata@yizhan.dev',
          timezone: 'Asia/Shanghai',
          manifest_url: `${gbfsBase(baseUrl, cityId)}/manifest.json`,
        },
        now,
      );
    case 'vehicle_types': {
      const pricing = await getPricing(db, cityId, operatorId);
      const plans = pricing ? { default_pricing_plan_id: planId(cityId, operatorId), pricing_plan_ids: [planId(cityId, operatorId)] } : {};
      return envelope(
        'vehicle_types',
        {
          vehicle_types: [
            { vehicle_type_id: 'bicycle', form_factor: 'bicycle', propulsion_type: 'human', name: text('单车'), wheel_count: 2, return_constraint: 'free_floating', ...plans },
            {
              vehicle_type_id: 'ebike',
              form_factor: 'bicycle',
              propulsion_type: 'electric_assist',
              max_range_meters: 40000,
              max_permitted_speed: 25,
              name: text('助力车'),
              wheel_count: 2,
              return_constraint: 'free_floating',
              ...plans,
            },
          ],
        },
        now,
      );
    }
    case 'vehicle_status': {
      const [bikes, pricing] = await Promise.all([parkedBikes(db, cityId, operatorId), getPricing(db, cityId, operatorId)]);
      return envelope(
        'vehicle_status',
        {
          vehicles: bikes
            .filter((b) => b.location)
            .map((b) => ({
              vehicle_id: b.publicId,
              lat: b.location!.lat,
              lon: b.location!.lng,
              is_reserved: false,
              is_disabled: false,
              vehicle_type_id: b.vehicleType,
              last_reported: toShanghaiIso(b.lastReportedAt),
              ...(pricing ? { pricing_plan_id: planId(cityId, operatorId) } : {}),
            })),
        },
        now,
      );
    }
    case 'geofencing_zones': {
      const zones = await listZones(db, cityId);
      // GBFS: when zones overlap, the first listed wins, so no-parking zones come first.
      const ordered = [...zones].sort((a, b) => (a.kind === b.kind ? a.id.localeCompare(b.id) : a.kind === 'no_parking' ? -1 : 1));
      const hasParking = zones.some((z) => z.kind === 'parking');
      return envelope(
        'geofencing_zones',
        {
          geofencing_zones: {
            type: 'FeatureCollection',
            features: ordered.map((z) => ({
              type: 'Feature',
              properties: {
                name: text(z.name),
                rules: [{ ride_start_allowed: true, ride_end_allowed: z.kind === 'parking', ride_through_allowed: true }],
              },
              geometry: { type: 'MultiPolygon', coordinates: [z.polygon.coordinates] },
            })),
          },
          global_rules: [{ ride_start_allowed: true, ride_end_allowed: !hasParking, ride_through_allowed: true }],
        },
        now,
      );
    }
    case 'system_pricing_plans': {
      const p = await getPricing(db, cityId, operatorId);
      const yuan = (fen: number) => fen / 100;
      return envelope(
        'system_pricing_plans',
        {
          plans: p
            ? [
                {
                  plan_id: planId(cityId, operatorId),
                  name: text('标准计费'),
                  currency: 'CNY',
                  price: yuan(p.startFeeFen),
                  is_taxable: false,
                  description: text(`起步价 ${formatYuan(p.startFeeFen)}，每 15 分钟 ${formatYuan(p.per15MinFen)}（不足 15 分钟按 15 分钟计），免押金`),
                  per_min_pricing: [{ start: 0, rate: yuan(p.per15MinFen), interval: 15 }],
                },
              ]
            : [],
        },
        now,
      );
    }
  }
}

export async function gbfsManifest(db: Db, baseUrl: string, cityId: string, now: Date): Promise<Reply> {
  const quotas = await listQuotas(db, cityId);
  if (!quotas.length) throw notFound('gbfs_feed_not_found', 'No GBFS feeds for this city.');
  return envelope(
    'manifest',
    {
      datasets: quotas.map((q) => ({
        system_id: systemId(cityId, q.operatorId),
        versions: [{ version: GBFS_VERSION, url: `${gbfsBase(baseUrl, cityId, q.operatorId)}/gbfs.json` }],
      })),
    },
    now,
  );
}

/** The public base URL of the API: PUBLIC_API_URL, else the request's host. */
export function publicBaseUrl(headers: Record<string, string | undefined>, domainName?: string): string {
  const configured = process.env.PUBLIC_API_URL;
  if (configured) return configured.replace(/\/+$/, '');
  const host = headers['x-forwarded-host'] ?? headers.host ?? domainName ?? 'localhost';
  const local = /^(localhost|127\.|\[::1\])/.test(host);
  const proto = headers['x-forwarded-proto'] ?? (local ? 'http' : 'https');
  return `${proto}://${host}`;
}
