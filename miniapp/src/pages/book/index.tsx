import { useCallback, useEffect, useMemo, useState } from 'react'
import { View, Text, Button } from '@tarojs/components'
import { createTicketOrder, getTrip } from '../../api/ticketing'
import type { Trip } from '../../api/types'
import StateView from '../../components/StateView'
import PassengerPicker from '../../components/PassengerPicker'
import { hhmm, MODE_TEXT, monthDay, yuan } from '../../utils/format'
import { errorText, toast, useAction } from '../../utils/action'
import { redirect, useParams } from '../../utils/nav'
import { legFare, parseLegs } from '../../utils/trip'

export default function BookPage() {
  const params = useParams()
  const legs = useMemo(() => parseLegs(params.legs), [params.legs])
  const [trips, setTrips] = useState<Record<string, Trip>>({})
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string | null>(null)
  const [selected, setSelected] = useState<string[]>([])
  const { busy, run } = useAction()

  const load = useCallback(async () => {
    if (!legs.length) return setError('缺少行程')
    setLoading(true)
    setError(null)
    try {
      const ts = await Promise.all(legs.map((l) => getTrip(l.tripId)))
      setTrips(Object.fromEntries(ts.map((t) => [t.tripId, t])))
    } catch (e) {
      setError(errorText(e))
    } finally {
      setLoading(false)
    }
  }, [legs])

  useEffect(() => {
    void load()
  }, [load])

  const perPerson = legs.reduce((s, l) => s + (trips[l.tripId] ? (legFare(trips[l.tripId], l.from, l.to, l.classCode) ?? 0) : 0), 0)

  const submit = async () => {
    if (!selected.length) return toast('请选择乘客')
    const order = await run((key) => createTicketOrder(legs, selected, key))
    if (order) redirect('order', { id: order.id })
  }

  return (
    <View className='page page-with-footer'>
      <StateView loading={loading} error={error} onRetry={load}>
        {legs.map((l) => {
          const t = trips[l.tripId]
          if (!t) return null
          const a = t.stops.find((s) => s.stationId === l.from)
          const b = t.stops.find((s) => s.stationId === l.to)
          const cls = t.classes.find((c) => c.code === l.classCode)
          return (
            <View key={l.tripId} className='card' data-testid='leg'>
              <View className='row-between'>
                <Text className='strong'>
                  {MODE_TEXT[t.mode]} {t.number}
                </Text>
                <Text className='text-muted small'>{monthDay(t.serviceDate)}</Text>
              </View>
              <Text className='block'>
                {hhmm(a?.depart)} {a?.name} → {hhmm(b?.arrive)} {b?.name}
              </Text>
              <View className='row-between'>
                <Text className='text-muted small'>{cls?.name}</Text>
                <Text className='price'>{yuan(legFare(t, l.from, l.to, l.classCode) ?? 0)}</Text>
              </View>
            </View>
          )
        })}
        <PassengerPicker selected={selected} onChange={setSelected} max={5} />
      </StateView>
      <View className='footer-bar'>
        <View className='flex1'>
          <Text className='text-muted small'>合计 </Text>
          <Text className='price' data-testid='total'>
            {yuan(perPerson * selected.length)}
          </Text>
          <Text className='text-muted small'> · {selected.length} 人</Text>
        </View>
        <Button className='btn btn-primary btn-footer' data-testid='submit-order' disabled={busy || loading || !selected.length} loading={busy} onClick={submit}>
          提交订单
        </Button>
      </View>
    </View>
  )
}
