import { useEffect, useRef, useState } from 'react'
import { View, Text, Input } from '@tarojs/components'
import { searchStations } from '../api/ticketing'
import type { Station } from '../api/types'

/** Search-as-you-type station picker (name, pinyin or city). */
export default function StationInput({ label, value, onChange, testId }: { label: string; value: Station | null; onChange: (s: Station | null) => void; testId: string }) {
  const [text, setText] = useState(value?.name ?? '')
  const [options, setOptions] = useState<Station[]>([])
  const [open, setOpen] = useState(false)
  const [state, setState] = useState<'idle' | 'loading' | 'error'>('idle')
  const seq = useRef(0)
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)

  useEffect(() => {
    setText(value?.name ?? '')
  }, [value?.stationId, value?.name])

  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current)
  }, [])

  const onInput = (v: string) => {
    setText(v)
    if (value) onChange(null)
    if (timer.current) clearTimeout(timer.current)
    const q = v.trim()
    if (!q) {
      setOptions([])
      setOpen(false)
      return
    }
    setOpen(true)
    setState('loading')
    const my = ++seq.current
    timer.current = setTimeout(async () => {
      try {
        const r = await searchStations(q.slice(0, 32))
        if (my !== seq.current) return
        setOptions(r)
        setState('idle')
      } catch {
        if (my === seq.current) setState('error')
      }
    }, 250)
  }

  const pick = (s: Station) => {
    seq.current++
    onChange(s)
    setText(s.name)
    setOpen(false)
  }

  return (
    <View className='station-input'>
      <Text className='field-label'>{label}</Text>
      <Input className='input station-input-box' data-testid={testId} placeholder='车站、城市或拼音' value={text} onInput={(e) => onInput(e.detail.value)} />
      {open && (
        <View className='suggest'>
          {state === 'loading' && <Text className='suggest-item text-muted'>搜索中…</Text>}
          {state === 'error' && <Text className='suggest-item text-error'>搜索失败，请重试</Text>}
          {state === 'idle' && options.length === 0 && <Text className='suggest-item text-muted'>没有找到车站</Text>}
          {state === 'idle' &&
            options.map((s) => (
              <View key={s.stationId} className='suggest-item' data-testid='station-option' onClick={() => pick(s)}>
                <Text className='strong'>{s.name}</Text>
                {s.city && <Text className='text-muted small'> {s.city}</Text>}
              </View>
            ))}
        </View>
      )}
    </View>
  )
}
