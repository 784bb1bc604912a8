/**
 * The HTTP stack every function shares (middy): header normalisation, correlation id and
 * logger, routing by API Gateway route key, bearer auth and roles from the contract,
 * JSON body parsing, validation from the OpenAPI schemas, CORS, security headers, and one
 * error handler that turns every failure into application/problem+json.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import httpCors from '@middy/http-cors';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ApiError, badRequest, forbidden, internalError, notFound, serviceUnavailable } from './errors';
import { logger } from './logger';
import { verifyBearer, type AuthUser, type Role } from './auth';
import { validatorsFor, toFieldErrors, type OperationValidators } from './validate';
import { listRoutes, routeMatcher, type ApiRoute, type FunctionName } from '../api/routes';
import { config } from '../runtime/config';

export interface RouteContext<B = any> {
  body: B;
  params: Record<string, string>;
  query: Record<string, any>;
  headers: Record<string, string | undefined>;
  /** The signed-in user; always set on protected routes. */
  user: AuthUser;
  correlationId: string;
  idempotencyKey?: string;
  rawBody: string;
  event: APIGatewayProxyEventV2;
  route: ApiRoute;
  lambdaContext?: Context;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send this text as is (e.g. XML) instead of JSON. */
  text?: string;
  contentType?: string;
}

export type RouteFn = (ctx: RouteContext) => Promise<Reply>;
export type RouteTable = Partial<Record<string, RouteFn>>;

const MAX_BODY_BYTES = 256 * 1024;
const ANONYMOUS: AuthUser = { id: '', roles: [] };

const allRoutes = listRoutes();
const matchAny = routeMatcher(allRoutes);
const byKey = new Map(allRoutes.map((r) => [r.routeKey, r]));

function problem(err: ApiError, correlationId: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: err.status,
    headers: { 'content-type': 'application/problem+json', 'x-correlation-id': correlationId, ...(err.headers ?? {}) },
    body: JSON.stringify({ ...err.toProblem(), correlationId }),
  };
}

/** Maps any thrown value to an ApiError; unknown failures become a logged 500 with no leak. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as any;
  const name: string = e?.name ?? '';
  if (name === 'ProvisionedThroughputExceededException' || name === 'ThrottlingException' || name === 'RequestLimitExceeded') {
    return serviceUnavailable('throttled', 'The service is busy; retry shortly.');
  }
  if (name === 'TimeoutError' || e?.$metadata?.httpStatusCode >= 500 || name === 'InternalServerError' || name === 'ServiceUnavailable') {
    return serviceUnavailable();
  }
  if (name === 'TransactionCanceledException' && (e.CancellationReasons ?? []).some((r: any) => r?.Code === 'TransactionConflict')) {
    return new ApiError(409, 'concurrent_update', 'Another request changed the same data; retry.', { headers: { 'retry-after': '1' } });
  }
  if (name === 'IdempotencyAlreadyInProgressError') {
    return new ApiError(409, 'request_in_progress', 'A request with this Idempotency-Key is still being processed; retry shortly.', {
      headers: { 'retry-after': '1' },
    });
  }
  if (name === 'IdempotencyPersistenceLayerError' || name === 'IdempotencyUnknownError') {
    // The idempotency store (DynamoDB) failed: a dependency outage, not a bug in the request.
    return serviceUnavailable('idempotency_unavailable', 'The request could not be recorded safely; retry with the same Idempotency-Key.');
  }
  if (name === 'IdempotencyValidationError') {
    return new ApiError(422, 'idempotency_key_reused', 'This Idempotency-Key was used with a different request body.');
  }
  return internalError();
}

function parseBody(event: APIGatewayProxyEventV2, route: ApiRoute, v: OperationValidators): { body: unknown; raw: string } {
  if (event.body === undefined || event.body === null || event.body === '') return { body: undefined, raw: '' };
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) throw new ApiError(413, 'payload_too_large', `The body exceeds ${MAX_BODY_BYTES} bytes.`);
  const ctype = (event.headers?.['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const wantsJson = v.bodyTypes.length === 0 || v.bodyTypes.some((t) => t.includes('json'));
  if (!wantsJson) return { body: raw, raw };
  if (v.bodyTypes.length === 0 && (method(route) === 'GET' || method(route) === 'DELETE')) return { body: undefined, raw };
  if (ctype && !ctype.includes('json')) {
    throw new ApiError(415, 'unsupported_media_type', 'Send the body as application/json.');
  }
  try {
    return { body: JSON.parse(raw), raw };
  } catch {
    throw badRequest('invalid_json', 'The request body is not valid JSON.');
  }
}
const method = (r: ApiRoute) => r.method;

function validate(v: OperationValidators, ctx: { params: any; query: any; headers: any; body: unknown; hasBody: boolean }) {
  const errors = [];
  if (v.params && !v.params(ctx.params)) errors.push(...toFieldErrors('path', v.params.errors));
  if (v.query && !v.query(ctx.query)) errors.push(...toFieldErrors('query', v.query.errors));
  if (v.headers && !v.headers(ctx.headers)) errors.push(...toFieldErrors('header', v.headers.errors));
  if (v.body) {
    if (!ctx.hasBody) {
      if (v.bodyRequired) errors.push({ field: '/body', message: 'is required' });
    } else if (!v.body(ctx.body)) errors.push(...toFieldErrors('body', v.body.errors));
  }
  if (errors.length) {
    throw badRequest('validation_failed', 'The request does not match the API contract.', { errors });
  }
}

function queryOf(event: APIGatewayProxyEventV2): Record<string, any> {
  const q: Record<string, any> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) q[k] = v;
  return q;
}

function requiredRoles(route: ApiRoute): Role[] | undefined {
  const op = (routeSpec(route) ?? {}) as any;
  return Array.isArray(op['x-roles']) ? op['x-roles'] : undefined;
}
import spec from '../api/generated/openapi.json';
function routeSpec(route: ApiRoute) {
  return (spec as any).paths?.[route.path]?.[route.method.toLowerCase()];
}

/** Builds a function's Lambda handler from its route table. */
export function createHttpHandler(fn: FunctionName, routes: RouteTable) {
  const core = async (event: APIGatewayProxyEventV2, context?: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const headers = (event.headers ?? {}) as Record<string, string | undefined>;
    const correlationId =
      (headers['x-correlation-id'] && /^[A-Za-z0-9_\-.:]{1,128}$/.test(headers['x-correlation-id']) ? headers['x-correlation-id'] : undefined) ??
      event.requestContext?.requestId ??
      context?.awsRequestId ??
      'local';
    logger.appendKeys({ correlation_id: correlationId, route: event.routeKey });
    const started = Date.now();
    let result: APIGatewayProxyStructuredResultV2;
    try {
      result = await dispatch(event, correlationId, context);
    } catch (err) {
      const apiErr = toApiError(err);
      if (apiErr.status >= 500) logger.error('request failed', { error: err as Error, status: apiErr.status });
      else logger.info('request refused', { status: apiErr.status, code: apiErr.code });
      result = problem(apiErr, correlationId);
    }
    logger.info('request', { method: event.requestContext?.http?.method, path: event.rawPath, status: result.statusCode, ms: Date.now() - started });
    logger.removeKeys(['correlation_id', 'route']);
    return result;
  };

  async function dispatch(event: APIGatewayProxyEventV2, correlationId: string, lambdaContext?: Context): Promise<APIGatewayProxyStructuredResultV2> {
    let route = byKey.get(event.routeKey);
    let params = (event.pathParameters ?? {}) as Record<string, string>;
    if (!route) {
      // $default (API Gateway) or a direct invocation: match the concrete path ourselves.
      const m = matchAny(event.requestContext?.http?.method ?? 'GET', event.rawPath ?? '/');
      if (m.route) {
        route = m.route;
        params = m.params;
      } else if (m.allowed.length) {
        throw new ApiError(405, 'method_not_allowed', `Use ${[...new Set(m.allowed)].join(', ')} for this path.`, {
          headers: { allow: [...new Set(m.allowed)].join(', ') },
        });
      }
    }
    const impl = route && route.fn === fn ? routes[route.routeKey] : undefined;
    if (!route || !impl || (route.localOnly && !config.isLocal)) {
      throw notFound('route_not_found', `No route for ${event.requestContext?.http?.method ?? ''} ${event.rawPath ?? ''}.`);
    }
    const headers = (event.headers ?? {}) as Record<string, string | undefined>;
    let user = ANONYMOUS;
    if (!route.public) {
      user = await verifyBearer(headers['authorization']);
      const roles = requiredRoles(route);
      if (roles && !roles.some((r) => user.roles.includes(r))) {
        throw forbidden('forbidden', `This needs one of the roles: ${roles.join(', ')}.`);
      }
    }
    const validators = await validatorsFor(route.path, route.method);
    const { body, raw } = parseBody(event, route, validators);
    const query = queryOf(event);
    validate(validators, { params, query, headers, body, hasBody: body !== undefined });
    const idem = headers['idempotency-key'];
    const reply = await impl({
      body,
      params,
      query,
      headers,
      user,
      correlationId,
      idempotencyKey: idem,
      rawBody: raw,
      event,
      route,
      lambdaContext,
    });
    const status = reply.status ?? 200;
    const out: APIGatewayProxyStructuredResultV2 = {
      statusCode: status,
      headers: { 'x-correlation-id': correlationId, ...(reply.headers ?? {}) },
    };
    if (reply.text !== undefined) {
      out.headers!['content-type'] = reply.contentType ?? 'text/plain; charset=utf-8';
      out.body = reply.text;
    } else if (reply.body !== undefined && status !== 204) {
      out.headers!['content-type'] = reply.contentType ?? 'application/json; charset=utf-8';
      out.body = JSON.stringify(reply.body);
    }
    return out;
  }

  const wrapped = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(httpHeaderNormalizer())
    .use(
      httpCors({
        origins: (process.env.CORS_ORIGINS ?? '*').split(','),
        headers: 'authorization,content-type,idempotency-key,x-correlation-id',
        exposeHeaders: 'x-correlation-id,retry-after',
        maxAge: 600,
      }),
    )
    .use(httpSecurityHeaders())
    .use({
      // Last line of defence: a failure inside a middleware still answers problem+json.
      onError: async (request) => {
        const apiErr = toApiError(request.error);
        if (apiErr.status >= 500) logger.error('middleware failure', { error: request.error as Error });
        request.response = problem(apiErr, 'unknown');
      },
    })
    .handler(core);
  /** The route keys this function implements (the contract test compares them with the document). */
  return Object.assign(wrapped, { routeKeys: Object.keys(routes) });
}
