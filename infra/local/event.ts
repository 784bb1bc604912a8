/**
 * Turns a Node HTTP request into an API Gateway HTTP API event (payload format 2.0),
 * exactly as API Gateway would hand it to the Lambda function.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export interface RawRequest {
  method: string;
  /** Path plus query string, as received. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body?: Buffer;
  sourceIp?: string;
}

const TEXT_TYPES = /^(application\/(json|problem\+json|xml|x-www-form-urlencoded)|text\/)/i;

export function buildEvent(req: RawRequest, route: { routeKey: string; params?: Record<string, string> } | null, now = new Date()): APIGatewayProxyEventV2 {
  const q = req.url.indexOf('?');
  const rawPath = q >= 0 ? req.url.slice(0, q) : req.url;
  const rawQueryString = q >= 0 ? req.url.slice(q + 1) : '';
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    const name = k.toLowerCase();
    if (name === 'cookie') {
      for (const c of (Array.isArray(v) ? v.join('; ') : v).split(';')) if (c.trim()) cookies.push(c.trim());
      continue;
    }
    headers[name] = Array.isArray(v) ? v.join(',') : v;
  }
  let queryStringParameters: Record<string, string> | undefined;
  if (rawQueryString) {
    queryStringParameters = {};
    for (const [k, v] of new URLSearchParams(rawQueryString)) {
      // API Gateway joins repeated parameters with commas.
      queryStringParameters[k] = k in queryStringParameters ? `${queryStringParameters[k]},${v}` : v;
    }
  }
  const bodyBuf = req.body && req.body.length ? req.body : undefined;
  const isText = !bodyBuf || TEXT_TYPES.test(headers['content-type'] ?? 'application/json');
  const requestId = randomUUID();
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: route?.routeKey ?? '$default',
    rawPath,
    rawQueryString,
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0].split(':')[0],
      http: {
        method: req.method.toUpperCase(),
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: req.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: route?.routeKey ?? '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(route?.params && Object.keys(route.params).length ? { pathParameters: route.params } : {}),
    ...(bodyBuf ? { body: isText ? bodyBuf.toString('utf8') : bodyBuf.toString('base64') } : {}),
    isBase64Encoded: !!bodyBuf && !isText,
  };
  return event;
}
