import { useState } from 'react'
import { View, Text, Input, Button } from '@tarojs/components'
import Chips from './Chips'
import { createPassenger } from '../api/ticketing'
import type { Passenger } from '../api/types'
import { idCardError, passportError } from '../utils/idcard'
import { useAction } from '../utils/action'

type IdType = 'id_card' | 'passport'

/** Add a real-name passenger; the ID number is checked as it is typed (GB 11643 check digit). */
export default function PassengerForm({ onAdded, onCancel }: { onAdded: (p: Passenger) => void; onCancel?: () => void }) {
  const [name, setName] = useState('')
  const [idType, setIdType] = useState<IdType>('id_card')
  const [idNumber, setIdNumber] = useState('')
  const [touched, setTouched] = useState(false)
  const { busy, run } = useAction()

  const idErr = idType === 'id_card' ? idCardError(idNumber) : passportError(idNumber)
  const nameErr = name.trim() ? null : '请输入姓名'
  const showIdErr = (touched || idNumber.length >= (idType === 'id_card' ? 18 : 5)) && idErr

  const submit = async () => {
    setTouched(true)
    if (idErr || nameErr) return
    const p = await run((key) => createPassenger({ name: name.trim(), idType, idNumber: idNumber.trim().toUpperCase() }, key))
    if (p) {
      setName('')
      setIdNumber('')
      setTouched(false)
      onAdded(p)
    }
  }

  return (
    <View className='card passenger-form'>
      <Text className='section-title'>添加乘客</Text>
      <View className='field'>
        <Text className='field-label'>姓名</Text>
        <Input className='input' data-testid='passenger-name' placeholder='与证件一致' value={name} maxlength={64} onInput={(e) => setName(e.detail.value)} />
      </View>
      <View className='field'>
        <Text className='field-label'>证件类型</Text>
        <Chips
          options={[
            { value: 'id_card', label: '居民身份证' },
            { value: 'passport', label: '护照' },
          ]}
          value={idType}
          onChange={(v) => setIdType(v)}
        />
      </View>
      <View className='field'>
        <Text className='field-label'>证件号码</Text>
        <Input
          className={`input${showIdErr ? ' input-error' : ''}`}
          data-testid='passenger-id'
          placeholder={idType === 'id_card' ? '18 位身份证号' : '护照号码'}
          value={idNumber}
          maxlength={idType === 'id_card' ? 18 : 17}
          onInput={(e) => setIdNumber(e.detail.value)}
          onBlur={() => setTouched(true)}
        />
        {showIdErr ? <Text className='text-error small'>{idErr}</Text> : idNumber && !idErr ? <Text className='text-ok small'>证件号码格式正确</Text> : null}
        {touched && nameErr && <Text className='text-error small'>{nameErr}</Text>}
      </View>
      <View className='row'>
        {onCancel && (
          <Button className='btn btn-plain flex1' onClick={onCancel} disabled={busy}>
            取消
          </Button>
        )}
        <Button className='btn btn-primary flex1' disabled={busy} loading={busy} onClick={submit}>
          保存乘客
        </Button>
      </View>
    </View>
  )
}
