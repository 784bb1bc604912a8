import { useCallback, useState } from 'react'
import { View, Text } from '@tarojs/components'
import { useLoad, usePullDownRefresh, stopPullDownRefresh } from '@tarojs/taro'
import { fetchHealth } from '../../api/health'
import './index.css'

type Health = 'checking' | 'ok' | 'down'

const HEALTH_TEXT: Record<Health, string> = {
  checking: '正在检查…',
  ok: '服务正常',
  down: '服务暂不可用',
}

const HEALTH_CLASS: Record<Health, string> = {
  checking: 'text-muted',
  ok: 'text-ok',
  down: 'text-error',
}

/** The services the platform offers; each becomes its own page later. */
const SERVICES = [
  { key: 'rail', icon: '铁', label: '火车票' },
  { key: 'coach', icon: '汽', label: '汽车票' },
  { key: 'ferry', icon: '船', label: '船票' },
  { key: 'air', icon: '机', label: '机票' },
  { key: 'parking', icon: '停', label: '共享停车' },
  { key: 'bikes', icon: '骑', label: '共享单车' },
  { key: 'cruise', icon: '邮', label: '邮轮' },
] as const

export default function Index() {
  const [health, setHealth] = useState<Health>('checking')

  const checkHealth = useCallback(async () => {
    setHealth('checking')
    setHealth((await fetchHealth()) ? 'ok' : 'down')
  }, [])

  useLoad(() => {
    void checkHealth()
  })

  usePullDownRefresh(() => {
    void checkHealth().finally(() => stopPullDownRefresh())
  })

  return (
    <View className='page'>
      <View className='home-hero'>
        <Text className='home-title'>一站出行</Text>
        <Text className='home-subtitle text-muted'>车票、船票、停车、单车、邮轮，一站搞定</Text>
      </View>

      <View className='card home-status' data-testid='health'>
        <Text className='home-status-label text-muted'>服务状态</Text>
        <Text className={`home-status-value ${HEALTH_CLASS[health]}`} data-state={health}>
          {HEALTH_TEXT[health]}
        </Text>
      </View>

      <View className='card'>
        <Text className='home-section-title'>出行服务</Text>
        <View className='home-grid'>
          {SERVICES.map((s) => (
            <View className='home-grid-item' key={s.key}>
              <View className='home-grid-icon'>{s.icon}</View>
              <Text className='home-grid-label'>{s.label}</Text>
            </View>
          ))}
        </View>
      </View>
    </View>
  )
}
