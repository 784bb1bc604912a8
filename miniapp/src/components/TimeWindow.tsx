import { useMemo } from 'react'
import { View, Text, Picker } from '@tarojs/components'
import Chips from './Chips'
import { minutesOfDay, monthDay, shanghaiDate, shanghaiIso } from '../utils/format'

export interface WindowValue {
  date: string
  startMin: number
  hours: number
}

export const QUARTERS = Array.from({ length: 96 }, (_, i) => i * 15)
export const hm = (min: number) => `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`

/** First bookable quarter hour today (now rounded up), or 09:00 on later days. */
export function defaultWindow(dayOffset = 0): WindowValue {
  const date = shanghaiDate(dayOffset)
  if (dayOffset > 0) return { date, startMin: 9 * 60, hours: 2 }
  const next = Math.ceil((minutesOfDay() + 1) / 15) * 15
  return next >= 24 * 60 ? { date: shanghaiDate(1), startMin: 0, hours: 2 } : { date, startMin: next, hours: 2 }
}

export function windowIso(w: WindowValue): { start: string; end: string } {
  return { start: shanghaiIso(w.date, w.startMin), end: shanghaiIso(w.date, w.startMin + w.hours * 60) }
}

const DURATIONS = [1, 2, 3, 4, 8, 12].map((h) => ({ value: String(h), label: `${h}小时` }))

/** Parking time window: day (today … +6), start (quarter hours), duration. */
export default function TimeWindow({ value, onChange }: { value: WindowValue; onChange: (w: WindowValue) => void }) {
  const today = shanghaiDate(0)
  const days = useMemo(() => Array.from({ length: 7 }, (_, i) => ({ value: shanghaiDate(i), label: i === 0 ? '今天' : i === 1 ? '明天' : monthDay(shanghaiDate(i)).split(' ')[1], sub: monthDay(shanghaiDate(i)).split(' ')[0] })), [])
  const starts = value.date === today ? QUARTERS.filter((m) => m > minutesOfDay()) : QUARTERS
  const idx = Math.max(0, starts.indexOf(value.startMin))
  return (
    <View className='card'>
      <Text className='section-title'>停车时段</Text>
      <Chips
        scroll
        options={days}
        value={value.date}
        onChange={(d) => {
          const s = d === today ? defaultWindow(0).startMin : value.startMin
          onChange({ ...value, date: d, startMin: s })
        }}
      />
      <View className='row'>
        <Text className='field-label'>开始</Text>
        <Picker mode='selector' range={starts.map(hm)} value={idx} onChange={(e) => onChange({ ...value, startMin: starts[Number(e.detail.value)] ?? value.startMin })}>
          <Text className='picker-value' data-testid='start-time'>
            {hm(value.startMin)}
          </Text>
        </Picker>
        <Text className='text-muted small'>
          至 {hm((value.startMin + value.hours * 60) % 1440)}
          {value.startMin + value.hours * 60 >= 1440 ? '（次日）' : ''}
        </Text>
      </View>
      <Chips options={DURATIONS} value={String(value.hours)} onChange={(h) => onChange({ ...value, hours: Number(h) })} />
    </View>
  )
}
