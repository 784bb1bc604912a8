import { useCallback, useState } from 'react'
import Taro, { useDidShow } from '@tarojs/taro'
import { View, Text, Button } from '@tarojs/components'
import { listOrders } from '../../api/orders'
import { cancelReservation, checkIn, checkOut, getReservation } from '../../api/parking'
import type { ParkingOrder } from '../../api/types'
import StateView from '../../components/StateView'
import { dateTime, ORDER_STATUS_TEXT, yuan } from '../../utils/format'
import { errorText, toast, useAction } from '../../utils/action'
import { go } from '../../utils/nav'

/** The driver's reservations: parking orders (newest first) with their check-in/out state. */
export default function MyReservationsPage() {
  const [items, setItems] = useState<ParkingOrder[]>([])
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string | null>(null)
  const [acting, setActing] = useState<string | null>(null)
  const act = useAction()

  const load = useCallback(async () => {
    setError(null)
    try {
      const { orders } = await listOrders({ kind: 'parking', limit: 20 })
      setItems(await Promise.all(orders.map((o) => getReservation(o.id))))
    } catch (e) {
      setError(errorText(e))
    } finally {
      setLoading(false)
    }
  }, [])
  useDidShow(() => void load())

  const doAct = async (id: string, what: 'in' | 'out' | 'cancel') => {
    if (what === 'cancel') {
      const ok = await Taro.showModal({ title: '取消预约', content: '开始前 1 小时以上取消全额退款；之后取消扣除首小时费用。确定取消吗？', confirmText: '取消预约', cancelText: '再想想' })
      if (!ok.confirm) return
    }
    setActing(id)
    const r = await act.run(() => (what === 'in' ? checkIn(id) : what === 'out' ? checkOut(id) : cancelReservation(id)))
    setActing(null)
    if (!r) return
    if (what === 'out' && r.reservation.finalChargeFen) toast(`超时停车，需补缴 ${yuan(r.reservation.finalChargeFen)}`)
    else toast(what === 'in' ? '已签到' : what === 'out' ? '已离场' : '已取消')
    void load()
  }

  return (
    <View className='page'>
      <StateView loading={loading} error={error} onRetry={load} empty={items.length === 0} emptyText='还没有停车预约'>
        {items.map((o) => {
          const r = o.reservation
          const live = o.status === 'PAID'
          return (
            <View key={o.id} className='card' data-testid='reservation-card'>
              <View className='row-between'>
                <Text className='strong flex1'>{o.title ?? '停车预约'}</Text>
                <Text className={o.status === 'PENDING_PAYMENT' ? 'text-warn small' : 'small'}>
                  {r.checkedOutAt ? '已离场' : r.checkedInAt ? '已入场' : ORDER_STATUS_TEXT[o.status] ?? o.status}
                </Text>
              </View>
              <Text className='small block'>
                {dateTime(r.start)} – {dateTime(r.end)} · {r.plate}
              </Text>
              <Text className='text-muted small block'>
                {yuan(o.amountFen)}
                {r.checkedInAt ? ` · 入场 ${dateTime(r.checkedInAt)}` : ''}
                {r.checkedOutAt ? ` · 离场 ${dateTime(r.checkedOutAt)}` : ''}
                {r.overstayFen ? ` · 超时费 ${yuan(r.overstayFen)}` : ''}
              </Text>
              {r.note && <Text className='small block'>{r.note}</Text>}
              <View className='row'>
                {(o.status === 'PENDING_PAYMENT' || (o.amountDueFen ?? 0) > 0) && (
                  <Button className='btn btn-primary btn-small' onClick={() => go('order', { id: o.id })}>
                    去支付
                  </Button>
                )}
                {live && !r.checkedInAt && (
                  <Button className='btn btn-primary btn-small' disabled={act.busy} loading={acting === o.id} onClick={() => doAct(o.id, 'in')}>
                    签到入场
                  </Button>
                )}
                {live && r.checkedInAt && !r.checkedOutAt && (
                  <Button className='btn btn-primary btn-small' disabled={act.busy} loading={acting === o.id} onClick={() => doAct(o.id, 'out')}>
                    离场
                  </Button>
                )}
                {(o.status === 'PENDING_PAYMENT' || live) && !r.checkedInAt && (
                  <Button className='btn btn-plain btn-small' disabled={act.busy} onClick={() => doAct(o.id, 'cancel')}>
                    取消预约
                  </Button>
                )}
              </View>
            </View>
          )
        })}
      </StateView>
    </View>
  )
}
