/**
 * `npm start` as a user runs it: the real entry point in a child process with its own
 * DATA_DIR and a free port — DynamoDB Local, demo data, the API, the H5 mini-app — then
 * Ctrl-C, and a second start on the same data.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { spawnSync } from 'node:child_process';
import { processAlive, startLocalStack, type LocalStack } from '../support/local-stack';
import { launchBrowser, phonePage, screenshot } from '../support/browser';

let stack: LocalStack | undefined;
afterAll(async () => {
  await stack?.stop();
});

const json = async (r: Response) => ({ status: r.status, type: r.headers.get('content-type') ?? '', body: (await r.json()) as any });

describe('npm start', () => {
  it('serves the API and the H5 mini-app on DynamoDB Local, stops cleanly on Ctrl-C and keeps its data', async () => {
    const t0 = Date.now();
    stack = await startLocalStack({ timeoutMs: 120_000 });
    console.log(`[e2e] npm start healthy after ${((Date.now() - t0) / 1000).toFixed(1)} s (includes the first H5 build when not cached)`);
    const base = stack.baseUrl;

    const health = await json(await fetch(`${base}/v1/health`));
    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });

    const login = await json(await fetch(`${base}/v1/auth/dev-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'demo-passenger' }) }));
    expect(login.status).toBe(200);
    const me = await json(await fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${login.body.token}` } }));
    expect(me.body).toMatchObject({ id: 'demo-passenger', roles: ['passenger'] });

    const broken = await json(await fetch(`${base}/v1/auth/dev-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"userId":' }));
    expect(broken.status).toBe(400);
    expect(broken.type).toContain('application/problem+json');
    expect(broken.body.code).toBe('invalid_json');

    const unknown = await json(await fetch(`${base}/v1/definitely/not/here`));
    expect(unknown.status).toBe(404);
    expect(unknown.type).toContain('application/problem+json');

    const preflight = await fetch(`${base}/v1/me`, { method: 'OPTIONS', headers: { origin: 'http://localhost:10086', 'access-control-request-method': 'GET' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');

    // The order path over HTTP on the demo data: book, pay in the sandbox, refund; book, cancel.
    const auth = { authorization: `Bearer ${login.body.token}`, 'content-type': 'application/json' };
    const post = (path: string, body?: unknown, key?: string) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { ...auth, ...(key ? { 'idempotency-key': key } : {}) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }).then(json);
    const tomorrow = new Date(Date.now() + 8 * 3600_000 + 86400_000).toISOString().slice(0, 10);
    const search = await json(await fetch(`${base}/v1/trips/search?from=beijingnan&to=shanghaihongqiao&date=${tomorrow}&modes=rail`));
    expect(search.status).toBe(200);
    const trip = search.body.trips.find((t: any) => t.classes.some((c: any) => c.remaining > 0));
    expect(trip).toBeTruthy();
    const psg = await post('/v1/me/passengers', { name: '李四', idType: 'id_card', idNumber: '11010519491231002X' });
    expect(psg.status).toBe(201);
    expect(psg.body.idNumberMasked).toBe('1101**********002X');
    const leg = { tripId: trip.tripId, from: 'beijingnan', to: 'shanghaihongqiao', classCode: trip.classes.find((c: any) => c.remaining > 0).code };
    const order = await post('/v1/ticket-orders', { legs: [leg], passengerIds: [psg.body.id] }, 'e2e-order-0001');
    expect(order.status).toBe(201);
    expect(order.body.status).toBe('PENDING_PAYMENT');
    const replay = await post('/v1/ticket-orders', { legs: [leg], passengerIds: [psg.body.id] }, 'e2e-order-0001');
    expect(replay.body.id).toBe(order.body.id);
    const pay = await post(`/v1/orders/${order.body.id}/pay`);
    expect(pay.body.params.signType).toBe('RSA');
    expect((await post(`/v1/dev/payments/${order.body.id}/succeed`)).body.status).toBe('PAID');
    const quote = await json(await fetch(`${base}/v1/orders/${order.body.id}/refund-quote`, { headers: auth }));
    expect(quote.body.refundFen + quote.body.feeFen).toBe(quote.body.paidFen);
    const refunded = await post(`/v1/orders/${order.body.id}/refund`);
    expect(refunded.body.status).toBe('REFUNDED');
    const second = await post('/v1/ticket-orders', { legs: [leg], passengerIds: [psg.body.id] });
    expect(second.status).toBe(201);
    expect((await post(`/v1/orders/${second.body.id}/cancel`)).body.status).toBe('CANCELLED');
    const stranger = await json(await fetch(`${base}/v1/auth/dev-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'demo-stranger' }) }));
    const peek = await json(await fetch(`${base}/v1/orders/${second.body.id}`, { headers: { authorization: `Bearer ${stranger.body.token}` } }));
    expect(peek.status).toBe(404);

    // A WeChat login creates a user whose id must survive a restart.
    const wx = await json(await fetch(`${base}/v1/auth/wechat-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'persist-me' }) }));
    const userId = wx.body.user.id;
    expect(userId).toMatch(/^usr_/);

    // The H5 home page renders in a real browser.
    const html = await fetch(`${base}/`);
    expect(html.status).toBe(200);
    expect(await html.text()).toContain('<div id="app"');
    const browser = await launchBrowser();
    try {
      const page = await phonePage(browser);
      await page.goto(`${base}/`);
      await page.getByText('服务正常').first().waitFor({ timeout: 20_000 });
      expect(await page.getByText('一站出行').count()).toBeGreaterThan(0);
      await screenshot(page, 'home');
    } finally {
      await browser.close();
    }

    // Ctrl-C: the server exits and leaves no Java process behind.
    const javaPid = stack.javaPid();
    expect(javaPid).toBeGreaterThan(0);
    expect(processAlive(javaPid!)).toBe(true);
    const code = await stack.stop();
    expect(code).toBe(0);
    expect(processAlive(javaPid!)).toBe(false);

    // Second start on the same DATA_DIR keeps the data.
    const dataDir = stack.dataDir;
    stack = await startLocalStack({ dataDir, timeoutMs: 60_000 });
    const again = await json(await fetch(`${stack.baseUrl}/v1/auth/wechat-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'persist-me' }) }));
    expect(again.body.user.id).toBe(userId);
    const javaPid2 = stack.javaPid()!;
    await stack.stop();
    expect(processAlive(javaPid2)).toBe(false);
    stack = undefined;
  }, 300_000);

  it('names the fix in one line when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, r));
    const port = (blocker.address() as any).port;
    try {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], { env: { ...process.env, PORT: String(port), SKIP_H5: '1' }, encoding: 'utf8', timeout: 60_000 });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`Port ${port} is already in use`);
      expect(r.stderr).toContain(`PORT=${port + 1} npm start`);
    } finally {
      blocker.close();
    }
  }, 90_000);

  it('names the fix in one line when Java is missing', async () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
      env: { ...process.env, PATH: '/nonexistent', PORT: '0', SKIP_H5: '1', DYNAMODB_ENDPOINT: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Java 17\+ is required.*default-jre-headless/);
  }, 90_000);
});
