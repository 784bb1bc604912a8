import { useCallback, useMemo, useState } from 'react'
import { View, Text, Button } from '@tarojs/components'
import { useLoad } from '@tarojs/taro'
import { fetchHealth } from '../../api/health'
import { searchJourneys, searchTrips } from '../../api/ticketing'
import type { Journey, Station, TripMode, TripOffer } from '../../api/types'
import StationInput from '../../components/StationInput'
import TripCard from '../../components/TripCard'
import Chips from '../../components/Chips'
import StateView from '../../components/StateView'
import BottomNav from '../../components/BottomNav'
import { duration, hhmm, MODE_TEXT, monthDay, seatsText, shanghaiDate, tripStatusText } from '../../utils/format'
import { errorText, toast } from '../../utils/action'
import { go } from '../../utils/nav'
import { formatLegs } from '../../utils/trip'
import './index.css'

type ModeFilter = 'all' | TripMode
type Tab = 'direct' | 'journeys'

const SERVICES = [
  { key: 'rail', icon: '铁', label: '火车票' },
  { key: 'coach', icon: '汽', label: '汽车票' },
  { key: 'ferry', icon: '船', label: '船票' },
  { key: 'air', icon: '机', label: '机票' },
  { key: 'parking', icon: '停', label: '共享停车' },
  { key: 'bikes', icon: '骑', label: '共享单车' },
  { key: 'cruise', icon: '邮', label: '邮轮' },
  { key: 'me', icon: '我', label: '我的' },
] as const


export default function Index() {
  const [health, setHealth] = useState<'checking' | 'ok' | 'down'>('checking')
  const [from, setFrom] = useState<Station | null>(null)
  const [to, setTo] = useState<Station | null>(null)
  const [date, setDate] = useState(shanghaiDate(0))
  const [mode, setMode] = useState<ModeFilter>('all')
  const [tab, setTab] = useState<Tab>('direct')
  const [trips, setTrips] = useState<TripOffer[] | null>(null)
  const [journeys, setJourneys] = useState<Journey[] | null>(null)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<string | null>(null)

  useLoad(() => {
    void fetchHealth().then((ok) => setHealth(ok ? 'ok' : 'down'))
  })

  const dates = useMemo(
    () =>
      Array.from({ length: 15 }, (_, i) => {
        const d = shanghaiDate(i)
        const md = monthDay(d)
        return { value: d, label: i === 0 ? '今天' : i === 1 ? '明天' : md.split(' ')[1], sub: md.split(' ')[0] }
      }),
    [],
  )

  const search = useCallback(
    async (which: Tab = tab) => {
      if (!from || !to) {
        toast('请选择出发地和目的地')
        return
      }
      if (from.stationId === to.stationId) {
        toast('出发地和目的地不能相同')
        return
      }
      setLoading(true)
      setError(null)
      try {
        if (which === 'direct') setTrips(await searchTrips(from.stationId, to.stationId, date, mode === 'all' ? undefined : [mode]))
        else setJourneys(await searchJourneys(from.stationId, to.stationId, date))
      } catch (e) {
        setError(errorText(e))
      } finally {
        setLoading(false)
      }
    },
    [from, to, date, mode, tab],
  )

  const onService = (key: (typeof SERVICES)[number]['key']) => {
    if (key === 'parking' || key === 'bikes' || key === 'cruise' || key === 'me') go(key)
    else setMode(key)
  }

  const swap = () => {
    const f = from
    setFrom(to)
    setTo(f)
  }

  const results = tab === 'direct' ? trips : journeys
  return (
    <View className='page page-with-nav'>
      <View className='home-hero'>
        <Text className='home-title'>一站出行</Text>
        <Text className='home-subtitle text-muted'>车票、船票、停车、单车、邮轮，一站搞定</Text>
        <Text className={`small ${health === 'ok' ? 'text-ok' : health === 'down' ? 'text-error' : 'text-muted'}`} data-testid='health' data-state={health}>
          {health === 'ok' ? '服务正常' : health === 'down' ? '服务暂不可用' : '正在检查…'}
        </Text>
      </View>

      <View className='card'>
        <View className='home-grid'>
          {SERVICES.map((s) => (
            <View className='home-grid-item' key={s.key} onClick={() => onService(s.key)}>
              <View className='home-grid-icon'>{s.icon}</View>
              <Text className='home-grid-label'>{s.label}</Text>
            </View>
          ))}
        </View>
      </View>

      <View className='card search-card'>
        <View className='search-stations'>
          <View className='flex1'>
            <StationInput label='出发地' value={from} onChange={setFrom} testId='from-input' />
          </View>
          <View className='swap' onClick={swap}>
            ⇄
          </View>
          <View className='flex1'>
            <StationInput label='目的地' value={to} onChange={setTo} testId='to-input' />
          </View>
        </View>
        <Text className='field-label'>出发日期</Text>
        <Chips scroll options={dates} value={date} onChange={setDate} />
        <Text className='field-label'>交通方式</Text>
        <Chips
          options={[
            { value: 'all', label: '全部' },
            { value: 'rail', label: '火车' },
            { value: 'coach', label: '汽车' },
            { value: 'ferry', label: '轮渡' },
            { value: 'air', label: '航班' },
          ]}
          value={mode}
          onChange={(m) => setMode(m as ModeFilter)}
        />
        <Button className='btn btn-primary' data-testid='search-button' disabled={loading} loading={loading} onClick={() => search()}>
          查询
        </Button>
      </View>

      <View className='tabs'>
        {(
          [
            ['direct', '直达'],
            ['journeys', '换乘方案'],
          ] as const
        ).map(([k, label]) => (
          <View
            key={k}
            className={`tab${tab === k ? ' tab-active' : ''}`}
            onClick={() => {
              setTab(k)
              if (from && to && (k === 'direct' ? trips : journeys) === null) void search(k)
            }}
          >
            <Text>{label}</Text>
          </View>
        ))}
      </View>

      <StateView loading={loading} error={error} onRetry={() => search()} empty={results !== null && results.length === 0} emptyText='当天没有符合条件的班次'>
        {results === null && <Text className='text-muted hint'>选择出发地、目的地和日期后查询</Text>}
        {tab === 'direct' &&
          trips?.map((t) => (
            <TripCard key={t.tripId} t={t} onClick={() => go('trip', { tripId: t.tripId, from: t.from.stationId, to: t.to.stationId, date })} />
          ))}
        {tab === 'journeys' &&
          journeys?.map((j, i) => (
            <View key={i} className='card journey-card' data-testid='journey-card'>
              <View className='row-between'>
                <Text className='strong'>
                  {hhmm(j.depart)} → {hhmm(j.arrive)}
                </Text>
                <Text className='text-muted small'>
                  {duration(j.durationMinutes)} · {j.transfers ? `换乘 ${j.transfers} 次${j.transferMinutes ? `（${duration(j.transferMinutes)}）` : ''}` : '直达'}
                </Text>
              </View>
              {j.legs.map((l) => (
                <View key={l.tripId} className='journey-leg'>
                  <Text className='small'>
                    {MODE_TEXT[l.mode]} {l.number} · {hhmm(l.from.depart)} {l.from.name} → {hhmm(l.to.arrive)} {l.to.name}
                  </Text>
                  <Text className='text-muted small block'>{tripStatusText(l.status, l.delayMinutes)} · {l.classes.map((c) => `${c.name} ${seatsText(c.remaining)}`).join(' / ')}</Text>
                </View>
              ))}
              <Button
                className='btn btn-primary btn-small'
                onClick={() => {
                  const legs = j.legs.map((l) => {
                    const c = l.classes.find((x) => x.remaining > 0) ?? l.classes[0]
                    return { tripId: l.tripId, from: l.from.stationId, to: l.to.stationId, classCode: c?.code ?? '' }
                  })
                  if (legs.some((l) => !l.classCode)) return toast('该方案已无票')
                  go('book', { legs: formatLegs(legs) })
                }}
              >
                预订此方案
              </Button>
            </View>
          ))}
      </StateView>
      <BottomNav current='index' />
    </View>
  )
}
