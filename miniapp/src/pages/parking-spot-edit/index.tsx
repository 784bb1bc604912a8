import { useState } from 'react'
import { View, Text, Button, Input, Picker, Textarea } from '@tarojs/components'
import { createSpot } from '../../api/parking'
import type { ParkingWindow } from '../../api/types'
import LocationPicker, { CITY_CENTRES, type PickedLocation } from '../../components/LocationPicker'
import Chips from '../../components/Chips'
import { hm } from '../../components/TimeWindow'
import { parseYuan } from '../../utils/format'
import { DAY_TEXT, FEATURE_TEXT } from '../../utils/parking'
import { toast, useAction } from '../../utils/action'
import { redirect } from '../../utils/nav'

const STARTS = Array.from({ length: 96 }, (_, i) => hm(i * 15))
const ENDS = [...STARTS.slice(1), '24:00']

/** List a spot: where, price, weekly availability windows (editor), features. */
export default function SpotEditPage() {
  const [title, setTitle] = useState('')
  const [address, setAddress] = useState('')
  const [city, setCity] = useState('shanghai')
  const [loc, setLoc] = useState<PickedLocation>(CITY_CENTRES.shanghai)
  const [price, setPrice] = useState('10')
  const [cap, setCap] = useState('')
  const [windows, setWindows] = useState<ParkingWindow[]>([{ days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' }])
  const [features, setFeatures] = useState<string[]>([])
  const [notes, setNotes] = useState('')
  const { busy, run } = useAction()

  const setWin = (i: number, patch: Partial<ParkingWindow>) => setWindows((ws) => ws.map((w, j) => (j === i ? { ...w, ...patch } : w)))
  const toggleDay = (i: number, d: number) => {
    const w = windows[i]
    const days = w.days.includes(d) ? w.days.filter((x) => x !== d) : [...w.days, d].sort()
    setWin(i, { days })
  }

  const submit = async () => {
    const pricePerHourFen = parseYuan(price)
    const dailyCapFen = cap.trim() ? parseYuan(cap) : undefined
    if (!title.trim()) return toast('请填写车位名称')
    if (!address.trim()) return toast('请填写地址')
    if (!pricePerHourFen) return toast('请填写正确的每小时价格')
    if (dailyCapFen === null) return toast('每日封顶价格格式不正确')
    if (!windows.length || windows.some((w) => !w.days.length)) return toast('每个开放时段至少选择一天')
    if (windows.some((w) => w.start === w.end)) return toast('开放时段的开始和结束不能相同')
    const spot = await run((key) =>
      createSpot(
        {
          title: title.trim(),
          address: address.trim(),
          city,
          location: { lat: loc.lat, lng: loc.lng },
          pricePerHourFen,
          ...(dailyCapFen ? { dailyCapFen } : {}),
          availability: windows,
          features: features as never,
          ...(notes.trim() ? { accessNotes: notes.trim() } : {}),
        },
        key,
      ),
    )
    if (spot) {
      toast('发布成功')
      redirect('parking-spots')
    }
  }

  return (
    <View className='page page-with-footer'>
      <View className='card'>
        <View className='field'>
          <Text className='field-label'>车位名称</Text>
          <Input className='input' data-testid='spot-title' value={title} maxlength={60} placeholder='如 人民广场地下车库 B2-018' onInput={(e) => setTitle(e.detail.value)} />
        </View>
        <View className='field'>
          <Text className='field-label'>地址</Text>
          <Input className='input' data-testid='spot-address' value={address} maxlength={200} placeholder='街道门牌' onInput={(e) => setAddress(e.detail.value)} />
        </View>
        <Text className='field-label'>城市</Text>
        <Chips
          options={Object.entries(CITY_CENTRES).map(([k, c]) => ({ value: k, label: c.name }))}
          value={city}
          onChange={(k) => {
            setCity(k)
            setLoc(CITY_CENTRES[k])
          }}
        />
        <View className='row'>
          <View className='flex1 field'>
            <Text className='field-label'>每小时（元）</Text>
            <Input className='input' data-testid='spot-price' type='digit' value={price} onInput={(e) => setPrice(e.detail.value)} />
          </View>
          <View className='flex1 field' style={{ marginLeft: '12px' }}>
            <Text className='field-label'>每日封顶（元，可选）</Text>
            <Input className='input' type='digit' value={cap} onInput={(e) => setCap(e.detail.value)} />
          </View>
        </View>
      </View>
      <LocationPicker value={loc} onChange={setLoc} title='车位位置' />
      <View className='card'>
        <View className='row-between'>
          <Text className='section-title'>开放时段（每周）</Text>
          <Text className='link' onClick={() => windows.length < 21 && setWindows([...windows, { days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00' }])}>
            + 添加时段
          </Text>
        </View>
        {windows.map((w, i) => (
          <View key={i} className='window-row' data-testid='window-row'>
            <View className='chips'>
              {[1, 2, 3, 4, 5, 6, 7].map((d) => (
                <View key={d} className={`chip${w.days.includes(d) ? ' chip-active' : ''}`} onClick={() => toggleDay(i, d)}>
                  <Text>{DAY_TEXT[d]}</Text>
                </View>
              ))}
            </View>
            <View className='row'>
              <Picker mode='selector' range={STARTS} value={Math.max(0, STARTS.indexOf(w.start))} onChange={(e) => setWin(i, { start: STARTS[Number(e.detail.value)] })}>
                <Text className='picker-value'>{w.start}</Text>
              </Picker>
              <Text className='text-muted'>至</Text>
              <Picker mode='selector' range={ENDS} value={Math.max(0, ENDS.indexOf(w.end))} onChange={(e) => setWin(i, { end: ENDS[Number(e.detail.value)] })}>
                <Text className='picker-value' style={{ marginLeft: '8px' }}>
                  {w.end}
                </Text>
              </Picker>
              <Text className='text-muted small flex1'>{w.end <= w.start && w.end !== '24:00' ? '跨夜' : ''}</Text>
              {windows.length > 1 && (
                <Text className='link' onClick={() => setWindows(windows.filter((_, j) => j !== i))}>
                  删除
                </Text>
              )}
            </View>
          </View>
        ))}
      </View>
      <View className='card'>
        <Text className='section-title'>车位特点</Text>
        <View className='chips'>
          {Object.entries(FEATURE_TEXT).map(([k, label]) => (
            <View key={k} className={`chip${features.includes(k) ? ' chip-active' : ''}`} onClick={() => setFeatures(features.includes(k) ? features.filter((f) => f !== k) : [...features, k])}>
              <Text>{label}</Text>
            </View>
          ))}
        </View>
        <Text className='field-label'>进场说明（预订后才对车主可见）</Text>
        <Textarea className='input' value={notes} maxlength={500} placeholder='如 从 B 口进入，报车牌' onInput={(e) => setNotes(e.detail.value)} style={{ width: 'auto', height: '60px' }} />
      </View>
      <View className='footer-bar'>
        <Button className='btn btn-primary btn-footer flex1' data-testid='spot-submit' disabled={busy} loading={busy} onClick={submit}>
          发布车位
        </Button>
      </View>
    </View>
  )
}
