import { useCallback, useEffect, useMemo, useState } from 'react'
import { View, Text } from '@tarojs/components'
import { searchVoyages } from '../../api/cruise'
import type { CruiseVoyageSummary } from '../../api/types'
import StateView from '../../components/StateView'
import Chips from '../../components/Chips'
import { monthDay, shanghaiDate, yuan } from '../../utils/format'
import { errorText } from '../../utils/action'
import { go } from '../../utils/nav'

/** The next 12 months as [first day, last day] ranges (the first starts today). */
function months() {
  const today = shanghaiDate(0)
  let y = Number(today.slice(0, 4))
  let m = Number(today.slice(5, 7))
  const out: { value: string; label: string; from: string; to: string }[] = []
  for (let i = 0; i < 12; i++) {
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate()
    const mm = String(m).padStart(2, '0')
    out.push({ value: `${y}-${mm}`, label: i === 0 || m === 1 ? `${y}年${m}月` : `${m}月`, from: i === 0 ? today : `${y}-${mm}-01`, to: `${y}-${mm}-${last}` })
    m++
    if (m > 12) {
      m = 1
      y++
    }
  }
  return out
}

export default function CruisePage() {
  const ms = useMemo(months, [])
  const [month, setMonth] = useState('all')
  const [port, setPort] = useState('all')
  const [items, setItems] = useState<CruiseVoyageSummary[]>([])
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string | null>(null)

  const load = useCallback(async () => {
    setLoading(true)
    setError(null)
    try {
      const m = ms.find((x) => x.value === month)
      const r = await searchVoyages(m ? { from: m.from, to: m.to } : { from: ms[0].from, to: ms[ms.length - 1].to })
      setItems(r.items)
    } catch (e) {
      setError(errorText(e))
    } finally {
      setLoading(false)
    }
  }, [month, ms])

  useEffect(() => {
    void load()
  }, [load])

  const ports = useMemo(() => {
    const seen = new Map<string, string>()
    for (const v of items) seen.set(v.departPort.code, v.departPort.name)
    return [{ value: 'all', label: '全部港口' }, ...[...seen].map(([value, label]) => ({ value, label }))]
  }, [items])
  const shown = port === 'all' ? items : items.filter((v) => v.departPort.code === port)

  return (
    <View className='page'>
      <View className='card'>
        <Text className='field-label'>出发月份</Text>
        <Chips scroll options={[{ value: 'all', label: '全部' }, ...ms]} value={month} onChange={setMonth} />
        <Text className='field-label'>出发港口</Text>
        <Chips options={ports} value={ports.some((p) => p.value === port) ? port : 'all'} onChange={setPort} />
      </View>
      <StateView loading={loading} error={error} onRetry={load} empty={shown.length === 0} emptyText='这个月没有可预订的航次'>
        {shown.map((v) => {
          const left = v.categories.reduce((s, c) => s + c.cabinsLeft, 0)
          return (
            <View key={v.id} className='card' data-testid='voyage-card' onClick={() => go('cruise-voyage', { id: v.id })}>
              <Text className='strong block'>{v.name}</Text>
              <Text className='text-muted small block'>
                {v.shipName} · {v.departPort.name}出发 · {v.nights}晚{v.international ? ' · 国际航线' : ''}
              </Text>
              <Text className='small block'>
                {monthDay(v.departDate)} – {monthDay(v.returnDate)}
              </Text>
              {v.ports && v.ports.length > 0 && <Text className='text-muted small block'>{v.ports.join(' → ')}</Text>}
              <View className='row-between'>
                <Text className={left > 0 ? 'text-ok small' : 'text-muted small'}>{left > 0 ? `余 ${left} 间舱房` : '已订满'}</Text>
                <Text className='price'>{v.lowestPricePerGuestFen ? `${yuan(v.lowestPricePerGuestFen)}/人起` : ''}</Text>
              </View>
            </View>
          )
        })}
      </StateView>
    </View>
  )
}
