/** Bench helpers: statistics, a concurrency pool, an HTTP client, the consumed-capacity meter. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface Figure {
  name: string;
  value: number | null;
  unit: string;
  /** max − min over the measured rounds (same unit). */
  spread: number | null;
  target: string;
  met: boolean;
  note?: string;
}

export const median = (xs: number[]) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const percentile = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
export const spreadOf = (xs: number[]) => (xs.length ? Math.max(...xs) - Math.min(...xs) : NaN);
export const round = (x: number, digits = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x);

/** Runs fn(i) for i in [0,n) with at most `width` in flight. */
export async function pool<T>(n: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

export interface HttpResult {
  status: number;
  body: any;
  ms: number;
}

export function httpClient(baseUrl: string) {
  return async function http(method: string, path: string, opts: { token?: string; body?: unknown; idem?: string } = {}): Promise<HttpResult> {
    const t0 = performance.now();
    const r = await fetch(baseUrl + path, {
      method,
      headers: {
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(opts.idem ? { 'idempotency-key': opts.idem } : {}),
      },
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
    });
    const text = await r.text();
    const ms = performance.now() - t0;
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: r.status, body, ms };
  };
}
export type Http = ReturnType<typeof httpClient>;

export function must(r: HttpResult, status: number, what: string) {
  if (r.status !== status) throw new Error(`${what}: expected ${status}, got ${r.status} ${JSON.stringify(r.body).slice(0, 400)}`);
  return r.body;
}

/**
 * Asks DynamoDB for ConsumedCapacity on every read and write of this client and sums it;
 * also records the TransactItems of every TransactWriteItems (for the raw baseline).
 */
export function instrument(raw: DynamoDBClient) {
  const state = { enabled: true, readUnits: 0, writeUnits: 0, calls: 0, transactions: [] as any[][], recordTransactions: false };
  raw.middlewareStack.add(
    (next, context) => async (args: any) => {
      if (!state.enabled) return next(args);
      const op = (context as any).commandName as string;
      if (args.input && typeof args.input === 'object' && !('ReturnConsumedCapacity' in args.input) && /Query|Get|Scan|TransactWrite|Put|Update|Delete|BatchGet|BatchWrite|TransactGet/.test(op)) {
        args.input.ReturnConsumedCapacity = 'TOTAL';
      }
      const out: any = await next(args);
      state.calls++;
      const cc = out.output?.ConsumedCapacity;
      for (const c of Array.isArray(cc) ? cc : cc ? [cc] : []) {
        state.readUnits += c.ReadCapacityUnits ?? 0;
        state.writeUnits += c.WriteCapacityUnits ?? 0;
        if (c.ReadCapacityUnits === undefined && c.WriteCapacityUnits === undefined) {
          // DynamoDB Local reports only CapacityUnits: attribute reads vs writes by the operation
          if (/Query|Get|Scan/.test(op)) state.readUnits += c.CapacityUnits ?? 0;
          else state.writeUnits += c.CapacityUnits ?? 0;
        }
      }
      return out;
    },
    { step: 'serialize', priority: 'high', name: 'benchCapacityMeter' } as any,
  );
  // the wire form (AttributeValue JSON) of each TransactWriteItems, as sent
  raw.middlewareStack.add(
    (next) => async (args: any) => {
      const target = String(args.request?.headers?.['x-amz-target'] ?? '');
      const body = args.request?.body;
      if (state.recordTransactions && target.endsWith('.TransactWriteItems') && body) {
        const text = typeof body === 'string' ? body : new TextDecoder().decode(body as Uint8Array);
        state.transactions.push(JSON.parse(text).TransactItems);
      }
      return next(args);
    },
    { step: 'build', name: 'benchTransactionRecorder' } as any,
  );
  return {
    state,
    reset() {
      state.readUnits = 0;
      state.writeUnits = 0;
      state.calls = 0;
    },
  };
}
