/**
 * The local HTTP server: each request becomes an API Gateway v2 event for the same
 * handler export CDK deploys; the handler's result becomes the HTTP response. Non-API
 * paths serve the H5 mini-app build.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { listRoutes, routeMatcher, type FunctionName } from '../../shared/api/routes';
import { buildEvent } from './event';

export type HttpHandler = (event: APIGatewayProxyEventV2, context: any) => Promise<APIGatewayProxyStructuredResultV2>;

const loaders: Record<string, () => Promise<{ handler: HttpHandler }>> = {
  auth: () => import('../../functions/auth/handler'),
  ticketing: () => import('../../functions/ticketing/handler' as string),
  parking: () => import('../../functions/parking/handler' as string),
  bikes: () => import('../../functions/bikes/handler' as string),
  cruise: () => import('../../functions/cruise/handler' as string),
  orders: () => import('../../functions/orders/handler' as string),
  chat: () => import('../../functions/chat/handler' as string),
};

const handlerCache = new Map<string, Promise<HttpHandler>>();
export function loadHandler(fn: FunctionName | string): Promise<HttpHandler> {
  let p = handlerCache.get(fn);
  if (!p) {
    p = loaders[fn]().then((m) => m.handler);
    handlerCache.set(fn, p);
  }
  return p;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
};

const MAX_REQUEST_BYTES = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((res, rej) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST_BYTES) {
        res(null);
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => res(size > MAX_REQUEST_BYTES ? null : Buffer.concat(chunks)));
    req.on('error', rej);
  });
}

function sendProblem(res: ServerResponse, status: number, code: string, detail: string) {
  res.writeHead(status, { 'content-type': 'application/problem+json', 'access-control-allow-origin': '*' });
  res.end(JSON.stringify({ type: `https://yizhan.dev/problems/${code.replace(/_/g, '-')}`, title: code, status, detail, code }));
}

function serveStatic(root: string, urlPath: string, res: ServerResponse) {
  let rel = decodeURIComponent(urlPath.split('?')[0]);
  if (rel === '/' || rel === '') rel = '/index.html';
  const file = normalize(join(root, rel));
  if (!file.startsWith(resolve(root))) return sendProblem(res, 404, 'not_found', 'No such file.');
  const target = existsSync(file) && statSync(file).isFile() ? file : join(root, 'index.html');
  if (!existsSync(target)) {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    return res.end('The H5 mini-app is not built yet: run `npm run build:h5`.');
  }
  res.writeHead(200, {
    'content-type': MIME[extname(target)] ?? 'application/octet-stream',
    'cache-control': target.endsWith('index.html') ? 'no-cache' : 'public, max-age=3600',
    'x-content-type-options': 'nosniff',
  });
  createReadStream(target).pipe(res);
}

export interface LocalServerOptions {
  staticDir?: string;
  /** Called for every request after it is answered (used by tests and logs). */
  onResponse?: (info: { method: string; path: string; status: number; ms: number }) => void;
}

export function createLocalServer(opts: LocalServerOptions = {}): Server {
  const routes = listRoutes();
  const match = routeMatcher(routes);
  return createServer(async (req, res) => {
    const started = Date.now();
    const url = req.url ?? '/';
    const path = url.split('?')[0];
    const method = (req.method ?? 'GET').toUpperCase();
    try {
      if (!path.startsWith('/v1/') && path !== '/v1') {
        if (method !== 'GET' && method !== 'HEAD') return sendProblem(res, 404, 'route_not_found', `No route for ${method} ${path}.`);
        if (opts.staticDir) return serveStatic(opts.staticDir, path, res);
        return sendProblem(res, 404, 'route_not_found', `No route for ${method} ${path}.`);
      }
      if (method === 'OPTIONS') {
        // API Gateway answers CORS preflights itself; so does the local server.
        res.writeHead(204, {
          'access-control-allow-origin': req.headers.origin ?? '*',
          'access-control-allow-methods': 'GET,POST,PUT,PATCH,DELETE,OPTIONS',
          'access-control-allow-headers': 'authorization,content-type,idempotency-key,x-correlation-id',
          'access-control-max-age': '600',
          vary: 'Origin',
        });
        return res.end();
      }
      const body = await readBody(req);
      if (body === null) return sendProblem(res, 413, 'payload_too_large', 'The request body is too large.');
      const m = match(method, path);
      const route = m.route ? { routeKey: m.route.routeKey, params: m.params } : null;
      const event = buildEvent({ method, url, headers: req.headers, body, sourceIp: req.socket.remoteAddress }, route);
      const handler = await loadHandler(m.route?.fn ?? 'auth');
      const context = { awsRequestId: event.requestContext.requestId, functionName: `local-${m.route?.fn ?? 'auth'}`, getRemainingTimeInMillis: () => 29_000 };
      const result = await handler(event, context);
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(result.headers ?? {})) if (v !== undefined && v !== null && v !== 'undefined' && v !== '') headers[k.toLowerCase()] = String(v);
      if (result.cookies?.length) headers['set-cookie'] = result.cookies;
      const status = result.statusCode ?? 200;
      res.writeHead(status, headers);
      res.end(result.body === undefined ? undefined : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
      opts.onResponse?.({ method, path, status, ms: Date.now() - started });
    } catch (err) {
      // The handlers answer every failure themselves; reaching here is a runner bug.
      console.error('[local] request failed', (err as Error)?.message);
      if (!res.headersSent) sendProblem(res, 500, 'internal', 'The local runner failed; see its log.');
      else res.end();
    }
  });
}
