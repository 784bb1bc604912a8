import { useState } from 'react'
import { View, Text } from '@tarojs/components'
import { useDidShow } from '@tarojs/taro'
import StateView from './StateView'
import PassengerForm from './PassengerForm'
import { listPassengers } from '../api/ticketing'
import type { Passenger } from '../api/types'
import { toast } from '../utils/action'
import { useLoader } from '../utils/useLoader'

/** My passengers as checkboxes (at most `max`), with an inline "添加乘客" form. */
export default function PassengerPicker({ selected, onChange, max }: { selected: string[]; onChange: (ids: string[]) => void; max: number }) {
  const { data, setData, loading, error, reload: load } = useLoader<Passenger[]>(listPassengers, [])
  const list = data ?? []
  const setList = (f: (l: Passenger[]) => Passenger[]) => setData((d) => f(d ?? []))
  const [adding, setAdding] = useState(false)

  useDidShow(() => {
    void load()
  })

  const toggle = (id: string) => {
    if (selected.includes(id)) onChange(selected.filter((x) => x !== id))
    else if (selected.length >= max) toast(`最多选择 ${max} 位乘客`)
    else onChange([...selected, id])
  }

  return (
    <View>
      <View className='card'>
        <View className='row-between'>
          <Text className='section-title'>选择乘客</Text>
          <Text className='link' onClick={() => setAdding(!adding)}>
            {adding ? '收起' : '+ 新增乘客'}
          </Text>
        </View>
        <StateView loading={loading} error={error} onRetry={load} empty={list.length === 0} emptyText='还没有乘客，请先添加'>
          {list.map((p) => {
            const on = selected.includes(p.id)
            return (
              <View key={p.id} className={`check-row${on ? ' check-row-on' : ''}`} data-testid='passenger-option' onClick={() => toggle(p.id)}>
                <View className={`checkbox${on ? ' checkbox-on' : ''}`}>{on ? '✓' : ''}</View>
                <View className='flex1'>
                  <Text className='strong'>{p.name}</Text>
                  <Text className='text-muted small block'>
                    {p.idType === 'id_card' ? '身份证' : '护照'} {p.idNumberMasked}
                  </Text>
                </View>
              </View>
            )
          })}
        </StateView>
      </View>
      {adding && (
        <PassengerForm
          onCancel={() => setAdding(false)}
          onAdded={(p) => {
            setList((l) => [...l, p])
            if (selected.length < max) onChange([...selected, p.id])
            setAdding(false)
          }}
        />
      )}
    </View>
  )
}
