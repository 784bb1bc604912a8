/**
 * The mini-app's four journeys in a real browser: the real `npm start` entry (H5 build
 * served at /, API, DynamoDB Local, seeded demo data) driven by headless Chromium at a
 * 390×844 phone viewport. One stack for all flows. Assertions are on visible text.
 *
 * E2E_BASE_URL=http://127.0.0.1:3000 reuses a stack that is already running (local loop).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startLocalStack, type LocalStack } from '../support/local-stack';
import { launchBrowser, phonePage } from '../support/browser';
import { Api, devLoginUi, idNumber, input, open, shanghaiDay, shot, typeInto, uid, visibleText } from './support';

let stack: LocalStack | undefined;
let baseUrl = process.env.E2E_BASE_URL ?? '';
let browser: Browser;
let api: Api;

beforeAll(async () => {
  if (!baseUrl) {
    stack = await startLocalStack({ timeoutMs: 600_000 });
    baseUrl = stack.baseUrl;
  }
  api = new Api(baseUrl);
  browser = await launchBrowser();
}, 620_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
}, 60_000);

async function newPage(): Promise<Page> {
  const page = await phonePage(browser);
  page.setDefaultTimeout(20_000);
  return page;
}

// Each flow drives a real browser against a real stack: allow for a loaded machine.
vi.setConfig({ testTimeout: 180_000 });

describe('mini-app in the browser (H5 build on the local stack)', () => {
  it('1. dev login → search a rail trip → two passengers → sandbox payment → e-ticket QR', async () => {
    // an operator publishes tomorrow's train (independent of whatever demo data is seeded)
    const op = await api.login('demo-operator', ['passenger', 'operator']);
    const day = shanghaiDay(1);
    const number = `G${1000 + Math.floor(Math.random() * 8999)}`;
    await api.call('POST', '/v1/operator/trips', op, {
      mode: 'rail',
      number,
      operatorName: '中国铁路',
      serviceDate: day,
      stops: [
        { stationId: 'beijingnan', name: '北京南', city: '北京', depart: `${day}T08:00:00+08:00` },
        { stationId: 'jinanxi', name: '济南西', city: '济南', arrive: `${day}T09:32:00+08:00`, depart: `${day}T09:34:00+08:00` },
        { stationId: 'shanghaihongqiao', name: '上海虹桥', city: '上海', arrive: `${day}T12:28:00+08:00` },
      ],
      classes: [
        { code: 'ZE', name: '二等座', seats: 200, fareFenPerSegment: [18450, 37000] },
        { code: 'ZY', name: '一等座', seats: 12, fareFenPerSegment: [29500, 60000] },
      ],
    });

    const page = await newPage();
    const user = uid('e2e-rail');
    await devLoginUi(page, baseUrl, user);

    await open(page, baseUrl, '/pages/index/index');
    await typeInto(page, 'from-input', '北京');
    await page.locator('[data-testid="station-option"]', { hasText: '北京南' }).first().click();
    await typeInto(page, 'to-input', '上海');
    await page.locator('[data-testid="station-option"]', { hasText: '上海虹桥' }).first().click();
    await page.getByText('明天', { exact: true }).click();
    await page.locator('[data-testid="search-button"]').click();
    const card = page.locator('[data-testid="trip-card"]', { hasText: number });
    await expect.poll(() => card.count()).toBe(1);
    const cardText = await card.innerText();
    expect(cardText).toContain('08:00');
    expect(cardText).toContain('12:28');
    expect(cardText).toContain('4小时28分');
    expect(cardText).toContain('正点');
    expect(cardText).toContain('二等座 有票');
    expect(cardText).toContain('一等座 12 张');
    expect(cardText).toContain('¥554.5起');
    await page.locator('.search-card').evaluate((e) => e.scrollIntoView()); // the form's end and the results
    await shot(page, 'search', 'search.png');

    await card.click();
    await expect.poll(() => visibleText(page)).toContain('经停站');
    expect(await visibleText(page)).toContain('济南西');
    await page.locator('[data-testid="class-row"]', { hasText: '二等座' }).getByText('预订').click();

    // 选择乘客: add two real-name passengers inline (both get selected)
    await expect.poll(() => visibleText(page)).toContain('选择乘客');
    for (const [i, name] of ['张三', '李四'].entries()) {
      await page.getByText('+ 新增乘客').click();
      await typeInto(page, 'passenger-name', name);
      await typeInto(page, 'passenger-id', idNumber(i + 1).slice(0, 17) + (idNumber(i + 1)[17] === '0' ? '1' : '0'));
      expect(await visibleText(page)).toContain('校验位不正确'); // on-the-spot check digit validation
      await typeInto(page, 'passenger-id', idNumber(i + 1));
      expect(await visibleText(page)).toContain('证件号码格式正确');
      await page.getByText('保存乘客').click();
      await expect.poll(() => page.locator('[data-testid="passenger-option"]', { hasText: name }).count()).toBe(1);
    }
    const options = await page.locator('[data-testid="passenger-option"]').allInnerTexts();
    expect(options.join('\n')).toMatch(/1101\*+\d{3}[\dX]/); // masked, never the full number
    expect(options.join('\n')).not.toContain(idNumber(1));
    await expect.poll(() => page.locator('[data-testid="total"]').innerText()).toBe('¥1109');
    await page.locator('[data-testid="submit-order"]').click();

    // 下单 / 支付: hold countdown, amount, sandbox pay
    await expect.poll(() => page.locator('[data-testid="order-status"]').innerText()).toBe('待支付');
    expect(await page.locator('[data-testid="hold-countdown"]').innerText()).toMatch(/请在 \d\d:\d\d 内完成支付/);
    expect(await page.locator('[data-testid="order-amount"]').innerText()).toBe('¥1109');
    await page.locator('[data-testid="pay-button"]').click();
    await expect.poll(() => page.locator('[data-testid="order-status"]').innerText(), { timeout: 20_000 }).toBe('支付成功');
    expect(await page.locator('[data-testid="ticket-item"]').count()).toBe(2);

    // 电子票: the QR code is rendered as an image
    await page.locator('[data-testid="view-eticket"]').first().click();
    const qr = page.locator('[data-testid="eticket-qr"] img');
    await expect.poll(() => qr.count()).toBe(1);
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/gif;base64,/);
    const box = await qr.boundingBox();
    expect(box!.width).toBeGreaterThan(150);
    const ticketText = await visibleText(page);
    expect(ticketText).toContain('已出票');
    expect(ticketText).toMatch(/张三|李四/);
    expect(ticketText).toContain('北京南');
    expect(ticketText).toContain('进站检票时出示此二维码');
    await shot(page, 'eticket', 'eticket.png');
    await page.context().close();
  });
  it('2. list a parking spot as one user → reserve it as another → see it in 我的预约', async () => {
    const title = `人民广场车库 ${Math.random().toString(36).slice(2, 6).toUpperCase()}`;
    const page = await newPage();

    // the owner lists a spot (windows editor default: every day, all day)
    await devLoginUi(page, baseUrl, uid('e2e-owner'));
    await open(page, baseUrl, '/pages/parking-spot-edit/index');
    await typeInto(page, 'spot-title', title);
    await typeInto(page, 'spot-address', '黄浦区人民大道 100 号 B2');
    await typeInto(page, 'spot-price', '8');
    expect(await visibleText(page)).toContain('开放时段（每周）');
    await page.locator('[data-testid="spot-submit"]').click();
    const mine = page.locator('[data-testid="my-spot"]', { hasText: title });
    await expect.poll(() => mine.count()).toBe(1);
    expect(await mine.innerText()).toContain('出租中');
    expect(await mine.innerText()).toContain('每天 00:00–24:00');

    // a driver finds it near 人民广场 tomorrow for 2 hours and reserves it
    await devLoginUi(page, baseUrl, uid('e2e-driver'));
    await open(page, baseUrl, '/pages/parking/index');
    await page.getByText('明天', { exact: true }).click();
    const start = await page.locator('[data-testid="start-time"]').innerText(); // kept from today's default
    expect(start).toMatch(/^\d\d:(00|15|30|45)$/);
    await page.locator('[data-testid="parking-search"]').click();
    const card = page.locator('[data-testid="spot-card"]', { hasText: title });
    await expect.poll(() => card.count()).toBe(1);
    expect(await card.innerText()).toContain('¥16'); // 2 hours × ¥8
    await card.getByText('预订', { exact: true }).click();
    await typeInto(page, 'plate', '沪A12345');
    await page.locator('[data-testid="reserve-confirm"]').click();
    await expect.poll(() => page.locator('[data-testid="order-status"]').innerText()).toBe('待支付');
    await page.locator('[data-testid="pay-button"]').click();
    await expect.poll(() => page.locator('[data-testid="order-status"]').innerText()).toBe('支付成功');

    await open(page, baseUrl, '/pages/parking-reservations/index');
    const res = page.locator('[data-testid="reservation-card"]', { hasText: title });
    await expect.poll(() => res.count()).toBe(1);
    const text = await res.innerText();
    expect(text).toContain('沪A12345');
    expect(text).toContain('已支付');
    expect(text).toContain(start);
    expect(text).toContain('签到入场');
    await shot(page, 'parking-reservations');
    await page.context().close();
  });

  it('3. register as a rider → unlock a bike by code → lock inside a zone → fare shown', async () => {
    // the city and the operator set up a zone, a pricing plan and a bike
    const reg = await api.login(uid('e2e-reg'), ['passenger', 'regulator'], { cityId: 'shanghai' });
    const bop = await api.login(uid('e2e-bop'), ['passenger', 'bike-operator'], { operatorId: 'qingju' });
    await api.call('PUT', '/v1/bikes/cities/shanghai/operators/qingju/quota', reg, { maxBikes: 100000, operatorName: '青桔' });
    const zone = { lat: 31.311, lng: 121.611 };
    const d = 0.002;
    await api.call('POST', '/v1/bikes/cities/shanghai/zones', reg, {
      kind: 'parking',
      name: '五角场东停车区',
      polygon: { type: 'Polygon', coordinates: [[[zone.lng - d, zone.lat - d], [zone.lng + d, zone.lat - d], [zone.lng + d, zone.lat + d], [zone.lng - d, zone.lat + d], [zone.lng - d, zone.lat - d]]] },
    });
    await api.call('PUT', '/v1/bikes/cities/shanghai/operators/qingju/pricing', bop, { startFeeFen: 150, per15MinFen: 50 });
    const code = `E2E-${Date.now().toString(36).toUpperCase()}`;
    await api.call('POST', '/v1/bikes', bop, { code, cityId: 'shanghai', vehicleType: 'bicycle', location: { lat: 31.1, lng: 121.3 } });

    const page = await newPage();
    await devLoginUi(page, baseUrl, uid('e2e-rider'));
    await open(page, baseUrl, '/pages/bikes/index');
    await expect.poll(() => visibleText(page)).toContain('实名注册');
    await typeInto(page, 'rider-name', '王五');
    await typeInto(page, 'rider-id', idNumber(Date.now() % 997)); // one account per ID number
    await typeInto(page, 'rider-phone', '13800138000');
    await page.locator('[data-testid="rider-submit"]').click();
    await expect.poll(() => visibleText(page)).toContain('开锁');
    expect(await visibleText(page)).toContain('138****8000');

    // unlock where the bike stands (typed coordinates: no GPS in the headless browser)
    await typeInto(page, 'bike-code', code);
    await typeInto(page, 'coords', '31.1,121.3');
    await page.getByText('使用', { exact: true }).click();
    await page.locator('[data-testid="unlock-button"]').click();
    await expect.poll(() => page.locator('[data-testid="ride-open"]').count()).toBe(1);
    expect(await page.locator('[data-testid="ride-timer"]').innerText()).toMatch(/^\d\d:\d\d$/);

    // locking outside any zone is refused with the nearest zone; inside, the ride ends
    await page.locator('[data-testid="lock-button"]').click();
    await expect.poll(() => page.locator('[data-testid="outside-zone"]').count()).toBe(1);
    expect(await page.locator('[data-testid="outside-zone"]').innerText()).toContain('请骑到停车区内再锁车');
    await typeInto(page, 'coords', `${zone.lat},${zone.lng}`);
    await page.getByText('使用', { exact: true }).click();
    await page.locator('[data-testid="lock-button"]').click();
    await expect.poll(() => page.locator('[data-testid="ride-ended"]').count()).toBe(1);
    const fare = await page.locator('[data-testid="ride-fare"]').innerText();
    expect(fare).toMatch(/^¥\d+(\.\d{1,2})?$/);
    expect(Number(fare.slice(1))).toBeGreaterThanOrEqual(1.5);
    expect(await visibleText(page)).toContain('骑行结束');
    await shot(page, 'bike-fare');
    await page.locator('[data-testid="ride-pay"]').click();
    await page.locator('[data-testid="pay-button"]').click();
    await expect.poll(() => page.locator('[data-testid="order-status"]').innerText()).toBe('支付成功');
    await page.context().close();
  });

  it('4. book a cruise cabin for two guests (deposit now, balance later)', async () => {
    const op = await api.login('demo-operator', ['passenger', 'operator']);
    const departDate = shanghaiDay(90);
    const name = `日韩 5 晚 ${Math.random().toString(36).slice(2, 6).toUpperCase()}`;
    await api.call('POST', '/v1/operator/cruise/voyages', op, {
      shipName: '蓝梦之星',
      name,
      departPort: { code: 'CNSHA', name: '上海吴淞口' },
      departDate,
      nights: 5,
      international: true,
      itinerary: [
        { day: 1, port: '上海', depart: '17:00' },
        { day: 2, port: '海上巡游' },
        { day: 3, port: '福冈', arrive: '08:00', depart: '18:00' },
        { day: 4, port: '釜山', arrive: '09:00', depart: '17:00' },
        { day: 5, port: '海上巡游' },
        { day: 6, port: '上海', arrive: '07:00' },
      ],
      categories: [
        { code: 'IN', name: '内舱房', kind: 'inside', pricesFen: { '1': 600000, '2': 350000 } },
        { code: 'BA', name: '阳台房', kind: 'balcony', pricesFen: { '1': 900000, '2': 520000, '3': 420000 } },
      ],
      cabins: [
        { number: '8001', categoryCode: 'IN', deck: 8, maxGuests: 2 },
        { number: '9001', categoryCode: 'BA', deck: 9, maxGuests: 3 },
        { number: '9002', categoryCode: 'BA', deck: 9, maxGuests: 3 },
      ],
    });

    const page = await newPage();
    await devLoginUi(page, baseUrl, uid('e2e-cruise'));
    await open(page, baseUrl, '/pages/cruise/index');
    const card = page.locator('[data-testid="voyage-card"]', { hasText: name });
    await expect.poll(() => card.count()).toBe(1);
    expect(await card.innerText()).toContain('上海吴淞口出发');
    await card.click();
    await expect.poll(() => visibleText(page)).toContain('福冈');
    await page.locator('[data-testid="category-option"]', { hasText: '阳台房' }).click();
    for (const [i, guest] of ['赵六', '钱七'].entries()) {
      await page.getByText('+ 新增乘客').click();
      await typeInto(page, 'passenger-name', guest);
      await page.getByText('护照', { exact: true }).last().click(); // international voyage: passports
      await typeInto(page, 'passenger-id', `E${Date.now().toString().slice(-7)}${i}`);
      await page.getByText('保存乘客').click();
      await expect.poll(() => page.locator('[data-testid="passenger-option"]', { hasText: guest }).count()).toBe(1);
    }
    await expect.poll(() => page.locator('[data-testid="cruise-total"]').innerText()).toBe('¥10400');
    expect(await page.locator('[data-testid="cruise-plan"]').innerText()).toContain('定金 ¥2080，尾款 ¥8320');
    await page.locator('[data-testid="cruise-book"]').click();

    await expect.poll(() => page.locator('[data-testid="order-status"]').innerText()).toBe('待支付');
    let text = await visibleText(page);
    expect(text).toContain('阳台房');
    expect(text).toContain('赵六、钱七');
    expect(text).toMatch(/定金[\s\S]*¥2080/);
    expect(text).toMatch(/尾款[\s\S]*¥8320/);
    expect(await page.locator('[data-testid="pay-button"]').innerText()).toContain('¥2080');
    await page.locator('[data-testid="pay-button"]').click();
    await expect.poll(() => page.locator('[data-testid="order-status"]').innerText()).toBe('支付成功');
    text = await visibleText(page);
    expect(text).toMatch(/¥2080 已付/);
    expect(text).toMatch(/¥8320 待付/);
    await shot(page, 'cruise-order');
    await page.context().close();
  });
});
