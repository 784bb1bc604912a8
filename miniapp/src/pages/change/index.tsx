import { useCallback, useEffect, useMemo, useState } from 'react'
import Taro from '@tarojs/taro'
import { View, Text, Button } from '@tarojs/components'
import { changeTicket, getTicket, searchTrips } from '../../api/ticketing'
import type { Ticket, TripOffer } from '../../api/types'
import StateView from '../../components/StateView'
import Chips from '../../components/Chips'
import TripCard from '../../components/TripCard'
import { monthDay, seatsText, shanghaiDate, yuan } from '../../utils/format'
import { errorText, toast, useAction } from '../../utils/action'
import { redirect, useParams } from '../../utils/nav'

/** 改签: once per ticket, at least 30 minutes before departure (the API enforces both). */
export default function ChangePage() {
  const { ticketId } = useParams()
  const [ticket, setTicket] = useState<Ticket | null>(null)
  const [date, setDate] = useState(shanghaiDate(0))
  const [offers, setOffers] = useState<TripOffer[] | null>(null)
  const [loading, setLoading] = useState(true)
  const [searching, setSearching] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const { busy, run } = useAction()

  const dates = useMemo(() => Array.from({ length: 15 }, (_, i) => ({ value: shanghaiDate(i), label: monthDay(shanghaiDate(i)).split(' ')[0] })), [])

  useEffect(() => {
    if (!ticketId) return
    getTicket(ticketId)
      .then((t) => {
        setTicket(t)
        if (t.depart) setDate(shanghaiDate(0, Date.parse(t.depart)))
      })
      .catch((e) => setError(errorText(e)))
      .finally(() => setLoading(false))
  }, [ticketId])

  const search = useCallback(async () => {
    if (!ticket) return
    setSearching(true)
    setError(null)
    try {
      setOffers(await searchTrips(ticket.from, ticket.to, date))
    } catch (e) {
      setError(errorText(e))
    } finally {
      setSearching(false)
    }
  }, [ticket, date])

  useEffect(() => {
    if (ticket) void search()
  }, [ticket, search])

  const choose = async (o: TripOffer, classCode: string, priceFen: number) => {
    if (!ticket) return
    const diff = priceFen - ticket.priceFen
    const ok = await Taro.showModal({
      title: '确认改签',
      content: `改签到 ${o.number}（${classCode}）。${diff > 0 ? `需补差价 ${yuan(diff)}。` : diff < 0 ? `差价 ${yuan(-diff)} 扣除退票手续费后退回。` : '票价相同。'}每张车票只能改签一次。`,
      confirmText: '确认改签',
    })
    if (!ok.confirm) return
    const r = await run((key) => changeTicket(ticket.ticketId, o.tripId, classCode, key))
    if (!r) return
    if (r.fareDifferenceFen && r.fareDifferenceFen > 0) toast(`改签成功，请支付差价 ${yuan(r.fareDifferenceFen)}`)
    else toast('改签成功')
    redirect('order', { id: r.order.id })
  }

  return (
    <View className='page'>
      <StateView loading={loading} error={!ticket ? error : null}>
        {ticket && (
          <View>
            <View className='card'>
              <Text className='text-muted small block'>原车票</Text>
              <Text className='strong block'>
                {ticket.number} {ticket.fromName ?? ticket.from} → {ticket.toName ?? ticket.to}
              </Text>
              <Text className='text-muted small'>
                {ticket.passengerName} · {ticket.classCode} {ticket.seat} · {yuan(ticket.priceFen)}
              </Text>
              {ticket.changed && <Text className='text-error small block'>这张车票已改签过，不能再次改签</Text>}
            </View>
            <Chips scroll options={dates} value={date} onChange={setDate} />
            <StateView loading={searching} error={error} onRetry={search} empty={offers !== null && offers.length === 0} emptyText='当天没有可改签的班次'>
              {offers?.map((o) => (
                <View key={o.tripId}>
                  <TripCard t={o} />
                  <View className='card change-classes'>
                    {o.classes.map((c) => (
                      <Button
                        key={c.code}
                        className='btn btn-plain btn-small'
                        disabled={busy || c.remaining <= 0 || ticket.changed || o.status === 'cancelled' || (o.tripId === ticket.tripId && c.code === ticket.classCode)}
                        onClick={() => choose(o, c.code, c.priceFen)}
                      >
                        {c.name} {yuan(c.priceFen)} {seatsText(c.remaining)}
                      </Button>
                    ))}
                  </View>
                </View>
              ))}
            </StateView>
          </View>
        )}
      </StateView>
    </View>
  )
}
