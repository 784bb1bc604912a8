/**
 * The only place that talks HTTP. Every page goes through `request`, which
 *  - prefixes API_BASE (build-time constant, '' = same origin as the H5 build),
 *  - sends JSON, the bearer token and an optional Idempotency-Key,
 *  - returns the parsed body on 2xx and throws an ApiProblem otherwise
 *    (the API's application/problem+json, or a synthetic one for network failures).
 */
import Taro from '@tarojs/taro'
import { problemMessage } from './messages'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export type QueryValue = string | number | boolean | null | undefined

export interface RequestOptions {
  query?: Record<string, QueryValue | QueryValue[]>
  body?: unknown
  /** Yizhan JWT; sent as `Authorization: Bearer <token>`. */
  token?: string
  /** For POSTs that create or pay: same key + same body returns the same result. */
  idempotencyKey?: string
  /** Milliseconds; default 15 s. */
  timeout?: number
}

export interface FieldError {
  field: string
  message: string
}

/** RFC 9457 problem details as the API sends them. */
export interface Problem {
  type?: string
  title?: string
  status: number
  detail?: string
  code: string
  errors?: FieldError[]
  [extra: string]: unknown
}

export class ApiProblem extends Error {
  readonly status: number
  readonly code: string
  readonly detail?: string
  readonly errors?: FieldError[]
  readonly problem: Problem

  constructor(problem: Problem) {
    super(problemMessage(problem.code))
    this.name = 'ApiProblem'
    this.status = problem.status
    this.code = problem.code
    this.detail = problem.detail
    this.errors = problem.errors
    this.problem = problem
  }

  /** Chinese text to show the user. */
  get userMessage(): string {
    return problemMessage(this.code)
  }
}

export function buildQuery(query?: RequestOptions['query']): string {
  if (!query) return ''
  const parts: string[] = []
  for (const [key, raw] of Object.entries(query)) {
    const values = Array.isArray(raw) ? raw : [raw]
    for (const v of values) {
      if (v === undefined || v === null) continue
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`)
    }
  }
  return parts.length ? `?${parts.join('&')}` : ''
}

function parseBody(data: unknown): unknown {
  if (typeof data !== 'string') return data
  if (data === '') return undefined
  try {
    return JSON.parse(data)
  } catch {
    return data
  }
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  422: 'unprocessable',
  429: 'too_many_requests',
  503: 'service_unavailable',
}

function toProblem(status: number, body: unknown): Problem {
  if (body && typeof body === 'object' && typeof (body as Problem).code === 'string') {
    return { ...(body as Problem), status }
  }
  return {
    status,
    code: CODE_BY_STATUS[status] ?? (status >= 500 ? 'internal' : 'unknown'),
    detail: typeof body === 'string' ? body.slice(0, 200) : undefined,
  }
}

export async function request<T>(method: HttpMethod, path: string, opts: RequestOptions = {}): Promise<T> {
  const header: Record<string, string> = { Accept: 'application/json, application/problem+json' }
  if (opts.body !== undefined) header['Content-Type'] = 'application/json'
  if (opts.token) header.Authorization = `Bearer ${opts.token}`
  if (opts.idempotencyKey) header['Idempotency-Key'] = opts.idempotencyKey

  let res: Taro.request.SuccessCallbackResult<string>
  try {
    res = await Taro.request<string>({
      url: `${API_BASE}${path}${buildQuery(opts.query)}`,
      method,
      header,
      // serialise ourselves so the body is JSON on every platform
      data: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      // parse ourselves: problem+json is not recognised as JSON everywhere
      dataType: 'text',
      responseType: 'text',
      timeout: opts.timeout ?? 15000,
    })
  } catch (err) {
    throw new ApiProblem({
      status: 0,
      code: 'network_error',
      detail: err instanceof Error ? err.message : String((err as { errMsg?: string })?.errMsg ?? err),
    })
  }

  const body = parseBody(res.data)
  if (res.statusCode >= 200 && res.statusCode < 300) return body as T
  throw new ApiProblem(toProblem(res.statusCode, body))
}
