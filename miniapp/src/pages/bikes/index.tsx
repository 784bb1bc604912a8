import { useCallback, useEffect, useState } from 'react'
import Taro from '@tarojs/taro'
import { View, Text, Button, Input } from '@tarojs/components'
import { getMyRider, listRides, lockRide, registerRider, unlockBike } from '../../api/bikes'
import { ApiProblem } from '../../api/client'
import type { BikeRide, BikeRideEnd, BikeRider } from '../../api/types'
import StateView from '../../components/StateView'
import LocationPicker, { CITY_CENTRES, type PickedLocation } from '../../components/LocationPicker'
import { clock, dateTime, duration, yuan } from '../../utils/format'
import { idCardError, phoneError } from '../../utils/idcard'
import { errorText, toast, useAction } from '../../utils/action'
import { go } from '../../utils/nav'
import { useNow } from '../../utils/useNow'
import { isWeapp } from '../../store/session'

interface NearestZone {
  name: string
  distanceMeters: number
}

function RegisterForm({ onDone }: { onDone: (r: BikeRider) => void }) {
  const [name, setName] = useState('')
  const [idNumber, setIdNumber] = useState('')
  const [phone, setPhone] = useState('')
  const { busy, run } = useAction()
  const idErr = idCardError(idNumber)
  const phErr = phoneError(phone)
  const submit = async () => {
    if (!name.trim()) return toast('请输入姓名')
    if (idErr) return toast(idErr)
    if (phErr) return toast(phErr)
    const r = await run((key) => registerRider({ name: name.trim(), idNumber: idNumber.trim().toUpperCase(), phone: phone.trim() }, key))
    if (r) onDone(r)
  }
  return (
    <View className='card'>
      <Text className='section-title'>实名注册（免押金）</Text>
      <Text className='text-muted small block'>根据规定，骑行共享单车须实名登记，年满 12 周岁。证件号和手机号加密保存，仅显示脱敏信息。</Text>
      <View className='field'>
        <Text className='field-label'>姓名</Text>
        <Input className='input' data-testid='rider-name' value={name} maxlength={64} onInput={(e) => setName(e.detail.value)} />
      </View>
      <View className='field'>
        <Text className='field-label'>身份证号</Text>
        <Input className={`input${idNumber.length >= 18 && idErr ? ' input-error' : ''}`} data-testid='rider-id' value={idNumber} maxlength={18} onInput={(e) => setIdNumber(e.detail.value)} />
        {idNumber.length >= 18 && idErr && <Text className='text-error small'>{idErr}</Text>}
      </View>
      <View className='field'>
        <Text className='field-label'>手机号</Text>
        <Input className='input' data-testid='rider-phone' type='number' value={phone} maxlength={11} onInput={(e) => setPhone(e.detail.value)} />
      </View>
      <Button className='btn btn-primary' data-testid='rider-submit' disabled={busy} loading={busy} onClick={submit}>
        注册
      </Button>
    </View>
  )
}

export default function BikesPage() {
  const [rider, setRider] = useState<BikeRider | null>(null)
  const [registered, setRegistered] = useState<boolean | null>(null)
  const [rides, setRides] = useState<BikeRide[]>([])
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string | null>(null)
  const [code, setCode] = useState('')
  const [loc, setLoc] = useState<PickedLocation>(CITY_CENTRES.shanghai)
  const [ended, setEnded] = useState<BikeRideEnd | null>(null)
  const [outside, setOutside] = useState<{ message: string; nearest?: NearestZone } | null>(null)
  const unlock = useAction()
  const lock = useAction()

  const load = useCallback(async () => {
    setError(null)
    try {
      try {
        setRider(await getMyRider())
        setRegistered(true)
      } catch (e) {
        if (e instanceof ApiProblem && e.status === 404) {
          setRegistered(false)
          return
        }
        throw e
      }
      setRides((await listRides()).items)
    } catch (e) {
      setError(errorText(e))
    } finally {
      setLoading(false)
    }
  }, [])

  useEffect(() => {
    void load()
  }, [load])

  const open = rides.find((r) => r.status === 'OPEN')
  const now = useNow(!!open)

  const scan = async () => {
    try {
      const r = await Taro.scanCode({ onlyFromCamera: true, scanType: ['qrCode', 'barCode'] })
      const m = r.result.match(/[A-Z0-9][A-Z0-9-]{3,31}$/i)
      if (m) setCode(m[0].toUpperCase())
      else toast('无法识别车辆编号')
    } catch {
      /* cancelled */
    }
  }

  const onUnlock = async () => {
    const c = code.trim().toUpperCase()
    if (!/^[A-Z0-9][A-Z0-9-]{3,31}$/.test(c)) return toast('请输入车身上的车辆编号')
    setEnded(null)
    const r = await unlock.run((key) => unlockBike(c, { lat: loc.lat, lng: loc.lng }, key))
    if (r) {
      toast('开锁成功，骑行开始')
      setRides((rs) => [r.ride, ...rs.filter((x) => x.id !== r.ride.id)])
      setCode('')
    }
  }

  const onLock = async () => {
    if (!open) return
    setOutside(null)
    const r = await lock.run(
      async (key) => {
        try {
          return await lockRide(open.id, { lat: loc.lat, lng: loc.lng }, key)
        } catch (e) {
          if (e instanceof ApiProblem && e.code === 'outside_parking_zone') {
            const nearest = e.problem.nearestParkingZone as NearestZone | undefined
            setOutside({ message: e.problem.reason === 'no_parking_zone' ? '此处为禁停区，请骑到停车区内再锁车' : '不在停车区内，请骑到停车区内再锁车', nearest })
            return null
          }
          throw e
        }
      },
    )
    if (r) {
      setEnded(r)
      void load()
    }
  }

  return (
    <View className='page'>
      <StateView loading={loading} error={error} onRetry={load}>
        {registered === false && (
          <RegisterForm
            onDone={(r) => {
              setRider(r)
              setRegistered(true)
              toast('注册成功')
              void load()
            }}
          />
        )}
        {registered && rider && (
          <View>
            {rider.unpaidOrderId && !ended && (
              <View className='card'>
                <Text className='text-warn block'>上一次骑行尚未支付，支付后才能再次开锁</Text>
                <Button className='btn btn-primary btn-small' onClick={() => go('order', { id: rider.unpaidOrderId })}>
                  去支付
                </Button>
              </View>
            )}
            {ended && (
              <View className='card col-center' data-testid='ride-ended'>
                <Text className='strong'>骑行结束</Text>
                <Text className='big-fare' data-testid='ride-fare'>
                  {yuan(ended.fareFen)}
                </Text>
                <Text className='text-muted small'>
                  骑行 {duration(Math.max(1, Math.round((ended.ride.durationSeconds ?? 0) / 60)))} · 车辆 {ended.ride.bikeCode}
                </Text>
                {ended.paymentRequired && ended.order ? (
                  <Button className='btn btn-primary' data-testid='ride-pay' onClick={() => go('order', { id: ended.order!.id })}>
                    支付车费 {yuan(ended.fareFen)}
                  </Button>
                ) : (
                  <Text className='text-ok'>本次骑行免费</Text>
                )}
              </View>
            )}
            {open ? (
              <View className='card col-center' data-testid='ride-open'>
                <Text className='text-muted small'>正在骑行 · 车辆 {open.bikeCode}</Text>
                <Text className='ride-timer' data-testid='ride-timer'>
                  {clock((now - Date.parse(open.startedAt)) / 1000)}
                </Text>
                <Text className='text-muted small'>
                  起步价 {yuan(open.pricing.startFeeFen)}，之后每 15 分钟 {yuan(open.pricing.per15MinFen)}
                </Text>
              </View>
            ) : (
              <View className='card'>
                <Text className='section-title'>扫码 / 输入编号开锁</Text>
                <View className='row'>
                  <Input className='input flex1' data-testid='bike-code' placeholder='车辆编号，如 SH-QJ-000123' value={code} maxlength={32} onInput={(e) => setCode(e.detail.value)} />
                  {isWeapp && (
                    <Button className='btn btn-plain btn-small' onClick={scan}>
                      扫码
                    </Button>
                  )}
                </View>
              </View>
            )}
            <LocationPicker value={loc} onChange={setLoc} title={open ? '锁车位置' : '我的位置'} />
            {outside && (
              <View className='card' data-testid='outside-zone'>
                <Text className='text-error block'>{outside.message}</Text>
                {outside.nearest && (
                  <Text className='small block'>
                    最近的停车区：{outside.nearest.name}（约 {Math.round(outside.nearest.distanceMeters)} 米）
                  </Text>
                )}
                <Text className='text-muted small block'>骑行仍在计费</Text>
              </View>
            )}
            {open ? (
              <Button className='btn btn-primary' data-testid='lock-button' disabled={lock.busy} loading={lock.busy} onClick={onLock}>
                锁车还车
              </Button>
            ) : (
              <Button className='btn btn-primary' data-testid='unlock-button' disabled={unlock.busy || !!rider.unpaidOrderId} loading={unlock.busy} onClick={onUnlock}>
                开锁
              </Button>
            )}
            <View className='card' style={{ marginTop: '16px' }}>
              <Text className='section-title'>骑行记录</Text>
              <StateView empty={rides.filter((r) => r.status === 'ENDED').length === 0} emptyText='还没有骑行记录'>
                {rides
                  .filter((r) => r.status === 'ENDED')
                  .map((r) => (
                    <View key={r.id} className='item-row' data-testid='ride-row'>
                      <View className='flex1'>
                        <Text className='block'>{dateTime(r.startedAt)} · {r.bikeCode}</Text>
                        <Text className='text-muted small'>{duration(Math.max(1, Math.round((r.durationSeconds ?? 0) / 60)))}</Text>
                      </View>
                      <Text className='price-small'>{yuan(r.fareFen ?? 0)}</Text>
                      <Text className={r.paymentStatus === 'DUE' ? 'text-warn small' : 'text-muted small'}>{r.paymentStatus === 'DUE' ? '待支付' : r.paymentStatus === 'PAID' ? '已支付' : ''}</Text>
                    </View>
                  ))}
              </StateView>
            </View>
            <Text className='text-muted small block'>
              骑行人 {rider.name} · {rider.phone}
            </Text>
          </View>
        )}
      </StateView>
    </View>
  )
}
