/**
 * Authorisation matrix, derived from the contract: for every operation, an anonymous
 * caller gets 401 unless the operation is public (`security: []`), and each role gets 403
 * exactly when the operation's `x-roles` excludes it (every signed-in user is a passenger;
 * a role token holds passenger + that role). Where access is allowed the answer may be
 * anything but 401/403 (the request carries no body, so 400 after the auth check is
 * expected). Then: another user's resources are 404, never 403 or 200.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { call, tokenFor } from '../support/api';
import { issueToken } from '../../shared/http/auth';
import { loadHandler } from '../../infra/local/server';
import { db } from '../../shared/db/client';
import { createTestOrder, stock } from '../support/test-plugin';
import { operations, fillPath, ROLES, type Operation, type RoleName } from './support/contract';
import { validArb } from './support/arbitraries';

const ops = operations();
const KNOWN: Record<string, string> = { cityId: 'shanghai', operatorId: 'op-authz' };
const tokens = new Map<string, string>();
const landed = new Map<string, boolean>();

beforeAll(async () => {
  for (const role of ROLES) {
    const roles = [...new Set(['passenger', role])] as any;
    tokens.set(role, (await issueToken({ id: `authz-${role}`, roles, cityId: 'shanghai', operatorId: 'op-authz' })).token);
  }
  for (const fn of new Set(ops.map((o) => o.fn))) {
    const h: any = await loadHandler(fn).catch(() => undefined);
    landed.set(fn, Array.isArray(h?.routeKeys));
  }
});

function urlFor(op: Operation): string {
  const values: Record<string, string> = {};
  for (const p of op.params.filter((x) => x.in === 'path')) {
    const [sample] = fc.sample(validArb(p.schema).map(String), { seed: 7, numRuns: 1 });
    values[p.name] = KNOWN[p.name] ?? sample;
  }
  return fillPath(op.path, values);
}

function allowed(op: Operation, role: RoleName) {
  return !op.roles || op.roles.some((r) => r === role || r === 'passenger');
}

describe('authorisation matrix (from the contract)', () => {
  for (const op of ops) {
    it(`${op.routeKey}: anonymous ${op.public ? 'passes auth' : '→ 401'}; roles ${op.roles ? op.roles.join('|') : 'any'}`, async () => {
      if (!landed.get(op.fn)) return console.log(`[authz] ${op.routeKey}: function ${op.fn} not landed yet`);
      const url = urlFor(op);
      const anon = await call(op.method, url);
      if (op.public) expect([401, 403], `${op.routeKey} anonymous`).not.toContain(anon.status);
      else {
        expect(anon.status, `${op.routeKey} anonymous: ${anon.text.slice(0, 200)}`).toBe(401);
        expect(anon.body.code).toBe('unauthorized');
        expect(anon.headers['www-authenticate']).toBe('Bearer');
      }
      for (const role of ROLES) {
        const res = await call(op.method, url, { token: tokens.get(role) });
        if (allowed(op, role)) {
          expect([401, 403], `${op.routeKey} as ${role}: ${res.status} ${res.text.slice(0, 200)}`).not.toContain(res.status);
        } else {
          expect(res.status, `${op.routeKey} as ${role}: ${res.text.slice(0, 200)}`).toBe(403);
          expect(res.body.code).toBe('forbidden');
        }
      }
    });
  }

  it('covers every role-restricted operation of the landed functions with at least one refused role', () => {
    const restricted = ops.filter((o) => o.roles && landed.get(o.fn));
    expect(restricted.length).toBeGreaterThan(0);
    for (const o of restricted) expect(ROLES.some((r) => !allowed(o, r)), o.routeKey).toBe(true);
  });
});

describe("another user's resources are 404", () => {
  it('every operation on an order id answers 404 to a user who does not own the order', async () => {
    const alice = await tokenFor('authz-alice');
    const bob = await tokenFor('authz-bob');
    await stock(db(), 'authz-sku', 5);
    const order = await createTestOrder(db(), 'authz-alice', 'authz-sku', 1);
    const orderOps = ops.filter((o) => o.params.some((p) => p.in === 'path' && p.name === 'orderId') && landed.get(o.fn));
    expect(orderOps.map((o) => o.routeKey)).toEqual(expect.arrayContaining(['GET /v1/orders/{orderId}', 'POST /v1/orders/{orderId}/pay', 'POST /v1/orders/{orderId}/cancel']));
    for (const op of orderOps) {
      const [body] = op.bodyRequired && op.bodySchema ? fc.sample(validArb(op.bodySchema), { seed: 3, numRuns: 1 }) : [undefined];
      const res = await call(op.method, fillPath(op.path, { orderId: order.id }), { token: bob, body });
      expect(res.status, `${op.routeKey} as another user: ${res.text.slice(0, 200)}`).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain('authz-alice');
    }
    // the owner does see it (so the 404 above is about ownership, not a bad id)
    expect((await call('GET', `/v1/orders/${order.id}`, { token: alice })).status).toBe(200);
  });

  it("a passenger of another user cannot be deleted (404) and stays in the owner's list", async () => {
    const route = ops.find((o) => o.routeKey === 'POST /v1/me/passengers');
    expect(route, 'POST /v1/me/passengers is in the contract').toBeDefined();
    const alice = await tokenFor('authz-alice2');
    const bob = await tokenFor('authz-bob2');
    const created = await call('POST', '/v1/me/passengers', { token: alice, body: { name: '张三', idType: 'id_card', idNumber: '11010519491231002X' } });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id;
    const del = await call('DELETE', `/v1/me/passengers/${id}`, { token: bob });
    expect(del.status, del.text).toBe(404);
    const list = await call('GET', '/v1/me/passengers', { token: alice });
    expect(list.body.passengers.map((p: any) => p.id)).toContain(id);
    expect((await call('GET', '/v1/me/passengers', { token: bob })).body.passengers).toEqual([]);
  });

  it("another owner's parking spot cannot be changed or its reservations listed (404)", async () => {
    const alice = await tokenFor('authz-owner');
    const bob = await tokenFor('authz-other');
    const spot = await call('POST', '/v1/parking/spots', {
      token: alice,
      body: {
        title: '测试车位',
        address: '上海市黄浦区人民大道 1 号',
        city: 'shanghai',
        location: { lat: 31.2304, lng: 121.4737 },
        pricePerHourFen: 800,
        availability: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' }],
      },
    });
    expect(spot.status, spot.text).toBe(201);
    const id = spot.body.spotId;
    expect(id).toMatch(/^spt_/);
    const patch = await call('PATCH', `/v1/parking/spots/${id}`, { token: bob, body: { title: '抢走' } });
    expect(patch.status, patch.text).toBe(404);
    expect((await call('GET', `/v1/parking/spots/${id}/reservations`, { token: bob })).status).toBe(404);
    const mine = await call('GET', `/v1/parking/spots/${id}`, { token: alice });
    expect(mine.body.title).toBe('测试车位');
  });
});
