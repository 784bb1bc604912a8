/**
 * Shared pieces of the mini-app browser flows: API set-up calls (operator data the flows
 * need), Taro H5 selectors, and screenshot copies for the README.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page, Locator } from 'playwright-core';
import { expect } from 'vitest';
import { SCREENSHOT_DIR, screenshot } from '../support/browser';

const root = resolve(import.meta.dirname, '..', '..');

export class Api {
  constructor(readonly baseUrl: string) {}

  async login(userId: string, roles: string[] = ['passenger'], extra: Record<string, string> = {}): Promise<string> {
    const r = await this.call('POST', '/v1/auth/dev-login', undefined, { userId, roles, ...extra });
    return (r as { token: string }).token;
  }

  async call(method: string, path: string, token?: string, body?: unknown, expected: number[] = [200, 201, 204]): Promise<any> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method === 'POST') headers['idempotency-key'] = `e2e-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`;
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (!expected.includes(res.status)) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  }
}

/** Service day (Asia/Shanghai) `offset` days from now, YYYY-MM-DD. */
export function shanghaiDay(offset = 0): string {
  return new Date(Date.now() + 8 * 3600_000 + offset * 86400_000).toISOString().slice(0, 10);
}

/** A valid GB 11643 ID number (check digit computed). */
export function idNumber(seq: number): string {
  const body = `110105199003${String(10 + (seq % 18)).padStart(2, '0')}${String(100 + seq).slice(-3)}`;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = body.split('').reduce((s, d, i) => s + Number(d) * w[i], 0);
  return body + '10X98765432'[sum % 11];
}

export const uid = (prefix: string) => `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** The native <input> inside a Taro <Input data-testid=...>. */
export function input(page: Page, testId: string): Locator {
  // Taro's H5 router keeps earlier pages of the stack in the DOM (hidden): take the visible one
  return page.locator(`[data-testid="${testId}"] input, input[data-testid="${testId}"]`).filter({ visible: true }).first();
}

/** Types like a person (Taro's Input listens to input events). */
export async function typeInto(page: Page, testId: string, text: string) {
  const el = input(page, testId);
  await el.click();
  await el.fill('');
  await el.pressSequentially(text, { delay: 15 });
}

export async function open(page: Page, baseUrl: string, route: string) {
  await page.goto(`${baseUrl}/#${route}`);
}

/** Sign in on 我的 with the H5 dev login. */
export async function devLoginUi(page: Page, baseUrl: string, userId: string) {
  await open(page, baseUrl, '/pages/me/index');
  const logout = page.getByText('退出登录', { exact: true });
  await page.locator('[data-testid="dev-user"], [data-testid="me-user"]').first().waitFor();
  if (await logout.count()) await logout.click();
  await typeInto(page, 'dev-user', userId);
  await page.getByText('登录', { exact: true }).last().click();
  await expect.poll(() => page.locator('[data-testid="me-user"]').first().textContent(), { timeout: 15_000 }).toBe(userId);
}

export async function shot(page: Page, name: string, readmeCopy?: string) {
  await screenshot(page, name);
  // README copies are committed files: refresh them only on request (UPDATE_SCREENSHOTS=1)
  if (readmeCopy && process.env.UPDATE_SCREENSHOTS === '1') {
    const dir = join(root, 'docs', 'screenshots');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(SCREENSHOT_DIR, `${name}.png`), join(dir, readmeCopy));
  }
}

/** Visible text of the current page (what a person sees). */
export async function visibleText(page: Page): Promise<string> {
  return page.locator('body').innerText();
}

