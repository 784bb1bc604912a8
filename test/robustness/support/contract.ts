/**
 * The OpenAPI document as the robustness tests read it: every operation with its resolved
 * parameters, body schema, documented statuses, roles and whether it is public. All
 * expectations of the fuzz and authorisation tests are derived from here, so they grow
 * with the contract without edits.
 */
import { mergeContract } from '../../../shared/api/gen';

/** The full contract (the runtime copy in shared/api/generated omits response documentation). */
const spec: any = mergeContract();
import { listRoutes, type ApiRoute } from '../../../shared/api/routes';

export const doc: any = spec;
export const ROLES = ['passenger', 'operator', 'bike-operator', 'regulator', 'admin'] as const;
export type RoleName = (typeof ROLES)[number];

export function resolve(obj: any, seen = 0): any {
  if (seen > 32) throw new Error('$ref cycle');
  if (obj && typeof obj.$ref === 'string' && obj.$ref.startsWith('#/')) {
    let cur: any = doc;
    for (const s of obj.$ref.slice(2).split('/')) cur = cur?.[s.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (cur === undefined) throw new Error(`unresolvable ${obj.$ref}`);
    return resolve(cur, seen + 1);
  }
  return obj;
}

export interface Param {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: any;
}

export interface Operation extends ApiRoute {
  op: any;
  params: Param[];
  bodySchema?: any;
  bodyRequired: boolean;
  bodyTypes: string[];
  /** Documented response statuses. */
  statuses: Set<number>;
  roles?: RoleName[];
  idempotent: boolean;
}

export function operations(): Operation[] {
  return listRoutes().map((r) => {
    const item = doc.paths[r.path];
    const op = item[r.method.toLowerCase()];
    const params: Param[] = [...(item.parameters ?? []), ...(op.parameters ?? [])]
      .map((p: any) => resolve(p))
      .map((p: any) => ({ name: p.name, in: p.in, required: p.required === true || p.in === 'path', schema: p.schema ?? {} }));
    const rb = resolve(op.requestBody);
    const bodyTypes = Object.keys(rb?.content ?? {});
    const jsonType = bodyTypes.find((t) => t.includes('json'));
    return {
      ...r,
      op,
      params,
      bodySchema: jsonType ? rb.content[jsonType].schema : undefined,
      bodyRequired: rb?.required === true,
      bodyTypes,
      statuses: new Set(Object.keys(op.responses ?? {}).filter((s) => /^\d{3}$/.test(s)).map(Number)),
      roles: Array.isArray(op['x-roles']) ? op['x-roles'] : undefined,
      idempotent: params.some((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key'),
    };
  });
}

/** Fills a templated path with values (percent-encoded). */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, n) => encodeURIComponent(values[n] ?? 'x'));
}
