import { useEffect, useRef, useState } from 'react'
import Taro, { useDidShow } from '@tarojs/taro'
import { View, Text, Button } from '@tarojs/components'
import { cancelOrder, getOrder, payOrder, quoteRefund, refundOrder } from '../../api/orders'
import type { CruiseBookingItem, Order, TicketItem } from '../../api/types'
import { useLoader } from '../../utils/useLoader'
import StateView from '../../components/StateView'
import { CHARGE_TEXT, clock, dateTime, monthDay, ORDER_KIND_TEXT, ORDER_STATUS_TEXT, yuan } from '../../utils/format'
import { errorText, toast, useAction } from '../../utils/action'
import { go, useParams } from '../../utils/nav'
import { useNow } from '../../utils/useNow'

function TicketItems({ order }: { order: Order }) {
  const items = order.items as unknown as TicketItem[]
  const issued = order.status === 'PAID' || order.status === 'COMPLETED'
  return (
    <View className='card'>
      <Text className='section-title'>车票</Text>
      {items.map((t) => (
        <View key={t.ticketId} className='item-row' data-testid='ticket-item'>
          <View className='flex1'>
            <Text className='strong'>{t.passengerName}</Text>
            <Text className='text-muted small block'>
              {t.from} → {t.to} · {t.classCode} · 座位 {t.seat || '待分配'}
            </Text>
          </View>
          <Text className='price-small'>{yuan(t.priceFen)}</Text>
          {issued && (
            <View className='col'>
              <Button className='btn btn-primary btn-small' data-testid='view-eticket' onClick={() => go('ticket', { id: t.ticketId })}>
                电子票
              </Button>
              {order.status === 'PAID' && (
                <Button className='btn btn-plain btn-small' onClick={() => go('change', { ticketId: t.ticketId })}>
                  改签
                </Button>
              )}
            </View>
          )}
        </View>
      ))}
    </View>
  )
}

function CruiseItems({ order }: { order: Order }) {
  const items = order.items as unknown as CruiseBookingItem[]
  return (
    <View className='card'>
      {items.map((b) => (
        <View key={b.cabinNumber}>
          <Text className='strong block'>
            {b.shipName} · {b.voyageName}
          </Text>
          <Text className='text-muted small block'>
            {monthDay(b.departDate)} 出发 · {monthDay(b.returnDate)} 返回
          </Text>
          <Text className='block'>
            {b.categoryName} · {b.deck} 层 {b.cabinNumber} 号舱 · 每位 {yuan(b.pricePerGuestFen)}
          </Text>
          <Text className='text-muted small block'>宾客：{b.guests.map((g) => g.name).join('、')}</Text>
          <Text className='text-muted small block'>{b.paymentPlan === 'deposit' ? '付款方式：先付定金，尾款在开航前支付' : '付款方式：全款'}</Text>
        </View>
      ))}
    </View>
  )
}

function GenericItems({ order }: { order: Order }) {
  if (order.kind === 'parking')
    return (
      <View className='card'>
        <Text className='link' onClick={() => go('parking-reservations')}>
          查看我的预约 ›
        </Text>
      </View>
    )
  return null
}

export default function OrderPage() {
  const { id } = useParams()
  const { data: order, setData: setOrder, loading, error, reload: load } = useLoader<Order>(() => getOrder(id!), [id], !id && '缺少订单号')
  const [justPaid, setJustPaid] = useState(false)
  const pay = useAction()
  const cancel = useAction()
  const refund = useAction()
  const reloadedAtExpiry = useRef(false)

  useDidShow(() => {
    if (order) void load()
  })

  const pending = order?.status === 'PENDING_PAYMENT'
  const now = useNow(!!(pending && order?.holdExpiresAt))
  const left = order?.holdExpiresAt ? Math.floor((Date.parse(order.holdExpiresAt) - now) / 1000) : null
  useEffect(() => {
    if (pending && left !== null && left <= 0 && !reloadedAtExpiry.current) {
      reloadedAtExpiry.current = true
      void load()
    }
  }, [pending, left, load])

  const onPay = async () => {
    if (!order) return
    const r = await pay.run((key) => payOrder(order.id, key))
    if (r) {
      setOrder(r)
      if (r.status === 'PAID' || r.status === 'COMPLETED' || r.paidFen > (order.paidFen ?? 0)) {
        setJustPaid(true)
        toast('支付成功')
      } else void load()
    }
  }

  const onCancel = async () => {
    if (!order) return
    const ok = await Taro.showModal({ title: '取消订单', content: '取消后库存将释放，确定取消吗？', confirmText: '取消订单', cancelText: '再想想' })
    if (!ok.confirm) return
    const r = await cancel.run((key) => cancelOrder(order.id, key))
    if (r) setOrder(r)
  }

  const onRefund = async () => {
    if (!order) return
    let q
    try {
      q = await quoteRefund(order.id)
    } catch (e) {
      return toast(errorText(e))
    }
    const ok = await Taro.showModal({
      title: '申请退款',
      content: `已付 ${yuan(q.paidFen)}，退款手续费 ${yuan(q.feeFen)}，预计退回 ${yuan(q.refundFen)}。确定退款吗？`,
      confirmText: '确认退款',
      cancelText: '再想想',
    })
    if (!ok.confirm) return
    const r = await refund.run((key) => refundOrder(order.id, key))
    if (r) {
      setOrder(r)
      toast('已提交退款')
    }
  }

  const busy = pay.busy || cancel.busy || refund.busy
  const canPay = !!order && (order.status === 'PENDING_PAYMENT' || order.status === 'PAID') && order.amountDueFen > 0 && !!order.nextCharge
  const expired = pending && left !== null && left <= 0

  return (
    <View className='page page-with-footer'>
      <StateView loading={loading} error={error} onRetry={load}>
        {order && (
          <View>
            <View className='card order-head'>
              <Text className='text-muted small'>{ORDER_KIND_TEXT[order.kind] ?? order.kind}</Text>
              <Text className='order-status' data-testid='order-status'>
                {justPaid && order.status === 'PAID' ? '支付成功' : ORDER_STATUS_TEXT[order.status] ?? order.status}
              </Text>
              <Text className='block'>{order.title}</Text>
              {pending && left !== null && (
                <Text className={expired ? 'text-error' : 'text-warn'} data-testid='hold-countdown'>
                  {expired ? '支付已超时，座位/库存已释放' : `请在 ${clock(left)} 内完成支付，超时订单将自动取消`}
                </Text>
              )}
              {order.refund && (
                <Text className='text-muted small block'>
                  退款 {yuan(order.refund.amountFen)}（手续费 {yuan(order.refund.feeFen)}）· {order.refund.status === 'SUCCEEDED' ? '已退回' : '处理中'}
                </Text>
              )}
            </View>

            {order.kind === 'ticket' && <TicketItems order={order} />}
            {order.kind === 'cruise' && <CruiseItems order={order} />}
            <GenericItems order={order} />

            <View className='card'>
              <View className='row-between'>
                <Text>订单金额</Text>
                <Text className='price' data-testid='order-amount'>
                  {yuan(order.amountFen)}
                </Text>
              </View>
              {order.charges.map((c, i) => (
                <View key={i} className='row-between small'>
                  <Text className='text-muted'>
                    {CHARGE_TEXT[c.purpose] ?? c.purpose}
                    {c.dueBy && c.status === 'DUE' ? `（${dateTime(c.dueBy)} 前）` : ''}
                  </Text>
                  <Text className={c.status === 'PAID' ? 'text-ok' : c.status === 'VOID' ? 'text-muted' : ''}>
                    {yuan(c.amountFen)} {c.status === 'PAID' ? '已付' : c.status === 'VOID' ? '作废' : '待付'}
                  </Text>
                </View>
              ))}
              <View className='row-between small'>
                <Text className='text-muted'>已付</Text>
                <Text>{yuan(order.paidFen)}</Text>
              </View>
              <Text className='text-muted small block'>
                订单号 {order.id} · {dateTime(order.createdAt)}
              </Text>
            </View>
          </View>
        )}
      </StateView>
      {order && (
        <View className='footer-bar'>
          {pending && !expired && (
            <Button className='btn btn-plain btn-footer' disabled={busy} loading={cancel.busy} onClick={onCancel}>
              取消订单
            </Button>
          )}
          {order.status === 'PAID' && (
            <Button className='btn btn-plain btn-footer' disabled={busy} loading={refund.busy} onClick={onRefund}>
              退款
            </Button>
          )}
          {canPay && !expired && (
            <Button className='btn btn-primary btn-footer flex1' data-testid='pay-button' disabled={busy} loading={pay.busy} onClick={onPay}>
              支付 {yuan(order.amountDueFen)}
              {order.nextCharge && order.nextCharge.purpose !== 'initial' ? `（${CHARGE_TEXT[order.nextCharge.purpose] ?? ''}）` : ''}
            </Button>
          )}
        </View>
      )}
    </View>
  )
}
