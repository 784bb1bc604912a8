/** The OpenAPI document is the contract: generated files are fresh, and handlers serve exactly the documented routes. */
import { describe, expect, it } from 'vitest';
import { staleFiles } from '../../shared/api/gen';
import { FUNCTIONS, listRoutes } from '../../shared/api/routes';
import { loadHandler } from '../../infra/local/server';

describe('contract', () => {
  it('shared/api/openapi.yaml and the generated types are up to date (npm run gen:api)', async () => {
    expect(await staleFiles()).toEqual([]);
  });

  const routes = listRoutes();
  for (const fn of FUNCTIONS.filter((f) => f !== 'jobs')) {
    it(`functions/${fn} serves exactly the routes the document gives it`, async () => {
      const handler: any = await loadHandler(fn);
      const served = [...(handler.routeKeys ?? [])].sort();
      const documented = routes.filter((r) => r.fn === fn).map((r) => r.routeKey).sort();
      expect(served).toEqual(documented);
    });
  }

  it('every documented operation names a known function, an operationId, and documents its error responses', () => {
    for (const r of routes) {
      expect(FUNCTIONS).toContain(r.fn);
      expect(r.operationId, r.routeKey).toBeTruthy();
    }
    const ids = routes.map((r) => r.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
