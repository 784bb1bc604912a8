import { useCallback, useEffect, useState } from 'react'
import Taro, { useDidShow } from '@tarojs/taro'
import { View, Text, Button } from '@tarojs/components'
import { listMySpots, listSpotReservations, updateSpot } from '../../api/parking'
import type { ParkingOwnerReservation, ParkingSpot } from '../../api/types'
import StateView from '../../components/StateView'
import { dateTime, yuan } from '../../utils/format'
import { windowsText } from '../../utils/parking'
import { errorText, toast, useAction } from '../../utils/action'
import { go } from '../../utils/nav'
import { ApiProblem } from '../../api/client'

const RES_STATUS: Record<string, string> = { PENDING_PAYMENT: '待支付', PAID: '已支付', COMPLETED: '已完成', CANCELLED: '已取消', EXPIRED: '已超时', REFUND_PENDING: '退款中', REFUNDED: '已退款' }

function Earnings({ spotId }: { spotId: string }) {
  const [items, setItems] = useState<ParkingOwnerReservation[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const load = useCallback(async () => {
    setError(null)
    try {
      setItems((await listSpotReservations(spotId)).items)
    } catch (e) {
      setError(errorText(e))
    }
  }, [spotId])
  useEffect(() => {
    void load()
  }, [load])
  return (
    <StateView loading={items === null && !error} error={error} onRetry={load} empty={items?.length === 0} emptyText='还没有预约'>
      {items && (
        <View>
          <Text className='strong block' data-testid='earnings'>
            累计收益 {yuan(items.reduce((s, r) => s + r.earningsFen, 0))} · {items.length} 笔预约
          </Text>
          {items.slice(0, 10).map((r) => (
            <View key={r.orderId} className='item-row small'>
              <Text className='flex1'>
                {dateTime(r.start)}–{dateTime(r.end).slice(6)} {r.plate}
              </Text>
              <Text className='text-muted'>{RES_STATUS[r.status] ?? r.status}</Text>
              <Text className='price-small'>{yuan(r.earningsFen)}</Text>
            </View>
          ))}
        </View>
      )}
    </StateView>
  )
}

export default function MySpotsPage() {
  const [spots, setSpots] = useState<ParkingSpot[]>([])
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string | null>(null)
  const [shown, setShown] = useState<string | null>(null)
  const [toggling, setToggling] = useState<string | null>(null)
  const act = useAction()

  const load = useCallback(async () => {
    setError(null)
    try {
      setSpots((await listMySpots()).items)
    } catch (e) {
      setError(errorText(e))
    } finally {
      setLoading(false)
    }
  }, [])
  useDidShow(() => void load())

  const toggle = async (s: ParkingSpot) => {
    const pausing = s.active !== false
    setToggling(s.spotId)
    const r = await act.run(
      async () => {
        try {
          return await updateSpot(s.spotId, { active: !pausing })
        } catch (e) {
          if (!(e instanceof ApiProblem) || e.code !== 'conflicts_with_reservations') throw e
          const n = (e.problem.reservations as unknown[] | undefined)?.length ?? 0
          const ok = await Taro.showModal({ title: '有未完成的预约', content: `暂停会取消 ${n} 笔预约并全额退款，确定暂停吗？`, confirmText: '仍然暂停' })
          if (!ok.confirm) return null
          return updateSpot(s.spotId, { active: false, force: true })
        }
      },
      { silent: false },
    )
    setToggling(null)
    if (r) {
      toast(pausing ? '已暂停出租' : '已恢复出租')
      void load()
    }
  }

  return (
    <View className='page'>
      <Button className='btn btn-primary' data-testid='new-spot' onClick={() => go('parking-spot-edit')}>
        发布新车位
      </Button>
      <StateView loading={loading} error={error} onRetry={load} empty={spots.length === 0} emptyText='还没有发布车位'>
        {spots.map((s) => (
          <View key={s.spotId} className='card' data-testid='my-spot'>
            <View className='row-between'>
              <Text className='strong'>{s.title}</Text>
              <Text className={s.active === false ? 'text-muted small' : 'text-ok small'}>{s.active === false ? '已暂停' : '出租中'}</Text>
            </View>
            <Text className='text-muted small block'>
              {s.address} · {yuan(s.pricePerHourFen)}/小时
            </Text>
            <Text className='small block'>{windowsText(s.availability)}</Text>
            <View className='row'>
              <Button className='btn btn-plain btn-small' disabled={act.busy} loading={toggling === s.spotId} onClick={() => toggle(s)}>
                {s.active === false ? '恢复出租' : '暂停出租'}
              </Button>
              <Button className='btn btn-plain btn-small' onClick={() => setShown(shown === s.spotId ? null : s.spotId)}>
                {shown === s.spotId ? '收起收益' : '收益'}
              </Button>
            </View>
            {shown === s.spotId && <Earnings spotId={s.spotId} />}
          </View>
        ))}
      </StateView>
    </View>
  )
}
