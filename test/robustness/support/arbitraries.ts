/**
 * fast-check arbitraries from JSON Schema (the subset the contract uses: objects, arrays,
 * strings with pattern/format/enum/length, integers and numbers with bounds, booleans,
 * allOf/oneOf/anyOf, $ref) plus the malformed variants the fuzz test sends.
 */
import fc from 'fast-check';
import { resolve } from './contract';

const DIGITS = '0123456789';

function isoDateTime() {
  return fc
    .record({
      t: fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2032, 11, 31) }),
      off: fc.constantFrom('+08:00', 'Z', '+00:00', '-05:00'),
    })
    .map(({ t, off }) => {
      const mins = off === 'Z' ? 0 : (off[0] === '-' ? -1 : 1) * (Number(off.slice(1, 3)) * 60 + Number(off.slice(4)));
      const d = new Date(Math.floor(t / 60000) * 60000 + mins * 60000);
      return d.toISOString().slice(0, 19) + off;
    });
}
const isoDate = () => fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2032, 11, 31) }).map((t) => new Date(t).toISOString().slice(0, 10));

function stringArb(s: any): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = Math.min(s.maxLength ?? 40, Math.max(min, 64));
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum.map(String));
  if (s.const !== undefined) return fc.constant(String(s.const));
  if (s.format === 'date-time') return isoDateTime();
  if (s.format === 'date') return isoDate();
  if (s.pattern) {
    let re: RegExp;
    try {
      re = new RegExp(s.pattern, 'u');
    } catch {
      re = new RegExp(s.pattern);
    }
    const matching = fc.stringMatching(re).filter((x) => x.length >= min && x.length <= (s.maxLength ?? Infinity));
    return matching;
  }
  return fc.string({ minLength: min, maxLength: max, unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz一站出行北京上海', ...DIGITS) });
}

/** A value that matches the schema (as far as generation of patterns allows). */
export function validArb(schema: any, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema) ?? {};
  if (depth > 8) return fc.constant(null);
  if (s.allOf) {
    const merged = s.allOf.map((x: any) => resolve(x)).reduce(
      (a: any, b: any) => ({ ...a, ...b, properties: { ...(a.properties ?? {}), ...(b.properties ?? {}) }, required: [...(a.required ?? []), ...(b.required ?? [])] }),
      { ...s, allOf: undefined },
    );
    delete merged.allOf;
    return validArb(merged, depth + 1);
  }
  if (s.oneOf || s.anyOf) return fc.oneof(...(s.oneOf ?? s.anyOf).map((x: any) => validArb(x, depth + 1)));
  if (s.const !== undefined) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') ?? 'null' : s.type ?? (s.properties ? 'object' : undefined);
  switch (type) {
    case 'object': {
      const props = s.properties ?? {};
      const required: string[] = s.required ?? [];
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) model[k] = validArb(v, depth + 1);
      const keys = Object.keys(model);
      return fc.record(model, { requiredKeys: keys.filter((k) => required.includes(k)) });
    }
    case 'array': {
      const min = s.minItems ?? 0;
      const max = Math.min(s.maxItems ?? 4, Math.max(min, 4));
      const item = validArb(s.items ?? {}, depth + 1);
      return s.uniqueItems
        ? fc.uniqueArray(item, { minLength: min, maxLength: max, selector: (x) => JSON.stringify(x) })
        : fc.array(item, { minLength: min, maxLength: max });
    }
    case 'string':
      return stringArb(s);
    case 'integer': {
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1_000_000);
      const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1_000_000);
      return fc.integer({ min: Math.max(min, Number.MIN_SAFE_INTEGER), max: Math.min(max, Number.MAX_SAFE_INTEGER) });
    }
    case 'number':
      return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean());
  }
}

/** Values that are wrong in the ways clients get things wrong. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constant(''),
  fc.constant(-1),
  fc.constant(0),
  fc.constant(-(2 ** 53)),
  fc.constant(1e308),
  fc.constant(Number.MAX_SAFE_INTEGER + 2),
  fc.constant(3.14159),
  fc.constant(true),
  fc.constant([]),
  fc.constant({}),
  fc.constant('x'.repeat(5000)),
  fc.constant('\u0000\u001f<script>alert(1)</script>'),
  fc.constant('../../etc/passwd'),
  fc.constant("' OR 1=1 --"),
  fc.constant('𠜎𠜱😀\u202e\ud800'),
  fc.constant('{"$ne":null}'),
  fc.constant('__proto__'),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
);

/** A path or query value: plausible ids, garbage, unicode, very long, percent-broken. */
export const nastyParam: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('ord_01JABCDEFGHJKMNPQRSTVWXYZ0', 'trp_01JABCDEFGHJKMNPQRSTVWXYZ0', 'spt_01JABCDEFGHJKMNPQRSTVWXYZ', 'psg_01JABCDEFGHJKMNPQRSTVWXYZ0'),
  fc.constantFrom('', ' ', '-1', '0', '1e309', 'NaN', 'null', 'undefined', 'true', '[]', '%', '%00', '..', '%2e%2e'),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constant('9'.repeat(400)),
  fc.constant('a'.repeat(3000)),
);

export function mutateObject(value: unknown, schema: any): fc.Arbitrary<unknown> {
  const s = resolve(schema) ?? {};
  const props = Object.keys(s.properties ?? {});
  const obj = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const muts: fc.Arbitrary<unknown>[] = [
    nastyValue, // the whole body is the wrong type
    fc.record({ extra: nastyValue }).map((e) => ({ ...obj, unexpectedField: e.extra })),
    fc.constant({ ...obj, __proto__: { admin: true }, constructor: { prototype: { polluted: 1 } } }),
  ];
  if (props.length) {
    muts.push(fc.tuple(fc.constantFrom(...props), nastyValue).map(([k, v]) => ({ ...obj, [k]: v })));
    muts.push(fc.constantFrom(...props).map((k) => {
      const c = { ...obj };
      delete c[k];
      return c;
    }));
    muts.push(fc.constantFrom(...props).map((k) => ({ ...obj, [k]: 'x'.repeat(100_000) })));
  }
  return fc.oneof(...muts);
}
