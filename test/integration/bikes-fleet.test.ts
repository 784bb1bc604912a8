/** Quotas, pricing, bike registration (incl. the 100-vs-40 race), batch registration, retirement, role scoping. */
import { beforeAll, describe, expect, it } from 'vitest';
import { call, expectProblem, tokenFor } from '../support/api';

let regulator: string;
let otherRegulator: string;
let qingju: string;
let hello: string;
let passenger: string;

beforeAll(async () => {
  regulator = await tokenFor('reg-sh', ['regulator'], { cityId: 'shanghai' });
  otherRegulator = await tokenFor('reg-bj', ['regulator'], { cityId: 'beijing' });
  qingju = await tokenFor('op-qj', ['bike-operator'], { operatorId: 'qingju' });
  hello = await tokenFor('op-hb', ['bike-operator'], { operatorId: 'hellobike' });
  passenger = await tokenFor('pax-1');
});

const setQuota = (city: string, op: string, maxBikes: number, token = regulator) =>
  call('PUT', `/v1/bikes/cities/${city}/operators/${op}/quota`, { token, body: { maxBikes } });

describe('quota (regulator)', () => {
  it('sets and updates a cap; registered starts at 0', async () => {
    const r = await setQuota('shanghai', 'qingju', 5);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ cityId: 'shanghai', operatorId: 'qingju', maxBikes: 5, registered: 0 });
    expect(r.body.updatedAt).toMatch(/\+08:00$/);
  });

  it('is scoped to the regulator city (403 city_out_of_scope) and the role (403)', async () => {
    expectProblem(await setQuota('shanghai', 'qingju', 5, otherRegulator), 403, 'city_out_of_scope');
    expectProblem(await setQuota('shanghai', 'qingju', 5, passenger), 403, 'forbidden');
    expectProblem(await setQuota('shanghai', 'qingju', 5, qingju), 403, 'forbidden');
    expectProblem(await call('PUT', '/v1/bikes/cities/shanghai/operators/qingju/quota', { body: { maxBikes: 1 } }), 401, 'unauthorized');
  });

  it('validates the body from the contract', async () => {
    expectProblem(await setQuota('shanghai', 'qingju', -1), 400, 'validation_failed');
    expectProblem(await call('PUT', '/v1/bikes/cities/Shang Hai/operators/qingju/quota', { token: regulator, body: { maxBikes: 1 } }), 400, 'validation_failed');
  });
});

describe('pricing (bike operator)', () => {
  it('an operator sets its own plan only', async () => {
    const r = await call('PUT', '/v1/bikes/cities/shanghai/operators/qingju/pricing', { token: qingju, body: { startFeeFen: 100, per15MinFen: 150 } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ startFeeFen: 100, per15MinFen: 150 });
    expectProblem(await call('PUT', '/v1/bikes/cities/shanghai/operators/qingju/pricing', { token: hello, body: { startFeeFen: 1, per15MinFen: 1 } }), 403, 'operator_out_of_scope');
    expectProblem(await call('PUT', '/v1/bikes/cities/shanghai/operators/qingju/pricing', { token: regulator, body: { startFeeFen: 1, per15MinFen: 1 } }), 403, 'forbidden');
    expectProblem(await call('PUT', '/v1/bikes/cities/shanghai/operators/qingju/pricing', { token: qingju, body: { startFeeFen: 1.5, per15MinFen: 1 } }), 400, 'validation_failed');
  });
});

describe('registration', () => {
  it('registers a bike, refuses a duplicate code nationally and without a quota', async () => {
    await setQuota('shenzhen', 'qingju', 10, await tokenFor('reg-sz', ['regulator'], { cityId: 'shenzhen' }));
    const r = await call('POST', '/v1/bikes', { token: qingju, body: { code: 'SZ-QJ-0001', cityId: 'shenzhen', vehicleType: 'ebike', lockId: 'lock-1', location: { lat: 22.54, lng: 114.06 } } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ code: 'SZ-QJ-0001', cityId: 'shenzhen', operatorId: 'qingju', vehicleType: 'ebike', status: 'AVAILABLE', lockId: 'lock-1' });
    expect(r.body.publicId).toBeUndefined();
    // the same code by another operator in another city: still a duplicate (national)
    await setQuota('shanghai', 'hellobike', 10);
    expectProblem(await call('POST', '/v1/bikes', { token: hello, body: { code: 'SZ-QJ-0001', cityId: 'shanghai', vehicleType: 'bicycle' } }), 409, 'duplicate_code');
    const none = await call('POST', '/v1/bikes', { token: hello, body: { code: 'GZ-HB-0001', cityId: 'guangzhou', vehicleType: 'bicycle' } });
    expectProblem(none, 409, 'quota_exceeded');
    expect(none.body.maxBikes).toBe(0);
    // the failed attempts did not consume quota
    const q = await setQuota('shanghai', 'hellobike', 10);
    expect(q.body.registered).toBe(0);
  });

  it('refuses lower-case codes and a bike operator without a company', async () => {
    expectProblem(await call('POST', '/v1/bikes', { token: qingju, body: { code: 'sz-qj-1', cityId: 'shenzhen', vehicleType: 'bicycle' } }), 400, 'validation_failed');
    const noCompany = await tokenFor('op-x', ['bike-operator']);
    expectProblem(await call('POST', '/v1/bikes', { token: noCompany, body: { code: 'SZ-XX-0001', cityId: 'shenzhen', vehicleType: 'bicycle' } }), 403, 'operator_not_assigned');
  });

  it('100 concurrent registrations against a cap of 40 register exactly 40', async () => {
    const reg = await tokenFor('reg-hz', ['regulator'], { cityId: 'hangzhou' });
    await setQuota('hangzhou', 'qingju', 40, reg);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        call('POST', '/v1/bikes', { token: qingju, body: { code: `HZ-QJ-${String(i).padStart(4, '0')}`, cityId: 'hangzhou', vehicleType: 'bicycle' } }),
      ),
    );
    const ok = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 409);
    expect(ok).toHaveLength(40);
    expect(refused).toHaveLength(60);
    for (const r of refused) expect(r.body.code).toBe('quota_exceeded');
    const q = await setQuota('hangzhou', 'qingju', 40, reg);
    expect(q.body.registered).toBe(40);
    // lowering below the fleet is allowed but blocks registration until under the cap
    const lowered = await setQuota('hangzhou', 'qingju', 38, reg);
    expect(lowered.body).toMatchObject({ maxBikes: 38, registered: 40 });
    expectProblem(await call('POST', '/v1/bikes', { token: qingju, body: { code: 'HZ-QJ-9000', cityId: 'hangzhou', vehicleType: 'bicycle' } }), 409, 'quota_exceeded');
    for (const r of ok.slice(0, 3)) expect((await call('DELETE', `/v1/bikes/${r.body.code}`, { token: qingju })).status).toBe(204);
    const after = await call('POST', '/v1/bikes', { token: qingju, body: { code: 'HZ-QJ-9000', cityId: 'hangzhou', vehicleType: 'bicycle' } });
    expect(after.status).toBe(201);
    expectProblem(await call('POST', '/v1/bikes', { token: qingju, body: { code: 'HZ-QJ-9001', cityId: 'hangzhou', vehicleType: 'bicycle' } }), 409, 'quota_exceeded');
  });

  it('an Idempotency-Key replays the same registration instead of a duplicate_code', async () => {
    const body = { code: 'SZ-QJ-0100', cityId: 'shenzhen', vehicleType: 'bicycle' };
    const a = await call('POST', '/v1/bikes', { token: qingju, body, idempotencyKey: 'reg-sz-qj-0100' });
    const b = await call('POST', '/v1/bikes', { token: qingju, body, idempotencyKey: 'reg-sz-qj-0100' });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body).toEqual(a.body);
    expectProblem(await call('POST', '/v1/bikes', { token: qingju, body: { ...body, code: 'SZ-QJ-0101' }, idempotencyKey: 'reg-sz-qj-0100' }), 422, 'idempotency_key_reused');
  });
});

describe('retirement', () => {
  it('retires my parked bike (404 for others, codes never reused)', async () => {
    const reg = await tokenFor('reg-gz', ['regulator'], { cityId: 'guangzhou' });
    await setQuota('guangzhou', 'qingju', 1, reg);
    expect((await call('POST', '/v1/bikes', { token: qingju, body: { code: 'GZ-QJ-0001', cityId: 'guangzhou', vehicleType: 'bicycle' } })).status).toBe(201);
    expectProblem(await call('DELETE', '/v1/bikes/GZ-QJ-0001', { token: hello }), 404, 'bike_not_found');
    expectProblem(await call('DELETE', '/v1/bikes/GZ-QJ-9999', { token: qingju }), 404, 'bike_not_found');
    expect((await call('DELETE', '/v1/bikes/GZ-QJ-0001', { token: qingju })).status).toBe(204);
    expectProblem(await call('DELETE', '/v1/bikes/GZ-QJ-0001', { token: qingju }), 404, 'bike_not_found');
    expectProblem(await call('POST', '/v1/bikes', { token: qingju, body: { code: 'GZ-QJ-0001', cityId: 'guangzhou', vehicleType: 'bicycle' } }), 409, 'duplicate_code');
    expect((await call('POST', '/v1/bikes', { token: qingju, body: { code: 'GZ-QJ-0002', cityId: 'guangzhou', vehicleType: 'bicycle' } })).status).toBe(201);
  });
});

describe('batch registration', () => {
  const bikes = (prefix: string, n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ code: `${prefix}-${String(from + i).padStart(4, '0')}`, vehicleType: 'bicycle' }));

  it('registers in chunks of 25, all-or-nothing per chunk, with a report', async () => {
    const reg = await tokenFor('reg-bj', ['regulator'], { cityId: 'beijing' });
    await setQuota('beijing', 'qingju', 60, reg);
    // one code of chunk 1 already exists → that chunk fails as a whole
    expect((await call('POST', '/v1/bikes', { token: qingju, body: { code: 'BJ-QJ-0030', cityId: 'beijing', vehicleType: 'bicycle' } })).status).toBe(201);
    const r = await call('POST', '/v1/bikes/batch', { token: qingju, body: { cityId: 'beijing', bikes: bikes('BJ-QJ', 70) } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ requested: 70, registered: 25 + 20, failed: 25 });
    expect(r.body.chunks.map((c: any) => [c.chunk, c.codes.length, c.status, c.code])).toEqual([
      [0, 25, 'registered', undefined],
      [1, 25, 'failed', 'duplicate_code'],
      [2, 20, 'registered', undefined],
    ]);
    expect(r.body.chunks[1].duplicateCodes).toEqual(['BJ-QJ-0030']);
    const q = await setQuota('beijing', 'qingju', 60, reg);
    expect(q.body.registered).toBe(1 + 45);
    // 14 left: a chunk of 25 does not fit and registers nothing
    const over = await call('POST', '/v1/bikes/batch', { token: qingju, body: { cityId: 'beijing', bikes: bikes('BJ-QJ', 25, 100) } });
    expect(over.body).toMatchObject({ registered: 0, failed: 25 });
    expect(over.body.chunks[0].code).toBe('quota_exceeded');
    expect((await setQuota('beijing', 'qingju', 60, reg)).body.registered).toBe(46);
  });

  it('refuses a code twice in one batch and more than 500 bikes (400)', async () => {
    expectProblem(await call('POST', '/v1/bikes/batch', { token: qingju, body: { cityId: 'beijing', bikes: [...bikes('BJ-QJ', 2, 200), ...bikes('BJ-QJ', 1, 200)] } }), 400, 'duplicate_code_in_batch');
    expectProblem(await call('POST', '/v1/bikes/batch', { token: qingju, body: { cityId: 'beijing', bikes: bikes('BJ-QJ', 501, 1000) } }), 400, 'validation_failed');
  });
});
