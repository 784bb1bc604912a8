import { useState } from 'react'
import Taro, { useLoad } from '@tarojs/taro'
import { View, Text, Button, Input } from '@tarojs/components'
import { reserveSpot, searchSpots } from '../../api/parking'
import type { ParkingSearchHit } from '../../api/types'
import StateView from '../../components/StateView'
import LocationPicker, { CITY_CENTRES, type PickedLocation } from '../../components/LocationPicker'
import TimeWindow, { defaultWindow, windowIso, type WindowValue } from '../../components/TimeWindow'
import { dateTime, yuan } from '../../utils/format'
import { errorText, toast, useAction } from '../../utils/action'
import { go, redirect } from '../../utils/nav'
import { isWeapp } from '../../store/session'
import { FEATURE_TEXT, normalisePlate } from '../../utils/parking'

const PLATE_KEY = 'yizhan.plate'


export default function ParkingPage() {
  const [loc, setLoc] = useState<PickedLocation>(CITY_CENTRES.shanghai)
  const [win, setWin] = useState<WindowValue>(defaultWindow(0))
  const [hits, setHits] = useState<ParkingSearchHit[] | null>(null)
  const [used, setUsed] = useState<{ start: string; end: string; rounded: boolean } | null>(null)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [open, setOpen] = useState<string | null>(null)
  const [plate, setPlate] = useState<string>(() => String(Taro.getStorageSync(PLATE_KEY) || ''))
  const { busy, run } = useAction()

  useLoad(() => {
    // weapp asks for the position right away; H5 waits for the 定位 button (no surprise prompt)
    if (isWeapp)
      Taro.getLocation({ type: 'wgs84' })
        .then((r) => setLoc({ lat: Number(r.latitude.toFixed(6)), lng: Number(r.longitude.toFixed(6)), label: '当前位置' }))
        .catch(() => undefined)
  })

  const search = async () => {
    setLoading(true)
    setError(null)
    try {
      const r = await searchSpots({ lat: loc.lat, lng: loc.lng, ...windowIso(win) })
      setHits(r.items)
      setUsed(r.window)
    } catch (e) {
      setError(errorText(e))
    } finally {
      setLoading(false)
    }
  }

  const reserve = async (spotId: string) => {
    const p = normalisePlate(plate)
    if (p.length < 7 || p.length > 8) return toast('请输入正确的车牌号，如 沪A12345')
    const w = used ?? windowIso(win)
    const order = await run((key) => reserveSpot({ spotId, start: w.start, end: w.end, plate: p }, key))
    if (order) {
      Taro.setStorageSync(PLATE_KEY, p)
      redirect('order', { id: order.id })
    }
  }

  return (
    <View className='page'>
      <View className='row'>
        <Button className='btn btn-plain btn-small flex1' onClick={() => go('parking-reservations')}>
          我的预约
        </Button>
        <Button className='btn btn-plain btn-small flex1' onClick={() => go('parking-spots')}>
          我的车位
        </Button>
      </View>
      <LocationPicker value={loc} onChange={setLoc} title='在哪里停车' />
      <TimeWindow value={win} onChange={setWin} />
      <Button className='btn btn-primary' data-testid='parking-search' disabled={loading} loading={loading} onClick={search}>
        查找附近车位
      </Button>
      {used?.rounded && (
        <Text className='text-muted small block'>
          时段已按 15 分钟取整：{dateTime(used.start)} – {dateTime(used.end)}
        </Text>
      )}
      <StateView loading={loading} error={error} onRetry={search} empty={hits !== null && hits.length === 0} emptyText='附近 3 公里内这个时段没有空闲车位'>
        {hits?.map((h) => (
          <View key={h.spotId} className='card' data-testid='spot-card'>
            <View className='row-between'>
              <Text className='strong'>{h.title}</Text>
              <Text className='price'>{yuan(h.priceFen)}</Text>
            </View>
            <Text className='text-muted small block'>
              {h.address} · {h.distanceM < 1000 ? `${h.distanceM} 米` : `${(h.distanceM / 1000).toFixed(1)} 公里`} · {yuan(h.pricePerHourFen)}/小时
              {h.dailyCapFen ? ` · 每日封顶 ${yuan(h.dailyCapFen)}` : ''}
            </Text>
            {h.features.length > 0 && <Text className='small block'>{h.features.map((f) => FEATURE_TEXT[f] ?? f).join(' · ')}</Text>}
            {open === h.spotId ? (
              <View>
                <Text className='field-label'>车牌号</Text>
                <Input className='input' data-testid='plate' placeholder='如 沪A12345' value={plate} maxlength={16} onInput={(e) => setPlate(e.detail.value)} />
                <Button className='btn btn-primary' data-testid='reserve-confirm' disabled={busy} loading={busy} onClick={() => reserve(h.spotId)}>
                  确认预订 {yuan(h.priceFen)}
                </Button>
              </View>
            ) : (
              <Button className='btn btn-primary btn-small' onClick={() => setOpen(h.spotId)}>
                预订
              </Button>
            )}
          </View>
        ))}
      </StateView>
    </View>
  )
}
