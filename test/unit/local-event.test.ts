/** The local runner's events are real API Gateway HTTP API payload-2.0 events. */
import { describe, expect, it } from 'vitest';
import { APIGatewayProxyEventV2Schema } from '@aws-lambda-powertools/parser/schemas';
import { buildEvent } from '../../infra/local/event';

describe('buildEvent', () => {
  it('builds a schema-valid v2 event for a routed JSON request with query, cookies and path parameters', () => {
    const e = buildEvent(
      {
        method: 'post',
        url: '/v1/orders/ord_01ARZ3NDEKTSV4RRFFQ69G5FAV/pay?a=1&b=2&a=3',
        headers: { 'Content-Type': 'application/json', Cookie: 'x=1; y=2', Host: 'localhost:3000', 'X-Multi': ['p', 'q'] },
        body: Buffer.from('{"k":1}'),
      },
      { routeKey: 'POST /v1/orders/{orderId}/pay', params: { orderId: 'ord_01ARZ3NDEKTSV4RRFFQ69G5FAV' } },
    );
    const parsed = APIGatewayProxyEventV2Schema.safeParse(e);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    expect(e).toMatchObject({
      version: '2.0',
      routeKey: 'POST /v1/orders/{orderId}/pay',
      rawPath: '/v1/orders/ord_01ARZ3NDEKTSV4RRFFQ69G5FAV/pay',
      rawQueryString: 'a=1&b=2&a=3',
      cookies: ['x=1', 'y=2'],
      queryStringParameters: { a: '1,3', b: '2' },
      pathParameters: { orderId: 'ord_01ARZ3NDEKTSV4RRFFQ69G5FAV' },
      body: '{"k":1}',
      isBase64Encoded: false,
    });
    expect(e.headers['content-type']).toBe('application/json');
    expect(e.headers['x-multi']).toBe('p,q');
    expect(e.headers.cookie).toBeUndefined();
    expect(e.requestContext.http.method).toBe('POST');
  });

  it('builds a schema-valid $default event with a base64 body for binary content and none without a body', () => {
    const bin = buildEvent({ method: 'PUT', url: '/v1/unknown', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from([0, 1, 2, 255]) }, null);
    expect(APIGatewayProxyEventV2Schema.safeParse(bin).success).toBe(true);
    expect(bin.routeKey).toBe('$default');
    expect(bin.isBase64Encoded).toBe(true);
    expect(Buffer.from(bin.body!, 'base64')).toEqual(Buffer.from([0, 1, 2, 255]));
    const empty = buildEvent({ method: 'GET', url: '/v1/health', headers: {} }, { routeKey: 'GET /v1/health' });
    expect(APIGatewayProxyEventV2Schema.safeParse(empty).success).toBe(true);
    expect(empty.body).toBeUndefined();
    expect(empty.queryStringParameters).toBeUndefined();
  });
});
