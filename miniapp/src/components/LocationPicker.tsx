import { useState } from 'react'
import Taro from '@tarojs/taro'
import { View, Text, Input, Button } from '@tarojs/components'
import type { LatLng } from '../api/types'
import Chips from './Chips'

export interface PickedLocation extends LatLng {
  label: string
}

/** City centres for when the phone gives no position (H5 without permission, desktop). */
export const CITY_CENTRES: Record<string, PickedLocation & { city: string; name: string }> = {
  shanghai: { city: 'shanghai', name: '上海', label: '上海 · 人民广场', lat: 31.2304, lng: 121.4737 },
  beijing: { city: 'beijing', name: '北京', label: '北京 · 天安门', lat: 39.9087, lng: 116.3975 },
  guangzhou: { city: 'guangzhou', name: '广州', label: '广州 · 天河', lat: 23.1291, lng: 113.2644 },
  shenzhen: { city: 'shenzhen', name: '深圳', label: '深圳 · 福田', lat: 22.5431, lng: 114.0579 },
  hangzhou: { city: 'hangzhou', name: '杭州', label: '杭州 · 西湖', lat: 30.2741, lng: 120.1551 },
}

export function parseLatLng(text: string): LatLng | null {
  const m = text.trim().match(/^(-?\d{1,2}(?:\.\d+)?)\s*[,，\s]\s*(-?\d{1,3}(?:\.\d+)?)$/)
  if (!m) return null
  const lat = Number(m[1])
  const lng = Number(m[2])
  if (lat < 3.8 || lat > 53.6 || lng < 73.4 || lng > 135.1) return null
  return { lat, lng }
}

/**
 * Where am I: Taro.getLocation (GCJ-02 on weapp is close enough to WGS-84 for a list of
 * spots; H5 uses the browser's geolocation), else a city centre, else typed "纬度,经度".
 */
export default function LocationPicker({ value, onChange, title = '位置' }: { value: PickedLocation; onChange: (l: PickedLocation) => void; title?: string }) {
  const [locating, setLocating] = useState(false)
  const [typed, setTyped] = useState('')
  const [note, setNote] = useState<string | null>(null)
  const cityKey = Object.keys(CITY_CENTRES).find((k) => CITY_CENTRES[k].label === value.label) ?? ''

  const locate = async () => {
    setLocating(true)
    setNote(null)
    try {
      const r = await Taro.getLocation({ type: 'wgs84' })
      onChange({ lat: Number(r.latitude.toFixed(6)), lng: Number(r.longitude.toFixed(6)), label: '当前位置' })
    } catch {
      setNote('无法获取定位，请选择城市或输入坐标')
    } finally {
      setLocating(false)
    }
  }

  const applyTyped = () => {
    const ll = parseLatLng(typed)
    if (!ll) {
      setNote('坐标格式：纬度,经度（例如 31.2304,121.4737）')
      return
    }
    setNote(null)
    onChange({ ...ll, label: `坐标 ${ll.lat},${ll.lng}` })
  }

  return (
    <View className='card location-picker'>
      <View className='row-between'>
        <Text className='section-title'>{title}</Text>
        <Button className='btn btn-plain btn-small' disabled={locating} loading={locating} onClick={locate}>
          定位
        </Button>
      </View>
      <Text className='location-current' data-testid='location-label'>{value.label}</Text>
      <Chips
        scroll
        options={Object.entries(CITY_CENTRES).map(([k, c]) => ({ value: k, label: c.name }))}
        value={cityKey}
        onChange={(k) => onChange(CITY_CENTRES[k])}
      />
      <View className='row location-typed'>
        <Input className='input flex1' data-testid='coords' placeholder='或输入坐标：纬度,经度' value={typed} onInput={(e) => setTyped(e.detail.value)} />
        <Button className='btn btn-plain btn-small' onClick={applyTyped}>
          使用
        </Button>
      </View>
      {note && <Text className='text-error small'>{note}</Text>}
    </View>
  )
}
