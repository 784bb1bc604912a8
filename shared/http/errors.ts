/**
 * Problem details (RFC 9457). Every failure that reaches a client is one of these,
 * rendered as application/problem+json {type,title,status,detail,code,errors?}.
 */
export interface FieldError {
  /** JSON pointer-ish location, e.g. "/body/stops/0/depart" or "/query/date". */
  field: string;
  message: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly errors?: FieldError[];
  /** Extra members merged into the problem body (e.g. {leg, classCode} for sold_out). */
  readonly extra?: Record<string, unknown>;
  readonly headers?: Record<string, string>;

  constructor(
    status: number,
    code: string,
    detail: string,
    opts: { errors?: FieldError[]; extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(`${code}: ${detail}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.errors = opts.errors;
    this.extra = opts.extra;
    this.headers = opts.headers;
  }

  toProblem(): Record<string, unknown> {
    return {
      type: `https://yizhan.dev/problems/${this.code.replace(/_/g, '-')}`,
      title: TITLES[this.status] ?? 'Error',
      status: this.status,
      detail: this.detail,
      code: this.code,
      ...(this.errors ? { errors: this.errors } : {}),
      ...(this.extra ?? {}),
    };
  }
}

type Extra = { errors?: FieldError[]; extra?: Record<string, unknown> };

export const badRequest = (code: string, detail: string, opts?: Extra) => new ApiError(400, code, detail, opts);
export const unauthorized = (detail = 'A valid bearer token is required.') =>
  new ApiError(401, 'unauthorized', detail, { headers: { 'www-authenticate': 'Bearer' } });
export const forbidden = (code = 'forbidden', detail = 'Your role does not allow this.') => new ApiError(403, code, detail);
export const notFound = (code = 'not_found', detail = 'No such resource.') => new ApiError(404, code, detail);
export const conflict = (code: string, detail: string, opts?: Extra) => new ApiError(409, code, detail, opts);
export const unprocessable = (code: string, detail: string, opts?: Extra) => new ApiError(422, code, detail, opts);
export const serviceUnavailable = (code = 'service_unavailable', detail = 'Please retry shortly.') =>
  new ApiError(503, code, detail, { headers: { 'retry-after': '1' } });
export const internalError = () => new ApiError(500, 'internal', 'An unexpected error occurred. Quote the correlation id when reporting it.');
