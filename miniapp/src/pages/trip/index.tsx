import { useCallback, useEffect, useState } from 'react'
import { View, Text, Button } from '@tarojs/components'
import { getTrip, searchTrips } from '../../api/ticketing'
import type { Trip, TripOffer } from '../../api/types'
import StateView from '../../components/StateView'
import { hhmm, MODE_TEXT, monthDay, seatsText, tripStatusText, yuan } from '../../utils/format'
import { errorText } from '../../utils/action'
import { go, useParams } from '../../utils/nav'
import { formatLegs, legFare } from '../../utils/trip'

export default function TripPage() {
  const { tripId, from, to, date } = useParams()
  const [trip, setTrip] = useState<Trip | null>(null)
  const [offer, setOffer] = useState<TripOffer | null>(null)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string | null>(null)

  const load = useCallback(async () => {
    if (!tripId) return setError('缺少车次')
    setLoading(true)
    setError(null)
    try {
      const t = await getTrip(tripId)
      setTrip(t)
      const f = from || t.stops[0].stationId
      const d = date || t.serviceDate
      const offers = to ? await searchTrips(f, to, d).catch(() => [] as TripOffer[]) : []
      setOffer(offers.find((o) => o.tripId === tripId) ?? null)
    } catch (e) {
      setError(errorText(e))
    } finally {
      setLoading(false)
    }
  }, [tripId, from, to, date])

  useEffect(() => {
    void load()
  }, [load])

  const fromId = from || trip?.stops[0]?.stationId || ''
  const toId = to || trip?.stops[trip.stops.length - 1]?.stationId || ''
  const fi = trip ? trip.stops.findIndex((s) => s.stationId === fromId) : -1
  const ti = trip ? trip.stops.findIndex((s) => s.stationId === toId) : -1
  const cancelled = trip?.status === 'cancelled'

  return (
    <View className='page'>
      <StateView loading={loading} error={error} onRetry={load}>
        {trip && (
          <View>
            <View className='card'>
              <View className='row-between'>
                <Text className='title'>
                  {MODE_TEXT[trip.mode]} {trip.number}
                </Text>
                <Text className={cancelled ? 'text-error' : trip.delayMinutes > 0 ? 'text-warn' : 'text-ok'}>{tripStatusText(trip.status, trip.delayMinutes)}</Text>
              </View>
              <Text className='text-muted small'>
                {trip.operatorName} · {monthDay(trip.serviceDate)}
                {trip.realName ? ' · 实名制' : ''}
              </Text>
            </View>

            <View className='card'>
              <Text className='section-title'>经停站</Text>
              <View className='timeline'>
                {trip.stops.map((s, i) => {
                  const inLeg = i >= fi && i <= ti
                  const late = (s.expectedDepart && s.expectedDepart !== s.depart) || (s.expectedArrive && s.expectedArrive !== s.arrive)
                  return (
                    <View key={s.stationId} className={`timeline-stop${inLeg ? ' timeline-in' : ''}`} data-testid='stop'>
                      <View className='timeline-dot' />
                      <View className='flex1'>
                        <Text className={inLeg ? 'strong' : ''}>{s.name}</Text>
                      </View>
                      <View className='timeline-times'>
                        <Text className='small'>
                          {s.arrive ? `${hhmm(s.arrive)} 到` : '始发'} {s.depart ? `${hhmm(s.depart)} 开` : '终到'}
                        </Text>
                        {late && (
                          <Text className='text-warn small block'>
                            预计 {s.expectedArrive ? `${hhmm(s.expectedArrive)} 到` : ''} {s.expectedDepart ? `${hhmm(s.expectedDepart)} 开` : ''}
                          </Text>
                        )}
                      </View>
                    </View>
                  )
                })}
              </View>
            </View>

            <View className='card'>
              <Text className='section-title'>
                选择座席 · {trip.stops[fi]?.name} → {trip.stops[ti]?.name}
              </Text>
              {trip.classes.map((c) => {
                const o = offer?.classes.find((x) => x.code === c.code)
                const price = o?.priceFen ?? legFare(trip, fromId, toId, c.code)
                const soldOut = o ? o.remaining <= 0 : false
                const closed = cancelled || offer?.salesOpen === false
                return (
                  <View key={c.code} className='class-row' data-testid='class-row'>
                    <View className='flex1'>
                      <Text className='strong'>{c.name}</Text>
                      <Text className='text-muted small block'>{o ? seatsText(o.remaining) : '余票未知'}</Text>
                    </View>
                    <Text className='price'>{price !== null ? yuan(price) : '--'}</Text>
                    <Button
                      className='btn btn-primary btn-small'
                      disabled={soldOut || closed}
                      onClick={() => go('book', { legs: formatLegs([{ tripId: trip.tripId, from: fromId, to: toId, classCode: c.code }]) })}
                    >
                      {closed ? '停售' : soldOut ? '无票' : '预订'}
                    </Button>
                  </View>
                )
              })}
            </View>
          </View>
        )}
      </StateView>
    </View>
  )
}
