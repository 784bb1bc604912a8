import { useCallback, useEffect, useState } from 'react'
import { View, Text, Button } from '@tarojs/components'
import { useDidShow, usePullDownRefresh, stopPullDownRefresh } from '@tarojs/taro'
import { listOrders } from '../../api/orders'
import type { Order, OrderStatus } from '../../api/types'
import StateView from '../../components/StateView'
import BottomNav from '../../components/BottomNav'
import { dateTime, ORDER_KIND_TEXT, ORDER_STATUS_TEXT, yuan } from '../../utils/format'
import { errorText } from '../../utils/action'
import { go } from '../../utils/nav'

const TABS: { value: OrderStatus | 'all'; label: string }[] = [
  { value: 'all', label: '全部' },
  { value: 'PENDING_PAYMENT', label: '待支付' },
  { value: 'PAID', label: '已支付' },
  { value: 'COMPLETED', label: '已完成' },
  { value: 'REFUNDED', label: '已退款' },
  { value: 'CANCELLED', label: '已取消' },
]

export default function OrdersPage() {
  const [status, setStatus] = useState<OrderStatus | 'all'>('all')
  const [orders, setOrders] = useState<Order[]>([])
  const [cursor, setCursor] = useState<string | undefined>()
  const [loading, setLoading] = useState(true)
  const [more, setMore] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const load = useCallback(async () => {
    setError(null)
    try {
      const r = await listOrders({ status: status === 'all' ? undefined : status, limit: 20 })
      setOrders(r.orders)
      setCursor(r.nextCursor)
    } catch (e) {
      setError(errorText(e))
    } finally {
      setLoading(false)
    }
  }, [status])

  useEffect(() => {
    setLoading(true)
    void load()
  }, [load])
  useDidShow(() => void load())
  usePullDownRefresh(() => void load().finally(() => stopPullDownRefresh()))

  const loadMore = async () => {
    if (!cursor) return
    setMore(true)
    try {
      const r = await listOrders({ status: status === 'all' ? undefined : status, cursor, limit: 20 })
      setOrders((o) => [...o, ...r.orders])
      setCursor(r.nextCursor)
    } catch (e) {
      setError(errorText(e))
    } finally {
      setMore(false)
    }
  }

  return (
    <View className='page page-with-nav'>
      <View className='tabs tabs-scroll'>
        {TABS.map((t) => (
          <View key={t.value} className={`tab${status === t.value ? ' tab-active' : ''}`} onClick={() => setStatus(t.value)}>
            <Text>{t.label}</Text>
          </View>
        ))}
      </View>
      <StateView loading={loading} error={error} onRetry={load} empty={orders.length === 0} emptyText='暂无订单'>
        {orders.map((o) => (
          <View key={o.id} className='card order-card' data-testid='order-card' onClick={() => go('order', { id: o.id })}>
            <View className='row-between'>
              <Text className='text-muted small'>{ORDER_KIND_TEXT[o.kind] ?? o.kind}</Text>
              <Text className={o.status === 'PENDING_PAYMENT' ? 'text-warn small' : 'small'}>{ORDER_STATUS_TEXT[o.status] ?? o.status}</Text>
            </View>
            <Text className='strong block'>{o.title}</Text>
            <View className='row-between'>
              <Text className='text-muted small'>{dateTime(o.createdAt)}</Text>
              <Text className='price'>{yuan(o.amountFen)}</Text>
            </View>
          </View>
        ))}
        {cursor && (
          <Button className='btn btn-plain' disabled={more} loading={more} onClick={loadMore}>
            加载更多
          </Button>
        )}
      </StateView>
      <BottomNav current='orders' />
    </View>
  )
}
