import { View, Text } from '@tarojs/components'

export interface ChipOption<T extends string> {
  value: T
  label: string
  sub?: string
}

export default function Chips<T extends string>({ options, value, onChange, scroll }: { options: ChipOption<T>[]; value: T; onChange: (v: T) => void; scroll?: boolean }) {
  return (
    <View className={`chips${scroll ? ' chips-scroll' : ''}`}>
      {options.map((o) => (
        <View key={o.value} className={`chip${o.value === value ? ' chip-active' : ''}`} onClick={() => onChange(o.value)}>
          <Text className='chip-label'>{o.label}</Text>
          {o.sub && <Text className='chip-sub'>{o.sub}</Text>}
        </View>
      ))}
    </View>
  )
}
