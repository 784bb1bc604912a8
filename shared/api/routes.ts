/**
 * Routes of the HTTP API, read from the contract (shared/api/generated/openapi.json).
 * Each operation names the function that serves it (`x-function`, from its fragment
 * file); `x-local-only` operations exist only in the local stage. The CDK stack, the
 * local server and the router tests all read this one list.
 */
import spec from './generated/openapi.json';

export const FUNCTIONS = ['auth', 'ticketing', 'parking', 'bikes', 'cruise', 'orders', 'chat', 'jobs'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

export interface ApiRoute {
  method: string;
  path: string;
  routeKey: string;
  fn: FunctionName;
  localOnly: boolean;
  public: boolean;
  operationId: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

export function listRoutes(doc: any = spec): ApiRoute[] {
  const out: ApiRoute[] = [];
  const globalSecurity = doc.security ?? [];
  for (const [path, item] of Object.entries<any>(doc.paths ?? {})) {
    for (const m of METHODS) {
      const op = item[m];
      if (!op) continue;
      const security = op.security ?? globalSecurity;
      out.push({
        method: m.toUpperCase(),
        path,
        routeKey: `${m.toUpperCase()} ${path}`,
        fn: op['x-function'],
        localOnly: op['x-local-only'] === true,
        public: Array.isArray(security) && security.length === 0,
        operationId: op.operationId,
      });
    }
  }
  return out;
}

/** Compiled matcher: turns a concrete path into its route and path parameters. */
export function routeMatcher(routes: ApiRoute[]) {
  const compiled = routes.map((r) => {
    const names: string[] = [];
    const re = new RegExp(
      '^' +
        r.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, n) => {
          names.push(n);
          return '([^/]+)';
        }) +
        '$',
    );
    const literal = r.path.replace(/\{[^}]+\}/g, '').length;
    return { r, re, names, literal };
  });
  // More literal characters first: /v1/parking/spots/mine beats /v1/parking/spots/{spotId}.
  compiled.sort((a, b) => b.literal - a.literal);
  return (method: string, path: string): { route: ApiRoute; params: Record<string, string> } | { route: null; allowed: string[] } => {
    const allowed: string[] = [];
    for (const c of compiled) {
      const m = c.re.exec(path);
      if (!m) continue;
      if (c.r.method !== method) {
        allowed.push(c.r.method);
        continue;
      }
      const params: Record<string, string> = {};
      c.names.forEach((n, i) => {
        try {
          params[n] = decodeURIComponent(m[i + 1]);
        } catch {
          params[n] = m[i + 1];
        }
      });
      return { route: c.r, params };
    }
    return { route: null, allowed };
  };
}
