/**
 * Calls handlers the way API Gateway does: builds a payload-2.0 event (with the same
 * builder the local server uses) and routes it to the function that serves the path.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { listRoutes, routeMatcher } from '../../shared/api/routes';
import { buildEvent } from '../../infra/local/event';
import { loadHandler } from '../../infra/local/server';
import { issueToken, type AuthUser } from '../../shared/http/auth';

const match = routeMatcher(listRoutes());

export interface ApiResponse<T = any> {
  status: number;
  headers: Record<string, string>;
  body: T;
  text: string;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Send this exact text as the body (e.g. broken JSON, XML). */
  rawBody?: string;
  headers?: Record<string, string>;
  idempotencyKey?: string;
}

export async function call<T = any>(method: string, url: string, opts: CallOptions = {}): Promise<ApiResponse<T>> {
  const path = url.split('?')[0];
  const m = match(method, path);
  const headers: Record<string, string> = { host: 'localhost', ...(opts.headers ?? {}) };
  let body: Buffer | undefined;
  if (opts.rawBody !== undefined) body = Buffer.from(opts.rawBody);
  else if (opts.body !== undefined) {
    body = Buffer.from(JSON.stringify(opts.body));
    headers['content-type'] ??= 'application/json';
  }
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
  const event = buildEvent({ method, url, headers, body }, m.route ? { routeKey: m.route.routeKey, params: m.params } : null);
  const handler = await loadHandler(m.route?.fn ?? 'auth');
  const res = (await handler(event, { awsRequestId: event.requestContext.requestId, getRemainingTimeInMillis: () => 600_000 })) as APIGatewayProxyStructuredResultV2;
  const text = res.body ?? '';
  const hdrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers ?? {})) hdrs[k.toLowerCase()] = String(v);
  let parsed: any = text;
  if ((hdrs['content-type'] ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: res.statusCode ?? 200, headers: hdrs, body: parsed as T, text };
}

/** A token for a user with the given roles (as dev-login would issue). */
export async function tokenFor(id: string, roles: AuthUser['roles'] = ['passenger'], extra: Partial<AuthUser> = {}): Promise<string> {
  const roleSet = [...new Set(['passenger', ...roles])] as AuthUser['roles'];
  return (await issueToken({ id, roles: roleSet, ...extra })).token;
}

export function expectProblem(res: ApiResponse, status: number, code: string) {
  if (res.status !== status || !(res.headers['content-type'] ?? '').startsWith('application/problem+json') || res.body?.code !== code) {
    throw new Error(`expected ${status} ${code} problem, got ${res.status} ${res.headers['content-type']} ${res.text.slice(0, 500)}`);
  }
}
