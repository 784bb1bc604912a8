import { useState } from 'react'
import Taro from '@tarojs/taro'
import { View, Text, Button } from '@tarojs/components'
import { deletePassenger, listPassengers } from '../../api/ticketing'
import type { Passenger } from '../../api/types'
import StateView from '../../components/StateView'
import PassengerForm from '../../components/PassengerForm'
import { useAction } from '../../utils/action'
import { useLoader } from '../../utils/useLoader'

export default function PassengersPage() {
  const { data, setData, loading, error, reload: load } = useLoader<Passenger[]>(listPassengers, [])
  const list = data ?? []
  const setList = (f: (l: Passenger[]) => Passenger[]) => setData((d) => f(d ?? []))
  const [deleting, setDeleting] = useState<string | null>(null)
  const del = useAction()


  const remove = async (p: Passenger) => {
    const ok = await Taro.showModal({ title: '删除乘客', content: `确定删除 ${p.name}？已出的车票不受影响。`, confirmText: '删除' })
    if (!ok.confirm) return
    setDeleting(p.id)
    const r = await del.run(async () => {
      await deletePassenger(p.id)
      return true
    })
    setDeleting(null)
    if (r) setList((l) => l.filter((x) => x.id !== p.id))
  }

  return (
    <View className='page'>
      <PassengerForm onAdded={(p) => setList((l) => [...l, p])} />
      <View className='card'>
        <Text className='section-title'>常用乘客</Text>
        <StateView loading={loading} error={error} onRetry={load} empty={list.length === 0} emptyText='还没有乘客'>
          {list.map((p) => (
            <View key={p.id} className='item-row' data-testid='passenger-row'>
              <View className='flex1'>
                <Text className='strong'>{p.name}</Text>
                <Text className='text-muted small block'>
                  {p.idType === 'id_card' ? '身份证' : '护照'} {p.idNumberMasked}
                </Text>
              </View>
              <Button className='btn btn-plain btn-small' disabled={del.busy} loading={deleting === p.id} onClick={() => remove(p)}>
                删除
              </Button>
            </View>
          ))}
        </StateView>
      </View>
    </View>
  )
}
