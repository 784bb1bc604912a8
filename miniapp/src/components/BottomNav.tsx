import { View, Text } from '@tarojs/components'
import { tab } from '../utils/nav'

const ITEMS = [
  { page: 'index', label: '出行' },
  { page: 'orders', label: '订单' },
  { page: 'me', label: '我的' },
] as const

/** The three top-level pages (a custom bar: a native tabBar needs icon files). */
export default function BottomNav({ current }: { current: (typeof ITEMS)[number]['page'] }) {
  return (
    <View className='bottom-nav'>
      {ITEMS.map((i) => (
        <View key={i.page} className={`bottom-nav-item${i.page === current ? ' bottom-nav-active' : ''}`} onClick={() => i.page !== current && tab(i.page)}>
          <Text>{i.label}</Text>
        </View>
      ))}
    </View>
  )
}
