import { useState } from 'react'
import { View, Text, Button } from '@tarojs/components'
import { bookCruise, getVoyage } from '../../api/cruise'
import type { CruiseVoyage } from '../../api/types'
import { useLoader } from '../../utils/useLoader'
import StateView from '../../components/StateView'
import PassengerPicker from '../../components/PassengerPicker'
import { monthDay, shanghaiDate, yuan } from '../../utils/format'
import { toast, useAction } from '../../utils/action'
import { redirect, useParams } from '../../utils/nav'

const KIND_TEXT: Record<string, string> = { inside: '内舱', oceanview: '海景', balcony: '阳台', suite: '套房' }

function daysUntil(date: string): number {
  return Math.round((Date.parse(`${date}T00:00:00+08:00`) - Date.parse(`${shanghaiDate(0)}T00:00:00+08:00`)) / 86400000)
}

export default function VoyagePage() {
  const { id } = useParams()
  const { data: v, loading, error, reload: load } = useLoader<CruiseVoyage>(() => getVoyage(id!), [id], !id && '缺少航次')
  const [cat, setCat] = useState<string | null>(null)
  const [guests, setGuests] = useState<string[]>([])
  const { busy, run } = useAction()


  const category = v?.categories.find((c) => c.code === cat)
  const n = guests.length
  const perGuest = category && n ? (category.pricesFen as Record<string, number | undefined>)[String(n)] : undefined
  const total = perGuest ? perGuest * n : 0
  const deposit = v && daysUntil(v.departDate) > v.depositWhenMoreThanDays
  const depositFen = v && deposit ? Math.round((total * v.depositPercent) / 100) : total
  const balanceDue = v ? shanghaiDate(daysUntil(v.departDate) - v.balanceDueDays) : ''

  const book = async () => {
    if (!v || !category) return toast('请选择舱房类型')
    if (!n) return toast('请选择入住宾客')
    if (n > category.maxGuests) return toast(`${category.name}每间最多入住 ${category.maxGuests} 人`)
    const order = await run((key) => bookCruise({ voyageId: v.id, categoryCode: category.code, passengerIds: guests }, key))
    if (order) redirect('order', { id: order.id })
  }

  return (
    <View className='page page-with-footer'>
      <StateView loading={loading} error={error} onRetry={load}>
        {v && (
          <View>
            <View className='card'>
              <Text className='title block'>{v.name}</Text>
              <Text className='text-muted small block'>
                {v.shipName} · {v.departPort.name}出发 · {v.nights}晚 · {monthDay(v.departDate)} – {monthDay(v.returnDate)}
              </Text>
              {v.status === 'CANCELLED' && <Text className='text-error block'>航次已取消{v.cancelReason ? `：${v.cancelReason}` : ''}</Text>}
            </View>
            <View className='card'>
              <Text className='section-title'>行程</Text>
              {v.itinerary.map((s, i) => (
                <View key={i} className='item-row small'>
                  <Text className='text-muted' style={{ width: '56px' }}>
                    第{s.day}天
                  </Text>
                  <Text className='flex1'>{s.port}</Text>
                  <Text className='text-muted'>
                    {s.arrive ? `${s.arrive} 抵` : ''} {s.depart ? `${s.depart} 离` : ''}
                  </Text>
                </View>
              ))}
            </View>
            <View className='card'>
              <Text className='section-title'>舱房类型</Text>
              {v.categories.map((c) => (
                <View key={c.code} className={`check-row${cat === c.code ? ' check-row-on' : ''}`} data-testid='category-option' onClick={() => c.cabinsLeft > 0 && setCat(c.code)}>
                  <View className={`checkbox${cat === c.code ? ' checkbox-on' : ''}`}>{cat === c.code ? '✓' : ''}</View>
                  <View className='flex1'>
                    <Text className='strong'>
                      {c.name}（{KIND_TEXT[c.kind] ?? c.kind}）
                    </Text>
                    <Text className='text-muted small block'>
                      最多 {c.maxGuests} 人 · {c.cabinsLeft > 0 ? `余 ${c.cabinsLeft} 间` : '已订满'}
                    </Text>
                  </View>
                  <Text className='price-small'>{yuan(c.lowestPricePerGuestFen)}/人起</Text>
                </View>
              ))}
            </View>
            {v.international && <Text className='text-warn small block'>国际航线：每位宾客须使用护照登记</Text>}
            <PassengerPicker selected={guests} onChange={setGuests} max={4} />
            <View className='card small'>
              <Text className='section-title'>退改规则</Text>
              {v.penalties.map((p, i) => (
                <Text key={i} className='block text-muted'>
                  开航前 {p.daysBefore} 天及以上取消：扣除已付款的 {p.percent}%
                </Text>
              ))}
              <Text className='block text-muted'>
                开航前 {v.depositWhenMoreThanDays} 天以上预订先付 {v.depositPercent}% 定金，尾款于开航前 {v.balanceDueDays} 天付清
              </Text>
            </View>
          </View>
        )}
      </StateView>
      {v && (
        <View className='footer-bar'>
          <View className='flex1'>
            <Text className='price' data-testid='cruise-total'>
              {yuan(total)}
            </Text>
            {total > 0 && (
              <Text className='text-muted small block' data-testid='cruise-plan'>
                {deposit ? `定金 ${yuan(depositFen)}，尾款 ${yuan(total - depositFen)}（${monthDay(balanceDue)}前）` : '需付全款'}
              </Text>
            )}
          </View>
          <Button className='btn btn-primary btn-footer' data-testid='cruise-book' disabled={busy || !category || !n || v.status === 'CANCELLED'} loading={busy} onClick={book}>
            立即预订
          </Button>
        </View>
      )}
    </View>
  )
}
