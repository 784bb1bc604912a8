import Taro from '@tarojs/taro'
import { api } from './authed'
import type { Notification, Order, OrderStatus, PaymentRequest, RefundQuote } from './types'
import { isWeapp } from '../store/session'

export const listOrders = (q: { kind?: Order['kind']; status?: OrderStatus; cursor?: string; limit?: number } = {}) =>
  api<{ orders: Order[]; nextCursor?: string }>('GET', '/v1/orders', { query: { ...q } })

export const getOrder = (id: string) => api<Order>('GET', `/v1/orders/${id}`)

export const cancelOrder = (id: string, idempotencyKey: string) => api<Order>('POST', `/v1/orders/${id}/cancel`, { idempotencyKey })

export const quoteRefund = (id: string) => api<RefundQuote>('GET', `/v1/orders/${id}/refund-quote`)

export const refundOrder = (id: string, idempotencyKey: string) => api<Order>('POST', `/v1/orders/${id}/refund`, { idempotencyKey })

export const listNotifications = () =>
  api<{ notifications: Notification[]; nextCursor?: string }>('GET', '/v1/me/notifications', { query: { limit: 30 } })

/**
 * Pays the order's next due charge.
 * weapp: prepay, then Taro.requestPayment with the signed parameters; WeChat Pay's
 * notification (not this client) marks the order paid, so the caller reloads the order.
 * Sandbox (local stage, H5 or weapp against a local API): the sandbox's pay button is
 * POST /v1/dev/payments/{id}/succeed, which sends a real signed notification.
 */
export async function payOrder(id: string, idempotencyKey: string): Promise<Order> {
  const prepay = await api<PaymentRequest>('POST', `/v1/orders/${id}/pay`, { idempotencyKey })
  if (prepay.sandbox) {
    return api<Order>('POST', `/v1/dev/payments/${id}/succeed`)
  }
  if (isWeapp) {
    const p = prepay.params
    await Taro.requestPayment({
      timeStamp: p.timeStamp,
      nonceStr: p.nonceStr,
      package: p.package,
      signType: p.signType as 'RSA',
      paySign: p.paySign,
    })
  }
  return getOrder(id)
}
