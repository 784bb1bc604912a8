/**
 * Request validation compiled from the OpenAPI document (JSON Schema 2020-12 via ajv).
 * Validators are compiled lazily, once per operation and container, so a function's
 * cold start does not pay for routes it never serves.
 */
import type Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv';
import spec from '../api/generated/openapi.json';
import type { FieldError } from './errors';

const DOC_ID = 'yizhan-openapi';

// ajv is loaded on the first validation, not at module load: a cold start does not pay
// for the schema compiler until a request needs it (npm run bench measures init time).
let ajvModules: Promise<{ Ajv: typeof Ajv2020; addFormats: (a: Ajv2020) => unknown }> | undefined;
function loadAjv() {
  ajvModules ??= Promise.all([import('ajv/dist/2020'), import('ajv-formats')]).then(([a, f]) => ({
    Ajv: ((a as any).default ?? a) as typeof Ajv2020,
    addFormats: ((f as any).default ?? f) as (a: Ajv2020) => unknown,
  }));
  return ajvModules;
}

async function makeAjv(coerce: boolean) {
  const { Ajv, addFormats } = await loadAjv();
  const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: coerce ? 'array' : false, useDefaults: true });
  addFormats(ajv);
  ajv.addSchema(spec as object, DOC_ID);
  return ajv;
}
let bodyAjv: Ajv2020 | undefined;
let paramAjv: Ajv2020 | undefined;

export interface OperationValidators {
  params?: ValidateFunction;
  query?: ValidateFunction;
  headers?: ValidateFunction;
  body?: ValidateFunction;
  bodyRequired: boolean;
  /** Content types the operation accepts for its body. */
  bodyTypes: string[];
}

const cache = new Map<string, OperationValidators>();

function pointer(...parts: string[]) {
  return '#/' + parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

function resolveRef(obj: any): any {
  if (obj && typeof obj.$ref === 'string' && obj.$ref.startsWith('#/')) {
    const segs = obj.$ref.slice(2).split('/').map((s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    let cur: any = spec;
    for (const s of segs) cur = cur?.[s];
    return resolveRef(cur);
  }
  return obj;
}

export async function validatorsFor(path: string, method: string): Promise<OperationValidators> {
  const key = `${method} ${path}`;
  const hit = cache.get(key);
  if (hit) return hit;
  bodyAjv ??= await makeAjv(false);
  paramAjv ??= await makeAjv(true);
  const m = method.toLowerCase();
  const item = (spec as any).paths[path];
  const op = item?.[m];
  const out: OperationValidators = { bodyRequired: false, bodyTypes: [] };
  if (op) {
    const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map(resolveRef);
    for (const where of ['path', 'query', 'header'] as const) {
      const ps = params.filter((p: any) => p.in === where);
      if (!ps.length) continue;
      const schema = {
        type: 'object',
        properties: Object.fromEntries(
          ps.map((p: any) => [where === 'header' ? p.name.toLowerCase() : p.name, { $ref: `${DOC_ID}${paramPointer(path, m, item, op, p)}` }]),
        ),
        required: ps.filter((p: any) => p.required).map((p: any) => (where === 'header' ? p.name.toLowerCase() : p.name)),
      };
      const v = paramAjv!.compile(schema);
      if (where === 'path') out.params = v;
      else if (where === 'query') out.query = v;
      else out.headers = v;
    }
    const rb = resolveRef(op.requestBody);
    if (rb?.content) {
      out.bodyRequired = rb.required === true;
      out.bodyTypes = Object.keys(rb.content);
      const jsonType = out.bodyTypes.find((t) => t.includes('json'));
      if (jsonType && rb.content[jsonType].schema) {
        const base = op.requestBody.$ref ? op.requestBody.$ref : pointer('paths', path, m, 'requestBody');
        out.body = bodyAjv!.compile({ $ref: `${DOC_ID}${base}/content/${jsonType.replace(/~/g, '~0').replace(/\//g, '~1')}/schema` });
      }
    }
  }
  cache.set(key, out);
  return out;
}

function paramPointer(path: string, m: string, item: any, op: any, p: any): string {
  // Find where this parameter's schema lives in the document, following component refs.
  const search = (list: any[] | undefined, base: string): string | undefined => {
    if (!list) return undefined;
    for (let i = 0; i < list.length; i++) {
      const raw = list[i];
      const resolved = resolveRef(raw);
      if (resolved === p) return raw.$ref ? `${raw.$ref}/schema` : `${base}/${i}/schema`;
    }
    return undefined;
  };
  return (
    search(op.parameters, pointer('paths', path, m, 'parameters')) ??
    search(item.parameters, pointer('paths', path, 'parameters')) ??
    '#/components/schemas/Problem'
  );
}

export function toFieldErrors(where: string, errors: ErrorObject[] | null | undefined): FieldError[] {
  return (errors ?? []).slice(0, 20).map((e) => {
    let field = `/${where}${e.instancePath}`;
    if (e.keyword === 'required') field += `/${(e.params as any).missingProperty}`;
    if (e.keyword === 'additionalProperties') field += `/${(e.params as any).additionalProperty}`;
    const message = e.keyword === 'additionalProperties' ? 'is not allowed' : (e.message ?? 'is invalid');
    return { field, message };
  });
}
