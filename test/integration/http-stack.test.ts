/**
 * The HTTP stack every function shares, exercised through the auth function on DynamoDB
 * Local: health, sign-in, bearer tokens and roles, problem+json for every failure,
 * correlation ids, CORS and security headers.
 */
import { describe, expect, it, vi, afterEach } from 'vitest';
import { SignJWT } from 'jose';
import { call, expectProblem, tokenFor } from '../support/api';
import { captureLogs } from '../support/logs';

describe('health and sign-in', () => {
  it('GET /v1/health answers ok when the table is reachable', async () => {
    const r = await call('GET', '/v1/health');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok' });
  });

  it('dev-login returns a token that GET /v1/me accepts, with the requested roles plus passenger', async () => {
    const login = await call('POST', '/v1/auth/dev-login', { body: { userId: 'op-1', roles: ['operator'] } });
    expect(login.status).toBe(200);
    expect(login.body.user).toEqual({ id: 'op-1', roles: ['passenger', 'operator'] });
    const me = await call('GET', '/v1/me', { token: login.body.token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ id: 'op-1', roles: ['passenger', 'operator'] });
  });

  it('wechat-login (local dev provider) maps one code to one stable user, also under concurrent first logins', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => call('POST', '/v1/auth/wechat-login', { body: { code: 'wx-code-abc' } })));
    const ids = new Set(results.map((r) => r.body.user.id));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^usr_/);
    const other = await call('POST', '/v1/auth/wechat-login', { body: { code: 'wx-code-xyz' } });
    expect(other.body.user.id).not.toBe([...ids][0]);
  });
});

describe('authentication and roles', () => {
  it('a protected route without a token, with garbage, with a foreign signature or expired is 401 problem+json', async () => {
    expectProblem(await call('GET', '/v1/me'), 401, 'unauthorized');
    expectProblem(await call('GET', '/v1/me', { headers: { authorization: 'Bearer nope' } }), 401, 'unauthorized');
    expectProblem(await call('GET', '/v1/me', { headers: { authorization: 'Basic dXNlcjpwYXNz' } }), 401, 'unauthorized');
    const forged = await new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer('yizhan').setAudience('yizhan-api').setExpirationTime('1h').sign(new TextEncoder().encode('not-our-key-not-our-key-not-our-key'));
    expectProblem(await call('GET', '/v1/me', { token: forged }), 401, 'unauthorized');
    const expired = await new SignJWT({ roles: [] }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer('yizhan').setAudience('yizhan-api').setIssuedAt(1_000).setExpirationTime(2_000).sign(new TextEncoder().encode(process.env.JWT_SECRET!));
    const r = await call('GET', '/v1/me', { token: expired });
    expectProblem(r, 401, 'unauthorized');
    expect(r.headers['www-authenticate']).toBe('Bearer');
  });

  it('a wrong role is 403; the right role passes', async () => {
    await call('POST', '/v1/auth/dev-login', { body: { userId: 'target-user' } });
    const passenger = await tokenFor('p-1');
    expectProblem(await call('PUT', '/v1/admin/users/target-user/roles', { token: passenger, body: { roles: ['operator'] } }), 403, 'forbidden');
    const admin = await tokenFor('admin-1', ['admin']);
    const ok = await call('PUT', '/v1/admin/users/target-user/roles', { token: admin, body: { roles: ['regulator'], cityId: 'shanghai' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ id: 'target-user', roles: ['passenger', 'regulator'], cityId: 'shanghai' });
    expectProblem(await call('PUT', '/v1/admin/users/nobody-here/roles', { token: admin, body: { roles: ['operator'] } }), 404, 'user_not_found');
  });
});

describe('problem+json for every failure', () => {
  it('malformed JSON is 400 invalid_json', async () => {
    const r = await call('POST', '/v1/auth/dev-login', { rawBody: '{"userId": ', headers: { 'content-type': 'application/json' } });
    expectProblem(r, 400, 'invalid_json');
    expect(r.body).toMatchObject({ type: expect.stringContaining('invalid-json'), title: 'Bad Request', status: 400, detail: expect.any(String) });
  });

  it('a schema failure is 400 validation_failed naming the failing fields', async () => {
    const r = await call('POST', '/v1/auth/dev-login', { body: { userId: 'bad id!', roles: ['pilot'], extra: 1 } });
    expectProblem(r, 400, 'validation_failed');
    const fields = r.body.errors.map((e: any) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['/body/userId', '/body/roles/0', '/body/extra']));
    expectProblem(await call('POST', '/v1/auth/dev-login', {}), 400, 'validation_failed');
  });

  it('a wrong content type is 415, an unknown route 404, a wrong method 405 — all problem+json', async () => {
    expectProblem(await call('POST', '/v1/auth/dev-login', { rawBody: 'userId=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
    expectProblem(await call('GET', '/v1/no/such/route'), 404, 'route_not_found');
    const r = await call('DELETE', '/v1/me');
    expectProblem(r, 405, 'method_not_allowed');
    expect(r.headers.allow).toBe('GET');
  });

  it('echoes a valid x-correlation-id, adds CORS and security headers', async () => {
    const r = await call('GET', '/v1/health', { headers: { 'x-correlation-id': 'abc-123', origin: 'http://localhost:10086' } });
    expect(r.headers['x-correlation-id']).toBe('abc-123');
    expect(r.headers['access-control-allow-origin']).toBeTruthy();
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['strict-transport-security']).toMatch(/max-age/);
    const bad = await call('GET', '/v1/no', { headers: { 'x-correlation-id': '<script>' } });
    expect(bad.headers['x-correlation-id']).not.toBe('<script>');
  });
});

describe('unexpected failures', () => {
  afterEach(() => vi.restoreAllMocks());

  it('an unexpected exception is 500 internal with no message or stack, logged with the correlation id', async () => {
    const { DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
    vi.spyOn(DynamoDBDocumentClient.prototype, 'send').mockRejectedValue(new Error('secret detail: table xyz exploded at /srv/app.js:10'));
    const logs = captureLogs();
    const r = await call('POST', '/v1/auth/dev-login', { body: { userId: 'boom' }, headers: { 'x-correlation-id': 'corr-500' } });
    logs.stop();
    vi.restoreAllMocks();
    expectProblem(r, 500, 'internal');
    expect(r.text).not.toMatch(/secret detail|exploded|app\.js|at \w/);
    const line = logs.lines.find((l) => l.correlation_id === 'corr-500' && l.message === 'request failed');
    expect(line).toBeTruthy();
  });

  it('DynamoDB throttling is a clean 503 with Retry-After', async () => {
    const { DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
    vi.spyOn(DynamoDBDocumentClient.prototype, 'send').mockRejectedValue(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const r = await call('POST', '/v1/auth/dev-login', { body: { userId: 'slow' } });
    vi.restoreAllMocks();
    expectProblem(r, 503, 'throttled');
    expect(r.headers['retry-after']).toBe('1');
  });
});
